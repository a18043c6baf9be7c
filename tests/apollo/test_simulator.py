"""The Apollo simulator's native behaviour, checked against Apollo's own API description."""

from __future__ import annotations

import re
from typing import Any

import pytest

from providers_sim.apollo import ApolloRateLimits, ApolloSimulator
from providers_sim.base import FixedClock
from providers_sim.native import NativeRequest

from .support import API_KEY, BASE_URL, START, Native, response_schema, spec_validator

HEX_ID = re.compile(r"^[0-9a-f]{24}$")


def mailbox_id(native: Native) -> str:
    return native.get("/v1/email_accounts").body["email_accounts"][0]["id"]


def new_campaign(native: Native, **fields: Any) -> dict[str, Any]:
    response = native.post("/api/v1/emailer_campaigns", {"name": "Outbound", "active": True, **fields})
    assert response.status == 200, response.body
    return response.body["emailer_campaign"]


def new_contact(native: Native, **fields: Any) -> dict[str, Any]:
    response = native.post("/v1/contacts", {"first_name": "Ada", "last_name": "Lovelace", **fields})
    assert response.status == 200, response.body
    return response.body["contact"]


# Accounts, ids and the sandbox baseline ------------------------------------------------------


def test_baseline_same_for_same_account() -> None:
    first = Native(ApolloSimulator(clock=FixedClock(START))).get("/v1/users/search").body["users"]
    second = Native(ApolloSimulator(clock=FixedClock(START))).get("/v1/users/search").body["users"]
    assert first == second
    assert 2 <= len(first) <= 3


def test_baseline_differs_between_accounts(simulator: ApolloSimulator) -> None:
    first_users = Native(simulator, "key-one").get("/v1/users/search").body["users"]
    second_users = Native(simulator, "key-two").get("/v1/users/search").body["users"]
    assert {user["id"] for user in first_users}.isdisjoint(user["id"] for user in second_users)


def test_baseline_has_one_mailbox_per_user(native: Native) -> None:
    users = native.get("/v1/users/search").body["users"]
    mailboxes = native.get("/v1/email_accounts").body["email_accounts"]
    assert sorted(mailbox["user_id"] for mailbox in mailboxes) == sorted(user["id"] for user in users)
    assert all(mailbox["active"] is True for mailbox in mailboxes)


def test_ids_are_24_hex_digits(native: Native) -> None:
    account = native.post("/v1/accounts", {"name": "Acme"}).body["account"]
    contact = new_contact(native)
    campaign = new_campaign(native)
    for object_id in (account["id"], contact["id"], campaign["id"]):
        assert HEX_ID.match(object_id)


def test_both_prefixes_serve_same_data(native: Native) -> None:
    contact = new_contact(native)
    public = native.get(f"/v1/contacts/{contact['id']}")
    app = native.get(f"/api/v1/contacts/{contact['id']}")
    assert public.status == app.status == 200
    assert public.body == app.body


# Auth and errors -----------------------------------------------------------------------------


def test_missing_api_key_is_401_json(simulator: ApolloSimulator) -> None:
    response = simulator.handle(NativeRequest.from_url("GET", BASE_URL + "/v1/email_accounts"))
    assert response.status == 401
    assert isinstance(response.body, dict)
    assert "error" in response.body


def test_unknown_key_in_strict_mode_is_401() -> None:
    simulator = ApolloSimulator(clock=FixedClock(START), strict_accounts=True)
    response = Native(simulator, "unknown").get("/v1/email_accounts")
    assert response.status == 401
    assert response.content_type == "application/json"


def test_api_key_in_body_authenticates_post(native: Native) -> None:
    assert native.post("/v1/accounts/search", {}).status == 200


def test_authorization_header_is_not_a_credential(simulator: ApolloSimulator) -> None:
    request = NativeRequest.from_url(
        "GET", BASE_URL + "/v1/email_accounts", headers={"Authorization": f"Bearer {API_KEY}"}
    )
    assert simulator.handle(request).status == 401


def test_unknown_contact_is_404(native: Native) -> None:
    response = native.get("/v1/contacts/0123456789abcdef01234567")
    assert response.status == 404
    assert "error" in response.body


