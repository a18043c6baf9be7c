"""The declared capability tables are complete, and the served behaviour matches them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from conftest import BASE_PATH, unified_headers
from mock_server.adapters.base import Adapter
from mock_server.adapters.capabilities import CAPABILITIES, OPERATION_IDS
from mock_server.app import create_app, load_spec
from mock_server.connections import VENDORS, load
from mock_server.providers import Provider
from mock_server.settings import Settings
from tests.spec_responses import assert_conforms

# A minimal, schema-valid request per operation: method, path, query, body.
MINIMAL_REQUESTS: dict[str, tuple[str, str, dict[str, str], Any]] = {
    "createAccount": ("POST", "/accounts", {}, {"record": {"name": "Minimal", "domain": "minimal.example"}}),
    "listAccounts": ("GET", "/accounts", {}, None),
    "searchAccounts": ("POST", "/accounts/_search", {}, {"filter": {"name": "Minimal"}}),
    "getAccount": ("GET", "/accounts/1", {}, None),
    "updateAccount": ("PATCH", "/accounts/1", {}, {"record": {"name": "Renamed"}}),
    "upsertAccount": ("POST", "/accounts/_upsert", {}, {"record": {"name": "Minimal"}, "upsert_on": {"name": "Minimal"}}),
    "createContact": ("POST", "/contacts", {}, {"record": {"last_name": "Minimal", "email_addresses": [
        {"email_address": "minimal@example.com", "email_address_type": "primary"}]}}),
    "listContacts": ("GET", "/contacts", {}, None),
    "searchContacts": ("POST", "/contacts/_search", {}, {"filter": {"emails": ["minimal@example.com"]}}),
    "getContact": ("GET", "/contacts/1", {}, None),
    "updateContact": ("PATCH", "/contacts/1", {}, {"record": {"first_name": "Renamed"}}),
    "listUsers": ("GET", "/users", {}, None),
    "getUser": ("GET", "/users/1", {}, None),
    "listMailboxes": ("GET", "/mailboxes", {}, None),
    "getMailbox": ("GET", "/mailboxes/1", {}, None),
    "createSequence": ("POST", "/sequences", {}, {"record": {"name": "Minimal", "type": "team"}}),
    "listSequences": ("GET", "/sequences", {}, None),
    "getSequence": ("GET", "/sequences/1", {}, None),
    "createSequenceStep": ("POST", "/sequences/1/sequence_steps", {}, {"record": {"type": "task", "interval_seconds": 0}}),
    "updateSequenceStep": ("PATCH", "/sequences/1/sequence_steps/1", {}, {"record": {"template": {"body": "b"}}}),
    "createSequenceState": ("POST", "/sequence_states", {}, {"record": {"contact_id": "1", "sequence_id": "1", "mailbox_id": "1"}}),
    "listSequenceStates": ("GET", "/sequence_states", {}, None),
    "searchSequenceStates": ("POST", "/sequence_states/_search", {}, {"filter": {"contact_id": "1"}}),
    "batchCreateSequenceState": ("POST", "/sequence_states/_batch", {}, {"records": []}),
    "getSequenceState": ("GET", "/sequence_states/1", {}, None),
}

ADAPTER_METHODS = {
    operation_id: "".join("_" + char.lower() if char.isupper() else char for char in operation_id)
    for operation_id in OPERATION_IDS
}

CASES = [(provider, operation_id) for provider in Provider for operation_id in OPERATION_IDS]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with create_app(Settings()).test_client() as test_client:
        yield test_client


def spec_operation_ids() -> set[str]:
    spec = load_spec()
    return {
        operation["operationId"]
        for item in spec["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }


def test_operation_ids_match_the_spec() -> None:
    assert set(OPERATION_IDS) == spec_operation_ids()
    assert set(MINIMAL_REQUESTS) == set(OPERATION_IDS)


def test_every_provider_has_a_table() -> None:
    assert set(CAPABILITIES) == set(Provider)
    for provider, capabilities in CAPABILITIES.items():
        assert capabilities.provider is provider
        assert set(capabilities.refusals) <= set(OPERATION_IDS)


@pytest.mark.parametrize(("provider", "operation_id"), CASES, ids=[f"{p.value}-{o}" for p, o in CASES])
def test_adapter_implements_exactly_supported(provider: Provider, operation_id: str) -> None:
    adapter_class = load(VENDORS[provider].adapter)
    method = ADAPTER_METHODS[operation_id]
    overridden = getattr(adapter_class, method) is not getattr(Adapter, method)
    assert overridden == CAPABILITIES[provider].supports(operation_id)


@pytest.mark.parametrize(("provider", "operation_id"), CASES, ids=[f"{p.value}-{o}" for p, o in CASES])
def test_served_behaviour_matches_table(client: TestClient, provider: Provider, operation_id: str) -> None:
    method, path, query, body = MINIMAL_REQUESTS[operation_id]
    response = client.request(method, BASE_PATH + path, params=query, json=body, headers=unified_headers(provider.value))
    assert_conforms(operation_id, response.status_code, response.json())
    refusal = CAPABILITIES[provider].refusal(operation_id)
    if refusal is None:
        titles = [item["title"] for item in response.json().get("errors", [])] if response.status_code >= 400 else []
        assert response.status_code not in (501,), response.text
        assert not any(title.startswith(("Get operation not supported", "Common object", "Uncached list")) for title in titles)
    else:
        assert response.status_code == refusal.status, response.text
        assert response.json()["errors"][0]["title"] == refusal.message
