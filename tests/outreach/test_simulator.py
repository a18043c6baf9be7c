"""Native behaviour of the Outreach simulator: envelopes, paging, filters, errors, limits, OAuth."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from providers_sim.base import FixedClock, RateLimit
from providers_sim.native import NativeRequest
from providers_sim.outreach import RESOURCES, OutreachSimulator

from .support import API, BASE_URL, START, TOKEN, Native

JSONAPI = "application/vnd.api+json"


def _sequence_with_steps(native: Native, steps: int) -> dict[str, Any]:
    sequence = native.create("sequences", "sequence", {"name": "Onboarding"})
    for _ in range(steps):
        native.create("sequenceSteps", "sequenceStep", {"stepType": "call"}, sequence=sequence["id"])
    return sequence


def _query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


# Envelopes and ids -------------------------------------------------------------------------


def test_create_returns_jsonapi_resource_with_integer_id(native: Native) -> None:
    response = native.post(
        "/accounts", {"data": {"type": "account", "attributes": {"name": "Acme", "domain": "acme.com"}}}
    )

    assert response.status == 201
    assert response.content_type == JSONAPI
    data = response.body["data"]
    assert isinstance(data["id"], int)
    assert data["type"] == "account"
    assert data["attributes"]["name"] == "Acme"
    assert data["attributes"]["createdAt"] == data["attributes"]["updatedAt"]
    assert data["relationships"] == {"owner": {"data": None}}
    assert data["links"] == {"self": f"{API}/accounts/{data['id']}"}


def test_ids_are_consecutive_integers_per_resource(native: Native) -> None:
    first = native.create("accounts", "account", {"name": "One"})
    second = native.create("accounts", "account", {"name": "Two"})
    prospect = native.create("prospects", "prospect", {"firstName": "Ada"})

    assert second["id"] == first["id"] + 1
    assert prospect["id"] == 1


def test_links_use_the_request_base_url(simulator: OutreachSimulator) -> None:
    request = NativeRequest.from_url(
        "GET", "http://127.0.0.1:8123/api/v2/users", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    response = simulator.handle(request)

    assert response.status == 200
    assert response.body["data"][0]["links"]["self"].startswith("http://127.0.0.1:8123/api/v2/users/")
    assert response.body["links"]["first"].startswith("http://127.0.0.1:8123/api/v2/users?")


@pytest.mark.parametrize("content_type", ["application/json", JSONAPI, f"{JSONAPI}; charset=utf-8"])
def test_accepts_json_and_jsonapi_bodies(native: Native, content_type: str) -> None:
    body = {"data": {"type": "account", "attributes": {"name": "Acme"}}}
    response = native.post("/accounts", body, **{"Content-Type": content_type})

    assert response.status == 201


def test_rejects_other_body_media_types_with_415(native: Native) -> None:
    body = {"data": {"type": "account", "attributes": {"name": "Acme"}}}
    response = native.post("/accounts", body, **{"Content-Type": "application/x-www-form-urlencoded"})

    assert response.status == 415
    assert response.body["errors"][0]["id"] == "unsupportedMediaType"


def test_mismatched_type_is_409(native: Native) -> None:
    response = native.post("/accounts", {"data": {"type": "prospect", "attributes": {}}})

    assert response.status == 409
    assert response.body["errors"][0]["source"] == {"pointer": "/data/type"}


def test_body_without_data_is_422(native: Native) -> None:
    response = native.post("/accounts", {"name": "Acme"})

    assert response.status == 422
    assert response.body["errors"][0]["title"] == "Validation Error"


def test_read_only_attribute_is_422(native: Native) -> None:
    response = native.post(
        "/sequences", {"data": {"type": "sequence", "attributes": {"name": "S", "sequenceStepCount": 9}}}
    )

    assert response.status == 422
    assert response.body["errors"][0]["source"] == {"pointer": "/data/attributes/sequenceStepCount"}


# Errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/prospects/999", "/accounts/999", "/sequences/abc", "/users/0"])
def test_unknown_id_is_jsonapi_404(native: Native, path: str) -> None:
    response = native.get(path)

    assert response.status == 404
    assert response.content_type == JSONAPI
    error = response.body["errors"][0]
    assert error["id"] == "resourceNotFound"
    assert error["title"] == "Resource Not Found"
    assert path.rsplit("/", 1)[1] in error["detail"]


def test_relationship_to_missing_record_is_404(native: Native) -> None:
    body = {
        "data": {
            "type": "prospect",
            "attributes": {"firstName": "Ada"},
            "relationships": {"account": {"data": {"type": "account", "id": 42}}},
        }
    }
    response = native.post("/prospects", body)

    assert response.status == 404
    assert response.body["errors"][0]["source"] == {"pointer": "/data/relationships/account"}


def test_missing_bearer_token_is_401(simulator: OutreachSimulator) -> None:
    response = simulator.handle(NativeRequest.from_url("GET", f"{API}/prospects"))

    assert response.status == 401
    assert response.body["errors"][0]["id"] == "unauthorized"


def test_unknown_token_is_401_in_strict_mode() -> None:
    strict = OutreachSimulator(clock=FixedClock(START), strict_accounts=True)
    response = Native(strict, "never-issued").get("/prospects")

    assert response.status == 401
    assert "never-issued" not in str(response.body)


def test_unknown_route_is_404(native: Native) -> None:
    response = native.get("/calls")

    assert response.status == 404


def test_method_not_served_is_405(native: Native) -> None:
    response = native.patch("/sequences/1", {"data": {"type": "sequence", "attributes": {}}})

    assert response.status == 405


# Paging ------------------------------------------------------------------------------------


def test_list_defaults_to_50_records_a_page(native: Native, simulator: OutreachSimulator) -> None:
    for number in range(60):
        simulator.insert_native(TOKEN, "accounts", {"attributes": {"name": f"Account {number}"}})

    response = native.get("/accounts")

    assert len(response.body["data"]) == 50
    assert response.body["meta"] == {"count": 60, "count_truncated": False}
    assert _query(response.body["links"]["next"])["page[size]"] == "50"


def test_next_links_walk_every_record_once(native: Native, simulator: OutreachSimulator) -> None:
    for number in range(7):
        simulator.insert_native(TOKEN, "accounts", {"attributes": {"name": f"Account {number}"}})

    seen: list[int] = []
    response = native.get("/accounts", ("page[size]", "3"))
    pages = 1
    while True:
        seen.extend(item["id"] for item in response.body["data"])
        next_url = response.body["links"].get("next")
        if next_url is None:
            break
        assert next_url.startswith(API + "/accounts?")
        response = native.get(next_url)
        pages += 1

    assert seen == list(range(1, 8))
    assert pages == 3


def test_prev_link_returns_the_previous_page(native: Native, simulator: OutreachSimulator) -> None:
    for number in range(6):
        simulator.insert_native(TOKEN, "accounts", {"attributes": {"name": f"Account {number}"}})

    first = native.get("/accounts", ("page[size]", "2"))
    second = native.get(first.body["links"]["next"])
    back = native.get(second.body["links"]["prev"])

    assert "prev" not in first.body["links"]
    assert [item["id"] for item in second.body["data"]] == [3, 4]
    assert [item["id"] for item in back.body["data"]] == [1, 2]


def test_next_link_repeats_filters_and_page_size(native: Native, simulator: OutreachSimulator) -> None:
    for number in range(3):
        simulator.insert_native(TOKEN, "accounts", {"attributes": {"name": "Same", "domain": f"d{number}.com"}})

    response = native.get("/accounts", ("filter[name]", "Same"), ("page[size]", "1"))
    query = _query(response.body["links"]["next"])

    assert query["filter[name]"] == "Same"
    assert query["page[size]"] == "1"
    assert query["page[after]"] == "1"
    assert urlsplit(response.body["links"]["next"]).scheme == "https"


@pytest.mark.parametrize("size", ["1001", "0", "abc", "-5", "2.5"])
def test_invalid_page_size_is_400(native: Native, size: str) -> None:
    response = native.get("/prospects", ("page[size]", size))

    assert response.status == 400
    assert response.content_type == JSONAPI
    assert "page[size]" in response.body["errors"][0]["detail"]


def test_page_size_1000_is_accepted(native: Native) -> None:
    response = native.get("/users", ("page[size]", "1000"))

    assert response.status == 200


def test_invalid_page_cursor_is_400(native: Native) -> None:
    response = native.get("/prospects", ("page[after]", "xyz"))

    assert response.status == 400


# Filters -----------------------------------------------------------------------------------


def test_account_filters_are_anded(native: Native) -> None:
    native.create("accounts", "account", {"name": "Acme", "domain": "acme.com"})
    wanted = native.create("accounts", "account", {"name": "Acme", "domain": "acme.io"})
    native.create("accounts", "account", {"name": "Other", "domain": "acme.io"})

    response = native.get("/accounts", ("filter[name]", "Acme"), ("filter[domain]", "acme.io"))

    assert [item["id"] for item in response.body["data"]] == [wanted["id"]]
    assert response.body["meta"]["count"] == 1


def test_emails_filter_matches_any_address_ignoring_case(native: Native) -> None:
    ada = native.create("prospects", "prospect", {"emails": ["ada@example.com"]})
    bob = native.create("prospects", "prospect", {"emails": ["bob@example.com", "b@example.org"]})
    native.create("prospects", "prospect", {"emails": ["eve@example.com"]})

    response = native.get("/prospects", ("filter[emails]", "ADA@example.com,b@example.org"))

    assert [item["id"] for item in response.body["data"]] == [ada["id"], bob["id"]]


def test_empty_emails_filter_matches_nothing(native: Native) -> None:
    native.create("prospects", "prospect", {"emails": ["ada@example.com"]})

    response = native.get("/prospects", ("filter[emails]", ""))

    assert response.body["data"] == []


@pytest.mark.parametrize(
    "key",
    ["filter[sequence][id]", "filter%5Bsequence%5D%5Bid%5D"],
    ids=["literal", "percent-encoded"],
)
def test_relationship_filter_keys_literal_or_encoded(native: Native, key: str) -> None:
    first = _sequence_with_steps(native, 2)
    _sequence_with_steps(native, 1)

    response = native.get("/sequenceSteps", (key, str(first["id"])))

    assert len(response.body["data"]) == 2
    assert {item["relationships"]["sequence"]["data"]["id"] for item in response.body["data"]} == {first["id"]}


def test_sequence_state_filters_by_prospect_and_sequence(native: Native) -> None:
    first, second = _sequence_with_steps(native, 0), _sequence_with_steps(native, 0)
    ada = native.create("prospects", "prospect", {"firstName": "Ada"})
    bob = native.create("prospects", "prospect", {"firstName": "Bob"})
    wanted = native.create("sequenceStates", "sequenceState", {}, prospect=ada["id"], sequence=first["id"], mailbox=1)
    native.create("sequenceStates", "sequenceState", {}, prospect=ada["id"], sequence=second["id"], mailbox=1)
    native.create("sequenceStates", "sequenceState", {}, prospect=bob["id"], sequence=first["id"], mailbox=1)

    both = native.get(
        "/sequenceStates", ("filter[prospect][id]", str(ada["id"])), ("filter[sequence][id]", str(first["id"]))
    )
    by_prospect = native.get("/sequenceStates", ("filter[prospect][id]", str(ada["id"])))

    assert [item["id"] for item in both.body["data"]] == [wanted["id"]]
    assert by_prospect.body["meta"]["count"] == 2


def test_sequence_template_filter_by_step(native: Native) -> None:
    sequence = _sequence_with_steps(native, 2)
    template = native.create("templates", "template", {"subject": "Hi", "bodyHtml": "<p>Hi</p>"})
    link = native.create("sequenceTemplates", "sequenceTemplate", {}, sequenceStep=2, template=template["id"])

    response = native.get("/sequenceTemplates", ("filter[sequenceStep][id]", "2"))
    other = native.get("/sequenceTemplates", ("filter[sequenceStep][id]", "1"))

    assert sequence["id"] == 1
    assert [item["id"] for item in response.body["data"]] == [link["id"]]
    assert other.body["data"] == []


def test_updated_at_range_includes_both_ends(native: Native) -> None:
    created = [native.create("accounts", "account", {"name": f"A{number}"}) for number in range(3)]
    middle = created[1]["attributes"]["updatedAt"]

    from_middle = native.get("/accounts", ("filter[updatedAt]", f"{middle}..inf"))
    up_to_middle = native.get("/accounts", ("filter[updatedAt]", f"inf..{middle}"))

    assert [item["id"] for item in from_middle.body["data"]] == [created[1]["id"], created[2]["id"]]
    assert [item["id"] for item in up_to_middle.body["data"]] == [created[0]["id"], created[1]["id"]]


@pytest.mark.parametrize(
    ("key", "value"),
    [("filter[updatedAt]", "yesterday..inf"), ("filter[prospect][id]", "abc"), ("filter[color]", "red")],
)
def test_invalid_filters_are_400(native: Native, key: str, value: str) -> None:
    response = native.get("/sequenceStates", (key, value))

    assert response.status == 400
    assert response.body["errors"][0]["title"] == "Bad Request"


# Records -----------------------------------------------------------------------------------


def test_emails_read_back_untyped(native: Native) -> None:
    prospect = native.create("prospects", "prospect", {"emails": ["ada@example.com"]})

    fetched = native.get(f"/prospects/{prospect['id']}").body["data"]["attributes"]

    assert fetched["emailContacts"] == [{"email": "ada@example.com", "email_type": None}]
    assert fetched["emails"] == ["ada@example.com"]


def test_prospect_always_has_email_contacts(native: Native) -> None:
    prospect = native.create("prospects", "prospect", {"firstName": "Ada"})

    assert prospect["attributes"]["emailContacts"] == []


def test_patch_keeps_known_email_types(native: Native, simulator: OutreachSimulator) -> None:
    prospect_id = simulator.insert_native(
        TOKEN, "prospects", {"attributes": {"emailContacts": [{"email": "ada@work.com", "email_type": "work"}]}}
    )

    response = native.patch(
        f"/prospects/{prospect_id}",
        {"data": {"type": "prospect", "id": prospect_id, "attributes": {"emails": ["ada@work.com", "ada@home.com"]}}},
    )

    assert response.status == 200
    assert response.body["data"]["attributes"]["emailContacts"] == [
        {"email": "ada@work.com", "email_type": "work"},
        {"email": "ada@home.com", "email_type": None},
    ]


def test_patch_moves_updated_at_only_on_change(native: Native) -> None:
    account = native.create("accounts", "account", {"name": "Acme"})
    path = f"/accounts/{account['id']}"

    same = native.patch(path, {"data": {"type": "account", "id": account["id"], "attributes": {"name": "Acme"}}})
    renamed = native.patch(path, {"data": {"type": "account", "id": account["id"], "attributes": {"name": "Acme 2"}}})

    assert same.body["data"]["attributes"]["updatedAt"] == account["attributes"]["updatedAt"]
    assert renamed.body["data"]["attributes"]["updatedAt"] > account["attributes"]["updatedAt"]


def test_patch_with_other_id_is_409(native: Native) -> None:
    account = native.create("accounts", "account", {"name": "Acme"})

    response = native.patch(f"/accounts/{account['id']}", {"data": {"type": "account", "id": 77, "attributes": {}}})

    assert response.status == 409


def test_patch_clears_relationship_with_null(native: Native) -> None:
    account = native.create("accounts", "account", {"name": "Acme"}, owner=1)

    response = native.patch(
        f"/accounts/{account['id']}",
        {"data": {"type": "account", "id": account["id"], "relationships": {"owner": None}}},
    )

    assert account["relationships"]["owner"]["data"] == {"type": "user", "id": 1}
    assert response.body["data"]["relationships"]["owner"] == {"data": None}


def test_sequence_step_count_follows_steps(native: Native) -> None:
    sequence = _sequence_with_steps(native, 3)
    other = _sequence_with_steps(native, 1)

    fetched = native.get(f"/sequences/{sequence['id']}").body["data"]["attributes"]

    assert fetched["sequenceStepCount"] == 3
    assert native.get(f"/sequences/{other['id']}").body["data"]["attributes"]["sequenceStepCount"] == 1


def test_step_without_order_goes_last(native: Native) -> None:
    sequence = _sequence_with_steps(native, 2)

    step = native.create("sequenceSteps", "sequenceStep", {"stepType": "task", "order": 0}, sequence=sequence["id"])

    assert step["attributes"]["order"] == 3


def test_integral_float_order_is_stored_as_integer(native: Native) -> None:
    sequence = _sequence_with_steps(native, 1)

    step = native.create("sequenceSteps", "sequenceStep", {"stepType": "task", "order": 5.0}, sequence=sequence["id"])

    assert step["attributes"]["order"] == 5
    assert isinstance(step["attributes"]["order"], int)


def test_undated_step_waits_a_week(native: Native) -> None:
    sequence = _sequence_with_steps(native, 0)

    step = native.create("sequenceSteps", "sequenceStep", {"stepType": "call"}, sequence=sequence["id"])
    immediate = native.create(
        "sequenceSteps", "sequenceStep", {"stepType": "call", "interval": 0}, sequence=sequence["id"]
    )

    assert step["attributes"]["interval"] == 7 * 24 * 3600
    assert immediate["attributes"]["interval"] == 0


def test_unknown_step_type_is_422(native: Native) -> None:
    sequence = _sequence_with_steps(native, 0)
    body = {
        "data": {
            "type": "sequenceStep",
            "attributes": {"stepType": "fax"},
            "relationships": {"sequence": {"data": {"type": "sequence", "id": sequence["id"]}}},
        }
    }

    response = native.post("/sequenceSteps", body)

    assert response.status == 422
    assert "stepType" in response.body["errors"][0]["detail"]


def test_duplicate_sequence_state_is_422_with_code(native: Native) -> None:
    sequence = _sequence_with_steps(native, 0)
    prospect = native.create("prospects", "prospect", {"firstName": "Ada"})
    native.create("sequenceStates", "sequenceState", {}, prospect=prospect["id"], sequence=sequence["id"], mailbox=1)
    body = {
        "data": {
            "type": "sequenceState",
            "relationships": {
                "prospect": {"data": {"type": "prospect", "id": prospect["id"]}},
                "sequence": {"data": {"type": "sequence", "id": sequence["id"]}},
                "mailbox": {"data": {"type": "mailbox", "id": 2}},
            },
        }
    }

    response = native.post("/sequenceStates", body)

    assert response.status == 422
    assert response.body["errors"][0]["code"] == "has already been in this sequence"


def test_sequence_state_without_mailbox_is_422(native: Native) -> None:
    sequence = _sequence_with_steps(native, 0)
    prospect = native.create("prospects", "prospect", {"firstName": "Ada"})
    body = {
        "data": {
            "type": "sequenceState",
            "relationships": {
                "prospect": {"data": {"type": "prospect", "id": prospect["id"]}},
                "sequence": {"data": {"type": "sequence", "id": sequence["id"]}},
            },
        }
    }

    response = native.post("/sequenceStates", body)

    assert response.status == 422
    assert response.body["errors"][0]["source"] == {"pointer": "/data/relationships/mailbox"}


def test_sequence_state_creator_is_the_token_user(native: Native) -> None:
    sequence = _sequence_with_steps(native, 0)
    prospect = native.create("prospects", "prospect", {"firstName": "Ada"})

    state = native.create(
        "sequenceStates", "sequenceState", {}, prospect=prospect["id"], sequence=sequence["id"], mailbox=2
    )

    assert state["relationships"]["creator"]["data"] == {"type": "user", "id": 1}
    assert state["attributes"]["state"] == "active"


# Sandbox baseline and seeding --------------------------------------------------------------


def test_baseline_is_deterministic_per_account() -> None:
    first = Native(OutreachSimulator(clock=FixedClock(START)), "customer-a").get("/users").body["data"]
    again = Native(OutreachSimulator(clock=FixedClock(START)), "customer-a").get("/users").body["data"]
    other = Native(OutreachSimulator(clock=FixedClock(START)), "customer-b").get("/users").body["data"]

    assert [item["attributes"]["email"] for item in first] == [item["attributes"]["email"] for item in again]
    assert [item["attributes"]["email"] for item in first] != [item["attributes"]["email"] for item in other]
    assert 2 <= len(first) <= 3


def test_baseline_has_one_sending_mailbox_per_user(native: Native) -> None:
    users = native.get("/users").body["data"]
    mailboxes = native.get("/mailboxes").body["data"]

    assert [box["relationships"]["user"]["data"]["id"] for box in mailboxes] == [user["id"] for user in users]
    assert [box["attributes"]["email"] for box in mailboxes] == [user["attributes"]["email"] for user in users]
    assert all(box["attributes"]["sendDisabled"] is False for box in mailboxes)


def test_insert_native_fills_defaults_and_indexes(native: Native, simulator: OutreachSimulator) -> None:
    sequence_id = simulator.insert_native(TOKEN, "sequences", {"attributes": {"name": "Seeded"}})
    simulator.insert_native(
        TOKEN,
        "sequenceSteps",
        {
            "attributes": {"stepType": "call"},
            "relationships": {"sequence": {"data": {"type": "sequence", "id": sequence_id}}},
        },
    )
    prospect_id = simulator.insert_native(
        TOKEN, "prospects", {"attributes": {"emails": ["seed@example.com"], "openCount": 4}}
    )

    sequence = native.get(f"/sequences/{sequence_id}").body["data"]["attributes"]
    found = native.get("/prospects", ("filter[emails]", "seed@example.com")).body["data"]

    assert sequence["sequenceStepCount"] == 1
    assert sequence["shareType"] == "shared"
    assert [item["id"] for item in found] == [prospect_id]
    assert found[0]["attributes"]["openCount"] == 4


@pytest.mark.parametrize(
    ("resource", "document"),
    [
        ("calls", {"attributes": {}}),
        ("accounts", {"id": 5, "attributes": {}}),
        ("accounts", {"type": "prospect"}),
        ("accounts", {"attributes": ["name"]}),
    ],
)
def test_insert_native_rejects_bad_input(simulator: OutreachSimulator, resource: str, document: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        simulator.insert_native(TOKEN, resource, document)


# Rate limiting -----------------------------------------------------------------------------


class Ticks:
    """A monotonic clock that moves only when a test sets ``now``."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_rate_limit_answers_429_with_headers() -> None:
    ticks = Ticks()
    limited = OutreachSimulator(clock=FixedClock(START), rate_limit=RateLimit(2, 60), monotonic=ticks)
    client = Native(limited)

    first, second, third = client.get("/users"), client.get("/users"), client.get("/users")

    assert first.headers["X-RateLimit-Limit"] == "2"
    assert first.headers["X-RateLimit-Remaining"] == "1"
    assert second.headers["X-RateLimit-Remaining"] == "0"
    assert re.fullmatch(r"\d+", first.headers["X-RateLimit-Reset"])
    assert third.status == 429
    assert third.content_type == JSONAPI
    assert third.headers["Retry-After"] == "60"
    assert third.headers["X-RateLimit-Remaining"] == "0"
    assert third.body["errors"][0]["id"] == "rateLimitExceeded"

    ticks.now += 61
    assert client.get("/users").status == 200


