"""The ``seed`` and ``snapshot`` commands, against a data file or a running server.

With ``--server`` the commands call the admin endpoints (``POST /_admin/seed``,
``GET``/``PUT /_admin/snapshot``). With ``--data-file`` they open the file directly, so no
server may be running on it at the same time: its next write would undo the change.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

import httpx

from fixtures import CountsError, parse_counts, resolve_counts
from providers_sim.store import DataFileError, Store

from .connections import VENDORS, account_name, application_id_for, load
from .errors import UnifiedError
from .providers import Provider
from .seeding import SeedRequest, connection_seed, seed_data_file, summary_line
from .snapshots import export_snapshot, parse_snapshot, restore_snapshot

# Exit codes of every command.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_DATA_FILE = 3
# Seeding the large preset through the admin endpoint takes tens of seconds.
ADMIN_TIMEOUT_SECONDS = 600.0


class CommandError(Exception):
    """A failure to report on stderr, with the exit code to end with."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _fail(error: CommandError) -> int:
    print(f"engagement-mock: {error}", file=sys.stderr)
    return error.exit_code


def _providers(name: str) -> list[Provider]:
    return list(Provider) if name == "all" else [Provider(name)]


def _headers(args: argparse.Namespace, provider: Provider) -> dict[str, str]:
    return {"x-api-key": args.api_key, "x-customer-id": args.customer_id, "x-provider-name": provider.value}


def _admin_call(args: argparse.Namespace, provider: Provider, method: str, path: str, body: Any = None) -> Any:
    """Call an admin endpoint and return its JSON response body; raise ``CommandError`` on failure."""
    url = args.server.rstrip("/") + path
    try:
        response = httpx.request(
            method, url, headers=_headers(args, provider), json=body, timeout=ADMIN_TIMEOUT_SECONDS
        )
    except httpx.HTTPError as exc:
        raise CommandError(f"{method} {url} failed: {exc}") from None
    if response.is_success:
        return response.json()
    try:
        item = response.json()["errors"][0]
        reason = f"{item.get('title')}: {item.get('detail')}"
    except (ValueError, KeyError, IndexError, TypeError):
        reason = response.text[:500]
    raise CommandError(f"{method} {url} failed with status {response.status_code}: {reason}")


# seed ----------------------------------------------------------------------------------


def seed_command(args: argparse.Namespace) -> int:
    """Seed the customer's connections of the chosen providers and print what was created."""
    try:
        overrides = parse_counts(args.counts) if args.counts else {}
        counts = resolve_counts(args.preset, overrides)
    except CountsError as exc:
        return _fail(CommandError(str(exc), EXIT_USAGE))
    providers = _providers(args.provider)
    requests = {
        provider: SeedRequest(
            counts,
            args.seed if args.seed is not None else connection_seed(args.customer_id, provider),
            args.locale,
            args.preset,
        )
        for provider in providers
    }
    started = time.perf_counter()
    try:
        if args.data_file:
            created = _seed_file(args, requests)
        else:
            created = _seed_server(args, requests, overrides)
    except CommandError as exc:
        return _fail(exc)
    for provider, counts_created in created.items():
        print(summary_line(provider, counts_created))
    print(
        f"Seeded {len(created)} connection(s) of customer {args.customer_id} in {time.perf_counter() - started:.1f} s"
    )
    return EXIT_OK


def _seed_file(args: argparse.Namespace, requests: dict[Provider, SeedRequest]) -> dict[Provider, dict[str, int]]:
    try:
        reports = seed_data_file(args.data_file, api_key=args.api_key, customer_id=args.customer_id, requests=requests)
    except DataFileError as exc:
        raise CommandError(str(exc), EXIT_DATA_FILE) from None
    return {provider: report.as_dict() for provider, report in reports.items()}


def _seed_server(
    args: argparse.Namespace, requests: dict[Provider, SeedRequest], overrides: dict[str, str]
) -> dict[Provider, dict[str, int]]:
    created: dict[Provider, dict[str, int]] = {}
    for provider, request in requests.items():
        body = {"preset": args.preset, "counts": overrides, "seed": request.seed, "locale": request.locale}
        response = _admin_call(args, provider, "POST", "/_admin/seed", body)
        created[provider] = response["created"]
    return created


# snapshot ------------------------------------------------------------------------------


def snapshot_command(args: argparse.Namespace) -> int:
    """Export or import the snapshot of one connection."""
    provider = Provider(args.provider)
    try:
        if args.action == "export":
            snapshot = (
                _export_file(args, provider)
                if args.data_file
                else _admin_call(args, provider, "GET", "/_admin/snapshot")
            )
            _write_json(args.output, snapshot)
            tables = snapshot.get("tables", {})
            print(
                f"Exported {sum(len(table) for table in tables.values())} records in {len(tables)} tables",
                file=sys.stderr,
            )
        else:
            snapshot = _read_json(args.input)
            if args.data_file:
                restored = _import_file(args, provider, snapshot)
            else:
                restored = _admin_call(args, provider, "PUT", "/_admin/snapshot", snapshot)["restored"]
            print(f"Restored {sum(restored.values())} records in {len(restored)} tables", file=sys.stderr)
    except CommandError as exc:
        return _fail(exc)
    return EXIT_OK


def _open_store(path: str) -> Store:
    try:
        return Store(path, flush_interval=0)
    except DataFileError as exc:
        raise CommandError(str(exc), EXIT_DATA_FILE) from None


def _export_file(args: argparse.Namespace, provider: Provider) -> dict[str, Any]:
    store = _open_store(args.data_file)
    account = account_name(application_id_for(args.api_key), args.customer_id)
    snapshot = export_snapshot(store, provider, account)
    if not snapshot["tables"]:
        print(
            f"engagement-mock: {args.data_file} holds no {provider.value} data of customer {args.customer_id!r}",
            file=sys.stderr,
        )
    return snapshot


def _import_file(args: argparse.Namespace, provider: Provider, snapshot: Any) -> dict[str, int]:
    try:
        tables = parse_snapshot(snapshot, provider)
    except UnifiedError as exc:
        raise CommandError(f"{exc.title}: {exc.detail}") from None
    store = _open_store(args.data_file)
    try:
        simulator = load(VENDORS[provider].simulator)(store)
        account = account_name(application_id_for(args.api_key), args.customer_id)
        return restore_snapshot(store, simulator, account, tables)
    finally:
        store.close()


def _read_json(path: str) -> Any:
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        return json.loads(text)
    except OSError as exc:
        raise CommandError(f"Cannot read the snapshot {path}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise CommandError(f"The snapshot {path} is not valid JSON: {exc}") from None


def _write_json(path: str, value: Any) -> None:
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False) + "\n"
    try:
        if path == "-":
            sys.stdout.write(text)
        else:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
    except OSError as exc:
        raise CommandError(f"Cannot write the snapshot {path}: {exc}") from None
