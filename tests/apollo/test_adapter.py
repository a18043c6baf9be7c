"""The Apollo adapter: every supported operation and each Apollo quirk, over the simulator."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mock_server.adapters.apollo import ApolloAdapter
from mock_server.adapters.base import ListQuery
from mock_server.cursor import Cursor
from mock_server.errors import UnifiedError
from providers_sim.apollo import ApolloSimulator
from providers_sim.native import NativeResponse

from .support import API_KEY, HOURLY_TEXT, MINUTE_TEXT, RecordingTransport, Sleeps, plain_429

UNKNOWN_ID = "0123456789abcdef01234567"


def raises(call: Any, status: int, code: str, title: str | None = None) -> UnifiedError:
    """Run ``call`` and check the unified error it raises; return the error."""
    with pytest.raises(UnifiedError) as caught:
        call()
    error = caught.value
    assert error.http_status == status, error.title
    assert error.code == code
    if title is not None:
        assert error.title == title
    return error


def first_mailbox(adapter: ApolloAdapter) -> str:
    return adapter.list_mailboxes(ListQuery()).records[0]["id"]


def new_contact(adapter: ApolloAdapter, email: str = "ada@example.com", **fields: Any) -> str:
    record = {"first_name": "Ada", "email_addresses": [{"email_address": email, "email_address_type": "work"}]}
    return adapter.create_contact({**record, **fields}).id


def new_sequence(adapter: ApolloAdapter, **fields: Any) -> str:
    return adapter.create_sequence({"name": "Outbound", "type": "team", **fields}).id


def query_for(cursor: Cursor | None, page_size: int | None = None) -> ListQuery:
    return ListQuery(page_size=page_size, cursor=cursor, cursor_text=cursor.encode() if cursor else None)


# Accounts --------------------------------------------------------------------------------------


def test_create_account_drops_owner(
    adapter: ApolloAdapter, simulator: ApolloSimulator, transport: RecordingTransport
) -> None:
    written = adapter.create_account({"name": "Acme", "domain": "acme.com", "owner_id": "someone-else"})
    key_user = simulator.default_user_id(API_KEY)
    assert key_user is not None
    assert written.record is not None
    assert written.record["owner_id"] == key_user
    assert written.record["name"] == "Acme"
    assert written.record["domain"] == "acme.com"
    assert written.record["updated_at"] is None
    assert written.record["last_modified_at"] == written.record["created_at"]
    assert "owner_id" not in transport.bodies[-1]


def test_create_account_sends_custom_fields(adapter: ApolloAdapter) -> None:
    written = adapter.create_account({"name": "Acme", "custom_fields": {"tier": "gold"}})
    assert written.record is not None
    assert written.record["raw_data"]["typed_custom_fields"] == {"tier": "gold"}


def test_list_accounts_pages_by_number(adapter: ApolloAdapter) -> None:
    for number in range(5):
        adapter.create_account({"name": f"Company {number}"})
    first = adapter.list_accounts(ListQuery(page_size=2))
    assert [record["name"] for record in first.records] == ["Company 0", "Company 1"]
    assert first.total_count == 5
    assert first.next == Cursor(2, False)
    assert first.previous is None
    third = adapter.list_accounts(query_for(Cursor(3, False), 2))
    assert [record["name"] for record in third.records] == ["Company 4"]
    assert third.next is None
    assert third.previous == Cursor(2, True)


def test_list_accounts_default_page_size_is_10(adapter: ApolloAdapter, transport: RecordingTransport) -> None:
    adapter.list_accounts(ListQuery())
    assert transport.bodies[-1]["per_page"] == 10


def test_list_page_size_capped_at_100(adapter: ApolloAdapter, transport: RecordingTransport) -> None:
    adapter.list_contacts(ListQuery(page_size=1000))
    assert transport.bodies[-1]["per_page"] == 100


@pytest.mark.parametrize(
    "cursor", [Cursor("https://api.outreach.io/api/v2/accounts", False), Cursor(0, False)], ids=["url", "zero"]
)
def test_list_rejects_foreign_cursor(adapter: ApolloAdapter, cursor: Cursor) -> None:
    error = raises(lambda: adapter.list_accounts(query_for(cursor)), 400, "BAD_REQUEST")
    assert error.title.startswith("Invalid cursor '" + cursor.encode()[:40])


def test_list_rejects_modified_after(adapter: ApolloAdapter) -> None:
    query = ListQuery(modified_after=datetime(2024, 1, 1, tzinfo=UTC))
    raises(
        lambda: adapter.list_contacts(query),
        400,
        "BAD_REQUEST",
        "Modified after is not supported when listing common objects in Apollo",
    )


def test_search_accounts_matches_name_loosely(adapter: ApolloAdapter) -> None:
    for name in ("Acme Corp", "Acme Labs", "Globex"):
        adapter.create_account({"name": name})
    page = adapter.search_accounts({"name": "acme"})
    assert sorted(record["name"] for record in page.records) == ["Acme Corp", "Acme Labs"]
    assert page.total_count == 2
    assert page.next is None
    assert page.previous is None


def test_search_accounts_reads_first_page_only(adapter: ApolloAdapter, simulator: ApolloSimulator) -> None:
    for number in range(101):
        simulator.insert_native(API_KEY, "accounts", {"name": f"Acme {number}"})
    page = adapter.search_accounts({"name": "Acme"})
    assert len(page.records) == 100
    assert page.total_count == 100
    assert page.next is None


@pytest.mark.parametrize(
    ("fields", "title"),
    [
        ({"domain": "acme.com"}, "Domain is not supported when upserting an account in Apollo"),
        ({"name": "Acme", "domain": "acme.com"}, "Domain is not supported when upserting an account in Apollo"),
        ({}, "Name is required when upserting an account in Apollo"),
    ],
    ids=["domain-only", "domain-checked-first", "no-name"],
)
def test_account_filter_rejections(adapter: ApolloAdapter, fields: dict[str, Any], title: str) -> None:
    raises(lambda: adapter.search_accounts(fields), 400, "BAD_REQUEST", title)
    raises(lambda: adapter.upsert_account({"name": "Acme"}, fields), 400, "BAD_REQUEST", title)


def test_update_account_changes_given_fields(adapter: ApolloAdapter) -> None:
    account_id = adapter.create_account({"name": "Acme", "domain": "acme.com"}).id
    updated = adapter.update_account(account_id, {"name": "Acme Inc", "owner_id": "ignored"})
    assert updated is not None
    assert updated["name"] == "Acme Inc"
    assert updated["domain"] == "acme.com"


def test_upsert_account_creates_then_updates(adapter: ApolloAdapter) -> None:
    created = adapter.upsert_account({"name": "Acme", "domain": "acme.com"}, {"name": "Acme"})
    updated = adapter.upsert_account({"name": "Acme", "domain": "acme.io"}, {"name": "Acme"})
    assert created.id == updated.id
    assert updated.record is not None
    assert updated.record["domain"] == "acme.io"


def test_upsert_account_with_two_matches_is_400(adapter: ApolloAdapter) -> None:
    adapter.create_account({"name": "Acme Corp"})
    adapter.create_account({"name": "Acme Labs"})
    raises(
        lambda: adapter.upsert_account({"name": "Acme"}, {"name": "Acme"}),
        400,
        "BAD_REQUEST",
        "More than one account found for upsert query",
    )


# Contacts --------------------------------------------------------------------------------------


def test_create_contact_writes_native_fields(adapter: ApolloAdapter, transport: RecordingTransport) -> None:
    account_id = adapter.create_account({"name": "Acme"}).id
    record = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "job_title": "Engineer",
        "owner_id": "someone",
        "account_id": account_id,
        "email_addresses": [
            {"email_address": "ada@personal.example", "email_address_type": "personal"},
            {"email_address": "ada@work.example", "email_address_type": "work"},
        ],
        "address": {
            "street_1": "525 Brannan",
            "street_2": "Floor 2",
            "city": "San Francisco",
            "state": None,
            "postal_code": "94107",
            "country": "US",
        },
        "phone_numbers": [
            {"phone_number": "+14150000001", "phone_number_type": "primary"},
            {"phone_number": "+14150000002", "phone_number_type": "work"},
            {"phone_number": "+14150000003", "phone_number_type": "home"},
            {"phone_number": "+14150000004", "phone_number_type": "other"},
        ],
        "custom_fields": {"score": 3},
    }

    adapter.create_contact(record)

    sent = transport.bodies[-1]
    assert sent["email"] == "ada@personal.example"
    assert sent["present_raw_address"] == "525 Brannan, San Francisco, 94107, US"
    assert sent["mobile_phone"] == "+14150000001"
    assert sent["corporate_phone"] == "+14150000002"
    assert sent["home_phone"] == "+14150000003"
    assert sent["other_phone"] == "+14150000004"
    assert sent["title"] == "Engineer"
    assert sent["account_id"] == account_id
    assert sent["typed_custom_fields"] == {"score": 3}
    assert "owner_id" not in sent


def test_mobile_phone_wins_over_primary(adapter: ApolloAdapter, transport: RecordingTransport) -> None:
    phones = [
        {"phone_number": "+14150000001", "phone_number_type": "primary"},
        {"phone_number": "+14150000009", "phone_number_type": "mobile"},
    ]
    adapter.create_contact({"first_name": "Ada", "phone_numbers": phones})
    assert transport.bodies[-1]["mobile_phone"] == "+14150000009"


def test_get_contact_reads_back_mappings(adapter: ApolloAdapter, simulator: ApolloSimulator) -> None:
    contact_id = adapter.create_contact(
        {
            "first_name": "Ada",
            "owner_id": "someone",
            "email_addresses": [{"email_address": "ada@work.example", "email_address_type": "work"}],
            "address": {"street_1": "525 Brannan", "street_2": "Floor 2", "city": "San Francisco", "country": "US"},
            "phone_numbers": [
                {"phone_number": "+14150000001", "phone_number_type": "primary"},
                {"phone_number": "+14150000002", "phone_number_type": "work"},
            ],
        }
    ).id
    record = adapter.get_contact(contact_id)
    assert record["email_addresses"] == [{"email_address": "ada@work.example", "email_address_type": "primary"}]
    assert record["address"]["street_1"] == "525 Brannan"
    assert record["address"]["street_2"] is None
    assert record["address"]["city"] == "San Francisco"
    assert record["phone_numbers"] == [
        {"phone_number": "+14150000001", "phone_number_type": "mobile"},
        {"phone_number": "+14150000002", "phone_number_type": "work"},
    ]
    assert record["owner_id"] == simulator.default_user_id(API_KEY)
    assert record["reply_count"] == 0
    assert record["last_modified_at"] == record["updated_at"]
    assert record["raw_data"]["id"] == contact_id


def test_contact_without_email_reads_no_address(adapter: ApolloAdapter) -> None:
    contact_id = adapter.create_contact({"first_name": "Nobody"}).id
    record = adapter.get_contact(contact_id)
    assert record["email_addresses"] == []


@pytest.mark.parametrize(
    ("native_type", "unified_type"),
    [("home", "home"), ("mobile", "mobile"), ("work", "work"), ("work_hq", "work"), ("other", "other"), ("fax", None)],
)
def test_phone_types_on_read(
    adapter: ApolloAdapter, simulator: ApolloSimulator, native_type: str, unified_type: str | None
) -> None:
    phones = [{"raw_number": "+14150000001", "sanitized_number": "+14150000001", "type": native_type}]
    contact_id = simulator.insert_native(API_KEY, "contacts", {"first_name": "Ada", "phone_numbers": phones})
    record = adapter.get_contact(contact_id)
    assert record["phone_numbers"] == [{"phone_number": "+14150000001", "phone_number_type": unified_type}]


def test_update_contact_keeps_other_fields(adapter: ApolloAdapter) -> None:
    contact_id = new_contact(adapter, job_title="CEO")
    updated = adapter.update_contact(contact_id, {"first_name": "Augusta", "last_name": "King"})
    assert updated is not None
    assert updated["first_name"] == "Augusta"
    assert updated["last_name"] == "King"
    assert updated["job_title"] == "CEO"
    assert updated["email_addresses"][0]["email_address"] == "ada@example.com"


def test_list_contacts_returns_total(adapter: ApolloAdapter) -> None:
    for number in range(3):
        new_contact(adapter, email=f"person{number}@example.com")
    page = adapter.list_contacts(ListQuery(page_size=2))
    assert len(page.records) == 2
    assert page.total_count == 3
    assert page.next == Cursor(2, False)


def test_search_contacts_needs_an_email(adapter: ApolloAdapter) -> None:
    raises(
        lambda: adapter.search_contacts({"emails": []}, ListQuery()),
        400,
        "BAD_REQUEST",
        "At least 1 email must be provided when searching contacts",
    )


def test_search_contacts_one_call_per_distinct_email(adapter: ApolloAdapter, transport: RecordingTransport) -> None:
    ada = new_contact(adapter, email="ada@example.com")
    bob = new_contact(adapter, email="bob@example.com")
    transport.calls.clear()
    emails = ["bob@example.com", "ada@example.com", "bob@example.com", "BOB@example.com", "none@example.com"]
    page = adapter.search_contacts({"emails": emails}, ListQuery(page_size=1, cursor=Cursor(7, False)))
    searches = [call for call in transport.calls if call == ("POST", "/v1/contacts/search")]
    assert len(searches) == 4
    assert [record["id"] for record in page.records] == [bob, ada, bob]
    assert page.total_count == 3
    assert page.next is None


def test_search_contacts_keeps_first_loose_hit(adapter: ApolloAdapter) -> None:
    loose = new_contact(adapter, email="jsmith@example.com")
    page = adapter.search_contacts({"emails": ["smith@example.com"]}, ListQuery())
    assert [record["id"] for record in page.records] == [loose]


def test_search_contacts_counts_each_call_against_quota(adapter: ApolloAdapter, simulator: ApolloSimulator) -> None:
    new_contact(adapter, email="ada@example.com")
    before = int(simulator.rate_limit_headers(API_KEY)["x-minute-requests-left"])
    adapter.search_contacts({"emails": ["a@example.com", "b@example.com", "a@example.com"]}, ListQuery())
    after = int(simulator.rate_limit_headers(API_KEY)["x-minute-requests-left"])
    assert before - after == 2


def test_get_unknown_contact_is_remote_404(adapter: ApolloAdapter) -> None:
    error = raises(lambda: adapter.get_contact(UNKNOWN_ID), 499, "REMOTE_PROVIDER_ERROR")
    assert error.status == "404"
    assert error.origin == "remote-provider"
    assert isinstance(error.cause, dict)


# Rate limits and native errors -------------------------------------------------------------------


def test_get_contact_retries_minute_limits(adapter: ApolloAdapter, simulator: ApolloSimulator, sleeps: Sleeps) -> None:
    contact_id = new_contact(adapter)
    simulator.inject_faults(API_KEY, plain_429(MINUTE_TEXT), plain_429(MINUTE_TEXT))
    assert adapter.get_contact(contact_id)["id"] == contact_id
    assert len(sleeps) == 2


def test_get_contact_gives_up_after_retries(adapter: ApolloAdapter, simulator: ApolloSimulator, sleeps: Sleeps) -> None:
    contact_id = new_contact(adapter)
    simulator.inject_faults(API_KEY, *[plain_429(MINUTE_TEXT)] * 4)
    error = raises(
        lambda: adapter.get_contact(contact_id), 429, "TOO_MANY_REQUESTS_ERROR", "Encountered Apollo rate limiting."
    )
    assert error.origin == "supaglue"
    assert len(sleeps) == 3


def test_get_contact_hourly_limit_is_terminal(
    adapter: ApolloAdapter, simulator: ApolloSimulator, sleeps: Sleeps
) -> None:
    contact_id = new_contact(adapter)
    simulator.inject_faults(API_KEY, plain_429(HOURLY_TEXT))
    error = raises(
        lambda: adapter.get_contact(contact_id),
        500,
        "SG_TERMINAL_TOO_MANY_REQUESTS_ERROR",
        "Encountered Apollo hourly or daily rate limiting.",
    )
    assert error.status == "500"
    assert sleeps == []


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (HOURLY_TEXT, "Encountered Apollo hourly or daily rate limiting"),
        (HOURLY_TEXT.replace("per hour", "per day"), "Encountered Apollo hourly or daily rate limiting"),
        ("This endpoint is only available to paying teams.", "Encountered Apollo hourly or daily rate limiting"),
        (MINUTE_TEXT, "Encountered Apollo rate limiting"),
        (HOURLY_TEXT.replace("contacts/search", "emailer_campaigns/search"), "Encountered Apollo rate limiting"),
    ],
    ids=["hourly", "daily", "paying-teams", "minute", "underscore-endpoint"],
)
def test_user_facing_429_is_not_retried(
    adapter: ApolloAdapter, simulator: ApolloSimulator, sleeps: Sleeps, text: str, title: str
) -> None:
    simulator.inject_faults(API_KEY, plain_429(text))
    error = raises(lambda: adapter.list_accounts(ListQuery()), 429, "TOO_MANY_REQUESTS_ERROR", title)
    assert error.origin == "supaglue"
    assert sleeps == []


def test_simulated_hourly_limit_reaches_adapter(transport: RecordingTransport, sleeps: Sleeps) -> None:
    from mock_server.adapters.base import AdapterSettings, Credentials
    from providers_sim.apollo import ApolloRateLimits

    simulator = ApolloSimulator(limits=ApolloRateLimits(per_hour=2))
    adapter = ApolloAdapter(RecordingTransport(simulator), Credentials(api_key=API_KEY), AdapterSettings(sleep=sleeps))
    raises(
        lambda: adapter.search_contacts({"emails": ["a@example.com", "b@example.com", "c@example.com"]}, ListQuery()),
        429,
        "TOO_MANY_REQUESTS_ERROR",
        "Encountered Apollo hourly or daily rate limiting",
    )


@pytest.mark.parametrize("status", [401, 403])
def test_auth_failure_is_no_longer_authenticated(
    adapter: ApolloAdapter, simulator: ApolloSimulator, status: int
) -> None:
    simulator.inject_faults(API_KEY, NativeResponse(status, {"error": "Invalid access credentials."}))
    error = raises(
        lambda: adapter.list_users(ListQuery()),
        500,
        "SG_CONNECTION_NO_LONGER_AUTHENTICATED_ERROR",
        f"Request failed with status code {status}",
    )
    assert error.status == str(status)


def test_strict_unknown_key_is_no_longer_authenticated(sleeps: Sleeps) -> None:
    from mock_server.adapters.base import AdapterSettings, Credentials

    simulator = ApolloSimulator(strict_accounts=True)
    adapter = ApolloAdapter(
        RecordingTransport(simulator), Credentials(api_key="revoked"), AdapterSettings(sleep=sleeps)
    )
    error = raises(lambda: adapter.list_mailboxes(ListQuery()), 500, "SG_CONNECTION_NO_LONGER_AUTHENTICATED_ERROR")
    assert error.status == "401"


@pytest.mark.parametrize("status", [400, 404, 422, 500, 503])
def test_other_native_errors_are_499(adapter: ApolloAdapter, simulator: ApolloSimulator, status: int) -> None:
    body = {"error": f"Failure for key {API_KEY}"}
    simulator.inject_faults(API_KEY, NativeResponse(status, body))
    error = raises(lambda: adapter.create_account({"name": "Acme"}), 499, "REMOTE_PROVIDER_ERROR")
    assert error.status == str(status)
    assert error.origin == "remote-provider"
    assert error.cause == {"error": "Failure for key [redacted]"}
    assert API_KEY not in json.dumps(error.to_body())


# Users and mailboxes ---------------------------------------------------------------------------


def test_list_users_maps_users(adapter: ApolloAdapter, simulator: ApolloSimulator) -> None:
    page = adapter.list_users(ListQuery(page_size=1))
    assert len(page.records) == 1
    assert page.next == Cursor(2, False)
    assert page.total_count is not None and page.total_count >= 2
    user = page.records[0]
    assert user["id"] == simulator.default_user_id(API_KEY)
    assert user["is_locked"] is None
    assert user["updated_at"] is None
    assert user["last_modified_at"] == user["created_at"]


def test_list_mailboxes_is_unpaginated(adapter: ApolloAdapter, simulator: ApolloSimulator) -> None:
    users = adapter.list_users(ListQuery()).records
    for number in range(3):
        simulator.insert_native(
            API_KEY, "email_accounts", {"user_id": users[0]["id"], "email": f"m{number}@example.com"}
        )
    page = adapter.list_mailboxes(query_for(Cursor(2, False), 1))
    assert len(page.records) == len(users) + 3
    assert page.total_count == len(page.records)
    assert page.next is None
    assert page.previous is None


def test_mailbox_fields(adapter: ApolloAdapter, simulator: ApolloSimulator) -> None:
    simulator.insert_native(
        API_KEY, "email_accounts", {"email": "off@example.com", "active": False, "last_synced_at": None}
    )
    records = {record["email"]: record for record in adapter.list_mailboxes(ListQuery()).records}
    off = records["off@example.com"]
    assert off["is_disabled"] is True
    assert off["created_at"] is None
    assert off["last_modified_at"] is None
    active = next(record for record in records.values() if record["email"] != "off@example.com")
    assert active["is_disabled"] is False
    assert active["updated_at"] == active["raw_data"]["last_synced_at"]


# Sequences -------------------------------------------------------------------------------------


def test_create_sequence_sends_campaign_fields(adapter: ApolloAdapter, transport: RecordingTransport) -> None:
    owner = adapter.list_users(ListQuery()).records[1]["id"]
    sequence_id = new_sequence(adapter, type="private", tags=["label-1"], owner_id=owner)
    sent = transport.bodies[-1]
    assert sent["permissions"] == "private"
    assert sent["active"] is True
    assert sent["label_ids"] == ["label-1"]
    assert sent["user_id"] == owner
    record = adapter.get_sequence(sequence_id)
    assert record["share_type"] == "private"
    assert record["is_enabled"] is True
    assert record["owner_id"] == owner
    assert record["tags"] == ["label-1"]


def test_team_sequence_is_team_can_use(adapter: ApolloAdapter, transport: RecordingTransport) -> None:
    sequence_id = new_sequence(adapter, type="team")
    assert transport.bodies[-1]["permissions"] == "team_can_use"
    assert adapter.get_sequence(sequence_id)["share_type"] == "team"


def test_create_sequence_adds_steps_in_order(adapter: ApolloAdapter, transport: RecordingTransport) -> None:
    steps = [
        {"type": "manual_email", "template": {"subject": "One", "body": "<p>1</p>"}},
        {"type": "auto_email", "interval_seconds": 86400, "template": {"subject": "Two", "body": "<p>2</p>"}},
        {"type": "call", "interval_seconds": 172800, "task_note": "Ring"},
        {"type": "task", "interval_seconds": 0, "task_note": "Research"},
    ]
    sequence_id = new_sequence(adapter, steps=steps)
    positions = [
        body["position"]
        for method, body in zip(transport.calls, transport.bodies, strict=True)
        if method == ("POST", "/api/v1/emailer_steps")
    ]
    assert positions == [1, 2, 3, 4]
    record = adapter.get_sequence(sequence_id)
    assert record["num_steps"] == 4
    assert [step["type"] for step in record["steps"]] == ["manual_email", "auto_email", "call", "task"]
    assert [step["interval_seconds"] for step in record["steps"]] == [0, 86400, 259200, 259200]
    assert record["steps"][0]["template"]["subject"] == "One"
    assert record["steps"][2]["task_note"] == "Ring"
    assert "template" not in record["steps"][2]


def test_sequence_metrics_drop_loading(adapter: ApolloAdapter, simulator: ApolloSimulator) -> None:
    simulator.insert_native(
        API_KEY,
        "emailer_campaigns",
        {"name": "Seeded", "unique_opened": "loading", "open_rate": 0.25, "unique_replied": None, "archived": True},
    )
    record = adapter.list_sequences(ListQuery()).records[0]
    assert "uniqueOpened" not in record["metrics"]
    assert "uniqueReplied" not in record["metrics"]
    assert record["metrics"]["openRate"] == 0.25
    assert record["metrics"]["uniqueDelivered"] == 0
    assert record["is_archived"] is True
    assert record["is_deleted"] is True
    assert "steps" not in record


def test_sequence_last_modified_is_now(adapter: ApolloAdapter) -> None:
    new_sequence(adapter)
    before = datetime.now(UTC) - timedelta(seconds=1)
    record = adapter.list_sequences(ListQuery()).records[0]
    read = datetime.fromisoformat(record["last_modified_at"])
    assert before <= read <= datetime.now(UTC) + timedelta(seconds=1)
    assert record["updated_at"] is None


def test_list_sequences_pages(adapter: ApolloAdapter) -> None:
    for number in range(3):
        new_sequence(adapter, name=f"Sequence {number}")
    page = adapter.list_sequences(query_for(Cursor(2, False), 2))
    assert [record["name"] for record in page.records] == ["Sequence 2"]
    assert page.total_count == 3
    assert page.previous == Cursor(1, True)


@pytest.mark.parametrize(
    ("unified", "native"),
    [
        ("auto_email", "auto_email"),
        ("manual_email", "manual_email"),
        ("call", "call"),
        ("task", "action_item"),
        ("linkedin_send_message", "linkedin_step_message"),
    ],
)
def test_step_type_mapping(adapter: ApolloAdapter, transport: RecordingTransport, unified: str, native: str) -> None:
    sequence_id = new_sequence(adapter)
    step_id = adapter.create_sequence_step(sequence_id, {"type": unified}).id
    assert transport.bodies[transport.calls.index(("POST", "/api/v1/emailer_steps"))]["type"] == native
    step = next(step for step in adapter.get_sequence(sequence_id)["steps"] if step["id"] == step_id)
    assert step["type"] == unified


@pytest.mark.parametrize(
    "native_type", ["linkedin_step_connect", "linkedin_step_view_profile", "linkedin_step_interact_post"]
)
def test_other_native_step_types_read_as_task(
    adapter: ApolloAdapter, simulator: ApolloSimulator, native_type: str
) -> None:
    sequence_id = new_sequence(adapter)
    simulator.insert_native(
        API_KEY, "emailer_steps", {"emailer_campaign_id": sequence_id, "type": native_type, "wait_mode": "day"}
    )
    assert [step["type"] for step in adapter.get_sequence(sequence_id)["steps"]] == ["task"]


@pytest.mark.parametrize(
    ("interval", "wait_mode", "wait_time"),
    [
        (None, "second", 0),
        (0, "second", 0),
        (90, "second", 90),
        (120, "minute", 2),
        (5400, "minute", 90),
        (7200, "hour", 2),
        (172800, "day", 2),
        (86400.0, "day", 1),
        (90.5, "second", 0),
    ],
    ids=["missing", "zero", "seconds", "minutes", "minutes-not-hours", "hours", "days", "float-days", "fraction"],
)
def test_step_wait_conversion(
    adapter: ApolloAdapter, transport: RecordingTransport, interval: Any, wait_mode: str, wait_time: int
) -> None:
    sequence_id = new_sequence(adapter)
    record: dict[str, Any] = {"type": "call"}
    if interval is not None:
        record["interval_seconds"] = interval
    adapter.create_sequence_step(sequence_id, record)
    sent = transport.bodies[-1]
    assert (sent["wait_mode"], sent["wait_time"]) == (wait_mode, wait_time)


def test_step_fields_reach_apollo(adapter: ApolloAdapter, transport: RecordingTransport) -> None:
    sequence_id = new_sequence(adapter)
    adapter.create_sequence_step(sequence_id, {"type": "call", "date": "2024-03-01", "task_note": "Ring"})
    sent = transport.bodies[-1]
    assert sent["emailer_campaign_id"] == sequence_id
    assert sent["position"] == 1
    assert sent["exact_datetime"] == "2024-03-01"
    assert sent["note"] == "Ring"
    step = adapter.get_sequence(sequence_id)["steps"][0]
    assert step["date"] == "2024-03-01T00:00:00.000Z"
    assert step["task_note"] == "Ring"


@pytest.mark.parametrize(("is_reply", "touch_type"), [(True, "reply_to_thread"), (False, "new_thread")])
def test_email_step_fills_touch(
    adapter: ApolloAdapter, transport: RecordingTransport, is_reply: bool, touch_type: str
) -> None:
    sequence_id = new_sequence(adapter)
    record = {"type": "auto_email", "is_reply": is_reply, "template": {"subject": "Hi", "body": "<p>Hello</p>"}}
    step_id = adapter.create_sequence_step(sequence_id, record).id
    method, path = transport.calls[-1]
    assert method == "PUT"
    assert path.startswith("/api/v1/emailer_touches/")
    sent = transport.bodies[-1]
    assert sent["type"] == touch_type
    assert sent["emailer_step_id"] == step_id
    assert sent["emailer_template"]["subject"] == "Hi"
    assert sent["emailer_template"]["body_html"] == "<p>Hello</p>"
    step = adapter.get_sequence(sequence_id)["steps"][0]
    assert step["template"]["body"] == "<p>Hello</p>"
    assert step["template"]["subject"] == "Hi"


def test_step_with_template_id_reuses_template(adapter: ApolloAdapter, transport: RecordingTransport) -> None:
    sequence_id = new_sequence(adapter)
    adapter.create_sequence_step(sequence_id, {"type": "auto_email", "template": {"subject": "Shared", "body": "B"}})
    template_id = adapter.get_sequence(sequence_id)["steps"][0]["template"]["id"]
    adapter.create_sequence_step(sequence_id, {"type": "manual_email", "order": 2, "template": {"id": template_id}})
    assert transport.bodies[-1]["emailer_template"] == {"id": template_id}
    steps = adapter.get_sequence(sequence_id)["steps"]
    assert steps[1]["template"]["id"] == template_id
    assert steps[1]["template"]["subject"] == "Shared"


def test_call_step_sends_no_touch(adapter: ApolloAdapter, transport: RecordingTransport) -> None:
    sequence_id = new_sequence(adapter)
    adapter.create_sequence_step(sequence_id, {"type": "call", "template": {"subject": "S", "body": "B"}})
    assert not any(method == "PUT" for method, _ in transport.calls)


@pytest.mark.parametrize(
    ("template", "body"),
    [
        ({"body_html": "<p>Html</p>", "body_text": "Text"}, "<p>Html</p>"),
        ({"body_html": None, "body_text": "Text"}, "Text"),
        ({"body_html": None, "body_text": None, "subject": None}, ""),
    ],
    ids=["html", "text", "empty"],
)
def test_template_body_fallback(
    adapter: ApolloAdapter, simulator: ApolloSimulator, template: dict[str, Any], body: str
) -> None:
    sequence_id = new_sequence(adapter)
    template_id = simulator.insert_native(API_KEY, "emailer_templates", template)
    step_id = simulator.insert_native(
        API_KEY, "emailer_steps", {"emailer_campaign_id": sequence_id, "type": "call", "wait_mode": "day"}
    )
    simulator.insert_native(
        API_KEY, "emailer_touches", {"emailer_step_id": step_id, "emailer_template_id": template_id}
    )
    step = adapter.get_sequence(sequence_id)["steps"][0]
    assert step["template"]["body"] == body
    assert isinstance(step["template"]["subject"], str)


def test_update_sequence_step_changes_template(adapter: ApolloAdapter) -> None:
    sequence_id = new_sequence(adapter)
    step_id = adapter.create_sequence_step(
        sequence_id, {"type": "auto_email", "template": {"subject": "Old", "body": "Old"}}
    ).id
    adapter.update_sequence_step(
        sequence_id, step_id, {"template": {"body": "Updated body", "subject": "modified subject"}}
    )
    step = adapter.get_sequence(sequence_id)["steps"][0]
    assert step["template"]["body"] == "Updated body"
    assert step["template"]["subject"] == "modified subject"


def test_update_step_without_touch_is_404(adapter: ApolloAdapter) -> None:
    sequence_id = new_sequence(adapter)
    step_id = adapter.create_sequence_step(sequence_id, {"type": "call"}).id
    raises(
        lambda: adapter.update_sequence_step(sequence_id, step_id, {"template": {"body": "B"}}),
        404,
        "NOT_FOUND_ERROR",
        f"Unable to find sequence step touch/template {step_id} in Apollo",
    )


def test_get_unknown_sequence_is_remote_404(adapter: ApolloAdapter) -> None:
    error = raises(lambda: adapter.get_sequence(UNKNOWN_ID), 499, "REMOTE_PROVIDER_ERROR")
    assert error.status == "404"


# Sequence states -------------------------------------------------------------------------------


def test_create_sequence_state_needs_mailbox(adapter: ApolloAdapter) -> None:
    raises(
        lambda: adapter.create_sequence_state({"contact_id": "c", "sequence_id": "s"}),
        400,
        "BAD_REQUEST",
        "Mailbox ID is required when creating apollo sequence states",
    )


def test_create_sequence_state_enrols_contact(adapter: ApolloAdapter, transport: RecordingTransport) -> None:
    contact_id, sequence_id, mailbox_id = new_contact(adapter), new_sequence(adapter), first_mailbox(adapter)
    user_id = adapter.list_users(ListQuery()).records[1]["id"]
    record = {"contact_id": contact_id, "sequence_id": sequence_id, "mailbox_id": mailbox_id, "user_id": user_id}
    written = adapter.create_sequence_state(record)
    sent = transport.bodies[-1]
    assert sent["contact_ids"] == [contact_id]
    assert sent["userId"] == user_id
    assert sent["sequence_active_in_other_campaigns"] is True
    assert written.record is not None
    assert written.record["id"] == written.id
    assert written.record["contact_id"] == contact_id
    assert written.record["sequence_id"] == sequence_id
    assert written.record["mailbox_id"] == mailbox_id
    assert written.record["user_id"] == user_id
    assert written.record["state"] == "active"
    assert written.record["updated_at"] is None


def test_enrolling_twice_reads_existing_state(adapter: ApolloAdapter, transport: RecordingTransport) -> None:
    contact_id, sequence_id, mailbox_id = new_contact(adapter), new_sequence(adapter), first_mailbox(adapter)
    record = {"contact_id": contact_id, "sequence_id": sequence_id, "mailbox_id": mailbox_id}
    first = adapter.create_sequence_state(record)
    transport.calls.clear()
    second = adapter.create_sequence_state(record)
    assert second.id == first.id
    assert transport.calls[-1] == ("GET", f"/api/v1/contacts/{contact_id}")


def test_enrolled_with_other_mailbox_is_500(adapter: ApolloAdapter) -> None:
    contact_id, sequence_id = new_contact(adapter), new_sequence(adapter)
    mailboxes = [record["id"] for record in adapter.list_mailboxes(ListQuery()).records]
    adapter.create_sequence_state({"contact_id": contact_id, "sequence_id": sequence_id, "mailbox_id": mailboxes[0]})
    raises(
        lambda: adapter.create_sequence_state(
            {"contact_id": contact_id, "sequence_id": sequence_id, "mailbox_id": mailboxes[1]}
        ),
        500,
        "INTERNAL_SERVER_ERROR",
        f"Unable to add contact {contact_id} to sequence",
    )


def test_vanished_contact_is_404(adapter: ApolloAdapter, simulator: ApolloSimulator) -> None:
    contact_id, sequence_id, mailbox_id = new_contact(adapter), new_sequence(adapter), first_mailbox(adapter)
    simulator.inject_faults(API_KEY, NativeResponse(200, {"contacts": []}), NativeResponse(404, {"error": "Not found"}))
    raises(
        lambda: adapter.create_sequence_state(
            {"contact_id": contact_id, "sequence_id": sequence_id, "mailbox_id": mailbox_id}
        ),
        404,
        "NOT_FOUND_ERROR",
        f"Unable to find contact {contact_id} in Apollo",
    )


def test_unknown_contact_enrolment_is_499(adapter: ApolloAdapter) -> None:
    sequence_id, mailbox_id = new_sequence(adapter), first_mailbox(adapter)
    error = raises(
        lambda: adapter.create_sequence_state(
            {"contact_id": UNKNOWN_ID, "sequence_id": sequence_id, "mailbox_id": mailbox_id}
        ),
        499,
        "REMOTE_PROVIDER_ERROR",
    )
    assert error.status == "422"


def test_batch_enrols_all_in_one_call(adapter: ApolloAdapter, transport: RecordingTransport) -> None:
    sequence_id, mailbox_id = new_sequence(adapter), first_mailbox(adapter)
    contacts = [new_contact(adapter, email=f"p{number}@example.com") for number in range(3)]
    records = [{"contact_id": contact, "sequence_id": sequence_id, "mailbox_id": mailbox_id} for contact in contacts]
    transport.calls.clear()
    written = adapter.batch_create_sequence_state(records)
    assert [item.record["contact_id"] for item in written if item.record] == contacts
    assert [path for _, path in transport.calls] == [f"/api/v1/emailer_campaigns/{sequence_id}/add_contact_ids"]


@pytest.mark.parametrize("field", ["sequence_id", "mailbox_id", "user_id"])
def test_batch_needs_same_sequence_mailbox_user(adapter: ApolloAdapter, field: str) -> None:
    base = {"contact_id": "c1", "sequence_id": "s", "mailbox_id": "m", "user_id": "u"}
    other = {**base, "contact_id": "c2"}
    if field == "user_id":
        del other["user_id"]
    else:
        other[field] = "different"
    raises(
        lambda: adapter.batch_create_sequence_state([base, other]),
        400,
        "BAD_REQUEST",
        "Batch create sequence states only works when all records are for the same sequence, mailbox and user",
    )


def test_empty_batch_makes_no_call(adapter: ApolloAdapter, transport: RecordingTransport) -> None:
    assert adapter.batch_create_sequence_state([]) == []
    assert transport.calls == []


def test_batch_is_all_or_nothing(adapter: ApolloAdapter) -> None:
    sequence_id, mailbox_id, contact_id = new_sequence(adapter), first_mailbox(adapter), new_contact(adapter)
    records = [
        {"contact_id": contact_id, "sequence_id": sequence_id, "mailbox_id": mailbox_id},
        {"contact_id": UNKNOWN_ID, "sequence_id": sequence_id, "mailbox_id": mailbox_id},
    ]
    error = raises(lambda: adapter.batch_create_sequence_state(records), 499, "REMOTE_PROVIDER_ERROR")
    assert UNKNOWN_ID in error.title
    page = adapter.search_sequence_states({"contact_id": contact_id}, ListQuery())
    assert page.records == []


@pytest.mark.parametrize(
    ("filter", "title"),
    [
        ({}, "Contact ID is required for searching sequence states in Apollo"),
        ({"sequence_id": "s"}, "Contact ID is required for searching sequence states in Apollo"),
        (
            {"contact_id": "c", "sequence_id": "s"},
            "Sequence ID is not supported for searching sequence states in Apollo",
        ),
    ],
    ids=["empty", "sequence-only", "both"],
)
def test_search_states_filter_rejections(adapter: ApolloAdapter, filter: dict[str, Any], title: str) -> None:
    raises(lambda: adapter.search_sequence_states(filter, ListQuery()), 400, "BAD_REQUEST", title)


def test_search_states_reads_contact_statuses(adapter: ApolloAdapter) -> None:
    contact_id, mailbox_id = new_contact(adapter), first_mailbox(adapter)
    sequences = [new_sequence(adapter, name=f"Sequence {number}") for number in range(2)]
    for sequence_id in sequences:
        adapter.create_sequence_state({"contact_id": contact_id, "sequence_id": sequence_id, "mailbox_id": mailbox_id})
    page = adapter.search_sequence_states({"contact_id": contact_id}, ListQuery())
    assert [record["sequence_id"] for record in page.records] == sequences
    assert page.total_count == 2
    assert page.next is None
    assert all(record["contact_id"] == contact_id for record in page.records)
    assert page.records[0]["raw_data"]["emailer_campaign_id"] == sequences[0]


def test_sync_reads_states_through_contacts(adapter: ApolloAdapter, simulator: ApolloSimulator) -> None:
    sequence_id, mailbox_id = new_sequence(adapter), first_mailbox(adapter)
    contacts = [simulator.insert_native(API_KEY, "contacts", {"first_name": f"P{number}"}) for number in range(105)]
    adapter.batch_create_sequence_state(
        [{"contact_id": contacts[0], "sequence_id": sequence_id, "mailbox_id": mailbox_id}]
    )
    adapter.create_sequence_state({"contact_id": contacts[104], "sequence_id": sequence_id, "mailbox_id": mailbox_id})
    states = adapter.sync_records("sequence_state")
    assert sorted(state["contact_id"] for state in states) == sorted([contacts[0], contacts[104]])
    assert len(adapter.sync_records("contact")) == 105