def test_no_rate_limit_headers_without_a_limit(native: Native) -> None:
    response = native.get("/users")

    assert not any(name.lower().startswith("x-ratelimit") for name in response.headers)


# OAuth -------------------------------------------------------------------------------------


def _token_request(refresh_token: str, overrides: dict[str, str] | None = None) -> NativeRequest:
    body = {"client_id": "id", "client_secret": "secret", "grant_type": "refresh_token", "refresh_token": refresh_token}
    return NativeRequest.from_url("POST", f"{BASE_URL}/oauth/token", json={**body, **(overrides or {})})


def test_refresh_token_gives_a_working_access_token(simulator: OutreachSimulator) -> None:
    native = Native(simulator)
    created = native.create("accounts", "account", {"name": "Mine"})
    refresh_token = simulator.issue_refresh_token(TOKEN)

    response = simulator.handle(_token_request(refresh_token))

    assert response.status == 200
    assert set(response.body) >= {"access_token", "refresh_token", "expires_in"}
    assert response.body["refresh_token"] != refresh_token
    accounts = Native(simulator, response.body["access_token"]).get("/accounts").body["data"]
    assert [item["id"] for item in accounts] == [created["id"]]


def test_used_refresh_token_is_400(simulator: OutreachSimulator) -> None:
    refresh_token = simulator.issue_refresh_token(TOKEN)
    simulator.handle(_token_request(refresh_token))

    response = simulator.handle(_token_request(refresh_token))

    assert response.status == 400
    assert response.body["error"] == "invalid_grant"


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"refresh_token": "unknown"}, "invalid_grant"),
        ({"grant_type": "password"}, "unsupported_grant_type"),
        ({"client_secret": ""}, "invalid_request"),
    ],
)
def test_bad_token_requests_are_400(simulator: OutreachSimulator, overrides: dict[str, str], error: str) -> None:
    refresh_token = simulator.issue_refresh_token(TOKEN)

    response = simulator.handle(_token_request(refresh_token, overrides))

    assert response.status == 400
    assert response.body["error"] == error


