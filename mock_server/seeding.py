"""Seeding sandbox connections and data files with fixture data sets.

Three ways lead here: ``POST /_admin/seed`` seeds one connection of a running server,
``serve --fixtures NAME`` seeds every connection whose vendor account is new, and
``engagement-mock seed --data-file`` writes a data file that ``serve --data-file`` loads.
A connection's data lives in its vendor account, ``<application id>:<customer id>``,
inside the in-process simulator of its provider. A provider that an external simulator
serves over HTTP cannot be seeded from here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fixtures import (
    DEFAULT_LOCALE,
    LOCALES,
    PRESETS,
    REFERENCE_TIME,
    CountsError,
    SeedReport,
    build_dataset,
    load_dataset,
    parse_counts,
    resolve_counts,
)
from fixtures.presets import Counts
from providers_sim.base import FixedClock, Simulator, account_prefix, stable_seed
from providers_sim.store import Store

from .connections import VENDORS, Connection, Sandbox, account_name, application_id_for, load
from .errors import BadRequestError, ValidationError
from .providers import Provider

logger = logging.getLogger(__name__)

MAX_SEED = 2**63 - 1
REQUEST_FIELDS = ("preset", "counts", "seed", "locale")


@dataclass(frozen=True)
class SeedRequest:
    """The counts (a preset with overrides), seed and locale of one seeding run."""

    counts: Counts
    seed: int
    locale: str = DEFAULT_LOCALE
    preset: str | None = None

    def describe(self) -> dict[str, Any]:
        """Return the request as ``/_admin/seed`` echoes it."""
        return {"preset": self.preset, "counts": self.counts.as_dict(), "seed": self.seed, "locale": self.locale}


def connection_seed(customer_id: str, provider: Provider) -> int:
    """Return the seed of a connection's fixtures; the same customer and provider always get the same one."""
    return stable_seed("fixtures", provider.value, customer_id) % 2**31


def parse_seed_request(body: Any, default_seed: int) -> SeedRequest:
    """Read a ``/_admin/seed`` body ``{preset?, counts?, seed?, locale?}``, raising a 400 when it is invalid.

    ``counts`` is an object such as ``{"contacts": 1000, "steps": "2-5"}`` or the same as
    text, ``"contacts=1000,steps=2-5"``. A missing seed is ``default_seed``.
    """
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise ValidationError(
            "Invalid seed request",
            detail='The body must be a JSON object such as {"preset": "small", "seed": 42, "locale": "en_US"}',
            pointer="/body",
        )
    for key in body:
        if key not in REQUEST_FIELDS:
            raise ValidationError(
                "Invalid seed request",
                detail=f"Unknown field {key!r}; the accepted fields are {', '.join(REQUEST_FIELDS)}",
                pointer=f"/body/{key}",
            )

    preset_name = body.get("preset")
    if preset_name is not None and (not isinstance(preset_name, str) or preset_name not in PRESETS):
        raise ValidationError(
            "Invalid seed request",
            detail=f"Unknown preset {preset_name!r}; expected one of {', '.join(PRESETS)}",
            pointer="/body/preset",
        )
    raw_counts = body.get("counts")
    try:
        overrides = parse_counts(raw_counts) if isinstance(raw_counts, str) else raw_counts
        if overrides is not None and not isinstance(overrides, dict):
            raise CountsError(f'counts must be an object such as {{"contacts": 1000}}, got {raw_counts!r}')
        counts = resolve_counts(preset_name, overrides)
    except CountsError as exc:
        raise ValidationError("Invalid seed request", detail=str(exc), pointer="/body/counts") from None

    seed = body.get("seed", default_seed)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ValidationError(
            "Invalid seed request",
            detail=f"seed must be a whole number from 0 to {MAX_SEED}, got {seed!r}",
            pointer="/body/seed",
        )
    locale = body.get("locale", DEFAULT_LOCALE)
    if not isinstance(locale, str) or locale not in LOCALES:
        raise ValidationError(
            "Invalid seed request",
            detail=f"Unsupported locale {locale!r}; expected one of {', '.join(LOCALES)}",
            pointer="/body/locale",
        )
    return SeedRequest(counts, seed, locale, preset_name)


