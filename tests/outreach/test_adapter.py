"""The Outreach adapter over an in-process simulator: every operation and every Outreach quirk."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from mock_server.adapters.base import Credentials, ListQuery, Page
from mock_server.adapters.capabilities import OUTREACH
from mock_server.adapters.outreach import OutreachAdapter
from mock_server.adapters.outreach.mappers import integer_id
from mock_server.cursor import Cursor
from mock_server.errors import ORIGIN_REMOTE, ORIGIN_SERVICE, UnifiedError
from providers_sim.native import NativeResponse
from providers_sim.outreach import OutreachSimulator

from .support import API, START, TOKEN, RecordingTransport, Sleeps, native_error


def _contact(**fields: Any) -> dict[str, Any]:
    record = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "job_title": "Engineer",
        "email_addresses": [{"email_address": "ada@example.com", "email_address_type": "primary"}],
    }
    record.update(fields)
    return record


def _steps() -> list[dict[str, Any]]:
    return [
        {"type": "manual_email", "template": {"body": "Hello", "subject": "First", "name": "one"}},
        {"type": "auto_email", "interval_seconds": 86400, "template": {"body": "Again", "subject": "Second"}},
        {"type": "call", "interval_seconds": 172800, "template": {"body": "Call notes", "subject": "Call"}},
        {"type": "task", "interval_seconds": 0, "template": {"body": "Task notes", "subject": "Task"}},
    ]


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _raises(call: Any, *args: Any) -> UnifiedError:
    with pytest.raises(UnifiedError) as caught:
        call(*args)
    return caught.value


def _walk(lister: Any, page_size: int) -> tuple[list[str], list[Page]]:
    pages = [lister(ListQuery(page_size=page_size))]
    while pages[-1].next is not None:
        cursor = pages[-1].next
        pages.append(lister(ListQuery(page_size=page_size, cursor=cursor, cursor_text=cursor.encode())))
    return [record["id"] for page in pages for record in page.records], pages


# Accounts ----------------------------------------------------------------------------------


def test_create_account_maps_fields(adapter: OutreachAdapter, transport: RecordingTransport) -> None:
    written = adapter.create_account(
        {"name": "Acme", "domain": "acme.com", "owner_id": "2", "account_id": "x", "custom_fields": {"custom1": "tier"}}
    )

    sent = transport.calls("POST", "/accounts")[0].json["data"]
    assert sent["attributes"] == {"domain": "acme.com", "name": "Acme", "custom1": "tier"}
    assert sent["relationships"] == {"owner": {"data": {"type": "user", "id": 2}}}
    assert written.id == "1"
    assert written.record is not None
    assert written.record["owner_id"] == "2"
    assert written.record["name"] == "Acme"
    assert written.record["is_deleted"] is False
    assert written.record["last_modified_at"] == written.record["updated_at"]


def test_create_account_without_owner_sends_no_relationships(
    adapter: OutreachAdapter, transport: RecordingTransport
) -> None:
    adapter.create_account({"name": "Acme"})
    adapter.create_account({"name": "Nobody", "owner_id": None})

    first, second = (call.json["data"] for call in transport.calls("POST", "/accounts"))
    assert "relationships" not in first
    assert second["relationships"] == {"owner": None}


def test_get_account_reads_native_record(adapter: OutreachAdapter) -> None:
    created = adapter.create_account({"name": "Acme", "domain": "acme.com", "owner_id": "1"})

    record = adapter.get_account(created.id)

    assert record["id"] == created.id
    assert record["name"] == "Acme"
    assert record["domain"] == "acme.com"
    assert record["owner_id"] == "1"
    assert record["created_at"] == record["raw_data"]["attributes"]["createdAt"]
    assert _moment(record["created_at"]) > START
    assert record["raw_data"]["type"] == "account"
    assert record["raw_data"]["links"]["self"] == f"{API}/accounts/{created.id}"


def test_update_account_changes_only_given_fields(adapter: OutreachAdapter) -> None:
    created = adapter.create_account({"name": "Acme", "domain": "acme.com"})

    updated = adapter.update_account(created.id, {"name": "Acme Inc"})

    assert updated is not None
    assert updated["name"] == "Acme Inc"
    assert adapter.get_account(created.id)["domain"] == "acme.com"


def test_list_accounts_pages_with_link_cursors(adapter: OutreachAdapter) -> None:
    for number in range(5):
        adapter.create_account({"name": f"Account {number}"})

    ids, pages = _walk(adapter.list_accounts, 2)

    assert ids == ["1", "2", "3", "4", "5"]
    assert len(pages) == 3
    assert all(page.total_count == 5 for page in pages)
    assert isinstance(pages[0].next, Cursor)
    assert str(pages[0].next.id).startswith(f"{API}/accounts?")
    assert pages[0].previous is None
    assert pages[1].previous is not None
    assert pages[1].previous.reverse is True


def test_list_previous_cursor_goes_back(adapter: OutreachAdapter) -> None:
    for number in range(4):
        adapter.create_account({"name": f"Account {number}"})
    first = adapter.list_accounts(ListQuery(page_size=2))
    assert first.next is not None
    second = adapter.list_accounts(ListQuery(page_size=2, cursor=first.next, cursor_text=first.next.encode()))
    assert second.previous is not None

    back = adapter.list_accounts(ListQuery(cursor=second.previous, cursor_text=second.previous.encode()))

    assert [record["id"] for record in back.records] == ["1", "2"]


def test_list_default_page_size_is_capability_default(adapter: OutreachAdapter, transport: RecordingTransport) -> None:
    adapter.list_accounts(ListQuery())

    assert ("page[size]", str(OUTREACH.default_page_size)) in transport.calls("GET", "/accounts")[0].params


def test_search_accounts_ands_name_and_domain(adapter: OutreachAdapter, transport: RecordingTransport) -> None:
    adapter.create_account({"name": "Acme", "domain": "acme.com"})
    wanted = adapter.create_account({"name": "Acme", "domain": "acme.io"})
    adapter.create_account({"name": "Other", "domain": "acme.io"})

    page = adapter.search_accounts({"name": "Acme", "domain": "acme.io"})
    by_name = adapter.search_accounts({"name": "Acme"})

    assert [record["id"] for record in page.records] == [wanted.id]
    assert page.total_count == 1
    assert by_name.total_count == 2
    params = transport.calls("GET", "/accounts")[0].params
    assert ("filter[name]", "Acme") in params
    assert ("filter[domain]", "acme.io") in params
    assert not any(key == "page[size]" for key, _ in params)


@pytest.mark.parametrize("filter", [{}, {"name": ""}, {"name": None, "domain": None}])
def test_search_accounts_without_filter_is_400(adapter: OutreachAdapter, filter: dict[str, Any]) -> None:
    error = _raises(adapter.search_accounts, filter)

    assert error.http_status == 400
    assert error.code == "BAD_REQUEST"
    assert error.title == "Must specify at least one filter field"


def test_upsert_twice_returns_same_id(adapter: OutreachAdapter) -> None:
    record = {"name": "Acme", "domain": "acme.com"}

    first = adapter.upsert_account(record, {"name": "Acme", "domain": "acme.com"})
    second = adapter.upsert_account({**record, "owner_id": "1"}, {"name": "Acme", "domain": "acme.com"})

    assert first.id == second.id
    assert second.record is not None
    assert second.record["owner_id"] == "1"
    assert adapter.list_accounts(ListQuery()).total_count == 1


def test_upsert_with_two_matches_is_400(adapter: OutreachAdapter) -> None:
    adapter.create_account({"name": "Acme", "domain": "a.com"})
    adapter.create_account({"name": "Acme", "domain": "b.com"})

    error = _raises(adapter.upsert_account, {"name": "Acme"}, {"name": "Acme"})

    assert error.http_status == 400
    assert error.title == "More than one account found for upsertOn fields"


def test_upsert_without_fields_is_400(adapter: OutreachAdapter) -> None:
    error = _raises(adapter.upsert_account, {"name": "Acme"}, {})

    assert error.http_status == 400
    assert error.code == "BAD_REQUEST"
    assert error.title == "Must specify at least one upsertOn field"


def test_upsert_camel_cases_custom_field_keys(adapter: OutreachAdapter, transport: RecordingTransport) -> None:
    adapter.upsert_account({"name": "Acme", "custom_fields": {"custom_1": "a", "region_code": "eu"}}, {"name": "Acme"})
    adapter.create_account({"name": "Plain", "custom_fields": {"region_code": "eu"}})

    upserted, created = (call.json["data"]["attributes"] for call in transport.calls("POST", "/accounts"))
    assert upserted["custom1"] == "a"
    assert upserted["regionCode"] == "eu"
    assert created["region_code"] == "eu"


# Contacts ----------------------------------------------------------------------------------


def test_create_contact_maps_fields(adapter: OutreachAdapter, transport: RecordingTransport) -> None:
    account = adapter.create_account({"name": "Acme"})
    record = _contact(
        address={"street_1": "1 Main", "city": "Paris", "postal_code": "75001", "country": "FR"},
        phone_numbers=[
            {"phone_number": "+100", "phone_number_type": "primary"},
            {"phone_number": "+200", "phone_number_type": "work"},
            {"phone_number": None, "phone_number_type": "home"},
            {"phone_number": "+300", "phone_number_type": None},
        ],
        owner_id="1",
        account_id=account.id,
        custom_fields={"custom5": "vip"},
    )

    written = adapter.create_contact(record)

    sent = transport.calls("POST", "/prospects")[0].json["data"]
    assert sent["attributes"]["emails"] == ["ada@example.com"]
    assert sent["attributes"]["mobilePhones"] == ["+100"]
    assert sent["attributes"]["workPhones"] == ["+200"]
    assert sent["attributes"]["homePhones"] == []
    assert sent["attributes"]["custom5"] == "vip"
    assert "addressStreet2" not in sent["attributes"]
    assert sent["relationships"]["account"] == {"data": {"type": "account", "id": account.id}}
    assert written.record is not None
    assert written.record["address"] == {
        "street_1": "1 Main",
        "street_2": None,
        "city": "Paris",
        "state": None,
        "postal_code": "75001",
        "country": "FR",
    }
    assert written.record["phone_numbers"] == [
        {"phone_number": "+100", "phone_number_type": "mobile"},
        {"phone_number": "+200", "phone_number_type": "work"},
    ]
    assert written.record["account_id"] == account.id
    assert written.record["owner_id"] == "1"


def test_contact_falsy_relationships_pass_through(adapter: OutreachAdapter, transport: RecordingTransport) -> None:
    written = adapter.create_contact(_contact(owner_id=None))

    sent = transport.calls("POST", "/prospects")[0].json["data"]
    assert sent["relationships"] == {"owner": None}
    assert written.record is not None
    assert written.record["owner_id"] is None


@pytest.mark.parametrize(
    ("value", "expected"), [("12", 12), ("12abc", 12), (" 7", 7), ("abc", None), (5, 5), (None, None)]
)
def test_integer_id_reads_like_parse_int(value: Any, expected: int | None) -> None:
    assert integer_id(value) == expected


def test_get_contact_email_type_reads_back_null(adapter: OutreachAdapter) -> None:
    written = adapter.create_contact(_contact())

    record = adapter.get_contact(written.id)

    assert record["email_addresses"] == [{"email_address": "ada@example.com", "email_address_type": None}]
    assert record["first_name"] == "Ada"
    assert record["job_title"] == "Engineer"
    assert record["raw_data"]["attributes"]["emailContacts"] == [{"email": "ada@example.com", "email_type": None}]


def test_contact_null_address_clears_every_part(adapter: OutreachAdapter, transport: RecordingTransport) -> None:
    written = adapter.create_contact(_contact(address={"city": "Paris", "street_1": "1 Main"}))

    adapter.update_contact(written.id, {"address": None})

    sent = transport.calls("PATCH", f"/prospects/{written.id}")[0].json["data"]
    assert sent["id"] == int(written.id)
    assert sent["attributes"] == {
        name: None
        for name in ("addressStreet", "addressStreet2", "addressCity", "addressState", "addressZip", "addressCountry")
    }
    assert set(adapter.get_contact(written.id)["address"].values()) == {None}


def test_update_contact_keeps_other_fields(adapter: OutreachAdapter) -> None:
    written = adapter.create_contact(_contact())

    updated = adapter.update_contact(written.id, {"first_name": "Grace", "last_name": "Hopper"})
    record = adapter.get_contact(written.id)

    assert updated is not None
    assert updated["first_name"] == "Grace"
    assert (record["first_name"], record["last_name"]) == ("Grace", "Hopper")
    assert record["job_title"] == "Engineer"
    assert record["email_addresses"] == [{"email_address": "ada@example.com", "email_address_type": None}]


def test_contact_counts_and_reply_count(simulator: OutreachSimulator, adapter: OutreachAdapter) -> None:
    prospect_id = simulator.insert_native(
        TOKEN, "prospects", {"attributes": {"openCount": 5, "clickCount": 2, "replyCount": 1, "bouncedCount": 3}}
    )

    record = adapter.get_contact(str(prospect_id))

    assert record["open_count"] == 5
    assert record["click_count"] == 2
    assert record["reply_count"] == 1
    assert record["bounced_count"] == 3


def test_voip_phones_read_as_other(simulator: OutreachSimulator, adapter: OutreachAdapter) -> None:
    prospect_id = simulator.insert_native(
        TOKEN, "prospects", {"attributes": {"homePhones": ["+1"], "otherPhones": ["+2"], "voipPhones": ["+3"]}}
    )

    record = adapter.get_contact(str(prospect_id))

    assert record["phone_numbers"] == [
        {"phone_number": "+1", "phone_number_type": "home"},
        {"phone_number": "+2", "phone_number_type": "other"},
        {"phone_number": "+3", "phone_number_type": "other"},
    ]


def test_list_contacts_counts_all(adapter: OutreachAdapter) -> None:
    for number in range(3):
        adapter.create_contact(
            _contact(email_addresses=[{"email_address": f"p{number}@x.com", "email_address_type": None}])
        )

    ids, pages = _walk(adapter.list_contacts, 2)

    assert ids == ["1", "2", "3"]
    assert pages[0].total_count == 3


def test_search_contacts_by_email_finds_the_contact(adapter: OutreachAdapter, transport: RecordingTransport) -> None:
    adapter.create_contact(_contact(email_addresses=[{"email_address": "other@x.com", "email_address_type": None}]))
    written = adapter.create_contact(_contact())

    page = adapter.search_contacts({"emails": ["ada@example.com"]}, ListQuery())

    assert [record["id"] for record in page.records] == [written.id]
    assert page.total_count == 1
    assert ("page[size]", "10") in transport.calls("GET", "/prospects")[0].params


def test_search_contacts_ors_emails(adapter: OutreachAdapter, transport: RecordingTransport) -> None:
    for number in range(3):
        adapter.create_contact(
            _contact(email_addresses=[{"email_address": f"p{number}@x.com", "email_address_type": None}])
        )

    page = adapter.search_contacts({"emails": ["p0@x.com", "p2@x.com"]}, ListQuery(page_size=1))

    assert [record["id"] for record in page.records] == ["1"]
    assert page.total_count == 1
    assert page.next is not None
    assert ("filter[emails]", "p0@x.com,p2@x.com") in transport.calls("GET", "/prospects")[0].params
    following = adapter.search_contacts({"emails": []}, ListQuery(cursor=page.next, cursor_text=page.next.encode()))
    assert [record["id"] for record in following.records] == ["3"]


def test_search_contacts_with_no_emails_finds_nothing(adapter: OutreachAdapter, transport: RecordingTransport) -> None:
    adapter.create_contact(_contact())

    page = adapter.search_contacts({"emails": []}, ListQuery())

    assert page.records == []
    assert page.total_count == 0
    assert ("filter[emails]", "") in transport.calls("GET", "/prospects")[0].params


# Users and mailboxes -----------------------------------------------------------------------


def test_list_users_lists_users_not_prospects(adapter: OutreachAdapter) -> None:
    adapter.create_contact(_contact())

    page = adapter.list_users(ListQuery())

    assert page.total_count in (2, 3)
    assert all(record["raw_data"]["type"] == "user" for record in page.records)
    assert all(record["email"] for record in page.records)
    assert all(record["is_locked"] is False for record in page.records)


def test_get_user_maps_locked(simulator: OutreachSimulator, adapter: OutreachAdapter) -> None:
    user_id = simulator.insert_native(
        TOKEN, "users", {"attributes": {"firstName": "Lin", "email": "l@x.com", "locked": True}}
    )

    record = adapter.get_user(str(user_id))

    assert record["first_name"] == "Lin"
    assert record["email"] == "l@x.com"
    assert record["is_locked"] is True


def test_list_and_get_mailboxes(adapter: OutreachAdapter) -> None:
    page = adapter.list_mailboxes(ListQuery())
    first = adapter.get_mailbox(page.records[0]["id"])

    assert page.total_count == len(adapter.list_users(ListQuery()).records)
    assert first["user_id"] == "1"
    assert first["email"] == adapter.get_user("1")["email"]
    assert first["is_disabled"] is False


# Sequences and steps -----------------------------------------------------------------------


def test_create_sequence_with_steps_reads_back(adapter: OutreachAdapter, transport: RecordingTransport) -> None:
    written = adapter.create_sequence(
        {"name": "Outbound", "type": "private", "tags": ["q1"], "owner_id": "1", "steps": _steps()}
    )

    sequence = adapter.get_sequence(written.id)

    sent = transport.calls("POST", "/sequences")[0].json["data"]
    assert "shareType" not in sent["attributes"]
    assert sent["relationships"] == {"owner": {"data": {"type": "user", "id": 1}}}
    assert [call.json["data"]["attributes"]["order"] for call in transport.calls("POST", "/sequenceSteps")] == [
        1,
        2,
        3,
        4,
    ]
    assert sequence["name"] == "Outbound"
    assert sequence["num_steps"] == 4
    assert sequence["share_type"] == "team"
    assert sequence["tags"] == ["q1"]
    assert sequence["owner_id"] == "1"
    assert [step["type"] for step in sequence["steps"]] == ["manual_email", "auto_email", "call", "task"]
    assert [step["interval_seconds"] for step in sequence["steps"]] == [0, 86400, 172800, 0]
    assert sequence["steps"][0]["template"]["subject"] == "First"
    assert sequence["steps"][1]["template"] == {"id": "2", "body": "Again", "subject": "Second"}
    assert written.record is not None
    assert written.record["num_steps"] == 4


def test_create_sequence_camel_cases_step_custom_fields(
    adapter: OutreachAdapter, transport: RecordingTransport
) -> None:
    steps = [{"type": "call", "custom_fields": {"task_autoskip_delay": 60}}]

    adapter.create_sequence({"name": "S", "type": "team", "steps": steps, "custom_fields": {"throttle_capacity": 5}})

    assert transport.calls("POST", "/sequences")[0].json["data"]["attributes"]["throttle_capacity"] == 5
    assert transport.calls("POST", "/sequenceSteps")[0].json["data"]["attributes"]["taskAutoskipDelay"] == 60


def test_list_sequences_has_no_steps(adapter: OutreachAdapter) -> None:
    adapter.create_sequence({"name": "One", "type": "team", "steps": _steps()[:1]})
    adapter.create_sequence({"name": "Two", "type": "team"})

    page = adapter.list_sequences(ListQuery())

    assert [record["name"] for record in page.records] == ["One", "Two"]
    assert all("steps" not in record for record in page.records)
    assert page.records[0]["num_steps"] == 1
    assert page.records[0]["metrics"] == {name: 0 for name in page.records[0]["metrics"]}
    assert len(page.records[0]["metrics"]) == 12
    assert page.records[1]["is_enabled"] is False


def test_private_share_type_reads_back_private(simulator: OutreachSimulator, adapter: OutreachAdapter) -> None:
    sequence_id = simulator.insert_native(TOKEN, "sequences", {"attributes": {"name": "Mine", "shareType": "private"}})
    read_only_id = simulator.insert_native(
        TOKEN, "sequences", {"attributes": {"name": "Ours", "shareType": "read_only"}}
    )

    assert adapter.get_sequence(str(sequence_id))["share_type"] == "private"
    assert adapter.get_sequence(str(read_only_id))["share_type"] == "team"


def test_create_step_creates_template_and_link(adapter: OutreachAdapter, transport: RecordingTransport) -> None:
    sequence = adapter.create_sequence({"name": "S", "type": "team"})

    written = adapter.create_sequence_step(
        sequence.id,
        {
            "type": "auto_email",
            "name": "dropped",
            "is_reply": True,
            "template": {
                "body": "<p>Hi</p>",
                "subject": "Hello",
                "to": ["a@x.com"],
                "custom_fields": {"track_links": True},
            },
        },
    )

    template = transport.calls("POST", "/templates")[0].json["data"]["attributes"]
    step = transport.calls("POST", "/sequenceSteps")[0].json["data"]["attributes"]
    link = transport.calls("POST", "/sequenceTemplates")[0].json["data"]
    assert template == {"bodyHtml": "<p>Hi</p>", "subject": "Hello", "toRecipients": ["a@x.com"], "trackLinks": True}
    assert step == {"stepType": "auto_email", "order": 0, "interval": 0}
    assert link["attributes"] == {"isReply": True}
    assert link["relationships"]["sequenceStep"]["data"]["id"] == int(written.id)
    steps = adapter.get_sequence(sequence.id)["steps"]
    assert [step["id"] for step in steps] == [written.id]
    assert steps[0]["template"]["body"] == "<p>Hi</p>"


def test_create_step_uses_existing_template_id(adapter: OutreachAdapter, transport: RecordingTransport) -> None:
    sequence = adapter.create_sequence({"name": "S", "type": "team", "steps": _steps()[:1]})

    written = adapter.create_sequence_step(sequence.id, {"type": "manual_email", "order": 2, "template": {"id": "1"}})

    assert len(transport.calls("POST", "/templates")) == 1
    step = adapter.get_sequence(sequence.id)["steps"][1]
    assert step["id"] == written.id
    assert step["template"]["id"] == "1"


def test_unknown_template_id_is_404(adapter: OutreachAdapter, transport: RecordingTransport) -> None:
    sequence = adapter.create_sequence({"name": "S", "type": "team"})

    error = _raises(adapter.create_sequence_step, sequence.id, {"type": "manual_email", "template": {"id": "99"}})

    assert error.http_status == 404
    assert error.origin == ORIGIN_REMOTE
    assert transport.calls("POST", "/sequenceSteps") == []


@pytest.mark.parametrize("step_type", ["call", "task"])
def test_call_or_task_step_without_template(adapter: OutreachAdapter, step_type: str) -> None:
    sequence = adapter.create_sequence({"name": "S", "type": "team"})

    written = adapter.create_sequence_step(
        sequence.id, {"type": step_type, "interval_seconds": 3600, "task_note": "Ring"}
    )
    record = adapter.get_sequence(sequence.id)

    assert record["num_steps"] == 1
    assert record["steps"][0]["id"] == written.id
    assert record["steps"][0]["task_note"] == "Ring"
    assert record["steps"][0]["interval_seconds"] == 3600
    assert "template" not in record["steps"][0]


@pytest.mark.parametrize("step_type", ["auto_email", "manual_email"])
def test_email_step_without_template_is_400(
    adapter: OutreachAdapter, transport: RecordingTransport, step_type: str
) -> None:
    sequence = adapter.create_sequence({"name": "S", "type": "team"})

    error = _raises(adapter.create_sequence_step, sequence.id, {"type": step_type})

    assert error.http_status == 400
    assert error.code == "BAD_REQUEST"
    assert error.origin == ORIGIN_SERVICE
    assert "template is required" in error.title
    assert transport.calls("POST", "/sequenceSteps") == []


def test_create_step_on_unknown_sequence_is_404(adapter: OutreachAdapter) -> None:
    error = _raises(adapter.create_sequence_step, "404", {"type": "call"})

    assert error.http_status == 404
    assert error.code == "NOT_FOUND_ERROR"


def test_update_step_changes_its_template(adapter: OutreachAdapter) -> None:
    sequence = adapter.create_sequence({"name": "S", "type": "team", "steps": _steps()})
    step_id = adapter.get_sequence(sequence.id)["steps"][1]["id"]

    adapter.update_sequence_step(
        sequence.id, step_id, {"template": {"body": "Updated body", "subject": "modified subject"}}
    )

    step = next(step for step in adapter.get_sequence(sequence.id)["steps"] if step["id"] == step_id)
    assert "Updated body" in step["template"]["body"]
    assert step["template"]["subject"] == "modified subject"


def test_update_step_without_template_is_404(adapter: OutreachAdapter) -> None:
    sequence = adapter.create_sequence({"name": "S", "type": "team", "steps": [{"type": "call"}]})
    step_id = adapter.get_sequence(sequence.id)["steps"][0]["id"]

    error = _raises(adapter.update_sequence_step, sequence.id, step_id, {"template": {"body": "x"}})

    assert error.http_status == 404
    assert error.code == "NOT_FOUND_ERROR"
    assert error.title == f"Sequence step {step_id} does not have a template"
    assert error.origin == ORIGIN_SERVICE


def test_get_sequence_reads_every_step_page(simulator: OutreachSimulator, adapter: OutreachAdapter) -> None:
    sequence_id = simulator.insert_native(TOKEN, "sequences", {"attributes": {"name": "Long"}})
    relationship = {"sequence": {"data": {"type": "sequence", "id": sequence_id}}}
    for _ in range(55):
        simulator.insert_native(
            TOKEN, "sequenceSteps", {"attributes": {"stepType": "task"}, "relationships": relationship}
        )

    record = adapter.get_sequence(str(sequence_id))

    assert record["num_steps"] == 55
    assert len(record["steps"]) == 55


def test_get_unknown_sequence_is_404(adapter: OutreachAdapter) -> None:
    error = _raises(adapter.get_sequence, "77")

    assert error.http_status == 404
    assert error.title == "Resource Not Found"
    assert error.origin == ORIGIN_REMOTE


# Sequence states ---------------------------------------------------------------------------


@pytest.fixture
def enrolment(adapter: OutreachAdapter) -> dict[str, str]:
    contact = adapter.create_contact(_contact())
    sequence = adapter.create_sequence({"name": "S", "type": "team", "steps": _steps()[:1]})
    mailbox = adapter.list_mailboxes(ListQuery()).records[0]["id"]
    return {"contact_id": contact.id, "sequence_id": sequence.id, "mailbox_id": mailbox}


def test_create_sequence_state_then_search_by_contact(adapter: OutreachAdapter, enrolment: dict[str, str]) -> None:
    written = adapter.create_sequence_state({**enrolment, "user_id": "2"})

    page = adapter.search_sequence_states({"contact_id": enrolment["contact_id"]}, ListQuery())

    assert written.id
    assert [record["id"] for record in page.records] == [written.id]
    assert page.records[0]["sequence_id"] == enrolment["sequence_id"]
    assert page.records[0]["mailbox_id"] == enrolment["mailbox_id"]
    assert page.records[0]["user_id"] == "1"
    assert page.records[0]["state"] == "active"
    assert page.total_count == 1


@pytest.mark.parametrize("mailbox", [None, ""])
def test_create_sequence_state_without_mailbox_is_400(
    adapter: OutreachAdapter, enrolment: dict[str, str], mailbox: str | None
) -> None:
    record = {**enrolment, "mailbox_id": mailbox}

    error = _raises(adapter.create_sequence_state, record)

    assert error.http_status == 400
    assert error.code == "BAD_REQUEST"
    assert error.title == "Mailbox ID is required for Outreach"


def test_already_in_sequence_returns_existing_state(
    adapter: OutreachAdapter, enrolment: dict[str, str], transport: RecordingTransport
) -> None:
    first = adapter.create_sequence_state(enrolment)

    second = adapter.create_sequence_state(enrolment)

    assert second.id == first.id
    lookup = transport.calls("GET", "/sequenceStates")[-1].params
    assert ("filter[prospect][id]", enrolment["contact_id"]) in lookup
    assert ("filter[sequence][id]", enrolment["sequence_id"]) in lookup
    assert ("page[size]", "10") in lookup


def test_other_sequence_state_422_passes_through(
    simulator: OutreachSimulator, adapter: OutreachAdapter, enrolment: dict[str, str]
) -> None:
    simulator.inject_faults(TOKEN, native_error(422, "Validation Error", code="prospect is opted out"))

    error = _raises(adapter.create_sequence_state, enrolment)

    assert error.http_status == 422
    assert error.code == "UNPROCESSABLE_ENTITY_ERROR"
    assert error.title == "Validation Error"
    assert error.origin == ORIGIN_REMOTE


def test_duplicate_without_existing_state_is_422(
    simulator: OutreachSimulator, adapter: OutreachAdapter, enrolment: dict[str, str]
) -> None:
    simulator.inject_faults(TOKEN, native_error(422, "Validation Error", code="has already been in this sequence"))

    error = _raises(adapter.create_sequence_state, enrolment)

    assert error.http_status == 422
    assert error.cause["errors"][0]["code"] == "has already been in this sequence"


def test_get_and_list_sequence_states(adapter: OutreachAdapter, enrolment: dict[str, str]) -> None:
    written = adapter.create_sequence_state(enrolment)

    record = adapter.get_sequence_state(written.id)
    page = adapter.list_sequence_states(ListQuery())

    assert record["contact_id"] == enrolment["contact_id"]
    assert record["raw_data"]["type"] == "sequenceState"
    assert [item["id"] for item in page.records] == [written.id]
    assert page.total_count == 1


def test_search_sequence_states_ands_filters(adapter: OutreachAdapter, enrolment: dict[str, str]) -> None:
    other = adapter.create_sequence({"name": "Other", "type": "team"})
    wanted = adapter.create_sequence_state(enrolment)
    adapter.create_sequence_state({**enrolment, "sequence_id": other.id})

    both = adapter.search_sequence_states(
        {"contact_id": enrolment["contact_id"], "sequence_id": enrolment["sequence_id"]}, ListQuery()
    )
    everything = adapter.search_sequence_states({}, ListQuery())

    assert [record["id"] for record in both.records] == [wanted.id]
    assert everything.total_count == 2


def test_batch_create_is_refused_by_capabilities(adapter: OutreachAdapter) -> None:
    refusal = OUTREACH.refusal("batchCreateSequenceState")

    assert refusal is not None
    assert refusal.status == 501
    assert _raises(adapter.batch_create_sequence_state, []).http_status == 501
    assert [op for op in OUTREACH.refusals] == ["batchCreateSequenceState"]


# Cursors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cursor_id",
    [
        7,
        "not a url",
        "https://evil.example.com/api/v2/accounts?page[after]=1",
        "http://api.outreach.io/api/v2/accounts?page[after]=1",
        f"{API}/prospects?page[after]=1",
        f"{API}/accounts/1",
    ],
    ids=["number", "text", "foreign-host", "other-scheme", "other-list", "record-url"],
)
def test_foreign_cursor_is_invalid(adapter: OutreachAdapter, transport: RecordingTransport, cursor_id: Any) -> None:
    cursor = Cursor(cursor_id)

    error = _raises(adapter.list_accounts, ListQuery(cursor=cursor, cursor_text=cursor.encode()))

    assert error.http_status == 400
    assert error.code == "BAD_REQUEST"
    assert error.title.startswith("Invalid cursor")
    assert transport.sent == []


def test_cursor_on_http_base_url(simulator: OutreachSimulator, sleeps: Sleeps) -> None:
    local = OutreachAdapter(RecordingTransport(simulator, "http://127.0.0.1:8765"), Credentials(token=TOKEN))
    for number in range(3):
        local.create_account({"name": f"A{number}"})

    first = local.list_accounts(ListQuery(page_size=2))
    assert first.next is not None
    second = local.list_accounts(ListQuery(cursor=first.next, cursor_text=first.next.encode()))

    assert str(first.next.id).startswith("http://127.0.0.1:8765/api/v2/accounts?")
    assert [record["id"] for record in second.records] == ["3"]


# modified_after ----------------------------------------------------------------------------


def test_modified_after_is_strictly_after(adapter: OutreachAdapter, transport: RecordingTransport) -> None:
    created = [adapter.create_account({"name": f"A{number}"}) for number in range(3)]
    assert created[1].record is not None
    middle = created[1].record["raw_data"]["attributes"]["updatedAt"]
    moment = _moment(middle)

    page = adapter.list_accounts(ListQuery(modified_after=moment))
    just_before = adapter.list_accounts(ListQuery(modified_after=moment - timedelta(microseconds=250)))

    assert [record["id"] for record in page.records] == [created[2].id]
    assert [record["id"] for record in just_before.records] == [created[1].id, created[2].id]
    first_after = (moment + timedelta(milliseconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    assert ("filter[updatedAt]", f"{first_after}Z..inf") in transport.calls("GET", "/accounts")[0].params


@pytest.mark.parametrize(
    "lister", ["list_contacts", "list_users", "list_mailboxes", "list_sequences", "list_sequence_states"]
)
def test_modified_after_filters_every_list(adapter: OutreachAdapter, enrolment: dict[str, str], lister: str) -> None:
    adapter.create_sequence_state(enrolment)
    future = _moment("2030-01-01T00:00:00.000Z")

    page = getattr(adapter, lister)(ListQuery(modified_after=future))
    everything = getattr(adapter, lister)(ListQuery(modified_after=future - timedelta(days=3650)))

    assert page.records == []
    assert len(everything.records) >= 1


# Retries and rate limits -------------------------------------------------------------------


def test_list_retries_429_then_succeeds(simulator: OutreachSimulator, adapter: OutreachAdapter, sleeps: Sleeps) -> None:
    simulator.inject_faults(TOKEN, native_error(429, "Rate Limit Exceeded"), native_error(429, "Rate Limit Exceeded"))

    page = adapter.list_users(ListQuery())

    assert len(page.records) >= 2
    assert len(sleeps) == 2


def test_retry_after_is_capped(simulator: OutreachSimulator, adapter: OutreachAdapter, sleeps: Sleeps) -> None:
    simulator.inject_faults(TOKEN, native_error(429, "Rate Limit Exceeded", retry_after=30))

    adapter.search_contacts({"emails": ["a@x.com"]}, ListQuery())

    assert sleeps == [0.01]


@pytest.mark.parametrize(
    ("operation", "args"),
    [
        ("list_accounts", (ListQuery(),)),
        ("search_accounts", ({"name": "Acme"},)),
        ("search_contacts", ({"emails": ["a@x.com"]}, ListQuery())),
        ("search_sequence_states", ({"contact_id": "1"}, ListQuery())),
        ("list_sequence_states", (ListQuery(),)),
    ],
)
def test_retried_paths_end_in_provider_rate_limiting(
    simulator: OutreachSimulator, adapter: OutreachAdapter, sleeps: Sleeps, operation: str, args: tuple[Any, ...]
) -> None:
    simulator.inject_faults(TOKEN, *[native_error(429, "Rate Limit Exceeded") for _ in range(4)])

    error = _raises(getattr(adapter, operation), *args)

    assert error.http_status == 429
    assert error.code == "TOO_MANY_REQUESTS_ERROR"
    assert error.title == "Encountered provider rate limiting."
    assert error.origin == ORIGIN_SERVICE
    assert len(sleeps) == 3


def test_get_passes_429_through_without_retry(
    simulator: OutreachSimulator, adapter: OutreachAdapter, sleeps: Sleeps
) -> None:
    simulator.inject_faults(TOKEN, native_error(429, "Rate Limit Exceeded", retry_after=7))

    error = _raises(adapter.get_contact, "1")

    assert error.http_status == 429
    assert error.title == "Rate Limit Exceeded"
    assert error.origin == ORIGIN_REMOTE
    assert error.headers == {"Retry-After": "7"}
    assert sleeps == []


def test_duplicate_lookup_is_retried(
    simulator: OutreachSimulator, adapter: OutreachAdapter, enrolment: dict[str, str], sleeps: Sleeps
) -> None:
    first = adapter.create_sequence_state(enrolment)
    simulator.inject_faults(
        TOKEN,
        native_error(422, "Validation Error", code="has already been in this sequence"),
        native_error(429, "Rate Limit Exceeded"),
    )

    second = adapter.create_sequence_state(enrolment)

    assert second.id == first.id
    assert len(sleeps) == 1


# Native error mapping ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "http_status", "code", "origin"),
    [
        (400, 499, "REMOTE_PROVIDER_ERROR", ORIGIN_REMOTE),
        (401, 401, "UNAUTHORIZED_ERROR", ORIGIN_REMOTE),
        (402, 499, "REMOTE_PROVIDER_ERROR", ORIGIN_REMOTE),
        (403, 403, "FORBIDDEN_ERROR", ORIGIN_REMOTE),
        (404, 404, "NOT_FOUND_ERROR", ORIGIN_REMOTE),
        (405, 499, "REMOTE_PROVIDER_ERROR", ORIGIN_REMOTE),
        (409, 409, "CONFLICT_ERROR", ORIGIN_REMOTE),
        (410, 499, "REMOTE_PROVIDER_ERROR", ORIGIN_REMOTE),
        (422, 422, "UNPROCESSABLE_ENTITY_ERROR", ORIGIN_REMOTE),
        (500, 499, "REMOTE_PROVIDER_ERROR", ORIGIN_REMOTE),
        (502, 499, "REMOTE_PROVIDER_ERROR", ORIGIN_REMOTE),
        (503, 499, "REMOTE_PROVIDER_ERROR", ORIGIN_REMOTE),
        (504, 499, "REMOTE_PROVIDER_ERROR", ORIGIN_REMOTE),
    ],
)
def test_native_error_mapping(
    simulator: OutreachSimulator, adapter: OutreachAdapter, status: int, http_status: int, code: str, origin: str
) -> None:
    fault = native_error(status, "Native Problem")
    simulator.inject_faults(TOKEN, fault)

    error = _raises(adapter.create_account, {"name": "Acme"})

    assert error.http_status == http_status
    assert error.code == code
    assert error.status == str(status)
    assert error.origin == origin
    assert error.title == "Native Problem"
    assert error.detail == "Native Problem"
    assert error.cause == fault.body
    assert TOKEN not in str(error.to_body())


def test_error_without_jsonapi_body_gets_status_title(simulator: OutreachSimulator, adapter: OutreachAdapter) -> None:
    simulator.inject_faults(TOKEN, NativeResponse(502, "<html>Bad gateway</html>", content_type="text/html"))

    error = _raises(adapter.get_account, "1")

    assert error.http_status == 499
    assert error.status == "502"
    assert error.title == "Request failed with status code 502"
    assert error.cause == {"body": "<html>Bad gateway</html>"}


def test_unknown_contact_is_404_from_provider(adapter: OutreachAdapter) -> None:
    error = _raises(adapter.get_contact, "12345")

    assert error.http_status == 404
    assert error.title == "Resource Not Found"
    assert error.origin == ORIGIN_REMOTE
    assert error.cause["errors"][0]["id"] == "resourceNotFound"


def test_success_without_data_is_remote_provider_error(simulator: OutreachSimulator, adapter: OutreachAdapter) -> None:
    simulator.inject_faults(TOKEN, NativeResponse(200, {"unexpected": True}))

    error = _raises(adapter.get_user, "1")

    assert error.http_status == 499
    assert error.code == "REMOTE_PROVIDER_ERROR"


def test_bearer_token_is_sent(simulator: OutreachSimulator) -> None:
    stranger = OutreachAdapter(RecordingTransport(simulator), Credentials(token="someone-else"))
    mine = OutreachAdapter(RecordingTransport(simulator), Credentials(token=TOKEN))
    mine.create_account({"name": "Private"})

    assert stranger.list_accounts(ListQuery()).records == []
    assert len(mine.list_accounts(ListQuery()).records) == 1


# Sync --------------------------------------------------------------------------------------


def test_sync_reads_max_size_pages(
    simulator: OutreachSimulator, adapter: OutreachAdapter, transport: RecordingTransport
) -> None:
    for number in range(1003):
        simulator.insert_native(TOKEN, "accounts", {"attributes": {"name": f"A{number}"}})

    records = adapter.sync_records("account")

    assert len(records) == 1003
    assert len({record["id"] for record in records}) == 1003
    calls = transport.calls("GET", "/accounts")
    assert len(calls) == 2
    assert ("page[size]", "1000") in calls[0].params


@pytest.mark.parametrize("object_name", ["account", "contact", "user", "mailbox", "sequence", "sequence_state"])
def test_sync_records_covers_every_object(
    adapter: OutreachAdapter, enrolment: dict[str, str], object_name: str
) -> None:
    adapter.create_account({"name": "Acme"})
    adapter.create_sequence_state(enrolment)

    records = adapter.sync_records(object_name)

    assert records
    assert all(record["raw_data"]["id"] == int(record["id"]) for record in records)