# Outreach's own OpenAPI document as an outside oracle --------------------------------------

# Attributes the simulator serves that the native document leaves out: the reference
# integration reads both from real Outreach responses.
UNDOCUMENTED = {"prospect": {"emailContacts", "bouncedCount"}}
_JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "integer": int,
    "boolean": bool,
    "array": list,
    "object": dict,
    "number": (int, float),
}


def _routes() -> list[tuple[str, str]]:
    routes: list[tuple[str, str]] = []
    for spec in RESOURCES.values():
        plans = {"list": ("get", ""), "create": ("post", ""), "get": ("get", "/{id}"), "update": ("patch", "/{id}")}
        routes.extend((plans[method][0], f"/{spec.name}{plans[method][1]}") for method in sorted(spec.methods))
    return routes


@pytest.mark.parametrize(("method", "path"), _routes())
def test_route_exists_in_native_spec(outreach_spec: dict[str, Any], method: str, path: str) -> None:
    assert method in outreach_spec["paths"][path]


def _one_of_each(native: Native) -> dict[str, dict[str, Any]]:
    account = native.create("accounts", "account", {"name": "Acme", "domain": "acme.com", "tags": ["t"]}, owner=1)
    prospect = native.create(
        "prospects",
        "prospect",
        {"firstName": "Ada", "emails": ["ada@acme.com"], "mobilePhones": ["+1"], "addressCity": "Paris"},
        account=account["id"],
        owner=1,
    )
    sequence = native.create("sequences", "sequence", {"name": "S", "tags": ["x"]}, owner=1)
    step = native.create(
        "sequenceSteps", "sequenceStep", {"stepType": "auto_email", "interval": 60}, sequence=sequence["id"]
    )
    template = native.create("templates", "template", {"name": "T", "subject": "Hi", "bodyHtml": "<b>Hi</b>"})
    link = native.create(
        "sequenceTemplates", "sequenceTemplate", {"isReply": True}, sequenceStep=step["id"], template=template["id"]
    )
    state = native.create(
        "sequenceStates", "sequenceState", {}, prospect=prospect["id"], sequence=sequence["id"], mailbox=1
    )
    return {
        "prospect": prospect,
        "account": account,
        "user": native.get("/users/1").body["data"],
        "mailbox": native.get("/mailboxes/1").body["data"],
        "sequence": native.get(f"/sequences/{sequence['id']}").body["data"],
        "sequenceStep": step,
        "template": template,
        "sequenceTemplate": link,
        "sequenceState": state,
    }


