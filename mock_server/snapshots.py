"""Snapshots of one connection's data, for reproducible test runs.

A snapshot is a JSON object:

    {"format": "engagement-mock-snapshot", "version": 1, "provider": "outreach",
     "tables": {"prospects": {"1": {...}, "2": {...}}, "users": {...}}}

``tables`` contains every table of the connection's vendor account, named without the
account, so a snapshot taken from one customer restores into another. Restoring replaces
all tables of the account: records created after the snapshot are gone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from providers_sim.base import Simulator
from providers_sim.base import account_prefix as vendor_account_prefix
from providers_sim.store import Store

from .errors import ValidationError
from .providers import Provider

SNAPSHOT_FORMAT = "engagement-mock-snapshot"
SNAPSHOT_VERSION = 1
_TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

Tables = dict[str, dict[str, dict[str, Any]]]


def account_prefix(provider: Provider, account: str) -> str:
    """Return the prefix of the store tables of one vendor account."""
    return vendor_account_prefix(provider.value, account)


def export_snapshot(store: Store, provider: Provider, account: str) -> dict[str, Any]:
    """Return the snapshot of one vendor account (every table, deep-copied)."""
    prefix = account_prefix(provider, account)
    tables = store.export_tables(prefix)
    return {
        "format": SNAPSHOT_FORMAT,
        "version": SNAPSHOT_VERSION,
        "provider": provider.value,
        "tables": {name[len(prefix) :]: tables[name] for name in sorted(tables)},
    }


def parse_snapshot(body: Any, provider: Provider) -> Tables:
    """Check a snapshot for ``provider`` and return its tables; a 400 naming the first problem."""
    if not isinstance(body, dict):
        raise _invalid("A snapshot must be a JSON object with format, version, provider and tables", "/body")
    if body.get("format") != SNAPSHOT_FORMAT:
        raise _invalid(f"format must be {SNAPSHOT_FORMAT!r}, got {body.get('format')!r}", "/body/format")
    if body.get("version") != SNAPSHOT_VERSION:
        raise _invalid(
            f"Unsupported snapshot version {body.get('version')!r}; this server reads version {SNAPSHOT_VERSION}",
            "/body/version",
        )
    if body.get("provider") != provider.value:
        raise _invalid(
            f"This snapshot contains {body.get('provider')!r} data and cannot be restored into the "
            f"connection of provider {provider.value!r}; send it with x-provider-name: {body.get('provider')}",
            "/body/provider",
        )
    tables = body.get("tables")
    if not isinstance(tables, dict):
        raise _invalid("tables must be an object of tables by name", "/body/tables")
    for name, table in tables.items():
        _check_table(name, table)
    return tables


def _check_table(name: str, table: Any) -> None:
    pointer = f"/body/tables/{name}"
    if not _TABLE_NAME.match(name):
        raise _invalid(f"Table name {name!r} is invalid; expected letters, digits and underscores", pointer)
    if not isinstance(table, dict):
        raise _invalid(f"Table {name!r} must be an object of records by id", pointer)
    for key, document in table.items():
        if not (key.isascii() and key.isdigit() and len(key) <= 18 and str(int(key)) == key and int(key) >= 1):
            raise _invalid(f"Record key {key!r} in table {name!r} must be a positive whole number", f"{pointer}/{key}")
        if not isinstance(document, dict):
            raise _invalid(f"Record {key} in table {name!r} must be a JSON object", f"{pointer}/{key}")
        embedded = document.get("id")
        if isinstance(embedded, int) and not isinstance(embedded, bool) and embedded != int(key):
            raise _invalid(
                f"Record {key} in table {name!r} has id {embedded}; a record's id must equal its key",
                f"{pointer}/{key}/id",
            )


def restore_snapshot(store: Store, simulator: Simulator, account: str, tables: Mapping[str, Any]) -> dict[str, int]:
    """Replace every table of the vendor account with ``tables``; return the records per table.

    The account is registered first without its sandbox baseline, so a later request does
    not add baseline users on top of the restored ones.
    """
    provider = Provider(simulator.vendor)
    prefix = account_prefix(provider, account)
    with store.lock:
        simulator.open_account(account, provision=False)
        store.import_tables(prefix, {prefix + name: table for name, table in tables.items()})
    return {name: len(table) for name, table in sorted(tables.items())}


def _invalid(detail: str, pointer: str) -> ValidationError:
    return ValidationError("Invalid snapshot", detail=detail, pointer=pointer)