def test_non_object_body_is_422(simulator: ApolloSimulator) -> None:
    request = NativeRequest.from_url("POST", BASE_URL + f"/v1/accounts?api_key={API_KEY}", json=["not", "an", "object"])
    assert simulator.handle(request).status == 422


# Paging ----------------------------------------------------------------------------------------


def test_per_page_is_capped_at_100(native: Native) -> None:
    for number in range(105):
        native.post("/v1/accounts", {"name": f"Company {number}"})
    response = native.post("/v1/accounts/search", {"page": 1, "per_page": 500})
    pagination = response.body["pagination"]
    assert len(response.body["accounts"]) == 100
    assert pagination["per_page"] == 100
    assert pagination["total_entries"] == 105
    assert pagination["total_pages"] == 2


def test_page_given_as_string_comes_back_as_string(native: Native) -> None:
    native.post("/v1/accounts", {"name": "Acme"})
    body = native.post("/v1/accounts/search", {"page": "1", "per_page": 5}).body
    assert body["pagination"]["page"] == "1"
    numeric = native.post("/v1/accounts/search", {"page": 1, "per_page": 5}).body
    assert numeric["pagination"]["page"] == 1


def test_pages_do_not_overlap(native: Native) -> None:
    for number in range(5):
        new_contact(native, first_name=f"Person{number}")
    first = native.post("/v1/contacts/search", {"page": 1, "per_page": 3}).body
    second = native.post("/v1/contacts/search", {"page": 2, "per_page": 3}).body
    beyond = native.post("/v1/contacts/search", {"page": 3, "per_page": 3}).body
    assert len(first["contacts"]) == 3
    assert len(second["contacts"]) == 2
    assert beyond["contacts"] == []
    assert {c["id"] for c in first["contacts"]}.isdisjoint(c["id"] for c in second["contacts"])


@pytest.mark.parametrize("page", [0, -1, "abc", 1.5], ids=["zero", "negative", "text", "fraction"])
def test_invalid_page_is_422(native: Native, page: Any) -> None:
    assert native.post("/v1/contacts/search", {"page": page}).status == 422


def test_users_search_pages_from_query(native: Native) -> None:
    body = native.get("/v1/users/search", page="2", per_page="1").body
    assert len(body["users"]) == 1
    assert body["pagination"]["page"] == "2"
    assert body["pagination"]["total_entries"] >= 2


# Accounts ------------------------------------------------------------------------------------


def test_account_create_requires_name(native: Native) -> None:
    response = native.post("/v1/accounts", {"domain": "acme.com"})
    assert response.status == 422


def test_account_owner_defaults_to_key_user(native: Native) -> None:
    first_user = native.get("/v1/users/search").body["users"][0]
    account = native.post("/v1/accounts", {"name": "Acme"}).body["account"]
    assert account["owner_id"] == first_user["id"]


def test_organization_name_matches_loosely(native: Native) -> None:
    for name in ("Acme Corp", "ACME Labs", "Globex"):
        native.post("/v1/accounts", {"name": name})
    found = native.post("/v1/accounts/search", {"q_organization_name": "acme"}).body["accounts"]
    assert sorted(account["name"] for account in found) == ["ACME Labs", "Acme Corp"]


def test_account_put_changes_given_fields(native: Native) -> None:
    account = native.post("/v1/accounts", {"name": "Acme", "domain": "acme.com"}).body["account"]
    updated = native.put(f"/v1/accounts/{account['id']}", {"name": "Acme Inc"}).body["account"]
    assert updated["name"] == "Acme Inc"
    assert updated["domain"] == "acme.com"


def test_account_put_unknown_id_is_404(native: Native) -> None:
    assert native.put("/v1/accounts/0123456789abcdef01234567", {"name": "X"}).status == 404


# Contacts --------------------------------------------------------------------------------------


def test_raw_address_fills_address_fields(native: Native) -> None:
    contact = new_contact(native, present_raw_address="525 Brannan, San Francisco, CA, 94107, US")
    assert contact["street_address"] == "525 Brannan"
    assert contact["city"] == "San Francisco"
    assert contact["state"] == "CA"
    assert contact["postal_code"] == "94107"
    assert contact["country"] == "US"


