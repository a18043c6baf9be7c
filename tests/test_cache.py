"""The managed-destination cache behind ``read_from_cache=true``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from conftest import BASE_PATH, unified_headers
from mock_server.app import create_app
from mock_server.settings import Settings
from tests.spec_responses import assert_conforms


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with create_app(Settings()).test_client() as test_client:
        yield test_client


def create_contacts(client: TestClient, headers: dict[str, str], count: int) -> list[str]:
    ids = []
    for index in range(count):
        body = {"record": {"last_name": f"Cached{index}", "email_addresses": [
            {"email_address": f"cached{index}@example.com", "email_address_type": "primary"}]}}
        response = client.post(f"{BASE_PATH}/contacts", json=body, headers=headers)
        assert response.status_code == 201, response.text
        ids.append(response.json()["record"]["id"])
    return ids


def cached_page(client: TestClient, headers: dict[str, str], **params: str) -> dict[str, Any]:
    response = client.get(f"{BASE_PATH}/contacts", params={"read_from_cache": "true", **params}, headers=headers)
    assert_conforms("listContacts", response.status_code, response.json())
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize("provider", ["apollo", "outreach", "salesloft"])
def test_cached_pages_walk_forward_and_back(client: TestClient, provider: str) -> None:
    headers = unified_headers(provider)
    created = create_contacts(client, headers, 7)
    expected = sorted(created)

    first = cached_page(client, headers, page_size="3")
    assert [record["id"] for record in first["records"]] == expected[:3]
    assert first["pagination"]["total_count"] == 7
    assert first["pagination"]["previous"] is None

    second = cached_page(client, headers, page_size="3", cursor=first["pagination"]["next"])
    assert [record["id"] for record in second["records"]] == expected[3:6]

    back = cached_page(client, headers, page_size="3", cursor=second["pagination"]["previous"])
    assert [record["id"] for record in back["records"]] == expected[:3]

    last = cached_page(client, headers, page_size="3", cursor=second["pagination"]["next"])
    assert [record["id"] for record in last["records"]] == expected[6:]
    assert last["pagination"]["next"] is None


def test_cached_read_sees_update(client: TestClient) -> None:
    headers = unified_headers("outreach")
    [contact_id] = create_contacts(client, headers, 1)
    cached_page(client, headers)
    client.patch(f"{BASE_PATH}/contacts/{contact_id}", json={"record": {"first_name": "Updated"}}, headers=headers)
    records = cached_page(client, headers)["records"]
    assert [record["first_name"] for record in records if record["id"] == contact_id] == ["Updated"]


def test_cached_modified_after_is_strict(client: TestClient) -> None:
    headers = unified_headers("outreach")
    create_contacts(client, headers, 2)
    records = cached_page(client, headers)["records"]
    newest = max(record["last_modified_at"] for record in records)
    later = cached_page(client, headers, modified_after=newest.replace("Z", "+00:00"))
    assert later["records"] == []
    assert later["pagination"]["total_count"] == 0


def test_cached_read_without_sync_is_400(client: TestClient) -> None:
    headers = unified_headers("salesloft")
    switched = client.put("/_admin/syncs/contact", json={"enabled": False}, headers=headers)
    assert switched.status_code == 200, switched.text
    response = client.get(f"{BASE_PATH}/contacts", params={"read_from_cache": "true"}, headers=headers)
    assert response.status_code == 400
    title = response.json()["errors"][0]["title"]
    assert title.startswith("No sync found for contact for customer ")
    assert client.put("/_admin/syncs/contact", json={"enabled": True}, headers=headers).status_code == 200
    assert client.get(f"{BASE_PATH}/contacts", params={"read_from_cache": "true"}, headers=headers).status_code == 200


def test_cached_mailboxes_on_salesloft_have_no_sync(client: TestClient) -> None:
    response = client.get(f"{BASE_PATH}/mailboxes", params={"read_from_cache": "true"}, headers=unified_headers("salesloft"))
    assert response.status_code == 400
    assert response.json()["errors"][0]["title"].startswith("No sync found for mailbox")


@pytest.mark.parametrize("body", [None, {"enabled": "no"}, {}])
def test_admin_sync_switch_rejects_bad_body(client: TestClient, body: Any) -> None:
    response = client.put("/_admin/syncs/contact", json=body, headers=unified_headers("outreach"))
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "BAD_REQUEST"


def test_admin_rejects_unknown_object_and_key(client: TestClient) -> None:
    headers = unified_headers("outreach")
    unknown = client.put("/_admin/syncs/opportunity", json={"enabled": False}, headers=headers)
    assert unknown.status_code == 400
    no_key = client.put("/_admin/syncs/contact", json={"enabled": False}, headers={**headers, "x-api-key": "wrong"})
    assert no_key.status_code == 401


@pytest.mark.parametrize("operation", ["contacts", "sequence_states"])
def test_cached_search_is_501(client: TestClient, operation: str) -> None:
    body = {"filter": {"emails": ["a@example.com"]}} if operation == "contacts" else {"filter": {"contact_id": "1"}}
    response = client.post(
        f"{BASE_PATH}/{operation}/_search", params={"read_from_cache": "true"}, json=body, headers=unified_headers("outreach")
    )
    assert response.status_code == 501
    assert response.json()["errors"][0]["title"] == "Cached search not yet implemented for engagement contacts."