def in_process_simulator(sandbox: Sandbox, provider: Provider) -> Simulator:
    """Return the in-process simulator of a provider; raise a 400 when an external simulator serves it."""
    backend = sandbox.settings.http_backends.get(provider)
    if backend is not None:
        raise BadRequestError(
            f"Cannot reach the data of {provider.value}: its adapter calls {backend.base_url}, not the "
            "in-process simulator. Seed or snapshot that simulator directly."
        )
    return sandbox.simulator(provider)


def seed_connection(sandbox: Sandbox, connection: Connection, request: SeedRequest) -> SeedReport:
    """Load a data set into the connection's vendor account and forget its cached records.

    The few times that the simulator sets itself (baseline users, an Outreach sequence's
    update time after its steps are added) come from the server's clock.
    """
    simulator = in_process_simulator(sandbox, connection.provider)
    started = time.perf_counter()
    dataset = build_dataset(request.counts, request.seed, request.locale)
    with connection.lock:
        report = load_dataset(simulator, connection.account, dataset)
        connection.cache.invalidate()
    logger.info(
        "Seeded %s for customer %s: %d records (seed %d, %s) in %.0f ms",
        connection.provider.value,
        connection.customer_id,
        report.total(),
        request.seed,
        request.locale,
        (time.perf_counter() - started) * 1000,
    )
    return report


def seed_new_connection(sandbox: Sandbox, connection: Connection, preset_name: str) -> SeedReport | None:
    """Seed a just-opened connection with a preset unless its vendor account already has data.

    An account with data (from ``--data-file`` or an earlier request) is left as it is,
    so a restarted server never seeds twice. Returns None when nothing was seeded.
    """
    if connection.provider in sandbox.settings.http_backends:
        logger.warning(
            "Not loading fixtures into %s for customer %s: an external simulator serves it",
            connection.provider.value,
            connection.customer_id,
        )
        return None
    simulator = sandbox.simulator(connection.provider)
    if account_has_data(sandbox.store, simulator.vendor, connection.account):
        return None
    seed = connection_seed(connection.customer_id, connection.provider)
    return seed_connection(sandbox, connection, SeedRequest(resolve_counts(preset_name), seed, preset=preset_name))


def account_has_data(store: Store, vendor: str, account: str) -> bool:
    """Tell whether the store contains any table of the vendor account."""
    prefix = account_prefix(vendor, account)
    return any(name.startswith(prefix) for name in store.table_names())


def seed_data_file(
    path: str, *, api_key: str, customer_id: str, requests: Mapping[Provider, SeedRequest]
) -> dict[Provider, SeedReport]:
    """Seed one customer's connections in a data file, one request per provider, and write the file.

    The file keeps the records it already has. The simulators run on a fixed clock, so
    the same requests on the same (or no) file give a byte-identical file. A server must
    not be running on the file meanwhile, because it would overwrite the changes.
    Raises ``DataFileError`` when the file exists but is not a data file.
    """
    account = account_name(application_id_for(api_key), customer_id)
    store = Store(path, flush_interval=0)
    reports: dict[Provider, SeedReport] = {}
    try:
        for provider, request in requests.items():
            simulator = load(VENDORS[provider].simulator)(store, clock=FixedClock(REFERENCE_TIME))
            dataset = build_dataset(request.counts, request.seed, request.locale)
            reports[provider] = load_dataset(simulator, account, dataset)
    finally:
        store.close()
    return reports


def report_body(provider: Provider, customer_id: str, request: SeedRequest, report: SeedReport) -> dict[str, Any]:
    """Return the response body of ``/_admin/seed``."""
    return {
        "provider": provider.value,
        "customer_id": customer_id,
        "request": request.describe(),
        "created": report.as_dict(),
    }


def summary_line(provider: Provider, created: Mapping[str, int]) -> str:
    """Format the counts of one seeded provider for the command line."""
    parts = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in created.items() if count)
    return f"{provider.value}: {parts or 'nothing'}"