def test_phone_fields_become_typed_numbers(native: Native) -> None:
    contact = new_contact(
        native, mobile_phone="415 123 4567", corporate_phone="+442071234567", home_phone="+15550001111"
    )
    numbers = {phone["type"]: phone["sanitized_number"] for phone in contact["phone_numbers"]}
    assert numbers == {"mobile": "+14151234567", "work_hq": "+442071234567", "home": "+15550001111"}


def test_contact_put_replaces_one_phone_type(native: Native) -> None:
    contact = new_contact(native, mobile_phone="+14151234567", home_phone="+15550001111")
    updated = native.put(f"/v1/contacts/{contact['id']}", {"home_phone": "+15559998888"}).body["contact"]
    numbers = {phone["type"]: phone["sanitized_number"] for phone in updated["phone_numbers"]}
    assert numbers == {"mobile": "+14151234567", "home": "+15559998888"}


def test_empty_email_clears_email(native: Native) -> None:
    contact = new_contact(native, email="ada@example.com")
    updated = native.put(f"/v1/contacts/{contact['id']}", {"email": ""})
    assert updated.status == 200
    assert updated.body["contact"]["email"] is None


def test_email_without_at_is_422(native: Native) -> None:
    assert native.post("/v1/contacts", {"email": "not-an-email"}).status == 422


def test_contact_with_unknown_account_is_422(native: Native) -> None:
    response = native.post("/v1/contacts", {"first_name": "A", "account_id": "0123456789abcdef01234567"})
    assert response.status == 422


def test_keywords_match_substrings(native: Native) -> None:
    new_contact(native, email="jsmith@example.com")
    new_contact(native, email="other@example.com")
    found = native.post("/v1/contacts/search", {"q_keywords": "smith@example.com"}).body["contacts"]
    assert [contact["email"] for contact in found] == ["jsmith@example.com"]


def test_keywords_rank_exact_email_first(native: Native) -> None:
    new_contact(native, email="jsmith@example.com")
    new_contact(native, email="smith@example.com")
    found = native.post("/v1/contacts/search", {"q_keywords": "smith@example.com"}).body["contacts"]
    assert [contact["email"] for contact in found] == ["smith@example.com", "jsmith@example.com"]


def test_contacts_sort_by_updated_at(native: Native) -> None:
    older = new_contact(native, first_name="Older")
    newer = new_contact(native, first_name="Newer")
    native.put(f"/v1/contacts/{older['id']}", {"title": "CEO"})
    body = {"sort_by_field": "contact_updated_at", "sort_ascending": False}
    found = native.post("/v1/contacts/search", body).body["contacts"]
    assert [contact["id"] for contact in found] == [older["id"], newer["id"]]


def test_contact_get_matches_native_schema(native: Native, apollo_spec: dict[str, Any]) -> None:
    contact = new_contact(native, email="ada@example.com")
    response = native.get(f"/v1/contacts/{contact['id']}")
    validator = spec_validator(apollo_spec, response_schema("/v1/contacts/{id}", "get"))
    assert list(validator.iter_errors(response.body)) == []


def test_email_accounts_match_native_schema(native: Native, apollo_spec: dict[str, Any]) -> None:
    response = native.get("/v1/email_accounts")
    validator = spec_validator(apollo_spec, response_schema("/v1/email_accounts", "get"))
    assert list(validator.iter_errors(response.body)) == []
    assert "pagination" not in response.body


# Emailer campaigns, steps and touches ---------------------------------------------------------


def test_campaign_create_matches_native_schema(native: Native, apollo_spec: dict[str, Any]) -> None:
    response = native.post("/api/v1/emailer_campaigns", {"name": "Outbound", "permissions": "private", "active": True})
    validator = spec_validator(apollo_spec, response_schema("/v1/emailer_campaigns", "post"))
    assert list(validator.iter_errors(response.body)) == []
    assert response.body["emailer_campaign"]["permissions"] == "private"


def test_campaign_rejects_unknown_permissions(native: Native) -> None:
    assert native.post("/api/v1/emailer_campaigns", {"name": "X", "permissions": "public"}).status == 422


