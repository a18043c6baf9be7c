"""The in-process transport never lets an adapter change a simulator's stored data by accident.

Response bodies are handed over without a copy. Simulators build them from copies of
their documents, and a repeated read of unchanged data gets the same body object again
(see ``Simulator.reads``), so callers must treat bodies as read-only. These tests wreck
every response body in place and check that the memo check reports it, and that the
stored data still gives the original response once the remembered reads are dropped.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mock_server.adapters.base import InProcessTransport
from mock_server.connections import Sandbox
from mock_server.providers import Provider
from mock_server.settings import Settings
from providers_sim.memo import MemoMismatch

CONTACT = {
    "first_name": "Iso",
    "last_name": "Lation",
    "email_addresses": [{"email_address": "iso@example.com", "email_address_type": "primary"}],
    "phone_numbers": [{"phone_number": "+14155550100", "phone_number_type": "mobile"}],
}

# Native reads per vendor: method, path, query parameters, JSON body.
READS: dict[Provider, list[tuple[str, str, dict[str, str], Any]]] = {
    Provider.OUTREACH: [
        ("GET", "/api/v2/prospects", {}, None),
        ("GET", "/api/v2/users", {}, None),
        ("GET", "/api/v2/mailboxes", {}, None),
        ("GET", "/api/v2/sequences", {}, None),
        ("GET", "/api/v2/sequenceSteps", {}, None),
    ],
    Provider.SALESLOFT: [
        ("GET", "/v2/people", {}, None),
        ("GET", "/v2/users", {}, None),
        ("GET", "/v2/cadences", {}, None),
        ("GET", "/v2/steps", {}, None),
    ],
    Provider.APOLLO: [
        ("POST", "/v1/contacts/search", {}, {}),
        ("GET", "/v1/users/search", {}, None),
        ("GET", "/v1/email_accounts", {}, None),
        ("POST", "/v1/emailer_campaigns/search", {}, {}),
    ],
}


def wreck(value: Any) -> None:
    """Empty every dict and list inside ``value``, depth first."""
    if isinstance(value, dict):
        for item in value.values():
            wreck(item)
        value.clear()
    elif isinstance(value, list):
        for item in value:
            wreck(item)
        value.clear()


def authenticate(provider: Provider, account: str, params: dict[str, str], body: Any) -> tuple[dict[str, str], dict[str, str], Any]:
    if provider is Provider.APOLLO:
        if body is None:
            return {}, {**params, "api_key": account}, None
        return {}, params, {**body, "api_key": account}
    return {"Authorization": f"Bearer {account}"}, params, body


@pytest.mark.parametrize("provider", list(Provider), ids=[provider.value for provider in Provider])
def test_wrecked_response_leaves_simulator_intact(provider: Provider) -> None:
    connection = Sandbox(Settings()).connection("app", "isolation", provider.value)
    adapter = connection.adapter
    adapter.create_contact(CONTACT)
    adapter.create_sequence({"name": "Isolation", "type": "team", "steps": [
        {"type": "manual_email", "interval_seconds": 86400, "template": {"name": "t", "subject": "s", "body": "b"}}]})
    transport = adapter.transport
    assert isinstance(transport, InProcessTransport)

    for method, path, params, body in READS[provider]:
        headers, query, json_body = authenticate(provider, connection.account, params, body)
        first = transport.request(method, path, params=query, json=json_body, headers=headers)
        assert first.ok, (path, first.status, first.body)
        expected = copy.deepcopy(first.body)
        wreck(first.body)
        with pytest.raises(MemoMismatch):
            transport.request(method, path, params=query, json=json_body, headers=headers)
        transport.simulator.forget_reads()
        second = transport.request(method, path, params=query, json=json_body, headers=headers)
        assert second.body == expected, path
