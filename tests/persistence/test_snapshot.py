"""``GET``/``PUT /_admin/snapshot``: export one connection's data and restore it."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import API_KEY, BASE_PATH
from mock_server.app import create_app
from mock_server.settings import Settings
from tests.fixtures.support import PROVIDERS, assert_errors_body

NEW_CONTACT = {
    "record": {
        "first_name": "Grace",
        "last_name": "Hopper",
        "email_addresses": [{"email_address": "grace@navy.example", "email_address_type": "primary"}],
    }
}


@pytest.fixture
def client() -> Iterator[Any]:
    with create_app(Settings()).test_client() as test_client:
        yield test_client


def _headers(provider: str, customer: str = "snapshot-customer") -> dict[str, str]:
    return {"x-api-key": API_KEY, "x-customer-id": customer, "x-provider-name": provider}


def _contact_ids(client: Any, provider: str, customer: str = "snapshot-customer", **params: Any) -> list[str]:
    ids: list[str] = []
    query: dict[str, Any] = {"page_size": 100, **params}
    while True:
        body = client.get(BASE_PATH + "/contacts", params=query, headers=_headers(provider, customer)).json()
        ids.extend(record["id"] for record in body["records"])
        if body["pagination"]["next"] is None:
            return ids
        query["cursor"] = body["pagination"]["next"]


def _seed(client: Any, provider: str, customer: str = "snapshot-customer") -> None:
    body = {"counts": {"contacts": 15, "accounts": 3, "states": 5}, "seed": 5}
    response = client.post("/_admin/seed", json=body, headers=_headers(provider, customer))
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("provider", PROVIDERS)
def test_snapshot_round_trip_undoes_changes(client: Any, provider: str) -> None:
    _seed(client, provider)
    exported = client.get("/_admin/snapshot", headers=_headers(provider))
    assert exported.status_code == 200, exported.text
    snapshot = exported.json()
    before = _contact_ids(client, provider)

    created = client.post(BASE_PATH + "/contacts", json=NEW_CONTACT, headers=_headers(provider))
    assert created.status_code == 201, created.text
    assert len(_contact_ids(client, provider)) == len(before) + 1
    restored = client.put("/_admin/snapshot", json=snapshot, headers=_headers(provider))

    assert restored.status_code == 200, restored.text
    assert restored.json()["restored"]["users"] >= 5
    assert _contact_ids(client, provider) == before
    again = client.get("/_admin/snapshot", headers=_headers(provider)).json()
    assert again == snapshot


def test_snapshot_format_names_provider_and_tables(client: Any) -> None:
    _seed(client, "outreach")

    snapshot = client.get("/_admin/snapshot", headers=_headers("outreach")).json()

    assert snapshot["format"] == "engagement-mock-snapshot"
    assert snapshot["version"] == 1
    assert snapshot["provider"] == "outreach"
    assert len(snapshot["tables"]["prospects"]) == 15
    assert all("/" not in name for name in snapshot["tables"])


def test_snapshot_restores_into_another_customer(client: Any) -> None:
    _seed(client, "salesloft")
    snapshot = client.get("/_admin/snapshot", headers=_headers("salesloft")).json()

    response = client.put("/_admin/snapshot", json=snapshot, headers=_headers("salesloft", "other-customer"))

    assert response.status_code == 200, response.text
    assert _contact_ids(client, "salesloft", "other-customer") == _contact_ids(client, "salesloft")


def test_snapshot_restore_refreshes_cached_reads(client: Any) -> None:
    snapshot = client.get("/_admin/snapshot", headers=_headers("outreach")).json()
    _seed(client, "outreach")
    assert len(_contact_ids(client, "outreach", read_from_cache="true")) == 15

    client.put("/_admin/snapshot", json=snapshot, headers=_headers("outreach"))

    assert _contact_ids(client, "outreach", read_from_cache="true") == []


def test_snapshot_of_other_provider_is_rejected(client: Any) -> None:
    _seed(client, "apollo")
    snapshot = client.get("/_admin/snapshot", headers=_headers("apollo")).json()

    response = client.put("/_admin/snapshot", json=snapshot, headers=_headers("outreach"))

    assert response.status_code == 400
    item = assert_errors_body(response.json(), "/body/provider")
    assert "'apollo' data" in item["detail"]
    assert _contact_ids(client, "outreach") == []


def _malformed(snapshot: dict[str, Any], change: str) -> Any:
    broken = copy.deepcopy(snapshot)
    if change == "not-object":
        return ["tables"]
    if change == "format":
        broken["format"] = "tinydb"
    elif change == "version":
        broken["version"] = 2
    elif change == "tables":
        broken["tables"] = []
    elif change == "table":
        broken["tables"]["users"] = [1, 2]
    elif change == "key":
        broken["tables"]["users"]["first"] = {}
    elif change == "record":
        broken["tables"]["users"]["1"] = "Ada"
    elif change == "id":
        broken["tables"]["users"]["1"]["id"] = 99
    elif change == "name":
        broken["tables"]["../users"] = {}
    return broken


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ("not-object", "/body"),
        ("format", "/body/format"),
        ("version", "/body/version"),
        ("tables", "/body/tables"),
        ("table", "/body/tables/users"),
        ("key", "/body/tables/users/first"),
        ("record", "/body/tables/users/1"),
        ("id", "/body/tables/users/1/id"),
        ("name", "/body/tables/../users"),
    ],
    ids=lambda value: str(value),
)
def test_malformed_snapshot_is_rejected(client: Any, change: str, pointer: str) -> None:
    _seed(client, "outreach")
    snapshot = client.get("/_admin/snapshot", headers=_headers("outreach")).json()
    before = _contact_ids(client, "outreach")

    response = client.put("/_admin/snapshot", json=_malformed(snapshot, change), headers=_headers("outreach"))

    assert response.status_code == 400
    assert assert_errors_body(response.json(), pointer)["problem_type"] == "VALIDATION_ERROR"
    assert _contact_ids(client, "outreach") == before
