"""How long requests wait while the data file is written.

Fills a store with 100,000 documents shaped like Outreach prospects, then writes the data
file while a second thread takes and releases the store lock every millisecond, as request
handlers do. Prints the write's duration, the longest gap between two times that thread
got the lock (waiting for the lock or for the interpreter), and the file size.

    python -m bench.flush_bench [--documents 100000]
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.http_bench import describe_machine  # noqa: E402
from providers_sim.store import Store  # noqa: E402


def prospect(number: int) -> dict[str, object]:
    return {
        "id": number,
        "attributes": {
            "firstName": f"First{number}",
            "lastName": f"Last{number % 977}",
            "emails": [f"person{number}@example{number % 50}.com"],
            "title": "Head of Sales" if number % 3 else "Account Executive",
            "addressCity": ("Berlin", "Lisbon", "Austin", "Osaka")[number % 4],
            "workPhones": [f"+1415555{number % 10000:04d}"],
            "createdAt": "2024-01-02T09:00:00.000Z",
            "updatedAt": "2024-01-02T09:00:00.000Z",
            "tags": ["imported"],
        },
        "relationships": {
            "account": {"data": {"type": "account", "id": number % 5000 + 1}},
            "owner": {"data": {"type": "user", "id": number % 50 + 1}},
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100_000, help="Documents to store (default: 100000).")
    args = parser.parse_args()
    if args.documents < 1:
        parser.error("--documents must be at least 1")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.json"
        store = Store(str(path), flush_interval=0)
        store.collection("outreach/bench/prospects").insert_many(prospect(number) for number in range(1, args.documents + 1))
        # As ``engagement-mock serve`` does with the records of a loaded data file.
        gc.freeze()

        acquired_at: list[float] = []
        done = threading.Event()

        def take_lock_repeatedly() -> None:
            while not done.is_set():
                with store.lock:
                    acquired_at.append(time.perf_counter())
                time.sleep(0.001)

        taker = threading.Thread(target=take_lock_repeatedly)
        taker.start()
        time.sleep(0.05)
        started = time.perf_counter()
        store.flush()
        finished = time.perf_counter()
        time.sleep(0.05)
        done.set()
        taker.join()
        elapsed = finished - started
        longest_gap = max(later - earlier for earlier, later in zip(acquired_at, acquired_at[1:], strict=False))
        size = path.stat().st_size
        store.close()

    print(f"machine: {describe_machine()}")
    print(f"documents: {args.documents:,}; data file {size / 1e6:.0f} MB")
    print(f"write: {elapsed:.2f} s; longest gap between two lock acquisitions: {longest_gap * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
