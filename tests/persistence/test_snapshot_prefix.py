"""A snapshot contains exactly one customer's tables, whatever characters customer ids use."""

from __future__ import annotations

from starlette.testclient import TestClient

from conftest import BASE_PATH, unified_headers
from mock_server.app import create_app
from mock_server.settings import Settings


def create_contact(client: TestClient, headers: dict[str, str], email: str) -> None:
    body = {"record": {"last_name": "Prefix", "email_addresses": [{"email_address": email, "email_address_type": "primary"}]}}
    assert client.post(f"{BASE_PATH}/contacts", json=body, headers=headers).status_code == 201


def test_snapshot_does_not_reach_customer_with_slash() -> None:
    with create_app(Settings()).test_client() as client:
        victim = unified_headers("outreach", customer="victim")
        neighbour = unified_headers("outreach", customer="victim/x")
        create_contact(client, victim, "victim@example.com")
        create_contact(client, neighbour, "neighbour@example.com")

        exported = client.get("/_admin/snapshot", headers=victim)
        assert exported.status_code == 200
        restored = client.put("/_admin/snapshot", json=exported.json(), headers=victim)
        assert restored.status_code == 200, restored.text

        listed = client.get(f"{BASE_PATH}/contacts", headers=neighbour).json()["records"]
        assert [record["email_addresses"][0]["email_address"] for record in listed] == ["neighbour@example.com"]
        users = client.get(f"{BASE_PATH}/users", headers=neighbour).json()["records"]
        assert users
        text = str(exported.json())
        assert "neighbour@example.com" not in text
