"""Measure what the HTTP transport costs over the in-process transport, per operation.

Starts the three simulators as one child process (``python -m providers_sim serve
--provider all`` on free 127.0.0.1 ports) and builds the unified app twice in this process:
once with in-process simulators and once with the HTTP transport to the served ones. Each
unified request goes through the app's in-process Connexion test client, so both sides pay
the same unified-API cost and the difference is the transport: JSON round trip in process
versus a loopback HTTP exchange with the simulator server.

For getContact, listContacts (page_size=100), createContact, searchContacts and getSequence
it prints the median and p99 milliseconds per unified request on each app and the ratio of
the medians (HTTP / in-process). The two apps are timed alternately, request by request.

    python -m bench.transport_bench [--iterations 200] [--warmup 20] [--provider outreach]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.http_bench import describe_machine  # noqa: E402
from conftest import API_KEY, BASE_PATH  # noqa: E402
from mock_server.app import create_app  # noqa: E402
from mock_server.providers import Provider  # noqa: E402
from mock_server.settings import Settings  # noqa: E402
from tests.native_http.servers import http_settings, serving_simulators  # noqa: E402

SEEDED_CONTACTS = 120
SEQUENCE_STEPS = [
    {"type": "manual_email", "interval_seconds": 0, "template": {"name": "Intro", "subject": "Hello", "body": "Hi"}},
    {"type": "call", "interval_seconds": 86400, "task_note": "Call"},
]

Request = tuple[str, str, dict[str, Any]]


@dataclass(frozen=True)
class Timing:
    """Latencies of one operation on one app, in milliseconds."""

    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p99(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


class Session:
    """One customer of one provider on one app."""

    def __init__(self, client: Any, provider: Provider, customer: str) -> None:
        self.client = client
        self.headers = {"x-api-key": API_KEY, "x-customer-id": customer, "x-provider-name": provider.value}

    def send(self, method: str, path: str, options: dict[str, Any]) -> Any:
        response = self.client.request(method, BASE_PATH + path, headers=self.headers, **options)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path} failed with {response.status_code}: {response.text[:300]}")
        return response.json()


def contact_record(number: int) -> dict[str, Any]:
    email = {"email_address": f"bench{number}@example.com", "email_address_type": "primary"}
    return {"record": {"first_name": f"F{number}", "last_name": "Bench", "email_addresses": [email]}}


def seed(session: Session, provider: Provider) -> tuple[str, str]:
    """Create the contacts and the sequence the operations read; return a contact and a sequence id."""
    contact_id = ""
    for number in range(SEEDED_CONTACTS):
        contact_id = session.send("POST", "/contacts", {"json": contact_record(number)})["record"]["id"]
    sequence: dict[str, Any] = {"name": "Bench", "type": "team", "steps": SEQUENCE_STEPS}
    if provider is not Provider.SALESLOFT:
        sequence["owner_id"] = session.send("GET", "/users", {})["records"][0]["id"]
    sequence_id = session.send("POST", "/sequences", {"json": {"record": sequence}})["record"]["id"]
    return str(contact_id), str(sequence_id)


def operations(contact_id: str, sequence_id: str) -> dict[str, Callable[[int], Request]]:
    """Return a request factory per operation; createContact comes last because it grows the list."""
    created = count(SEEDED_CONTACTS)
    return {
        "getContact": lambda _: ("GET", f"/contacts/{contact_id}", {}),
        "listContacts page_size=100": lambda _: ("GET", "/contacts", {"params": {"page_size": "100"}}),
        "searchContacts": lambda _: (
            "POST",
            "/contacts/_search",
            {"json": {"filter": {"emails": ["bench7@example.com"]}}},
        ),
        "getSequence": lambda _: ("GET", f"/sequences/{sequence_id}", {}),
        "createContact": lambda _: ("POST", "/contacts", {"json": contact_record(next(created))}),
    }


def timed(session: Session, request: Request) -> float:
    method, path, options = request
    started = time.perf_counter()
    session.send(method, path, options)
    return (time.perf_counter() - started) * 1000


def measure(
    local: Session, remote: Session, make: Callable[[int], Request], iterations: int, warmup: int
) -> tuple[Timing, Timing]:
    """Time the operation on both apps alternately; the same request goes to both."""
    local_samples: list[float] = []
    remote_samples: list[float] = []
    for index in range(warmup + iterations):
        request = make(index)
        local_ms, remote_ms = timed(local, request), timed(remote, request)
        if index >= warmup:
            local_samples.append(local_ms)
            remote_samples.append(remote_ms)
    return Timing(local_samples), Timing(remote_samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--iterations", type=int, default=200, help="Measured requests per operation and app (default: 200)."
    )
    parser.add_argument("--warmup", type=int, default=20, help="Unmeasured requests before them (default: 20).")
    parser.add_argument(
        "--provider",
        choices=[provider.value for provider in Provider],
        action="append",
        help="Provider to measure; repeat for several (default: all).",
    )
    args = parser.parse_args()
    providers = [Provider(name) for name in args.provider] if args.provider else list(Provider)

    print(f"machine: {describe_machine()}")
    print(
        f"{args.iterations} measured requests per operation after {args.warmup} warm-up requests, through the in-process test client of each app"
    )
    print(f"{'provider':10} {'operation':28} {'in-process p50':>14} {'p99':>7} {'HTTP p50':>9} {'p99':>7} {'ratio':>6}")
    with serving_simulators() as servers:
        local_app = create_app(Settings())
        remote_app = create_app(http_settings(servers))
        with local_app.test_client() as local_client, remote_app.test_client() as remote_client:
            for provider in providers:
                customer = f"bench-{provider.value}-{time.time_ns()}"
                local, remote = Session(local_client, provider, customer), Session(remote_client, provider, customer)
                contact_id, sequence_id = seed(local, provider)
                seed(remote, provider)
                for name, make in operations(contact_id, sequence_id).items():
                    in_process, over_http = measure(local, remote, make, args.iterations, args.warmup)
                    print(
                        f"{provider.value:10} {name:28} {in_process.median:14.2f} {in_process.p99:7.2f} "
                        f"{over_http.median:9.2f} {over_http.p99:7.2f} {over_http.median / in_process.median:6.2f}",
                        flush=True,
                    )
        remote_app.app.config["SANDBOX"].close()
        local_app.app.config["SANDBOX"].close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