def test_email_step_gets_touch_and_template(native: Native, apollo_spec: dict[str, Any]) -> None:
    campaign = new_campaign(native)
    body = {"emailer_campaign_id": campaign["id"], "type": "auto_email", "wait_mode": "day", "wait_time": 2}
    response = native.post("/api/v1/emailer_steps", body)
    validator = spec_validator(apollo_spec, response_schema("/v1/emailer_steps", "post"))
    assert list(validator.iter_errors(response.body)) == []
    assert response.body["emailer_touch"]["emailer_step_id"] == response.body["emailer_step"]["id"]
    assert response.body["emailer_touch"]["emailer_template_id"] == response.body["emailer_template"]["id"]


def test_call_step_has_no_touch(native: Native) -> None:
    campaign = new_campaign(native)
    body = {"emailer_campaign_id": campaign["id"], "type": "call", "wait_mode": "second", "wait_time": 0}
    response = native.post("/api/v1/emailer_steps", body)
    assert response.body["emailer_touch"] is None
    assert response.body["emailer_template"] is None


def test_step_position_moves_later_steps(native: Native) -> None:
    campaign = new_campaign(native)
    base = {"emailer_campaign_id": campaign["id"], "wait_mode": "day", "wait_time": 1}
    first = native.post("/api/v1/emailer_steps", {**base, "type": "call"}).body["emailer_step"]
    inserted = native.post("/api/v1/emailer_steps", {**base, "type": "action_item", "position": 1}).body["emailer_step"]
    payload = native.get(f"/api/v1/emailer_campaigns/{campaign['id']}").body
    assert [step["id"] for step in payload["emailer_steps"]] == [inserted["id"], first["id"]]
    assert [step["position"] for step in payload["emailer_steps"]] == [1, 2]
    assert payload["emailer_campaign"]["num_steps"] == 2


@pytest.mark.parametrize(
    "change",
    [{"type": "sms"}, {"wait_mode": "week"}, {"wait_time": -1}, {"position": 5}, {"exact_datetime": "soon"}],
    ids=["type", "wait-mode", "negative-wait", "position-gap", "bad-datetime"],
)
def test_invalid_step_is_422(native: Native, change: dict[str, Any]) -> None:
    campaign = new_campaign(native)
    body = {"emailer_campaign_id": campaign["id"], "type": "call", "wait_mode": "day", "wait_time": 1, **change}
    assert native.post("/api/v1/emailer_steps", body).status == 422


def test_touch_put_fills_template(native: Native, apollo_spec: dict[str, Any]) -> None:
    campaign = new_campaign(native)
    step_body = {"emailer_campaign_id": campaign["id"], "type": "manual_email", "wait_mode": "day", "wait_time": 1}
    created = native.post("/api/v1/emailer_steps", step_body).body
    touch_id = created["emailer_touch"]["id"]
    template = {"id": created["emailer_template"]["id"], "subject": "Hello", "body_html": "<div>Hi there</div>"}
    response = native.put(
        f"/api/v1/emailer_touches/{touch_id}", {"id": touch_id, "emailer_template": template, "type": "reply_to_thread"}
    )
    validator = spec_validator(apollo_spec, response_schema("/v1/emailer_touches/{id}", "put"))
    assert list(validator.iter_errors(response.body)) == []
    payload = native.get(f"/api/v1/emailer_campaigns/{campaign['id']}").body
    assert payload["emailer_touches"][0]["type"] == "reply_to_thread"
    assert payload["emailer_templates"][0]["subject"] == "Hello"
    assert payload["emailer_templates"][0]["body_text"] == "Hi there"


def test_touch_put_unknown_template_is_422(native: Native) -> None:
    campaign = new_campaign(native)
    step_body = {"emailer_campaign_id": campaign["id"], "type": "manual_email", "wait_mode": "day", "wait_time": 1}
    touch_id = native.post("/api/v1/emailer_steps", step_body).body["emailer_touch"]["id"]
    body = {"emailer_template": {"id": "0123456789abcdef01234567"}}
    assert native.put(f"/api/v1/emailer_touches/{touch_id}", body).status == 422


def test_campaign_get_matches_native_schema(native: Native, apollo_spec: dict[str, Any]) -> None:
    campaign = new_campaign(native)
    native.post(
        "/api/v1/emailer_steps", {"emailer_campaign_id": campaign["id"], "type": "auto_email", "wait_mode": "day"}
    )
    response = native.get(f"/api/v1/emailer_campaigns/{campaign['id']}")
    validator = spec_validator(apollo_spec, response_schema("/v1/emailer_campaigns/{id}", "get"))
    assert list(validator.iter_errors(response.body)) == []


