"""Integration flows over real HTTP against the served sandbox, for every provider.

Each test is one customer's flow; a fresh customer id gives it a fresh vendor account.
Every response is checked against the spec by ``UnifiedClient``. Where a provider does
not support a step, the test asserts the documented refusal instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from conftest import ServerProcess
from tests.unified_client import UnifiedClient

PROVIDERS = ["apollo", "outreach", "salesloft"]


@pytest.fixture(params=PROVIDERS)
def client(request: pytest.FixtureRequest, served: ServerProcess) -> Iterator[UnifiedClient]:
    unified = UnifiedClient(served.base_url, request.param)
    yield unified
    unified.close()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def create_contact(client: UnifiedClient, email: str, **extra: object) -> str:
    record = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "job_title": "Engineer",
        "email_addresses": [{"email_address": email, "email_address_type": "primary"}],
        **extra,
    }
    return str(client.ok("POST", "/contacts", json={"record": record})["record"]["id"])


def first_mailbox(client: UnifiedClient) -> str | None:
    if client.provider == "salesloft":
        return None
    return str(client.ok("GET", "/mailboxes")["records"][0]["id"])


def first_user(client: UnifiedClient) -> str:
    return str(client.ok("GET", "/users")["records"][0]["id"])


FOUR_STEPS = [
    {"type": "manual_email", "interval_seconds": 0, "template": {"name": "Intro", "subject": "Hello", "body": "Hi there"}},
    {"type": "auto_email", "interval_seconds": 86400, "template": {"name": "Follow", "subject": "Again", "body": "Ping"}},
    {"type": "call", "interval_seconds": 172800, "task_note": "Call them"},
    {"type": "task", "interval_seconds": 0, "task_note": "Research"},
]


def create_sequence(client: UnifiedClient, steps: list[dict] | None = None) -> str:
    record: dict[str, object] = {"name": unique("Sequence"), "type": "team", "steps": steps or []}
    if client.provider != "salesloft":
        record["owner_id"] = first_user(client)
    return str(client.ok("POST", "/sequences", json={"record": record})["record"]["id"])


def test_account_round_trip_and_cached_list(client: UnifiedClient) -> None:
    name = unique("Acme")
    domain = f"{name.lower()}.example"
    account_id = client.ok("POST", "/accounts", json={"record": {"name": name, "domain": domain}})["record"]["id"]

    if client.provider == "apollo":
        refusal = client.error("GET", f"/accounts/{account_id}", 400)
        assert refusal["title"] == "Get operation not supported for common object account in Apollo"
    else:
        fetched = client.ok("GET", f"/accounts/{account_id}")
        assert fetched["name"] == name
        assert fetched["domain"] == domain

    assert client.ok("PATCH", f"/accounts/{account_id}", json={"record": {"name": name + " Ltd"}}) == {}
    if client.provider != "apollo":
        fetched = client.ok("GET", f"/accounts/{account_id}")
        assert fetched["name"] == name + " Ltd"
        assert fetched["domain"] == domain

    cached = client.ok("GET", "/accounts", params={"read_from_cache": "true", "page_size": "1000"})
    names = {record["id"]: record["name"] for record in cached["records"]}
    assert names.get(str(account_id)) == name + " Ltd"


def test_two_identical_upserts_return_one_id(client: UnifiedClient) -> None:
    name = unique("Upsert Co")
    upsert_on = {"name": name} if client.provider == "apollo" else {"name": name, "domain": f"{name.lower()}.example"}
    body = {"record": {"name": name, "domain": f"{name.lower()}.example"}, "upsert_on": upsert_on}
    first = client.call("POST", "/accounts/_upsert", json=body)
    second = client.call("POST", "/accounts/_upsert", json=body)
    assert first.status_code == 201
    assert second.status_code == 201
    assert first.json()["record"]["id"] == second.json()["record"]["id"]


def test_contact_search_by_email_finds_exactly_it(client: UnifiedClient) -> None:
    email = f"{unique('ada')}@example.com"
    contact_id = create_contact(client, email)
    create_contact(client, f"{unique('other')}@example.com")
    found = client.ok("POST", "/contacts/_search", json={"filter": {"emails": [email]}})
    assert [record["id"] for record in found["records"]] == [contact_id]


def test_contact_email_reads_back_per_vendor(client: UnifiedClient) -> None:
    email = f"{unique('grace')}@example.com"
    contact_id = create_contact(client, email)
    fetched = client.ok("GET", f"/contacts/{contact_id}")
    expected_type = {"apollo": "primary", "outreach": None, "salesloft": "primary"}[client.provider]
    assert fetched["email_addresses"] == [{"email_address": email, "email_address_type": expected_type}]


def test_contact_update_keeps_other_fields(client: UnifiedClient) -> None:
    email = f"{unique('alan')}@example.com"
    contact_id = create_contact(client, email)
    client.ok("PATCH", f"/contacts/{contact_id}", json={"record": {"first_name": "Alan", "last_name": "Turing"}})
    fetched = client.ok("GET", f"/contacts/{contact_id}")
    assert (fetched["first_name"], fetched["last_name"]) == ("Alan", "Turing")
    assert fetched["job_title"] == "Engineer"
    assert fetched["email_addresses"][0]["email_address"] == email


def test_sequence_with_four_steps(client: UnifiedClient) -> None:
    sequence_id = create_sequence(client, FOUR_STEPS)
    fetched = client.ok("GET", f"/sequences/{sequence_id}")
    assert fetched["num_steps"] == 4
    assert len(fetched["steps"]) == 4
    assert fetched["share_type"] == "team"
    assert [step["type"] for step in fetched["steps"]] == ["manual_email", "auto_email", "call", "task"]


def test_enrolling_twice(client: UnifiedClient) -> None:
    contact_id = create_contact(client, f"{unique('enrol')}@example.com")
    sequence_id = create_sequence(client, FOUR_STEPS[:1])
    record = {"contact_id": contact_id, "sequence_id": sequence_id}
    mailbox_id = first_mailbox(client)
    if mailbox_id is not None:
        record["mailbox_id"] = mailbox_id
    first = client.ok("POST", "/sequence_states", json={"record": record})["record"]["id"]

    if client.provider == "salesloft":
        # Salesloft has no "already in this cadence" handling: the native 422 comes back as 499.
        item = client.error("POST", "/sequence_states", 499, json={"record": record})
        assert item["status"] == "422"
    else:
        second = client.ok("POST", "/sequence_states", json={"record": record})["record"]["id"]
        assert second == first

    states = client.ok("POST", "/sequence_states/_search", json={"filter": {"contact_id": contact_id}})
    assert [state["sequence_id"] for state in states["records"]] == [sequence_id]


def test_enrolment_without_mailbox(client: UnifiedClient) -> None:
    contact_id = create_contact(client, f"{unique('nomail')}@example.com")
    sequence_id = create_sequence(client, FOUR_STEPS[:1])
    record = {"contact_id": contact_id, "sequence_id": sequence_id}
    if client.provider == "salesloft":
        assert client.call("POST", "/sequence_states", json={"record": record}).status_code == 201
        return
    expected = {
        "apollo": "Mailbox ID is required when creating apollo sequence states",
        "outreach": "Mailbox ID is required for Outreach",
    }[client.provider]
    assert client.error("POST", "/sequence_states", 400, json={"record": record})["title"] == expected


def test_batch_enrolment(client: UnifiedClient) -> None:
    contacts = [create_contact(client, f"{unique('batch')}@example.com") for _ in range(2)]
    sequence_id = create_sequence(client, FOUR_STEPS[:1])
    mailbox_id = first_mailbox(client)
    records = [{"contact_id": contact, "sequence_id": sequence_id} for contact in contacts]
    if mailbox_id is not None:
        for record in records:
            record["mailbox_id"] = mailbox_id
    if client.provider == "apollo":
        created = client.ok("POST", "/sequence_states/_batch", json={"records": records})
        assert len(created["records"]) == 2
    else:
        item = client.error("POST", "/sequence_states/_batch", 501, json={"records": records})
        assert item["code"] == "NOT_IMPLEMENTED_ERROR"


def test_update_sequence_step_template(client: UnifiedClient) -> None:
    sequence_id = create_sequence(client, FOUR_STEPS[:2])
    fetched = client.ok("GET", f"/sequences/{sequence_id}")
    step_id = fetched["steps"][0].get("id") or "1"
    body = {"record": {"template": {"body": "Updated body", "subject": "modified subject"}}}
    path = f"/sequences/{sequence_id}/sequence_steps/{step_id}"
    if client.provider == "salesloft":
        assert client.error("PATCH", path, 400, json=body)["title"] == "Update not supported for common object sequence_step"
        return
    client.ok("PATCH", path, json=body)
    step = next(step for step in client.ok("GET", f"/sequences/{sequence_id}")["steps"] if step["id"] == step_id)
    assert "Updated body" in step["template"]["body"]
    assert step["template"]["subject"] == "modified subject"


def test_mailboxes_per_vendor(client: UnifiedClient) -> None:
    if client.provider == "salesloft":
        assert client.error("GET", "/mailboxes", 400)["title"] == "Common object mailbox not supported for salesloft"
        return
    mailboxes = client.ok("GET", "/mailboxes")["records"]
    assert mailboxes, "a new sandbox connection is provisioned with mailboxes"
    users = {record["id"] for record in client.ok("GET", "/users")["records"]}
    assert {mailbox["user_id"] for mailbox in mailboxes} <= users


def test_tenant_isolation(client: UnifiedClient, served: ServerProcess) -> None:
    email = f"{unique('private')}@example.com"
    contact_id = create_contact(client, email)
    other = UnifiedClient(served.base_url, client.provider)
    try:
        found = other.ok("POST", "/contacts/_search", json={"filter": {"emails": [email]}})
        assert found["records"] == []
        listed = other.ok("GET", "/contacts", params={"page_size": "100"})
        assert contact_id not in {record["id"] for record in listed["records"]}
    finally:
        other.close()


def test_bad_cursor_is_400(client: UnifiedClient) -> None:
    item = client.error("GET", "/contacts", 400, params={"cursor": "not-a-cursor"})
    assert item["code"] == "BAD_REQUEST"
    assert "cursor" in item["title"].lower()


def test_paging_walks_every_contact_once(client: UnifiedClient) -> None:
    created = {create_contact(client, f"{unique('page')}@example.com") for _ in range(5)}
    seen: list[str] = []
    params = {"page_size": "2"}
    for _ in range(50):
        page = client.ok("GET", "/contacts", params=params)
        seen.extend(record["id"] for record in page["records"])
        if not page["pagination"]["next"]:
            break
        params = {"page_size": "2", "cursor": page["pagination"]["next"]}
    assert created <= set(seen)
    assert len(seen) == len(set(seen))


def test_cached_read_sees_write_at_once(client: UnifiedClient) -> None:
    client.ok("GET", "/contacts", params={"read_from_cache": "true"})
    contact_id = create_contact(client, f"{unique('cache')}@example.com")
    cached = client.ok("GET", "/contacts", params={"read_from_cache": "true", "page_size": "1000"})
    assert contact_id in {record["id"] for record in cached["records"]}


def test_include_raw_data(client: UnifiedClient) -> None:
    create_contact(client, f"{unique('raw')}@example.com")
    plain = client.ok("GET", "/contacts")["records"][0]
    raw = client.ok("GET", "/contacts", params={"include_raw_data": "true"})["records"][0]
    assert "raw_data" not in plain
    assert isinstance(raw["raw_data"], dict)
