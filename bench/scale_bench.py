"""Benchmark list latency and memory as a connection grows from 1,000 to 100,000 contacts.

For each provider and size, seeds a data file with ``engagement-mock seed --data-file``,
starts ``engagement-mock serve --data-file`` on a free 127.0.0.1 port, follows the
``next`` cursors of ``GET /contacts?page_size=100`` through the whole list, and then times
repeated requests of the first, middle and last page. Prints p50 latencies, the ratio of the
deep pages at the large size to the same pages at the small size (target: at most 1.5), and
the server's resident memory with the large data set loaded (target: under 500 MB).

    python -m bench.scale_bench [--provider outreach] [--repeat 40] [--large 100000]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.seed_bench import machine  # noqa: E402
from conftest import API_KEY, ServerProcess, free_port  # noqa: E402
from mock_server.providers import Provider  # noqa: E402

BASE = "/engagement/v2"
CUSTOMER = "scale-bench"
MAX_RATIO = 1.5
MAX_RSS_MB = 500


@dataclass
class Served:
    """One server with a seeded data file, and the cursors of its whole contact list."""

    contacts: int
    server: ServerProcess
    client: httpx.Client
    pages: list[dict[str, str]]
    load_seconds: float
    rss_idle_mb: float
    walk_p50_ms: float
    timings: dict[str, list[float]]


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="utf-8") as handle:
        kilobytes = next(int(line.split()[1]) for line in handle if line.startswith("VmRSS"))
    return kilobytes / 1024


def seed_file(path: Path, provider: Provider, contacts: int) -> None:
    counts = f"contacts={contacts},accounts={max(10, contacts // 20)},states={contacts // 5}"
    command = [
        sys.executable, "-m", "mock_server", "seed", "--preset", "large", "--counts", counts, "--seed", "1",
        "--data-file", str(path), "--customer-id", CUSTOMER, "--provider", provider.value,
    ]  # fmt: skip
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)


def timed_get(client: httpx.Client, params: dict[str, str]) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    response = client.get(BASE + "/contacts", params=params)
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed, response.json()


def serve_seeded(provider: Provider, contacts: int, directory: Path) -> Served:
    """Seed a data file, serve it, and walk the whole contact list once to collect its cursors."""
    data_file = directory / f"{provider.value}-{contacts}.json"
    seed_file(data_file, provider, contacts)
    port = free_port()
    args = ["serve", "--port", str(port), "--log-level", "warning", "--data-file", str(data_file)]
    started = time.perf_counter()
    server = ServerProcess(args, port, f"{BASE}/openapi.json").start(timeout=300)
    load_seconds = time.perf_counter() - started
    assert server.process is not None
    rss_idle = rss_mb(server.process.pid)
    headers = {"x-api-key": API_KEY, "x-customer-id": CUSTOMER, "x-provider-name": provider.value}
    client = httpx.Client(base_url=server.base_url, headers=headers, timeout=120)

    pages: list[dict[str, str]] = [{"page_size": "100"}]
    walk: list[float] = []
    seen = 0
    while True:
        elapsed, body = timed_get(client, pages[-1])
        walk.append(elapsed)
        seen += len(body["records"])  # type: ignore[arg-type]
        cursor = body["pagination"]["next"]  # type: ignore[index]
        if cursor is None:
            break
        pages.append({"page_size": "100", "cursor": cursor})
    if seen != contacts:
        raise RuntimeError(f"{provider.value}: walked {seen} contacts, expected {contacts}")
    timings: dict[str, list[float]] = {"first": [], "middle": [], "last": []}
    return Served(contacts, server, client, pages, load_seconds, rss_idle, statistics.median(walk), timings)


def time_pages(servers: list[Served], repeat: int) -> None:
    """Time the first, middle and last page of every server, interleaved, so that load from
    other processes on the machine affects every size alike."""
    for _round in range(repeat):
        for served in servers:
            positions = {"first": 0, "middle": len(served.pages) // 2, "last": len(served.pages) - 1}
            for name, index in positions.items():
                served.timings[name].append(timed_get(served.client, served.pages[index])[0])


def report(provider: Provider, served: Served) -> float:
    """Print one size's figures and return the server's resident memory now."""
    assert served.server.process is not None
    rss_after = rss_mb(served.server.process.pid)
    first, middle, last = (statistics.median(served.timings[name]) for name in ("first", "middle", "last"))
    print(
        f"{provider.value:9} {served.contacts:>7} contacts: first {first:6.2f}  middle {middle:6.2f}  "
        f"last {last:6.2f}  (whole walk {served.walk_p50_ms:6.2f}); start {served.load_seconds:5.1f} s, "
        f"RSS {served.rss_idle_mb:4.0f} MB idle, {rss_after:4.0f} MB after the requests"
    )
    return rss_after


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--provider", choices=[p.value for p in Provider] + ["all"], default="all")
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=40, help="Requests per timed page (default: 40).")
    args = parser.parse_args()

    print(f"Machine: {machine()}")
    print("GET /contacts?page_size=100 over loopback HTTP, one connection, p50 in ms")
    providers = list(Provider) if args.provider == "all" else [Provider(args.provider)]
    failed = False
    with tempfile.TemporaryDirectory() as directory:
        for provider in providers:
            servers = [serve_seeded(provider, size, Path(directory)) for size in (args.small, args.large)]
            try:
                time_pages(servers, args.repeat)
                small, large = servers
                report(provider, small)
                rss_large = report(provider, large)
            finally:
                for served in servers:
                    served.client.close()
                    served.server.stop()
            ratio = max(
                statistics.median(large.timings[name]) / statistics.median(small.timings[name])
                for name in ("middle", "last")
            )
            passed = ratio <= MAX_RATIO and rss_large < MAX_RSS_MB
            failed = failed or not passed
            print(
                f"{provider.value:9} deep-page ratio {ratio:.2f} (target <= {MAX_RATIO}); "
                f"RSS at {args.large} contacts {rss_large:.0f} MB (target < {MAX_RSS_MB} MB) "
                f"-> {'ok' if passed else 'MISSED'}"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