def test_campaign_search_pages(native: Native) -> None:
    for number in range(3):
        new_campaign(native, name=f"Campaign {number}")
    body = native.post("/v1/emailer_campaigns/search", {"page": 2, "per_page": 2}).body
    assert [campaign["name"] for campaign in body["emailer_campaigns"]] == ["Campaign 2"]
    assert body["pagination"]["total_entries"] == 3


# Enrolment -------------------------------------------------------------------------------------


def test_add_contact_ids_enrols_contacts(native: Native, apollo_spec: dict[str, Any]) -> None:
    campaign = new_campaign(native)
    contact = new_contact(native)
    body = {
        "contact_ids": [contact["id"]],
        "emailer_campaign_id": campaign["id"],
        "send_email_from_email_account_id": mailbox_id(native),
    }
    response = native.post(f"/api/v1/emailer_campaigns/{campaign['id']}/add_contact_ids", body)
    validator = spec_validator(apollo_spec, response_schema("/v1/emailer_campaigns/{id}/add_contact_ids", "post"))
    assert list(validator.iter_errors(response.body)) == []
    statuses = response.body["contacts"][0]["contact_campaign_statuses"]
    assert [status["emailer_campaign_id"] for status in statuses] == [campaign["id"]]
    assert statuses[0]["status"] == "active"


def test_add_contact_ids_skips_contacts_already_in(native: Native) -> None:
    campaign = new_campaign(native)
    contact = new_contact(native)
    body = {"contact_ids": [contact["id"]], "send_email_from_email_account_id": mailbox_id(native)}
    path = f"/api/v1/emailer_campaigns/{campaign['id']}/add_contact_ids"
    assert len(native.post(path, body).body["contacts"]) == 1
    assert native.post(path, body).body["contacts"] == []
    stored = native.get(f"/v1/contacts/{contact['id']}").body["contact"]
    assert len(stored["contact_campaign_statuses"]) == 1


def test_add_contact_ids_is_atomic(native: Native) -> None:
    campaign = new_campaign(native)
    contact = new_contact(native)
    body = {
        "contact_ids": [contact["id"], "0123456789abcdef01234567"],
        "send_email_from_email_account_id": mailbox_id(native),
    }
    response = native.post(f"/api/v1/emailer_campaigns/{campaign['id']}/add_contact_ids", body)
    assert response.status == 422
    assert "0123456789abcdef01234567" in response.body["error"]
    stored = native.get(f"/v1/contacts/{contact['id']}").body["contact"]
    assert stored["contact_campaign_statuses"] == []


def test_add_contact_ids_skips_active_elsewhere(native: Native) -> None:
    first, second = new_campaign(native, name="First"), new_campaign(native, name="Second")
    contact = new_contact(native)
    body = {"contact_ids": [contact["id"]], "send_email_from_email_account_id": mailbox_id(native)}
    native.post(f"/api/v1/emailer_campaigns/{first['id']}/add_contact_ids", body)
    skipped = native.post(f"/api/v1/emailer_campaigns/{second['id']}/add_contact_ids", body).body
    forced = native.post(
        f"/api/v1/emailer_campaigns/{second['id']}/add_contact_ids",
        {**body, "sequence_active_in_other_campaigns": True},
    ).body
    assert skipped["contacts"] == []
    assert len(forced["contacts"]) == 1


def test_add_contact_ids_unknown_mailbox_is_422(native: Native) -> None:
    campaign = new_campaign(native)
    contact = new_contact(native)
    body = {"contact_ids": [contact["id"]], "send_email_from_email_account_id": "0123456789abcdef01234567"}
    assert native.post(f"/api/v1/emailer_campaigns/{campaign['id']}/add_contact_ids", body).status == 422


# Rate limiting ---------------------------------------------------------------------------------


