"""Benchmark fixture seeding: records generated and stored per second, per provider.

For each provider, builds the data set of a preset (``large`` by default: 100,000
contacts), loads it into a fresh in-memory simulator store, and then writes the store as a
data file, as ``engagement-mock seed --data-file`` does. Prints the time of each phase and
the throughput over generation plus storage, and the machine it ran on.

    python -m bench.seed_bench [--preset large] [--counts contacts=20000] [--provider outreach]
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fixtures import REFERENCE_TIME, build_dataset, load_dataset, parse_counts, resolve_counts  # noqa: E402
from mock_server.connections import VENDORS, load  # noqa: E402
from mock_server.providers import Provider  # noqa: E402
from providers_sim.base import FixedClock  # noqa: E402
from providers_sim.store import Store  # noqa: E402

TARGET_PER_SECOND = 10_000


def machine() -> str:
    """Describe the CPU, core count, memory and Python of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            kilobytes = int(next(line.split()[1] for line in handle if line.startswith("MemTotal")))
        memory = f", {kilobytes / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{memory}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def bench_provider(provider: Provider, preset: str, overrides: dict[str, str], seed: int) -> None:
    counts = resolve_counts(preset, overrides)
    gc.collect()

    started = time.perf_counter()
    dataset = build_dataset(counts, seed)
    generated = time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "bench.json")
        store = Store(path, flush_interval=0)
        simulator = load(VENDORS[provider].simulator)(store, clock=FixedClock(REFERENCE_TIME))
        report = load_dataset(simulator, "app_bench:customer", dataset)
        stored = time.perf_counter()
        store.close()
        written = time.perf_counter()
        size = os.path.getsize(path)

    records = report.total()
    seconds = stored - started
    rate = records / seconds
    verdict = "meets" if rate >= TARGET_PER_SECOND else "MISSES"
    print(
        f"{provider.value:9} {records:>8} records: generate {generated - started:5.2f} s, "
        f"store {stored - generated:5.2f} s -> {rate:>8.0f} records/s ({verdict} {TARGET_PER_SECOND}/s); "
        f"write file {written - stored:5.2f} s ({size / 1e6:.0f} MB)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="large")
    parser.add_argument("--counts", default="", help="Overrides such as contacts=20000,states=4000.")
    parser.add_argument("--provider", choices=[p.value for p in Provider] + ["all"], default="all")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    print(f"Machine: {machine()}")
    print(f"Preset {args.preset} {args.counts or ''}".rstrip())
    providers = list(Provider) if args.provider == "all" else [Provider(args.provider)]
    for provider in providers:
        bench_provider(provider, args.preset, parse_counts(args.counts), args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
