"""A small closed-loop HTTP load generator for the benchmarks (loopback only).

``run_load`` keeps ``connections`` requests in flight for ``seconds`` seconds (after a
warm-up) and returns throughput and latency percentiles. Each connection is one asyncio
task with its own keep-alive connection, so the figures are per-connection latencies.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

RequestFactory = Callable[[int], tuple[str, str, dict[str, str], Any]]


@dataclass(frozen=True)
class LoadResult:
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


async def _worker(
    client: httpx.AsyncClient, make: RequestFactory, stop_at: float, record_from: float, latencies: list[float], counts: list[int], worker: int
) -> None:
    sequence = 0
    while True:
        started = time.perf_counter()
        if started >= stop_at:
            return
        method, url, headers, body = make(worker * 1_000_000 + sequence)
        sequence += 1
        response = await client.request(method, url, headers=headers, json=body)
        finished = time.perf_counter()
        if started >= record_from:
            latencies.append((finished - started) * 1000)
            counts[0] += 1
            if response.status_code >= 400:
                counts[1] += 1


async def _run(make: RequestFactory, connections: int, seconds: float, warmup: float) -> LoadResult:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=30.0) as client:
        now = time.perf_counter()
        record_from = now + warmup
        stop_at = record_from + seconds
        latencies: list[float] = []
        counts = [0, 0]
        await asyncio.gather(
            *(_worker(client, make, stop_at, record_from, latencies, counts, worker) for worker in range(connections))
        )
    return LoadResult(
        requests=counts[0],
        errors=counts[1],
        seconds=seconds,
        p50_ms=statistics.median(latencies) if latencies else float("nan"),
        p99_ms=_percentile(latencies, 0.99),
    )


def run_load(make: RequestFactory, *, connections: int, seconds: float = 5.0, warmup: float = 1.0) -> LoadResult:
    """Drive load with ``connections`` concurrent connections and return the figures."""
    return asyncio.run(_run(make, connections, seconds, warmup))
