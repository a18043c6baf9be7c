"""The Salesloft adapter against a fresh in-process simulator: operations and vendor quirks."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import pytest

from mock_server.adapters.base import Adapter, AdapterSettings, Credentials, InProcessTransport, ListQuery, RetryPolicy
from mock_server.adapters.capabilities import OPERATION_IDS, SALESLOFT
from mock_server.adapters.salesloft import SalesloftAdapter
from mock_server.cursor import Cursor
from mock_server.errors import BadRequestError, RemoteProviderError, TooManyRequestsError, UnifiedError
from providers_sim.base import FixedClock
from providers_sim.native import NativeResponse
from providers_sim.salesloft import SalesloftSimulator

from .support import BASE_URL, TOKEN, RecordingTransport, written_record

WHOLE_DAYS = "Salesloft only supports intervals in whole days (i.e. multiples of 86400)"
ONLY_RELATIVE = "Only relative delays are supported for Salesloft sequences"
NO_LINKEDIN = "LinkedIn steps are not currently supported for Salesloft sequences"
NO_TEMPLATE_IDS = "Template IDs are not currently supported for Salesloft sequences"
RATE_LIMITED = "Encountered provider rate limiting."


def _body(error: UnifiedError) -> dict[str, Any]:
    return error.to_body()["errors"][0]


def _assert_remote(error: UnifiedError, native_status: int, title: str) -> None:
    item = _body(error)
    assert error.http_status == 499
    assert item["code"] == "REMOTE_PROVIDER_ERROR"
    assert item["status"] == str(native_status)
    assert item["title"] == title
    assert item["meta"]["origin"] == "remote-provider"


def _contact(email: str, **extra: Any) -> dict[str, Any]:
    return {
        "first_name": "Ann",
        "last_name": "Lee",
        "email_addresses": [{"email_address": email, "email_address_type": "primary"}],
        **extra,
    }


def _email_step(step_type: str = "manual_email", interval: int = 0, **extra: Any) -> dict[str, Any]:
    return {
        "type": step_type,
        "interval_seconds": interval,
        "template": {"body": "<p>Hi</p>", "subject": "Hello"},
        **extra,
    }


FOUR_STEPS = [
    _email_step("manual_email", 0),
    _email_step("auto_email", 86400),
    {**_email_step("call", 172800), "task_note": "Ring"},
    {**_email_step("task", 0), "task_note": "Research"},
]


def _sequence(
    adapter: SalesloftAdapter, name: str = "Outbound", steps: list[dict[str, Any]] | None = None, **extra: Any
) -> str:
    return adapter.create_sequence({"name": name, "type": "team", "steps": steps or [], **extra}).id


# Capability coverage ---------------------------------------------------------------------


def _method_name(operation_id: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", operation_id).lower()


@pytest.mark.parametrize("operation_id", OPERATION_IDS)
def test_adapter_implements_exactly_supported_operations(operation_id: str) -> None:
    name = _method_name(operation_id)
    overridden = getattr(SalesloftAdapter, name) is not getattr(Adapter, name)

    assert overridden is SALESLOFT.supports(operation_id)


# Accounts --------------------------------------------------------------------------------


def test_create_account_sends_name_domain_owner_only(adapter: SalesloftAdapter, transport: RecordingTransport) -> None:
    record = {
        "name": "Acme",
        "domain": "acme.com",
        "owner_id": "1",
        "account_id": "9",
        "custom_fields": {"segment": "gold"},
    }

    written = adapter.create_account(record)

    sent = transport.last("POST", "/v2/accounts")
    assert sent.json == {"name": "Acme", "domain": "acme.com", "owner_id": 1}
    assert written.id == str(written_record(written)["raw_data"]["id"])
    assert written_record(written)["raw_data"]["custom_fields"] == {}
    assert written_record(written)["owner_id"] == "1"


def test_create_account_without_owner_omits_owner_id(adapter: SalesloftAdapter, transport: RecordingTransport) -> None:
    adapter.create_account({"name": "Acme", "domain": "acme.com", "owner_id": None})

    assert "owner_id" not in transport.last("POST", "/v2/accounts").json


def test_get_account_maps_native_fields(adapter: SalesloftAdapter, simulator: SalesloftSimulator) -> None:
    account_id = simulator.insert_native(TOKEN, "accounts", {"name": "Acme", "domain": "acme.com", "owner": {"id": 2}})

    record = adapter.get_account(str(account_id))

    native = simulator.accounts(TOKEN).get(account_id)
    assert native is not None
    assert record["id"] == str(account_id)
    assert (record["name"], record["domain"], record["owner_id"]) == ("Acme", "acme.com", "2")
    assert record["is_deleted"] is False
    assert record["last_modified_at"] == record["updated_at"]
    assert record["updated_at"].endswith("Z")
    assert record["raw_data"]["id"] == account_id
    assert record["raw_data"]["owner"] == {"_href": f"{BASE_URL}/v2/users/2", "id": 2}
    assert record["raw_data"]["created_at"] == native["created_at"]


def test_list_accounts_always_pages_by_100(
    adapter: SalesloftAdapter, simulator: SalesloftSimulator, transport: RecordingTransport
) -> None:
    for number in range(130):
        simulator.insert_native(TOKEN, "accounts", {"name": f"A{number}", "domain": f"a{number}.com"})

    first = adapter.list_accounts(ListQuery(page_size=5))
    second = adapter.list_accounts(
        ListQuery(page_size=5, cursor=first.next, cursor_text=first.next.encode() if first.next else None)
    )

    assert transport.sent[0].param("per_page") == "100"
    assert transport.sent[0].param("page") is None
    assert transport.sent[1].param("page") == "2"
    assert len(first.records) == 100
    assert first.next == Cursor(2, False)
    assert first.previous is None
    assert "total_count" not in first.pagination()
    assert len(second.records) == 30
    assert second.next is None
    assert second.previous == Cursor(1, True)


def test_search_accounts_without_filter_lists_everything(
    adapter: SalesloftAdapter, simulator: SalesloftSimulator
) -> None:
    for number in range(3):
        simulator.insert_native(TOKEN, "accounts", {"name": f"A{number}", "domain": f"a{number}.com"})

    page = adapter.search_accounts({})

    assert len(page.records) == 3
    assert page.total_count == 3


def test_search_accounts_exact_name_and_domain(adapter: SalesloftAdapter, transport: RecordingTransport) -> None:
    acme = adapter.create_account({"name": "Acme", "domain": "acme.com"}).id
    adapter.create_account({"name": "acme", "domain": "acme.org"})
    adapter.create_account({"name": "Acme", "domain": "acme.net"})

    by_name = adapter.search_accounts({"name": "Acme"})
    both = adapter.search_accounts({"name": "Acme", "domain": "acme.com"})

    assert transport.sent[-1].params_named("name[]") == ["Acme"]
    assert transport.sent[-1].param("domain") == "acme.com"
    assert transport.sent[-1].param("per_page") == "100"
    assert len(by_name.records) == 2
    assert [record["id"] for record in both.records] == [acme]
    assert both.total_count == 1


def test_update_account_keeps_unsent_domain(adapter: SalesloftAdapter, transport: RecordingTransport) -> None:
    account_id = adapter.create_account({"name": "Acme", "domain": "acme.com"}).id

    adapter.update_account(account_id, {"name": "Acme Inc", "custom_fields": {"tier": "gold"}})

    assert transport.last("PUT", f"/v2/accounts/{account_id}").json == {"name": "Acme Inc"}
    record = adapter.get_account(account_id)
    assert (record["name"], record["domain"]) == ("Acme Inc", "acme.com")


def test_upsert_without_fields_is_400(adapter: SalesloftAdapter) -> None:
    with pytest.raises(BadRequestError) as caught:
        adapter.upsert_account({"name": "Acme"}, {})

    assert _body(caught.value)["title"] == "Must specify at least one upsertOn field"
    assert _body(caught.value)["code"] == "BAD_REQUEST"


def test_upsert_twice_returns_same_id(adapter: SalesloftAdapter) -> None:
    record = {"name": "Acme", "domain": "acme.com"}

    first = adapter.upsert_account(record, {"name": "Acme", "domain": "acme.com"})
    second = adapter.upsert_account({**record, "name": "Acme"}, {"name": "Acme", "domain": "acme.com"})

    assert first.id == second.id
    assert len(adapter.list_accounts(ListQuery()).records) == 1


def test_upsert_updates_the_single_match(adapter: SalesloftAdapter, transport: RecordingTransport) -> None:
    account_id = adapter.create_account({"name": "Acme", "domain": "acme.com"}).id

    written = adapter.upsert_account({"name": "Acme Corp"}, {"domain": "acme.com"})

    assert written.id == account_id
    assert transport.last("PUT", f"/v2/accounts/{account_id}").json == {"name": "Acme Corp"}
    assert adapter.get_account(account_id)["name"] == "Acme Corp"


def test_upsert_with_several_matches_is_400(adapter: SalesloftAdapter) -> None:
    adapter.create_account({"name": "Acme", "domain": "acme.com"})
    adapter.create_account({"name": "Acme", "domain": "acme.org"})

    with pytest.raises(BadRequestError) as caught:
        adapter.upsert_account({"name": "Acme"}, {"name": "Acme"})

    assert _body(caught.value)["title"] == "More than one account found for upsertOn fields"


def test_duplicate_domain_is_499_with_native_422(adapter: SalesloftAdapter) -> None:
    adapter.create_account({"name": "Acme", "domain": "acme.com"})

    with pytest.raises(RemoteProviderError) as caught:
        adapter.create_account({"name": "Other", "domain": "ACME.com"})

    _assert_remote(caught.value, 422, "Unprocessable Entity")
    assert _body(caught.value)["meta"]["cause"] == {"errors": {"domain": ["has already been taken"]}}


# Contacts --------------------------------------------------------------------------------


def test_create_contact_maps_emails_phones_and_address(
    adapter: SalesloftAdapter, transport: RecordingTransport
) -> None:
    record = {
        "first_name": "Ann",
        "last_name": "Lee",
        "job_title": "CTO",
        "address": {
            "street_1": "1 Main St",
            "street_2": "Floor 2",
            "city": "Oslo",
            "state": "Oslo",
            "postal_code": "0150",
            "country": "NO",
        },
        "email_addresses": [
            {"email_address": "work@acme.com", "email_address_type": "work"},
            {"email_address": "ann@acme.com", "email_address_type": "primary"},
            {"email_address": "ann@home.net", "email_address_type": "personal"},
            {"email_address": "second@acme.com", "email_address_type": "primary"},
            {"email_address": "untyped@acme.com", "email_address_type": None},
        ],
        "phone_numbers": [
            {"phone_number": "+1000", "phone_number_type": "work"},
            {"phone_number": "+1001", "phone_number_type": "primary"},
            {"phone_number": "+1002", "phone_number_type": "home"},
            {"phone_number": "+1003", "phone_number_type": "mobile"},
            {"phone_number": "+1004", "phone_number_type": "other"},
        ],
    }

    written = adapter.create_contact(record)

    assert transport.last("POST", "/v2/people").json == {
        "first_name": "Ann",
        "last_name": "Lee",
        "title": "CTO",
        "city": "Oslo",
        "state": "Oslo",
        "country": "NO",
        "email_address": "ann@acme.com",
        "personal_email_address": "ann@home.net",
        "phone": "+1001",
        "home_phone": "+1002",
        "mobile_phone": "+1003",
    }
    read = adapter.get_contact(written.id)
    assert read["email_addresses"] == [
        {"email_address": "ann@acme.com", "email_address_type": "primary"},
        {"email_address": "ann@home.net", "email_address_type": "personal"},
    ]
    assert read["phone_numbers"] == [
        {"phone_number": "+1001", "phone_number_type": "primary"},
        {"phone_number": "+1002", "phone_number_type": "home"},
        {"phone_number": "+1003", "phone_number_type": "mobile"},
    ]
    assert read["address"] == {
        "street_1": None,
        "street_2": None,
        "city": "Oslo",
        "state": "Oslo",
        "country": "NO",
        "postal_code": None,
    }
    assert read["job_title"] == "CTO"


def test_contact_without_primary_email_sends_no_email_address(
    adapter: SalesloftAdapter, transport: RecordingTransport
) -> None:
    record = {
        "last_name": "Lee",
        "email_addresses": [{"email_address": "work@acme.com", "email_address_type": "work"}],
        "phone_numbers": [{"phone_number": "+1001", "phone_number_type": "primary"}],
    }

    written = adapter.create_contact(record)

    assert "email_address" not in transport.last("POST", "/v2/people").json
    assert adapter.get_contact(written.id)["email_addresses"] == []


def test_contact_secondary_email_reads_back_untyped(adapter: SalesloftAdapter, simulator: SalesloftSimulator) -> None:
    person_id = simulator.insert_native(
        TOKEN, "people", {"email_address": "a@x.com", "secondary_email_address": "b@x.com"}
    )

    emails = adapter.get_contact(str(person_id))["email_addresses"]

    assert emails == [
        {"email_address": "a@x.com", "email_address_type": "primary"},
        {"email_address": "b@x.com", "email_address_type": None},
    ]


def test_contact_ids_are_parsed_like_parseint(adapter: SalesloftAdapter, transport: RecordingTransport) -> None:
    adapter.create_contact(_contact("ids@example.com", owner_id="2abc", account_id=None))

    sent = transport.last("POST", "/v2/people").json
    assert sent["owner_id"] == 2
    assert sent["account_id"] is None


def test_contact_custom_fields_go_to_top_level(adapter: SalesloftAdapter, transport: RecordingTransport) -> None:
    written = adapter.create_contact(
        _contact("cf@example.com", custom_fields={"linkedin_url": "https://linkedin.com/in/ann"})
    )

    assert transport.last("POST", "/v2/people").json["linkedin_url"] == "https://linkedin.com/in/ann"
    assert written_record(written)["raw_data"]["linkedin_url"] == "https://linkedin.com/in/ann"


def test_contact_counts_map_to_engagement_counts(adapter: SalesloftAdapter, simulator: SalesloftSimulator) -> None:
    counts = {"emails_viewed": 5, "emails_clicked": 3, "emails_replied_to": 2, "emails_bounced": 1}
    person_id = simulator.insert_native(TOKEN, "people", {"email_address": "c@x.com", "counts": counts})

    record = adapter.get_contact(str(person_id))

    assert (record["open_count"], record["click_count"], record["reply_count"], record["bounced_count"]) == (5, 3, 2, 1)


def test_list_contacts_pages_with_native_page_numbers(adapter: SalesloftAdapter, simulator: SalesloftSimulator) -> None:
    for number in range(3):
        simulator.insert_native(TOKEN, "people", {"email_address": f"p{number}@x.com"})

    page = adapter.list_contacts(ListQuery(page_size=1))

    assert len(page.records) == 3
    assert page.next is None
    assert page.total_count is None


def test_search_contacts_by_email_finds_the_contact(adapter: SalesloftAdapter, transport: RecordingTransport) -> None:
    expected_id = adapter.create_contact(_contact("find@example.com")).id
    adapter.create_contact(_contact("other@example.com"))

    page = adapter.search_contacts({"emails": ["find@example.com", "missing@example.com"]}, ListQuery())

    sent = transport.last("GET", "/v2/people")
    assert sent.params_named("email_addresses[]") == ["find@example.com", "missing@example.com"]
    assert sent.param("per_page") is None
    assert [record["id"] for record in page.records] == [expected_id]
    assert page.total_count == 1


def test_search_contacts_with_no_emails_returns_everyone(
    adapter: SalesloftAdapter, transport: RecordingTransport
) -> None:
    for number in range(3):
        adapter.create_contact(_contact(f"all{number}@example.com"))

    page = adapter.search_contacts({"emails": []}, ListQuery(page_size=2))

    assert transport.last("GET", "/v2/people").param("per_page") == "2"
    assert len(page.records) == 2
    assert page.total_count == 2
    assert page.next == Cursor(2, False)


def test_update_contact_changes_only_sent_fields(adapter: SalesloftAdapter, transport: RecordingTransport) -> None:
    contact_id = adapter.create_contact(_contact("upd@example.com", job_title="CEO")).id

    adapter.update_contact(contact_id, {"first_name": "Anna", "last_name": "Berg"})

    assert transport.last("PUT", f"/v2/people/{contact_id}").json == {"first_name": "Anna", "last_name": "Berg"}
    record = adapter.get_contact(contact_id)
    assert (record["first_name"], record["last_name"], record["job_title"]) == ("Anna", "Berg", "CEO")
    assert record["email_addresses"] == [{"email_address": "upd@example.com", "email_address_type": "primary"}]


# Users -----------------------------------------------------------------------------------


def test_list_users_returns_baseline(adapter: SalesloftAdapter) -> None:
    page = adapter.list_users(ListQuery())

    assert 2 <= len(page.records) <= 3
    assert all(record["email"] for record in page.records)
    assert "total_count" not in page.pagination()


@pytest.mark.parametrize(("active", "locked"), [(True, False), (False, True)])
def test_user_is_locked_when_not_active(
    adapter: SalesloftAdapter, simulator: SalesloftSimulator, active: bool, locked: bool
) -> None:
    user_id = simulator.insert_native(TOKEN, "users", {"first_name": "Kim", "last_name": "Park", "active": active})

    record = adapter.get_user(str(user_id))

    assert record["is_locked"] is locked
    assert (record["first_name"], record["last_name"]) == ("Kim", "Park")


# Sequences -------------------------------------------------------------------------------


def test_create_sequence_then_get_reads_four_steps(adapter: SalesloftAdapter) -> None:
    sequence_id = adapter.create_sequence({"name": "Four steps", "type": "team", "steps": FOUR_STEPS}).id

    record = adapter.get_sequence(sequence_id)

    assert record["name"] == "Four steps"
    assert record["num_steps"] == 4
    assert record["share_type"] == "team"
    assert len(record["steps"]) == 4
    assert [step["type"] for step in record["steps"]] == ["manual_email", "auto_email", "call", "task"]


def test_create_sequence_import_body(adapter: SalesloftAdapter, transport: RecordingTransport) -> None:
    adapter.create_sequence({"name": "Body", "type": "private", "owner_id": "2", "tags": ["q3"], "steps": FOUR_STEPS})

    sent = transport.last("POST", "/v2/cadence_imports").json
    assert sent["settings"] == {
        "name": "Body",
        "target_daily_people": 0,
        "cadence_function": "outbound",
        "remove_bounced": True,
        "remove_replied": True,
        "external_identifier": None,
    }
    assert sent["sharing_settings"] == {"team_cadence": False, "shared": True}
    groups = sent["cadence_content"]["step_groups"]
    assert [group["day"] for group in groups] == [1, 2, 4, 4]
    assert [group["automated"] for group in groups] == [False, True, False, False]
    assert groups[1]["automated_settings"] == {"send_type": "after_time_delay", "delay_time": 0}
    assert [group["reference_id"] for group in groups] == [1, 2, 3, 4]
    assert [group["steps"][0]["name"] for group in groups] == ["Step 1", "Step 2", "Step 3: Ring", "Step 4: Research"]
    assert "owner_id" not in json.dumps(sent)
    assert "q3" not in json.dumps(sent)


def test_private_sequence_reads_back_as_team(adapter: SalesloftAdapter) -> None:
    sequence_id = adapter.create_sequence({"name": "Private", "type": "private"}).id

    assert adapter.get_sequence(sequence_id)["share_type"] == "team"


def test_sequence_owner_and_tags_are_dropped(adapter: SalesloftAdapter, simulator: SalesloftSimulator) -> None:
    sequence_id = adapter.create_sequence({"name": "Owned", "type": "team", "owner_id": "2", "tags": ["q3"]}).id

    record = adapter.get_sequence(sequence_id)

    assert record["owner_id"] == str(simulator.current_user_id(TOKEN))
    assert record["tags"] == []


def test_create_sequence_merges_custom_settings(adapter: SalesloftAdapter, transport: RecordingTransport) -> None:
    custom = {
        "settings": {"target_daily_people": 7, "remove_replied": False},
        "sharing_settings": {"shared": False},
        "campaign_code": "Q3",
    }

    sequence_id = adapter.create_sequence({"name": "Custom", "type": "team", "custom_fields": custom}).id

    sent = transport.last("POST", "/v2/cadence_imports").json
    assert sent["settings"]["target_daily_people"] == 7
    assert sent["settings"]["remove_replied"] is False
    assert sent["settings"]["name"] == "Custom"
    assert sent["sharing_settings"] == {"team_cadence": True, "shared": False}
    assert sent["campaign_code"] == "Q3"
    record = adapter.get_sequence(sequence_id)
    assert record["share_type"] == "private"
    assert record["metrics"]["targetDailyPeople"] == 7


def test_create_sequence_with_partial_day_is_400(adapter: SalesloftAdapter, transport: RecordingTransport) -> None:
    with pytest.raises(BadRequestError) as caught:
        adapter.create_sequence({"name": "Bad", "type": "team", "steps": [_email_step(interval=123)]})

    assert WHOLE_DAYS in _body(caught.value)["title"]
    assert not [sent for sent in transport.sent if sent.url.startswith("/v2/cadence_imports")]


@pytest.mark.parametrize(
    ("step", "title"),
    [
        (_email_step(date="2024-05-01"), ONLY_RELATIVE),
        (_email_step(interval=123), WHOLE_DAYS),
        (_email_step(interval=90000), WHOLE_DAYS),
        ({"type": "linkedin_send_message", "interval_seconds": 0}, NO_LINKEDIN),
        ({"type": "manual_email", "template": {"id": "tmpl-1"}}, NO_TEMPLATE_IDS),
        ({**_email_step(date="2024-05-01", interval=5), "type": "linkedin_send_message"}, ONLY_RELATIVE),
        ({"type": "linkedin_send_message", "interval_seconds": 5, "template": {"id": "t"}}, WHOLE_DAYS),
        ({"type": "linkedin_send_message", "template": {"id": "t"}}, NO_LINKEDIN),
    ],
    ids=[
        "date",
        "seconds",
        "day-and-hour",
        "linkedin",
        "template-id",
        "date-first",
        "interval-before-type",
        "linkedin-before-template",
    ],
)
def test_create_sequence_step_rejects_unsupported_steps(
    adapter: SalesloftAdapter, transport: RecordingTransport, step: dict[str, Any], title: str
) -> None:
    sequence_id = _sequence(adapter)

    with pytest.raises(BadRequestError) as caught:
        adapter.create_sequence_step(sequence_id, step)

    item = _body(caught.value)
    assert caught.value.http_status == 400
    assert (item["code"], item["title"], item["meta"]["origin"]) == ("BAD_REQUEST", title, "supaglue")
    assert len([sent for sent in transport.sent if sent.url == "/v2/cadence_imports"]) == 1


def test_create_sequence_step_returns_cadence_id(adapter: SalesloftAdapter, transport: RecordingTransport) -> None:
    sequence_id = _sequence(adapter, steps=[_email_step()])

    written = adapter.create_sequence_step(
        sequence_id, {**_email_step("call", 2 * 86400), "order": 2, "task_note": "Dial"}
    )

    assert written.id == sequence_id
    sent = transport.last("POST", "/v2/cadence_imports").json
    assert sent["cadence_content"]["cadence_id"] == int(sequence_id)
    assert sent["cadence_content"]["step_groups"][0]["day"] == 3
    assert adapter.get_sequence(sequence_id)["num_steps"] == 2


@pytest.mark.parametrize(
    ("step", "native_step", "automated"),
    [
        (
            {
                **_email_step("manual_email"),
                "order": 3,
                "task_note": "Note",
                "template": {"name": "T", "subject": "S", "body": "B"},
            },
            {
                "enabled": True,
                "type": "Email",
                "name": "Step 3: Note",
                "type_settings": {"email_template": {"title": "T", "subject": "S", "body": "B"}},
            },
            False,
        ),
        (
            {**_email_step("auto_email"), "order": 1, "name": "Intro"},
            {
                "enabled": True,
                "type": "Email",
                "name": "Intro",
                "type_settings": {"email_template": {"subject": "Hello", "body": "<p>Hi</p>"}},
            },
            True,
        ),
        (
            {"type": "call", "order": 2, "task_note": "Dial"},
            {"type": "Phone", "name": "Step 2: Dial", "type_settings": {"instructions": "Dial"}},
            False,
        ),
        (
            {"type": "call", "order": 2},
            {"type": "Phone", "name": "Step 2", "type_settings": {"instructions": ""}},
            False,
        ),
        (
            {"type": "task", "order": 4, "task_note": "Research"},
            {"type": "Other", "name": "Step 4: Research", "type_settings": {"instructions": "task: Research"}},
            False,
        ),
        (
            {"type": "manual_email", "order": 5},
            {"type": "Other", "name": "Step 5", "type_settings": {"instructions": "manual_email: "}},
            False,
        ),
        (
            {"type": "call"},
            {"type": "Phone", "name": "Step undefined", "type_settings": {"instructions": ""}},
            False,
        ),
    ],
    ids=["manual-email", "auto-email", "call", "call-without-note", "task", "email-without-template", "no-order"],
)
def test_create_sequence_step_translation(
    adapter: SalesloftAdapter,
    transport: RecordingTransport,
    step: dict[str, Any],
    native_step: dict[str, Any],
    automated: bool,
) -> None:
    sequence_id = _sequence(adapter)

    adapter.create_sequence_step(sequence_id, step)

    group = transport.last("POST", "/v2/cadence_imports").json["cadence_content"]["step_groups"][0]
    assert group["steps"] == [native_step]
    assert group["automated"] is automated
    assert group["due_immediately"] is False
    assert group["reference_id"] == step.get("order")


def test_create_sequence_step_passes_custom_fields_into_content(
    adapter: SalesloftAdapter, transport: RecordingTransport
) -> None:
    sequence_id = _sequence(adapter)

    adapter.create_sequence_step(sequence_id, {"type": "call", "order": 1, "custom_fields": {"external_ref": "x-1"}})

    assert transport.last("POST", "/v2/cadence_imports").json["cadence_content"]["external_ref"] == "x-1"


def test_step_needing_empty_cadence_is_499(clock: FixedClock) -> None:
    simulator = SalesloftSimulator(clock=clock, import_requires_empty_cadence=True)
    adapter = SalesloftAdapter(InProcessTransport(simulator, BASE_URL), Credentials(token=TOKEN))
    sequence_id = _sequence(adapter, steps=[_email_step()])

    with pytest.raises(RemoteProviderError) as caught:
        adapter.create_sequence_step(sequence_id, {"type": "call", "order": 2})

    _assert_remote(caught.value, 422, "Unprocessable Entity")


def test_get_sequence_reads_absolute_intervals(adapter: SalesloftAdapter) -> None:
    steps = [_email_step(interval=0), _email_step(interval=86400), {"type": "call", "interval_seconds": 2 * 86400}]
    sequence_id = _sequence(adapter, steps=steps)

    read = adapter.get_sequence(sequence_id)["steps"]

    assert [step["interval_seconds"] for step in read] == [0, 86400, 3 * 86400]


def test_get_sequence_step_shapes(adapter: SalesloftAdapter) -> None:
    sequence_id = _sequence(adapter, steps=FOUR_STEPS)

    steps = adapter.get_sequence(sequence_id)["steps"]

    assert all("id" not in step for step in steps)
    assert steps[3] == {"name": "Step 4: Research", "type": "task", "task_note": "task: Research"}
    assert steps[2] == {"name": "Step 3: Ring", "type": "call", "interval_seconds": 3 * 86400, "task_note": "Ring"}
    assert steps[0]["template"] == {"subject": "Hello", "body": "<p>Hi</p>"}


def test_get_sequence_adds_delay_minutes(adapter: SalesloftAdapter, simulator: SalesloftSimulator) -> None:
    cadence_id = simulator.insert_native(TOKEN, "cadences", {"name": "Delayed"})
    simulator.insert_native(
        TOKEN,
        "step_groups",
        {
            "cadence_id": cadence_id,
            "day": 2,
            "automated": True,
            "automated_settings": {"send_type": "after_time_delay", "delay_time": 30},
            "due_immediately": False,
            "steps": [
                {
                    "name": "Auto",
                    "type": "Email",
                    "type_settings": {"email_template": {"title": "T", "subject": "S", "body": "B"}},
                }
            ],
        },
    )

    step = adapter.get_sequence(str(cadence_id))["steps"][0]

    assert step == {
        "name": "Auto",
        "type": "auto_email",
        "interval_seconds": 86400 + 1800,
        "template": {"name": "T", "subject": "S", "body": "B"},
    }


def test_get_sequence_maps_cadence_fields(adapter: SalesloftAdapter, simulator: SalesloftSimulator) -> None:
    cadence_id = simulator.insert_native(
        TOKEN,
        "cadences",
        {
            "name": "Old",
            "draft": True,
            "current_state": "archived",
            "archived_at": "2024-01-01T00:00:00.000000+00:00",
            "shared": False,
            "tags": ["t"],
        },
    )

    record = adapter.get_sequence(str(cadence_id))

    assert record["is_enabled"] is False
    assert record["is_archived"] is True
    assert record["is_deleted"] is True
    assert record["share_type"] == "private"
    assert record["tags"] == ["t"]
    assert record["num_steps"] == 0
    assert record["steps"] == []


def test_list_sequences_counts_steps_across_pages(
    adapter: SalesloftAdapter, simulator: SalesloftSimulator, transport: RecordingTransport
) -> None:
    big = simulator.insert_native(TOKEN, "cadences", {"name": "Big"})
    small = simulator.insert_native(TOKEN, "cadences", {"name": "Small"})
    simulator.insert_native(TOKEN, "cadences", {"name": "Empty"})
    many = [{"name": f"Call {n}", "type": "Phone", "type_settings": {"instructions": ""}} for n in range(101)]
    simulator.insert_native(TOKEN, "step_groups", {"cadence_id": big, "day": 1, "automated": False, "steps": many})
    simulator.insert_native(
        TOKEN, "step_groups", {"cadence_id": small, "day": 1, "automated": False, "steps": many[:2]}
    )

    page = adapter.list_sequences(ListQuery(page_size=1))

    assert [(record["name"], record["num_steps"]) for record in page.records] == [
        ("Big", 101),
        ("Small", 2),
        ("Empty", 0),
    ]
    assert all("steps" not in record for record in page.records)
    step_pages = [sent.param("page") for sent in transport.sent if sent.url == "/v2/steps"]
    assert step_pages == [None, "2"]


def test_get_unknown_sequence_is_499(adapter: SalesloftAdapter) -> None:
    with pytest.raises(RemoteProviderError) as caught:
        adapter.get_sequence("4040")

    _assert_remote(caught.value, 404, "Not Found")


# Sequence states -------------------------------------------------------------------------


def test_create_sequence_state_ignores_mailbox(
    adapter: SalesloftAdapter, simulator: SalesloftSimulator, transport: RecordingTransport
) -> None:
    contact_id = adapter.create_contact(_contact("seq@example.com")).id
    sequence_id = _sequence(adapter, steps=[_email_step()])

    written = adapter.create_sequence_state({"contact_id": contact_id, "sequence_id": sequence_id, "mailbox_id": "77"})

    assert transport.last("POST", "/v2/cadence_memberships").json == {
        "cadence_id": sequence_id,
        "person_id": contact_id,
    }
    assert written_record(written)["mailbox_id"] is None
    assert written_record(written)["user_id"] == str(simulator.current_user_id(TOKEN))
    assert (written_record(written)["contact_id"], written_record(written)["sequence_id"]) == (contact_id, sequence_id)
    assert written_record(written)["state"] == "active"


def test_create_sequence_state_passes_user(adapter: SalesloftAdapter, transport: RecordingTransport) -> None:
    contact_id = adapter.create_contact(_contact("user@example.com")).id
    sequence_id = _sequence(adapter)
    user_id = adapter.list_users(ListQuery()).records[1]["id"]

    written = adapter.create_sequence_state({"contact_id": contact_id, "sequence_id": sequence_id, "user_id": user_id})

    assert transport.last("POST", "/v2/cadence_memberships").json["user_id"] == user_id
    assert written_record(written)["user_id"] == user_id


def test_contact_already_in_sequence_is_499(adapter: SalesloftAdapter) -> None:
    record = {"contact_id": adapter.create_contact(_contact("dup@example.com")).id, "sequence_id": _sequence(adapter)}
    adapter.create_sequence_state(record)

    with pytest.raises(RemoteProviderError) as caught:
        adapter.create_sequence_state(record)

    _assert_remote(caught.value, 422, "Unprocessable Entity")
    assert _body(caught.value)["meta"]["cause"] == {"errors": {"person_id": ["is already on this cadence"]}}


def test_search_sequence_states_by_contact(adapter: SalesloftAdapter, transport: RecordingTransport) -> None:
    contact_id = adapter.create_contact(_contact("state@example.com")).id
    other_id = adapter.create_contact(_contact("else@example.com")).id
    sequence_id = _sequence(adapter)
    state_id = adapter.create_sequence_state({"contact_id": contact_id, "sequence_id": sequence_id}).id
    adapter.create_sequence_state({"contact_id": other_id, "sequence_id": sequence_id})

    page = adapter.search_sequence_states({"contact_id": contact_id}, ListQuery(page_size=10))

    sent = transport.last("GET", "/v2/cadence_memberships")
    assert (sent.param("person_id"), sent.param("cadence_id"), sent.param("per_page")) == (contact_id, None, "10")
    assert [(record["id"], record["sequence_id"]) for record in page.records] == [(state_id, sequence_id)]
    assert "total_count" not in page.pagination()


def test_search_sequence_states_by_contact_and_sequence(adapter: SalesloftAdapter) -> None:
    contact_id = adapter.create_contact(_contact("both@example.com")).id
    first, second = _sequence(adapter, "One"), _sequence(adapter, "Two")
    adapter.create_sequence_state({"contact_id": contact_id, "sequence_id": first})
    expected_id = adapter.create_sequence_state({"contact_id": contact_id, "sequence_id": second}).id

    page = adapter.search_sequence_states({"contact_id": contact_id, "sequence_id": second}, ListQuery())

    assert [record["id"] for record in page.records] == [expected_id]


def test_list_and_get_sequence_states(adapter: SalesloftAdapter, transport: RecordingTransport) -> None:
    contact_id = adapter.create_contact(_contact("list@example.com")).id
    state_id = adapter.create_sequence_state({"contact_id": contact_id, "sequence_id": _sequence(adapter)}).id

    page = adapter.list_sequence_states(ListQuery(page_size=3))
    record = adapter.get_sequence_state(state_id)

    assert transport.last("GET", "/v2/cadence_memberships").param("per_page") == "100"
    assert [item["id"] for item in page.records] == [state_id]
    assert record["contact_id"] == contact_id
    assert record["mailbox_id"] is None
    assert record["raw_data"]["person"]["id"] == int(contact_id)


# Errors, retries, cursors and filters ----------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "title"),
    [
        (400, {"error": "Bad parameter"}, "Bad parameter"),
        (401, {"error": "Invalid Bearer token"}, "Invalid Bearer token"),
        (403, {"error": "Forbidden by team settings"}, "Forbidden by team settings"),
        (404, {"error": "Not Found"}, "Not Found"),
        (409, {"error": "Conflict"}, "Conflict"),
        (422, {"errors": {"email_address": ["is invalid"]}}, "Unprocessable Entity"),
        (429, {"error": "Rate limit exceeded"}, "Rate limit exceeded"),
        (500, None, "Internal Server Error"),
        (503, "upstream unavailable", "Service Unavailable"),
    ],
)
def test_native_errors_become_499(
    adapter: SalesloftAdapter, simulator: SalesloftSimulator, status: int, body: Any, title: str, sleeps: list[float]
) -> None:
    content_type = "text/plain" if isinstance(body, str) else "application/json"
    simulator.inject_faults(TOKEN, NativeResponse(status, body, content_type=content_type))

    with pytest.raises(RemoteProviderError) as caught:
        adapter.get_contact("1")

    _assert_remote(caught.value, status, title)
    assert _body(caught.value)["meta"].get("cause") == body
    assert sleeps == []


def test_errors_never_carry_the_token(adapter: SalesloftAdapter, simulator: SalesloftSimulator) -> None:
    simulator.inject_faults(TOKEN, NativeResponse(401, {"error": "Invalid Bearer token"}))

    with pytest.raises(RemoteProviderError) as caught:
        adapter.get_account("1")

    assert TOKEN not in json.dumps(caught.value.to_body())


def test_requests_carry_bearer_token_and_relative_paths(
    adapter: SalesloftAdapter, transport: RecordingTransport
) -> None:
    adapter.list_users(ListQuery())
    adapter.create_account({"name": "Acme", "domain": "acme.com"})

    assert all(sent.headers["Authorization"] == f"Bearer {TOKEN}" for sent in transport.sent)
    assert all(sent.url.startswith("/v2/") for sent in transport.sent)


def test_other_base_url_is_used_for_links(simulator: SalesloftSimulator) -> None:
    adapter = SalesloftAdapter(InProcessTransport(simulator, "http://127.0.0.1:8765"), Credentials(token=TOKEN))

    record = written_record(adapter.create_contact(_contact("host@example.com", owner_id="1")))

    assert record["raw_data"]["owner"]["_href"] == "http://127.0.0.1:8765/v2/users/1"


def _rate_limited() -> NativeResponse:
    return NativeResponse(429, {"error": "Rate limit exceeded"}, headers={"Retry-After": "0.005"})


def test_list_retries_rate_limits_then_succeeds(
    adapter: SalesloftAdapter, simulator: SalesloftSimulator, sleeps: list[float]
) -> None:
    simulator.inject_faults(TOKEN, _rate_limited(), _rate_limited())

    page = adapter.list_users(ListQuery())

    assert sleeps == [0.005, 0.005]
    assert len(page.records) >= 2


def test_list_gives_up_after_retries(
    adapter: SalesloftAdapter, simulator: SalesloftSimulator, sleeps: list[float]
) -> None:
    simulator.inject_faults(TOKEN, *[_rate_limited() for _ in range(4)])

    with pytest.raises(TooManyRequestsError) as caught:
        adapter.list_accounts(ListQuery())

    item = _body(caught.value)
    assert caught.value.http_status == 429
    assert (item["code"], item["title"], item["meta"]["origin"]) == (
        "TOO_MANY_REQUESTS_ERROR",
        RATE_LIMITED,
        "supaglue",
    )
    assert len(sleeps) == 3


def test_search_retries_with_backoff_policy(simulator: SalesloftSimulator, transport: RecordingTransport) -> None:
    waits: list[float] = []
    settings = AdapterSettings(retry=RetryPolicy(attempts=2, base=0.5, factor=3.0, cap=60.0), sleep=waits.append)
    adapter = SalesloftAdapter(transport, Credentials(token=TOKEN), settings)
    bare_429 = NativeResponse(429, {"error": "Rate limit exceeded"})
    simulator.inject_faults(TOKEN, bare_429, bare_429, bare_429)

    with pytest.raises(TooManyRequestsError):
        adapter.search_contacts({"emails": ["x@example.com"]}, ListQuery())

    assert waits == [0.5, 1.5]


def test_create_does_not_retry_rate_limits(
    adapter: SalesloftAdapter, simulator: SalesloftSimulator, sleeps: list[float]
) -> None:
    simulator.inject_faults(TOKEN, _rate_limited())

    with pytest.raises(RemoteProviderError) as caught:
        adapter.create_account({"name": "Acme", "domain": "acme.com"})

    _assert_remote(caught.value, 429, "Rate limit exceeded")
    assert sleeps == []


def test_modified_after_lists_records_updated_strictly_later(
    adapter: SalesloftAdapter, transport: RecordingTransport
) -> None:
    adapter.create_contact(_contact("one@example.com"))
    second = written_record(adapter.create_contact(_contact("two@example.com")))
    third = adapter.create_contact(_contact("three@example.com")).id
    boundary = datetime.fromisoformat(second["updated_at"].replace("Z", "+00:00"))

    page = adapter.list_contacts(ListQuery(modified_after=boundary))

    assert transport.last("GET", "/v2/people").param("updated_at[gt]") == boundary.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert [record["id"] for record in page.records] == [third]


@pytest.mark.parametrize(
    "cursor",
    [Cursor("https://api.salesloft.com/v2/people?page=2"), Cursor(0), Cursor(-3), Cursor("2")],
    ids=["url", "zero", "negative", "string"],
)
def test_foreign_cursor_is_invalid(adapter: SalesloftAdapter, cursor: Cursor, transport: RecordingTransport) -> None:
    with pytest.raises(BadRequestError) as caught:
        adapter.list_contacts(ListQuery(cursor=cursor, cursor_text=cursor.encode()))

    assert caught.value.http_status == 400
    assert "Invalid cursor" in _body(caught.value)["title"]
    assert transport.sent == []


def test_previous_cursor_fetches_previous_page(adapter: SalesloftAdapter, simulator: SalesloftSimulator) -> None:
    for number in range(205):
        simulator.insert_native(TOKEN, "people", {"email_address": f"p{number}@x.com"})

    third = adapter.list_contacts(ListQuery(cursor=Cursor(3), cursor_text=Cursor(3).encode()))
    assert third.previous is not None
    second = adapter.list_contacts(ListQuery(cursor=third.previous, cursor_text=third.previous.encode()))

    assert len(third.records) == 5
    assert second.records[0]["id"] == "101"
    assert second.next == Cursor(3, False)
