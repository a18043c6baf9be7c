"""The ``seed`` and ``snapshot`` commands against a served sandbox and against a data file."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx

from conftest import API_KEY, BASE_PATH, ServerProcess
from tests.fixtures.support import PROVIDERS

from .support import account_names, headers, run_command, start_server

CONTACT = {
    "record": {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email_addresses": [{"email_address": "ada@engine.example", "email_address_type": "primary"}],
    }
}


def _contact_count(server: ServerProcess, provider: str, customer: str) -> int:
    total, params = 0, {"page_size": 100}
    while True:
        body = httpx.get(
            server.base_url + BASE_PATH + "/contacts", params=params, headers=headers(provider, customer)
        ).json()
        total += len(body["records"])
        if body["pagination"]["next"] is None:
            return total
        params["cursor"] = body["pagination"]["next"]


def test_seed_server_all_providers(served: ServerProcess) -> None:
    customer = f"cli-{uuid.uuid4().hex[:8]}"

    result = run_command(
        "seed", "--server", served.base_url, "--api-key", API_KEY, "--customer-id", customer,
        "--counts", "contacts=25,accounts=4,states=6", "--seed", "3",
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    for provider in PROVIDERS:
        assert f"{provider}: " in result.stdout
        assert _contact_count(served, provider, customer) == 25


def test_seed_rejects_invalid_counts() -> None:
    result = run_command("seed", "--data-file", "unused.json", "--customer-id", "c", "--counts", "contacts=many")

    assert result.returncode == 2
    assert "contacts must be a whole number from 0 to 200,000, got 'many'" in result.stderr


def test_seed_server_reports_server_error(served: ServerProcess) -> None:
    result = run_command(
        "seed", "--server", served.base_url, "--api-key", "wrong-key", "--customer-id", "c", "--provider", "apollo"
    )

    assert result.returncode == 1
    assert "failed with status 401" in result.stderr


def test_snapshot_commands_round_trip_on_server(served: ServerProcess, tmp_path: Path) -> None:
    customer = f"snap-{uuid.uuid4().hex[:8]}"
    target = ["--server", served.base_url, "--customer-id", customer, "--provider", "salesloft"]
    snapshot = tmp_path / "snapshot.json"
    seeded = run_command("seed", *target, "--counts", "contacts=10,accounts=2,states=3")
    assert seeded.returncode == 0, seeded.stderr

    exported = run_command("snapshot", "export", *target, "--output", str(snapshot))
    created = httpx.post(
        served.base_url + BASE_PATH + "/contacts", json=CONTACT, headers=headers("salesloft", customer)
    )
    assert created.status_code == 201, created.text
    assert _contact_count(served, "salesloft", customer) == 11
    imported = run_command("snapshot", "import", *target, "--input", str(snapshot))

    assert exported.returncode == 0, exported.stderr
    assert imported.returncode == 0, imported.stderr
    assert json.loads(snapshot.read_text(encoding="utf-8"))["provider"] == "salesloft"
    assert _contact_count(served, "salesloft", customer) == 10


def test_snapshot_import_rejects_other_provider(served: ServerProcess, tmp_path: Path) -> None:
    snapshot = tmp_path / "apollo.json"
    snapshot.write_text(
        json.dumps({"format": "engagement-mock-snapshot", "version": 1, "provider": "apollo", "tables": {}})
    )

    result = run_command(
        "snapshot", "import", "--server", served.base_url, "--customer-id", "c", "--provider", "outreach",
        "--input", str(snapshot),
    )  # fmt: skip

    assert result.returncode == 1
    assert "failed with status 400" in result.stderr
    assert "cannot be restored into the connection of provider 'outreach'" in result.stderr


def test_snapshot_commands_copy_between_customers_in_file(tmp_path: Path) -> None:
    data_file, snapshot = tmp_path / "sandbox.json", tmp_path / "snapshot.json"
    seeded = run_command("seed", "--data-file", str(data_file), "--customer-id", "source", "--provider", "apollo")
    assert seeded.returncode == 0, seeded.stderr

    exported = run_command(
        "snapshot", "export", "--data-file", str(data_file), "--customer-id", "source", "--provider", "apollo",
        "--output", str(snapshot),
    )  # fmt: skip
    imported = run_command(
        "snapshot", "import", "--data-file", str(data_file), "--customer-id", "copy", "--provider", "apollo",
        "--input", str(snapshot),
    )  # fmt: skip

    assert exported.returncode == 0, exported.stderr
    assert imported.returncode == 0, imported.stderr
    server = start_server(data_file)
    try:
        assert account_names(server, "apollo") == []  # the "persisted" customer has no data
        source = httpx.get(server.base_url + BASE_PATH + "/contacts", headers=headers("apollo", "source")).json()
        copy = httpx.get(server.base_url + BASE_PATH + "/contacts", headers=headers("apollo", "copy")).json()
    finally:
        server.stop()
    assert source["pagination"]["total_count"] == copy["pagination"]["total_count"] == 100
    assert source["records"] == copy["records"]
