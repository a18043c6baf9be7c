"""Hostile input gets a 400 in the spec's errors shape, and stored data stays readable."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from conftest import API_KEY, BASE_PATH, unified_headers
from mock_server.app import create_app
from mock_server.cursor import Cursor
from mock_server.settings import Settings
from providers_sim.jsonsafe import UnsafeJSONError, parse_json

UNSAFE_BODIES = {
    "lone surrogate": b'{"record": {"first_name": "\\ud800"}}',
    "NaN": b'{"record": {"first_name": NaN}}',
    "Infinity": b'{"record": {"first_name": "a", "last_name": Infinity}}',
    "overflowing float": b'{"record": {"last_name": 1e999}}',
    "deep nesting": b'{"record": ' + b"[" * 3000 + b"]" * 3000 + b"}",
    "huge integer": b'{"record": {"custom_fields": {"n": ' + b"9" * 5000 + b"}}}",
}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with create_app(Settings()).test_client() as test_client:
        yield test_client


@pytest.mark.parametrize("provider", ["apollo", "outreach", "salesloft"])
@pytest.mark.parametrize("name", list(UNSAFE_BODIES))
def test_unsafe_json_is_400_and_stores_nothing(client: TestClient, provider: str, name: str) -> None:
    headers = {**unified_headers(provider), "content-type": "application/json"}
    before = client.get(f"{BASE_PATH}/contacts", headers=headers).json()["pagination"].get("total_count")
    response = client.post(f"{BASE_PATH}/contacts", content=UNSAFE_BODIES[name], headers=headers)
    assert response.status_code == 400, response.text
    item = response.json()["errors"][0]
    assert item["code"] == "VALIDATION_ERROR"
    assert item["meta"]["source"]["pointer"] == "/body"
    after = client.get(f"{BASE_PATH}/contacts", headers=headers)
    assert after.status_code == 200
    assert after.json()["pagination"].get("total_count") == before


@pytest.mark.parametrize("header", ["x-customer-id", "x-provider-name", "x-api-key"])
def test_repeated_tenant_header_is_400(client: TestClient, header: str) -> None:
    headers = [("x-api-key", API_KEY), ("x-customer-id", "dup-a"), ("x-provider-name", "outreach"), (header, "second")]
    response = client.get(f"{BASE_PATH}/users", headers=headers)
    assert response.status_code == 400
    item = response.json()["errors"][0]
    assert item["code"] == "VALIDATION_ERROR"
    assert item["meta"]["source"]["pointer"] == f"/headers/{header}"


@pytest.mark.parametrize("provider", ["outreach", "salesloft"])
@pytest.mark.parametrize(
    ("moment", "listed"),
    [
        ("0999-01-01T00:00:00Z", True),
        ("0001-01-01T00:00:00+01:00", True),
        ("9999-12-31T23:59:59-01:00", False),
        ("9999-12-31T23:59:59.9999Z", False),
    ],
)
def test_extreme_modified_after_lists(client: TestClient, provider: str, moment: str, listed: bool) -> None:
    headers = unified_headers(provider)
    body = {"record": {"first_name": "Edge", "email_addresses": [
        {"email_address": "edge@example.com", "email_address_type": "primary"}]}}
    created = client.post(f"{BASE_PATH}/contacts", json=body, headers=headers)
    assert created.status_code == 201, created.text
    for cached in ("false", "true"):
        response = client.get(
            f"{BASE_PATH}/contacts", params={"modified_after": moment, "read_from_cache": cached}, headers=headers
        )
        assert response.status_code == 200, response.text
        ids = [record["id"] for record in response.json()["records"]]
        assert (created.json()["record"]["id"] in ids) is listed


def test_forged_cached_cursor_is_400(client: TestClient) -> None:
    headers = unified_headers("outreach")
    forged = Cursor("no-such-record").encode()
    response = client.get(f"{BASE_PATH}/contacts", params={"read_from_cache": "true", "cursor": forged}, headers=headers)
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"][0]["title"].lower()


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"preset": ["small"]}, "/body/preset"),
        ({"locale": {"en": 1}}, "/body/locale"),
        ({"counts": {"contacts": "²"}}, "/body/counts"),
        ({"counts": {"contacts": 1_000_000_000}}, "/body/counts"),
        ({"counts": "contacts=300000"}, "/body/counts"),
    ],
)
def test_admin_seed_rejects_bad_requests(client: TestClient, body: dict[str, object], pointer: str) -> None:
    response = client.post("/_admin/seed", json=body, headers=unified_headers("outreach"))
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["meta"]["source"]["pointer"] == pointer


def test_parse_json_accepts_ordinary_json() -> None:
    assert parse_json('{"a": [1, 2.5, "x", null, true]}') == {"a": [1, 2.5, "x", None, True]}


def test_parse_json_names_the_problem() -> None:
    with pytest.raises(UnsafeJSONError, match="NaN"):
        parse_json('{"a": NaN}')


def test_snapshot_broken_records_rolled_back(client: TestClient) -> None:
    headers = unified_headers("outreach")
    body = {"record": {"last_name": "Kept", "email_addresses": [{"email_address": "kept@example.com", "email_address_type": "primary"}]}}
    assert client.post(f"{BASE_PATH}/contacts", json=body, headers=headers).status_code == 201
    snapshot = client.get("/_admin/snapshot", headers=headers).json()
    snapshot["tables"]["prospects"] = {"1": {"unexpected": True}}

    response = client.put("/_admin/snapshot", json=snapshot, headers=headers)

    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["meta"]["source"]["pointer"] == "/body/tables"
    listed = client.get(f"{BASE_PATH}/contacts", headers=headers)
    assert listed.status_code == 200
    assert [record["last_name"] for record in listed.json()["records"]] == ["Kept"]


@pytest.mark.parametrize("key", ["²", "01", "9" * 30])
def test_snapshot_with_odd_record_key_is_400(client: TestClient, key: str) -> None:
    headers = unified_headers("outreach")
    snapshot = client.get("/_admin/snapshot", headers=headers).json()
    snapshot["tables"]["users"] = {key: next(iter(snapshot["tables"]["users"].values()))}
    response = client.put("/_admin/snapshot", json=snapshot, headers=headers)
    assert response.status_code == 400, response.text
