"""Cost of a list page when its data changed since the last read, and when it did not.

A repeated read of unchanged data reuses what the previous identical read built (see
``providers_sim.memo``); any write makes the next read build its page again. For each
provider this creates 150 contacts, then times the ``listContacts`` handler for
``GET /contacts?page_size=100`` inside a Flask request context. That leaves out the
framework's share of a request, which ``bench.http_bench`` measures. Warm reads repeat
with no write between them, and cold reads each follow an untimed ``PATCH`` of one
contact. Milliseconds per request.

    python -m bench.memo_bench [--reads 300]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.http_bench import describe_machine  # noqa: E402
from conftest import API_KEY  # noqa: E402
from mock_server import operations  # noqa: E402
from mock_server.app import create_app  # noqa: E402
from mock_server.cli import GC_THRESHOLDS  # noqa: E402
from mock_server.settings import Settings  # noqa: E402

BASE = "/engagement/v2"
PROVIDERS = ("apollo", "outreach", "salesloft")


def measure(provider: str, reads: int) -> tuple[list[float], list[float]]:
    headers = {"x-api-key": API_KEY, "x-customer-id": f"memo-bench-{provider}", "x-provider-name": provider}
    app = create_app(Settings())
    flask_app = app.app
    with app.test_client() as client:
        first_id = ""
        for index in range(150):
            body = {"record": {"first_name": f"F{index}", "last_name": "Bench", "email_addresses": [
                {"email_address": f"memo{index}@bench.example", "email_address_type": "primary"}]}}
            created = client.post(f"{BASE}/contacts", json=body, headers=headers)
            created.raise_for_status()
            first_id = first_id or created.json()["record"]["id"]

        def timed_read() -> float:
            with flask_app.test_request_context(f"{BASE}/contacts?page_size=100", headers=headers):
                started = time.perf_counter()
                response = operations.listContacts()
                elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, response.get_data(as_text=True)
            return elapsed

        # The collector settings of ``engagement-mock serve``.
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)
        for _ in range(30):
            timed_read()
        warm = [timed_read() for _ in range(reads)]
        cold = []
        for index in range(reads):
            patch = {"record": {"first_name": f"Changed{index}"}}
            client.patch(f"{BASE}/contacts/{first_id}", json=patch, headers=headers).raise_for_status()
            cold.append(timed_read())
    return warm, cold


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reads", type=int, default=300, help="Timed reads per case (default: 300).")
    args = parser.parse_args()
    if args.reads < 2:
        parser.error("--reads must be at least 2")
    print(f"machine: {describe_machine()}")
    print(f"{'provider':10} {'warm p50':>9} {'warm p99':>9} {'cold p50':>9} {'cold p99':>9} {'cold/warm':>9}")
    for provider in PROVIDERS:
        warm, cold = measure(provider, args.reads)
        ratio = statistics.median(cold) / statistics.median(warm)
        print(
            f"{provider:10} {statistics.median(warm):>9.2f} {p99(warm):>9.2f} "
            f"{statistics.median(cold):>9.2f} {p99(cold):>9.2f} {ratio:>9.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
