"""State kept in ``--data-file`` survives a stop by SIGTERM or SIGINT and a restart."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest

from tests.fixtures.support import PROVIDERS

from .support import account_names, create_account, run_command, start_server, stored_account_names


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_writes_survive_restart(tmp_path: Path, stop_signal: signal.Signals) -> None:
    data_file = tmp_path / "sandbox.json"
    # A flush interval longer than the test: only the write at shutdown can save the records.
    server = start_server(data_file, flush_interval=600)
    try:
        created = {provider: create_account(server, provider, f"Persisted{provider.title()}") for provider in PROVIDERS}
    finally:
        exit_code = server.stop(stop_signal)

    assert exit_code == 0
    for provider in PROVIDERS:
        assert f"Persisted{provider.title()}" in stored_account_names(data_file, provider)
    restarted = start_server(data_file)
    try:
        for provider, account_id in created.items():
            assert f"Persisted{provider.title()}" in account_names(restarted, provider), account_id
    finally:
        restarted.stop()


def test_writes_reach_file_within_flush_interval(tmp_path: Path) -> None:
    data_file = tmp_path / "sandbox.json"
    server = start_server(data_file, flush_interval=0.2)
    try:
        create_account(server, "outreach", "Flushed")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and "Flushed" not in _names_if_present(data_file):
            time.sleep(0.05)

        assert "Flushed" in _names_if_present(data_file)
    finally:
        server.stop()


def _names_if_present(data_file: Path) -> list[str]:
    return stored_account_names(data_file, "outreach") if data_file.exists() else []


def test_seeded_file_is_served(tmp_path: Path) -> None:
    data_file = tmp_path / "seeded.json"
    seeded = run_command(
        "seed", "--data-file", str(data_file), "--customer-id", "persisted", "--provider", "outreach", "--seed", "9"
    )
    assert seeded.returncode == 0, seeded.stderr

    server = start_server(data_file)
    try:
        names = account_names(server, "outreach")
    finally:
        server.stop()

    assert len(names) == 20
    assert stored_account_names(data_file, "outreach") == names


def test_fixtures_are_not_seeded_twice(tmp_path: Path) -> None:
    data_file = tmp_path / "fixtures.json"
    first = start_server(data_file, "--fixtures", "small")
    try:
        names = account_names(first, "salesloft")
    finally:
        first.stop()
    second = start_server(data_file, "--fixtures", "small")
    try:
        names_after_restart = account_names(second, "salesloft")
    finally:
        second.stop()

    assert len(names) == 20
    assert names_after_restart == names


def test_stale_temporary_file_is_removed(tmp_path: Path) -> None:
    data_file = tmp_path / "sandbox.json"
    data_file.write_text(json.dumps({}), encoding="utf-8")
    leftover = tmp_path / ".sandbox.json.tmp-abc123"
    leftover.write_text('{"half', encoding="utf-8")

    server = start_server(data_file)
    server.stop()

    assert not leftover.exists()
    assert json.loads(data_file.read_text(encoding="utf-8")) == {}
