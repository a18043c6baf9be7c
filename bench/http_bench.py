"""Benchmark the sandbox against the framework floor over loopback HTTP.

Starts two servers as child processes on free 127.0.0.1 ports (single uvicorn process
each): the sandbox (``engagement-mock serve``) and ``bench.floor_app`` (the same spec with
constant handlers). For ``GET /accounts/{id}``, ``GET /contacts?page_size=100`` and
``POST /contacts`` it measures requests per second and p50/p99 latency with 1 and 16
concurrent connections, and prints the ratio of per-request cost (floor rps / our rps).

    python -m bench.http_bench [--seconds 5] [--provider outreach]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from itertools import count
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import LoadResult, run_load  # noqa: E402
from bench.wrk import run_wrk, wrk_available  # noqa: E402
from conftest import API_KEY, ServerProcess, free_port  # noqa: E402

BASE = "/engagement/v2"


def start_floor() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "bench.floor_app", str(port)], cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url + BASE + "/openapi.json", timeout=1)
            return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("floor app did not start")


def prepare(base_url: str, headers: dict[str, str]) -> str:
    """Create an account and 150 contacts; return the id that GET by id reads.

    That is the account, except on Apollo, which has no account read: there it is the
    first contact.
    """
    with httpx.Client(base_url=base_url + BASE, headers=headers, timeout=30) as client:
        created = client.post("/accounts", json={"record": {"name": "Bench Corp", "domain": "bench.example"}})
        created.raise_for_status()
        record_id = created.json()["record"]["id"]
        for index in range(150):
            body = {"record": {"first_name": f"F{index}", "last_name": "Bench", "email_addresses": [
                {"email_address": f"person{index}@bench.example", "email_address_type": "primary"}]}}
            contact = client.post("/contacts", json=body)
            contact.raise_for_status()
            if index == 0 and headers["x-provider-name"] == "apollo":
                record_id = contact.json()["record"]["id"]
    return record_id


def scenarios(account_id: str, headers: dict[str, str], base_url: str) -> dict[str, Any]:
    counter = count()

    by_id = GET_BY_ID[headers["x-provider-name"] == "apollo"]

    def get_account(_: int) -> tuple[str, str, dict[str, str], Any]:
        return "GET", f"{base_url}{BASE}{by_id.format(account_id=account_id)}", headers, None

    def list_contacts(_: int) -> tuple[str, str, dict[str, str], Any]:
        return "GET", f"{base_url}{BASE}/contacts?page_size=100", headers, None

    def post_contact(_: int) -> tuple[str, str, dict[str, str], Any]:
        number = next(counter)
        body = {"record": {"first_name": "Load", "last_name": f"Test{number}", "email_addresses": [
            {"email_address": f"load{number}@bench.example", "email_address_type": "primary"}]}}
        return "POST", f"{base_url}{BASE}/contacts", headers, body

    return {
        "GET /accounts/{id}": get_account,
        "GET /contacts?page_size=100": list_contacts,
        "POST /contacts": post_contact,
    }


# Apollo has no account read (a documented 400), so its GET by id reads a contact.
GET_BY_ID = {False: "/accounts/{account_id}", True: "/contacts/{account_id}"}

WRK_CASES = {
    "GET /accounts/{id}": ("GET", "/accounts/{account_id}", None),
    "GET /contacts?page_size=100": ("GET", "/contacts?page_size=100", None),
    "POST /contacts": (
        "POST",
        "/contacts",
        '{"record": {"first_name": "Load", "last_name": "Test{n}", "email_addresses": '
        '[{"email_address": "load{n}@bench.example", "email_address_type": "primary"}]}}',
    ),
}


def measure(name: str, base_url: str, account_id: str, headers: dict[str, str], cases: dict[str, Any], connections: int, seconds: float, use_wrk: bool) -> LoadResult:
    if not use_wrk:
        return run_load(cases[name], connections=connections, seconds=seconds)
    method, path, body = WRK_CASES[name]
    if name == "GET /accounts/{id}":
        path = GET_BY_ID[headers["x-provider-name"] == "apollo"]
    url = base_url + BASE + path.format(account_id=account_id)
    return run_wrk(url, method=method, headers=headers, body_template=body, connections=connections, seconds=seconds)


def describe_machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="Measured seconds per run (default: 5).")
    parser.add_argument("--provider", default="outreach", help="x-provider-name to benchmark (default: outreach).")
    parser.add_argument("--python-load", action="store_true", help="Use the Python load generator even when wrk is installed.")
    args = parser.parse_args()

    headers = {"x-api-key": API_KEY, "x-customer-id": "bench", "x-provider-name": args.provider}
    port = free_port()
    ours = ServerProcess(["serve", "--port", str(port), "--log-level", "warning"], port, f"{BASE}/openapi.json").start()
    floor_process, floor_url = start_floor()
    try:
        account_id = prepare(ours.base_url, headers)
        ours_cases = scenarios(account_id, headers, ours.base_url)
        floor_cases = scenarios(account_id, headers, floor_url)
        print(f"machine: {describe_machine()}")
        use_wrk = wrk_available() and not args.python_load
        print(f"provider: {args.provider}; {args.seconds:.0f} s per run after 1 s warm-up; load from {'wrk' if use_wrk else 'Python httpx'}")
        print(f"{'operation':30} {'conns':>5} {'ours rps':>9} {'p50 ms':>7} {'p99 ms':>7} {'floor rps':>9} {'p50 ms':>7} {'p99 ms':>7} {'cost x':>6}")
        for name in ours_cases:
            for connections in (1, 16):
                mine = measure(name, ours.base_url, account_id, headers, ours_cases, connections, args.seconds, use_wrk)
                base = measure(name, floor_url, account_id, headers, floor_cases, connections, args.seconds, use_wrk)
                ratio = base.rps / mine.rps if mine.rps else float("inf")
                print(
                    f"{name:30} {connections:>5} {mine.rps:>9.0f} {mine.p50_ms:>7.2f} {mine.p99_ms:>7.2f} "
                    f"{base.rps:>9.0f} {base.p50_ms:>7.2f} {base.p99_ms:>7.2f} {ratio:>6.2f}"
                    + (f"  ({mine.errors} errors)" if mine.errors else "")
                )
    finally:
        ours.stop()
        floor_process.terminate()
        floor_process.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