def test_resources_match_native_schemas(native: Native, outreach_spec: dict[str, Any]) -> None:
    schemas = outreach_spec["components"]["schemas"]

    for type_name, resource in _one_of_each(native).items():
        assert schemas[f"{type_name}Response"]["properties"]["id"]["type"] == "integer"
        assert isinstance(resource["id"], int)

        documented = schemas[type_name]["properties"]
        extra = set(resource["attributes"]) - set(documented)
        assert extra == UNDOCUMENTED.get(type_name, set()), type_name
        for name, value in resource["attributes"].items():
            if value is None or name not in documented:
                continue
            expected = documented[name]
            assert isinstance(value, _JSON_TYPES[expected["type"]]), (type_name, name, value)
            assert not (expected["type"] == "integer" and isinstance(value, bool)), (type_name, name)
            if expected.get("format") == "date-time":
                assert datetime.fromisoformat(str(value).replace("Z", "+00:00")).tzinfo is not None
            if "maxLength" in expected:
                assert len(str(value)) <= expected["maxLength"]

        relationships = schemas[f"{type_name}Relationships"]["properties"]
        assert set(resource["relationships"]) <= set(relationships), type_name


def test_validation_error_matches_native_error_schema(native: Native, outreach_spec: dict[str, Any]) -> None:
    schema = outreach_spec["paths"]["/prospects"]["post"]["responses"]["422"]["content"][JSONAPI]["schema"]
    item_schema = schema["properties"]["errors"]["items"]["properties"]

    response = native.post("/prospects", {"data": {"type": "prospect", "attributes": {"emails": "not-a-list"}}})

    assert response.status == 422
    error = response.body["errors"][0]
    for name, field in item_schema.items():
        assert isinstance(error[name], _JSON_TYPES[field["type"]])


def test_step_types_match_native_description(outreach_spec: dict[str, Any]) -> None:
    description = outreach_spec["components"]["schemas"]["sequenceStep"]["properties"]["stepType"]["description"]
    documented = set(re.findall(r'"(\w+)"', description))

    from providers_sim.outreach.resources import STEP_TYPES

    assert documented == STEP_TYPES - {"linkedin_send_message"}