class Ticker:
    """A monotonic clock that tests move by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_rate_limit_headers_on_every_response(native: Native) -> None:
    ok = native.get("/v1/email_accounts")
    missing = native.get("/v1/contacts/0123456789abcdef01234567")
    for response in (ok, missing):
        for header in (
            "x-rate-limit-minute",
            "x-minute-requests-left",
            "x-rate-limit-hourly",
            "x-hourly-requests-left",
            "x-rate-limit-24-hour",
            "x-24-hour-requests-left",
        ):
            assert header in response.headers
    assert int(missing.headers["x-minute-requests-left"]) == int(ok.headers["x-minute-requests-left"]) - 1


def test_minute_limit_is_plain_text_429() -> None:
    ticker = Ticker()
    simulator = ApolloSimulator(clock=FixedClock(START), limits=ApolloRateLimits(per_minute=2), monotonic=ticker)
    native = Native(simulator)
    assert native.get("/v1/email_accounts").status == 200
    assert native.get("/v1/email_accounts").status == 200
    limited = native.get("/v1/email_accounts")
    assert limited.status == 429
    assert isinstance(limited.body, str)
    assert limited.content_type.startswith("text/plain")
    assert not limited.body.startswith("The maximum number of api calls")
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.headers["x-minute-requests-left"] == "0"
    ticker.now += 60
    assert native.get("/v1/email_accounts").status == 200


def test_hourly_limit_names_endpoint() -> None:
    ticker = Ticker()
    simulator = ApolloSimulator(clock=FixedClock(START), limits=ApolloRateLimits(per_hour=1), monotonic=ticker)
    native = Native(simulator)
    native.post("/v1/contacts/search", {})
    limited = native.post("/v1/contacts/search", {})
    assert limited.status == 429
    assert limited.body.startswith(
        "The maximum number of api calls allowed for api/v1/contacts/search is 1 times per hour. Please upgrade your plan"
    )
    ticker.now += 61
    assert native.post("/v1/contacts/search", {}).status == 429
    ticker.now += 3600
    assert native.post("/v1/contacts/search", {}).status == 200


def test_daily_limit_names_day() -> None:
    simulator = ApolloSimulator(clock=FixedClock(START), limits=ApolloRateLimits(per_day=1), monotonic=Ticker())
    native = Native(simulator)
    native.get("/v1/email_accounts")
    assert "times per day" in native.get("/v1/email_accounts").body


# Fixture seeding ---------------------------------------------------------------------------------


def test_insert_native_fills_defaults(simulator: ApolloSimulator, native: Native) -> None:
    contact_id = simulator.insert_native(
        API_KEY,
        "contacts",
        {"first_name": "Grace", "email": "grace@example.com", "present_raw_address": "Paris, France"},
    )
    stored = native.get(f"/v1/contacts/{contact_id}").body["contact"]
    assert HEX_ID.match(contact_id)
    assert stored["name"] == "Grace"
    assert stored["city"] == "Paris"
    assert stored["contact_campaign_statuses"] == []
    assert stored["created_at"] is not None


def test_insert_native_keeps_given_fields_and_id(simulator: ApolloSimulator, native: Native) -> None:
    campaign_id = simulator.insert_native(
        API_KEY,
        "emailer_campaigns",
        {"id": "aaaaaaaaaaaaaaaaaaaaaaaa", "name": "Seeded", "unique_opened": "loading", "archived": True},
    )
    stored = native.get(f"/api/v1/emailer_campaigns/{campaign_id}").body["emailer_campaign"]
    assert campaign_id == "aaaaaaaaaaaaaaaaaaaaaaaa"
    assert stored["unique_opened"] == "loading"
    assert stored["archived"] is True
    assert stored["unique_delivered"] == 0


def test_insert_native_email_step_gets_touch(simulator: ApolloSimulator, native: Native) -> None:
    campaign_id = simulator.insert_native(API_KEY, "emailer_campaigns", {"name": "Seeded"})
    simulator.insert_native(
        API_KEY, "emailer_steps", {"emailer_campaign_id": campaign_id, "type": "auto_email", "wait_mode": "day"}
    )
    payload = native.get(f"/api/v1/emailer_campaigns/{campaign_id}").body
    assert len(payload["emailer_touches"]) == 1
    assert len(payload["emailer_templates"]) == 1


@pytest.mark.parametrize(
    ("resource", "document"),
    [("widgets", {}), ("accounts", {"domain": "no-name.com"}), ("contacts", {"id": "not-hex"})],
    ids=["unknown-resource", "invalid-document", "invalid-id"],
)
def test_insert_native_rejects_bad_input(simulator: ApolloSimulator, resource: str, document: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        simulator.insert_native(API_KEY, resource, document)
