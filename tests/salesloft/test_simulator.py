"""Native behaviour of the Salesloft simulator: paths, auth, paging, filters, errors, limits."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import validators
from openapi_schema_validator import OAS30Validator

from providers_sim.base import FixedClock, RateLimit
from providers_sim.salesloft import SalesloftSimulator

from .support import BASE_URL, START, TOKEN, native


def _create_account(simulator: SalesloftSimulator, name: str, domain: str) -> dict[str, Any]:
    response = native(simulator, "POST", "/v2/accounts", body={"name": name, "domain": domain})
    assert response.status == 200, response.body
    return response.body["data"]


def _create_person(simulator: SalesloftSimulator, **fields: Any) -> dict[str, Any]:
    response = native(simulator, "POST", "/v2/people", body=fields)
    assert response.status == 200, response.body
    return response.body["data"]


def _import_cadence(simulator: SalesloftSimulator, name: str = "Outbound", groups: list[Any] | None = None) -> int:
    body = {
        "settings": {"name": name, "target_daily_people": 0, "cadence_function": "outbound"},
        "sharing_settings": {"team_cadence": False, "shared": True},
        "cadence_content": {"step_groups": groups if groups is not None else [_email_group(1)]},
    }
    response = native(simulator, "POST", "/v2/cadence_imports", body=body)
    assert response.status == 200, response.body
    return int(response.body["data"]["cadence"]["id"])


def _email_group(day: int, automated: bool = False, delay: int = 0) -> dict[str, Any]:
    group: dict[str, Any] = {
        "day": day,
        "automated": automated,
        "due_immediately": False,
        "reference_id": day,
        "steps": [
            {
                "enabled": True,
                "name": f"Email on day {day}",
                "type": "Email",
                "type_settings": {"email_template": {"title": "Intro", "subject": "Hello", "body": "<p>Hi</p>"}},
            }
        ],
    }
    if automated:
        group["automated_settings"] = {"send_type": "after_time_delay", "delay_time": delay}
    return group


def _phone_group(day: int) -> dict[str, Any]:
    step = {"name": f"Call on day {day}", "type": "Phone", "type_settings": {"instructions": "Ring them"}}
    return {"day": day, "automated": False, "due_immediately": False, "steps": [step]}


# Paths, auth and ids -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/v2/users", "/v2/users.json", "/v2/me.json", "/v2/people", "/v2/people.json"])
def test_paths_work_with_and_without_json_suffix(simulator: SalesloftSimulator, path: str) -> None:
    response = native(simulator, "GET", path)

    assert response.status == 200
    assert "data" in response.body


def test_record_path_accepts_json_suffix(simulator: SalesloftSimulator) -> None:
    person = _create_person(simulator, email_address="ana@example.com")

    plain = native(simulator, "GET", f"/v2/people/{person['id']}")
    suffixed = native(simulator, "GET", f"/v2/people/{person['id']}.json")

    assert plain.body == suffixed.body


def test_missing_bearer_token_is_401(simulator: SalesloftSimulator) -> None:
    response = native(simulator, "GET", "/v2/people", token=None)

    assert response.status == 401
    assert isinstance(response.body["error"], str)


def test_strict_mode_unknown_token_is_401() -> None:
    simulator = SalesloftSimulator(strict_accounts=True)

    response = native(simulator, "GET", "/v2/people", token="never-issued")

    assert response.status == 401
    assert "error" in response.body


def test_ids_are_sequential_integers(simulator: SalesloftSimulator) -> None:
    first = _create_person(simulator, email_address="one@example.com")
    second = _create_person(simulator, email_address="two@example.com")

    assert isinstance(first["id"], int)
    assert second["id"] == first["id"] + 1


def test_unknown_id_is_404_with_error_body(simulator: SalesloftSimulator) -> None:
    for path in (
        "/v2/people/999",
        "/v2/accounts/999",
        "/v2/cadences/999.json",
        "/v2/cadence_exports/999",
        "/v2/users/abc",
    ):
        response = native(simulator, "GET", path)
        assert response.status == 404, path
        assert response.body == {"error": "Not Found"}, path


def test_wrong_method_is_405(simulator: SalesloftSimulator) -> None:
    response = native(simulator, "PATCH", "/v2/people/1")

    assert response.status == 405
    assert "error" in response.body


def test_references_link_to_request_host(simulator: SalesloftSimulator) -> None:
    simulator.open_account(TOKEN)
    owner_id = simulator.current_user_id(TOKEN)
    person = _create_person(simulator, email_address="ref@example.com", owner_id=owner_id)

    assert person["owner"] == {"_href": f"{BASE_URL}/v2/users/{owner_id}", "id": owner_id}


# Baseline ------------------------------------------------------------------------------


def test_baseline_users_are_deterministic_per_account() -> None:
    first = native(SalesloftSimulator(), "GET", "/v2/users", token="team-x").body["data"]
    second = native(SalesloftSimulator(), "GET", "/v2/users", token="team-x").body["data"]
    other = native(SalesloftSimulator(), "GET", "/v2/users", token="team-y").body["data"]

    assert 2 <= len(first) <= 3
    assert [(user["name"], user["email"], user["guid"]) for user in first] == [
        (user["name"], user["email"], user["guid"]) for user in second
    ]
    assert [user["email"] for user in first] != [user["email"] for user in other]


# Paging --------------------------------------------------------------------------------


def test_list_defaults_to_25_per_page_without_counts(simulator: SalesloftSimulator) -> None:
    for number in range(30):
        simulator.insert_native(TOKEN, "people", {"email_address": f"p{number}@example.com"})

    body = native(simulator, "GET", "/v2/people").body

    assert len(body["data"]) == 25
    assert body["metadata"]["paging"] == {"per_page": 25, "current_page": 1, "next_page": 2, "prev_page": None}
    assert set(body["metadata"]) == {"filtering", "sorting", "paging"}


def test_list_pages_by_number(simulator: SalesloftSimulator) -> None:
    ids = [simulator.insert_native(TOKEN, "people", {"email_address": f"p{n}@example.com"}) for n in range(7)]

    first = native(simulator, "GET", "/v2/people", params=[("per_page", "3")]).body
    last = native(simulator, "GET", "/v2/people", params=[("per_page", "3"), ("page", "3")]).body

    assert [item["id"] for item in first["data"]] == ids[:3]
    assert [item["id"] for item in last["data"]] == ids[6:]
    assert last["metadata"]["paging"]["next_page"] is None
    assert last["metadata"]["paging"]["prev_page"] == 2


def test_paging_counts_only_when_asked(simulator: SalesloftSimulator) -> None:
    for number in range(5):
        simulator.insert_native(TOKEN, "people", {"email_address": f"c{number}@example.com"})

    counted = native(simulator, "GET", "/v2/people", params=[("per_page", "2"), ("include_paging_counts", "true")])
    plain = native(simulator, "GET", "/v2/people", params=[("per_page", "2")])

    assert counted.body["metadata"]["paging"]["total_count"] == 5
    assert counted.body["metadata"]["paging"]["total_pages"] == 3
    assert "total_count" not in plain.body["metadata"]["paging"]
    assert "total_pages" not in plain.body["metadata"]["paging"]


@pytest.mark.parametrize("per_page", ["0", "101", "ten"])
def test_per_page_outside_1_to_100_is_422(simulator: SalesloftSimulator, per_page: str) -> None:
    response = native(simulator, "GET", "/v2/accounts", params=[("per_page", per_page)])

    assert response.status == 422
    assert "per_page" in response.body["errors"]


def test_users_without_page_returns_every_user(simulator: SalesloftSimulator) -> None:
    for number in range(4):
        simulator.insert_native(TOKEN, "users", {"first_name": f"U{number}", "last_name": "Extra"})
    total = len(simulator.collection(TOKEN, "users"))

    unpaged = native(simulator, "GET", "/v2/users", params=[("per_page", "2")]).body
    paged = native(simulator, "GET", "/v2/users", params=[("per_page", "2"), ("page", "1")]).body

    assert len(unpaged["data"]) == total
    assert len(paged["data"]) == 2


# Filters -------------------------------------------------------------------------------


def test_account_name_filter_is_exact_and_case_sensitive(simulator: SalesloftSimulator) -> None:
    acme = _create_account(simulator, "Acme", "acme.com")
    _create_account(simulator, "acme", "acme.org")
    _create_account(simulator, "Acme Labs", "acmelabs.com")

    exact = native(simulator, "GET", "/v2/accounts", params=[("name[]", "Acme")]).body["data"]

    assert [item["id"] for item in exact] == [acme["id"]]


def test_account_name_filter_values_are_ored(simulator: SalesloftSimulator) -> None:
    first = _create_account(simulator, "First", "first.com")
    second = _create_account(simulator, "Second", "second.com")
    _create_account(simulator, "Third", "third.com")

    found = native(simulator, "GET", "/v2/accounts", params=[("name[]", "First"), ("name[]", "Second")]).body["data"]

    assert [item["id"] for item in found] == [first["id"], second["id"]]


def test_account_domain_filter_ignores_case(simulator: SalesloftSimulator) -> None:
    acme = _create_account(simulator, "Acme", "Acme.COM")

    found = native(simulator, "GET", "/v2/accounts", params=[("domain", "ACME.com")]).body["data"]

    assert acme["domain"] == "acme.com"
    assert [item["id"] for item in found] == [acme["id"]]


def test_people_email_filter(simulator: SalesloftSimulator) -> None:
    ana = _create_person(simulator, email_address="ana@example.com")
    ben = _create_person(simulator, email_address="ben@example.com")
    _create_person(simulator, email_address="cy@example.com")

    params = [("email_addresses[]", "ana@example.com"), ("email_addresses[]", "BEN@example.com")]
    found = native(simulator, "GET", "/v2/people", params=params).body["data"]

    assert [item["id"] for item in found] == [ana["id"], ben["id"]]


def test_updated_at_gt_is_strictly_after(simulator: SalesloftSimulator) -> None:
    first = _create_person(simulator, email_address="a@example.com")
    second = _create_person(simulator, email_address="b@example.com")

    found = native(simulator, "GET", "/v2/people", params=[("updated_at[gt]", first["updated_at"])]).body

    assert [item["id"] for item in found["data"]] == [second["id"]]
    assert found["metadata"]["filtering"] == {"updated_at[gt]": first["updated_at"]}


def test_invalid_time_filter_is_422(simulator: SalesloftSimulator) -> None:
    response = native(simulator, "GET", "/v2/people", params=[("updated_at[gt]", "yesterday")])

    assert response.status == 422
    assert "updated_at" in response.body["errors"]


# Accounts and people -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [({"domain": "x.com"}, "name"), ({"name": "X"}, "domain"), ({"name": " ", "domain": "x.com"}, "name")],
)
def test_account_requires_name_and_domain(simulator: SalesloftSimulator, body: dict[str, Any], field: str) -> None:
    response = native(simulator, "POST", "/v2/accounts", body=body)

    assert response.status == 422
    assert response.body["errors"][field] == ["can't be blank"]


def test_account_domain_is_unique_per_team(simulator: SalesloftSimulator) -> None:
    _create_account(simulator, "Acme", "acme.com")

    duplicate = native(simulator, "POST", "/v2/accounts", body={"name": "Acme 2", "domain": "ACME.com"})
    other_team = native(simulator, "POST", "/v2/accounts", body={"name": "Acme", "domain": "acme.com"}, token="team-b")

    assert duplicate.status == 422
    assert duplicate.body == {"errors": {"domain": ["has already been taken"]}}
    assert other_team.status == 200


def test_account_update_is_partial(simulator: SalesloftSimulator) -> None:
    acme = _create_account(simulator, "Acme", "acme.com")

    response = native(simulator, "PUT", f"/v2/accounts/{acme['id']}", body={"name": "Acme Inc"})

    assert response.status == 200
    assert response.body["data"]["name"] == "Acme Inc"
    assert response.body["data"]["domain"] == "acme.com"
    assert response.body["data"]["updated_at"] > acme["updated_at"]


@pytest.mark.parametrize("field", ["first_name", "last_name", "email_address"])
@pytest.mark.parametrize("value", [123, 1.5, True, ["a"], {"a": 1}])
def test_wrongly_typed_name_is_422(simulator: SalesloftSimulator, field: str, value: Any) -> None:
    created = native(simulator, "POST", "/v2/people", body={"email_address": "typed@example.com", "last_name": "T"})
    person_id = created.body["data"]["id"]

    for method, path, body in (
        ("POST", "/v2/people", {"email_address": "other@example.com", field: value}),
        ("PUT", f"/v2/people/{person_id}", {field: value}),
    ):
        response = native(simulator, method, path, body=body)
        assert response.status == 422, (method, response.body)
        assert field in response.body["errors"]

    unchanged = native(simulator, "GET", f"/v2/people/{person_id}")
    assert unchanged.body["data"]["email_address"] == "typed@example.com"
    assert unchanged.body["data"]["display_name"] == "T"


def test_account_update_to_taken_domain_is_422(simulator: SalesloftSimulator) -> None:
    _create_account(simulator, "Acme", "acme.com")
    other = _create_account(simulator, "Other", "other.com")

    response = native(simulator, "PUT", f"/v2/accounts/{other['id']}", body={"domain": "acme.com"})

    assert response.status == 422
    assert "domain" in response.body["errors"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"email_address": "a@example.com"}, 200),
        ({"phone": "+15550100", "last_name": "Lee"}, 200),
        ({"phone": "+15550100"}, 422),
        ({"last_name": "Lee", "first_name": "Ann"}, 422),
    ],
)
def test_person_needs_email_or_phone_and_last_name(
    simulator: SalesloftSimulator, body: dict[str, Any], status: int
) -> None:
    response = native(simulator, "POST", "/v2/people", body=body)

    assert response.status == status
    if status == 422:
        assert "email_address" in response.body["errors"]


def test_person_update_keeps_unsent_fields(simulator: SalesloftSimulator) -> None:
    person = _create_person(simulator, email_address="a@example.com", title="CEO", first_name="Ann")

    updated = native(simulator, "PUT", f"/v2/people/{person['id']}", body={"first_name": "Anna"}).body["data"]

    assert updated["first_name"] == "Anna"
    assert updated["title"] == "CEO"
    assert updated["email_address"] == "a@example.com"


def test_non_object_body_is_400(simulator: SalesloftSimulator) -> None:
    response = native(simulator, "POST", "/v2/people", body=["not", "an", "object"])

    assert response.status == 400
    assert "error" in response.body


# Cadences, steps, imports and exports --------------------------------------------------


def test_cadence_import_creates_cadence_and_steps(simulator: SalesloftSimulator) -> None:
    cadence_id = _import_cadence(
        simulator, groups=[_email_group(1), _email_group(3, automated=True, delay=30), _phone_group(5)]
    )

    cadence = native(simulator, "GET", f"/v2/cadences/{cadence_id}.json").body["data"]
    steps = native(simulator, "GET", "/v2/steps", params=[("cadence_id", str(cadence_id))]).body["data"]

    assert cadence["name"] == "Outbound"
    assert cadence["shared"] is True
    assert cadence["owner"]["id"] == simulator.current_user_id(TOKEN)
    assert [(step["day"], step["type"], step["step_number"]) for step in steps] == [
        (1, "Email", 1),
        (3, "Email", 2),
        (5, "Phone", 3),
    ]
    assert all(step["cadence"]["id"] == cadence_id for step in steps)


def test_cadence_export_returns_imported_groups(simulator: SalesloftSimulator) -> None:
    groups = [_email_group(1), _email_group(2, automated=True, delay=90), _phone_group(4)]
    cadence_id = _import_cadence(simulator, name="Round trip", groups=groups)

    exported = native(simulator, "GET", f"/v2/cadence_exports/{cadence_id}").body["data"]["cadence_content"]

    assert exported["settings"]["name"] == "Round trip"
    assert exported["sharing_settings"] == {"team_cadence": False, "shared": True}
    assert [group["day"] for group in exported["step_groups"]] == [1, 2, 4]
    assert exported["step_groups"][1]["automated"] is True
    assert exported["step_groups"][1]["automated_settings"] == {"send_type": "after_time_delay", "delay_time": 90}
    assert exported["step_groups"][0]["steps"][0]["type_settings"]["email_template"]["subject"] == "Hello"
    assert exported["step_groups"][2]["steps"][0] == {
        "enabled": True,
        "name": "Call on day 4",
        "type": "Phone",
        "type_settings": {"instructions": "Ring them"},
    }


def test_import_into_existing_cadence_adds_groups(simulator: SalesloftSimulator) -> None:
    cadence_id = _import_cadence(simulator, groups=[_email_group(2)])

    body = {"cadence_content": {"cadence_id": cadence_id, "step_groups": [_phone_group(1)]}}
    response = native(simulator, "POST", "/v2/cadence_imports", body=body)
    steps = native(
        simulator, "GET", "/v2/steps", params=[("cadence_id", str(cadence_id)), ("include_paging_counts", "1")]
    )

    assert response.body == {"data": {"cadence": {"id": cadence_id}}}
    assert steps.body["metadata"]["paging"]["total_count"] == 2
    numbered = sorted((step["step_number"], step["day"]) for step in steps.body["data"])
    assert numbered == [(1, 1), (2, 2)]


def test_import_needing_empty_cadence_is_422(clock: FixedClock) -> None:
    simulator = SalesloftSimulator(clock=clock, import_requires_empty_cadence=True)
    cadence_id = _import_cadence(simulator, groups=[_email_group(1)])

    body = {"cadence_content": {"cadence_id": cadence_id, "step_groups": [_phone_group(2)]}}
    response = native(simulator, "POST", "/v2/cadence_imports", body=body)

    assert response.status == 422
    assert "cadence_content.cadence_id" in response.body["errors"]


def test_import_into_unknown_cadence_is_404(simulator: SalesloftSimulator) -> None:
    body = {"cadence_content": {"cadence_id": 404, "step_groups": [_phone_group(1)]}}

    response = native(simulator, "POST", "/v2/cadence_imports", body=body)

    assert response.status == 404


@pytest.mark.parametrize(
    ("group", "field"),
    [
        ({**_phone_group(1), "automated": True}, "cadence_content.step_groups[0].automated"),
        (
            {**_email_group(1, automated=True, delay=721)},
            "cadence_content.step_groups[0].automated_settings.delay_time",
        ),
        ({**_email_group(1), "day": 0}, "cadence_content.step_groups[0].day"),
        ({**_email_group(1), "steps": []}, "cadence_content.step_groups[0].steps"),
    ],
    ids=["automated-phone", "delay-over-720", "day-zero", "no-steps"],
)
def test_invalid_step_group_is_422(simulator: SalesloftSimulator, group: dict[str, Any], field: str) -> None:
    body = {"settings": {"name": "Bad"}, "cadence_content": {"step_groups": [group]}}

    response = native(simulator, "POST", "/v2/cadence_imports", body=body)

    assert response.status == 422
    assert field in response.body["errors"]
    assert len(simulator.cadences(TOKEN)) == 0


def test_import_without_settings_name_is_422(simulator: SalesloftSimulator) -> None:
    response = native(simulator, "POST", "/v2/cadence_imports", body={"cadence_content": {"step_groups": []}})

    assert response.status == 422
    assert "settings" in response.body["errors"]


# Cadence memberships -------------------------------------------------------------------


def test_membership_defaults_to_token_user(simulator: SalesloftSimulator) -> None:
    person = _create_person(simulator, email_address="m@example.com")
    cadence_id = _import_cadence(simulator)

    response = native(
        simulator,
        "POST",
        "/v2/cadence_memberships",
        body={"person_id": str(person["id"]), "cadence_id": str(cadence_id)},
    )

    assert response.status == 200
    membership = response.body["data"]
    assert membership["user"]["id"] == simulator.current_user_id(TOKEN)
    assert membership["person"]["id"] == person["id"]
    assert membership["currently_on_cadence"] is True


def test_membership_accepts_query_parameters(simulator: SalesloftSimulator) -> None:
    person = _create_person(simulator, email_address="q@example.com")
    cadence_id = _import_cadence(simulator)

    params = [("person_id", str(person["id"])), ("cadence_id", str(cadence_id))]
    response = native(simulator, "POST", "/v2/cadence_memberships", params=params)

    assert response.status == 200
    assert response.body["data"]["cadence"]["id"] == cadence_id


def test_duplicate_membership_is_422(simulator: SalesloftSimulator) -> None:
    person = _create_person(simulator, email_address="d@example.com")
    cadence_id = _import_cadence(simulator)
    body = {"person_id": person["id"], "cadence_id": cadence_id}
    native(simulator, "POST", "/v2/cadence_memberships", body=body)

    again = native(simulator, "POST", "/v2/cadence_memberships", body=body)

    assert again.status == 422
    assert again.body == {"errors": {"person_id": ["is already on this cadence"]}}


def test_readding_removed_person_reuses_membership(simulator: SalesloftSimulator) -> None:
    person = _create_person(simulator, email_address="r@example.com")
    cadence_id = _import_cadence(simulator)
    body = {"person_id": person["id"], "cadence_id": cadence_id}
    first = native(simulator, "POST", "/v2/cadence_memberships", body=body).body["data"]

    removed = native(simulator, "DELETE", f"/v2/cadence_memberships/{first['id']}")
    again = native(simulator, "POST", "/v2/cadence_memberships", body=body)

    assert removed.status == 204
    assert again.status == 200
    assert again.body["data"]["id"] == first["id"]
    assert again.body["data"]["current_state"] == "active"


@pytest.mark.parametrize("missing", ["person_id", "cadence_id"])
def test_membership_requires_person_and_cadence(simulator: SalesloftSimulator, missing: str) -> None:
    person = _create_person(simulator, email_address="x@example.com")
    body = {"person_id": person["id"], "cadence_id": _import_cadence(simulator)}
    del body[missing]

    response = native(simulator, "POST", "/v2/cadence_memberships", body=body)

    assert response.status == 422
    assert response.body["errors"][missing] == ["is required"]


def test_membership_filters(simulator: SalesloftSimulator) -> None:
    ana = _create_person(simulator, email_address="ana@example.com")
    ben = _create_person(simulator, email_address="ben@example.com")
    first, second = _import_cadence(simulator, "One"), _import_cadence(simulator, "Two")
    expected_membership = native(
        simulator, "POST", "/v2/cadence_memberships", body={"person_id": ana["id"], "cadence_id": second}
    ).body["data"]
    native(simulator, "POST", "/v2/cadence_memberships", body={"person_id": ana["id"], "cadence_id": first})
    native(simulator, "POST", "/v2/cadence_memberships", body={"person_id": ben["id"], "cadence_id": second})

    params = [("person_id", str(ana["id"])), ("cadence_id", str(second))]
    found = native(simulator, "GET", "/v2/cadence_memberships", params=params).body["data"]

    assert [item["id"] for item in found] == [expected_membership["id"]]


# Rate limiting -------------------------------------------------------------------------


def test_rate_limit_returns_429_with_retry_after(clock: FixedClock) -> None:
    now = [100.0]
    simulator = SalesloftSimulator(clock=clock, rate_limit=RateLimit(2, 60.0), monotonic=lambda: now[0])

    first = native(simulator, "GET", "/v2/people")
    second = native(simulator, "GET", "/v2/people")
    now[0] += 15
    third = native(simulator, "GET", "/v2/people")
    now[0] += 50
    after_window = native(simulator, "GET", "/v2/people")

    assert first.headers["x-ratelimit-remaining-minute"] == "1"
    assert second.headers["x-ratelimit-remaining-minute"] == "0"
    assert third.status == 429
    assert third.body == {"error": "Rate limit exceeded"}
    assert third.headers["Retry-After"] == "45"
    assert third.headers["x-ratelimit-remaining-minute"] == "0"
    assert third.headers["x-ratelimit-limit-minute"] == "2"
    assert after_window.status == 200


def test_rate_limit_headers_on_every_response(simulator: SalesloftSimulator) -> None:
    response = native(simulator, "GET", "/v2/people/12345")

    assert response.status == 404
    assert response.headers["x-ratelimit-limit-minute"] == "600"
    assert "x-ratelimit-remaining-minute" in response.headers


# OAuth ---------------------------------------------------------------------------------


def _refresh(simulator: SalesloftSimulator, refresh_token: str, grant_type: str = "refresh_token") -> Any:
    body = {"client_id": "cid", "client_secret": "secret", "grant_type": grant_type, "refresh_token": refresh_token}
    return native(simulator, "POST", "/oauth/token", body=body, token=None)


def test_token_refresh_issues_working_access_token(simulator: SalesloftSimulator) -> None:
    refresh_token = simulator.issue_refresh_token(TOKEN)
    person = _create_person(simulator, email_address="t@example.com")

    response = _refresh(simulator, refresh_token)
    access_token = response.body["access_token"]
    read = native(simulator, "GET", f"/v2/people/{person['id']}", token=access_token)

    assert response.status == 200
    assert response.body["token_type"] == "bearer"
    assert response.body["expires_in"] > 0
    assert response.body["refresh_token"] != refresh_token
    assert read.status == 200


def test_used_refresh_token_is_400(simulator: SalesloftSimulator) -> None:
    refresh_token = simulator.issue_refresh_token(TOKEN)
    _refresh(simulator, refresh_token)

    again = _refresh(simulator, refresh_token)

    assert again.status == 400
    assert again.body["error"] == "invalid_grant"


def test_unknown_refresh_token_in_strict_mode_is_400() -> None:
    simulator = SalesloftSimulator(strict_accounts=True)

    response = _refresh(simulator, "made-up")

    assert response.status == 400
    assert response.body["error"] == "invalid_grant"


def test_wrong_grant_type_is_400(simulator: SalesloftSimulator) -> None:
    response = _refresh(simulator, simulator.issue_refresh_token(TOKEN), grant_type="password")

    assert response.status == 400
    assert response.body["error"] == "unsupported_grant_type"


# Salesloft's own OpenAPI document ------------------------------------------------------


def _type_allowing_null(validator: Any, types: Any, instance: Any, schema: dict[str, Any]) -> Any:
    """Accept null wherever a type is declared. Salesloft, and so the simulator, sends null
    for empty fields, and Salesloft's document rarely marks a field nullable."""
    if instance is None:
        return
    yield from OAS30Validator.VALIDATORS["type"](validator, types, instance, schema)


NullTolerantValidator = validators.extend(OAS30Validator, {"type": _type_allowing_null})


def _assert_matches(spec: dict[str, Any], schema: dict[str, Any], instance: Any) -> None:
    validator = NullTolerantValidator({**schema, "components": spec["components"]})
    errors = sorted(validator.iter_errors(instance), key=str)
    assert not errors, "\n".join(f"{list(error.path)}: {error.message}" for error in errors[:5])


def _seed_everything(simulator: SalesloftSimulator) -> dict[str, Any]:
    company = _create_account(simulator, "Acme", "acme.com")
    person = _create_person(simulator, email_address="spec@example.com", account_id=company["id"], phone="+1555")
    cadence_id = _import_cadence(simulator, groups=[_email_group(1), _email_group(2, automated=True), _phone_group(3)])
    membership = native(
        simulator, "POST", "/v2/cadence_memberships", body={"person_id": person["id"], "cadence_id": cadence_id}
    )
    return {"account": company, "person": person, "cadence_id": cadence_id, "membership": membership.body["data"]}


@pytest.mark.parametrize(
    ("path", "schema_name"),
    [
        ("/v2/people/{person}", "Person"),
        ("/v2/accounts/{account}", "Account"),
        ("/v2/users/1", "User"),
        ("/v2/cadences/{cadence}.json", "Cadence"),
        ("/v2/cadence_memberships/{membership}", "CadenceMembership"),
    ],
)
def test_records_match_salesloft_schemas(
    simulator: SalesloftSimulator, salesloft_spec: dict[str, Any], path: str, schema_name: str
) -> None:
    seeded = _seed_everything(simulator)
    ids = {
        "person": seeded["person"]["id"],
        "account": seeded["account"]["id"],
        "cadence": seeded["cadence_id"],
        "membership": seeded["membership"]["id"],
    }

    response = native(simulator, "GET", path.format(**ids))

    assert response.status == 200
    _assert_matches(salesloft_spec, {"$ref": f"#/components/schemas/{schema_name}"}, response.body["data"])


def test_steps_match_salesloft_step_schema(simulator: SalesloftSimulator, salesloft_spec: dict[str, Any]) -> None:
    cadence_id = _seed_everything(simulator)["cadence_id"]

    steps = native(simulator, "GET", "/v2/steps", params=[("cadence_id", str(cadence_id))]).body["data"]

    assert len(steps) == 3
    for step in steps:
        _assert_matches(salesloft_spec, {"$ref": "#/components/schemas/Step"}, step)


def test_import_and_export_match_salesloft_schemas(
    simulator: SalesloftSimulator, salesloft_spec: dict[str, Any]
) -> None:
    cadence_id = _seed_everything(simulator)["cadence_id"]
    import_schema = salesloft_spec["paths"]["/v2/cadence_imports"]["post"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]
    export_schema = salesloft_spec["paths"]["/v2/cadence_exports/{id}"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]
    import_request = salesloft_spec["paths"]["/v2/cadence_imports"]["post"]["requestBody"]["content"][
        "application/json"
    ]["schema"]

    exported = native(simulator, "GET", f"/v2/cadence_exports/{cadence_id}").body
    reimport = {**exported["data"]["cadence_content"]}
    request = {
        "settings": reimport.pop("settings"),
        "sharing_settings": reimport.pop("sharing_settings"),
        "cadence_content": reimport,
    }
    answer = native(simulator, "POST", "/v2/cadence_imports", body=request)

    _assert_matches(salesloft_spec, export_schema, exported)
    _assert_matches(salesloft_spec, import_request, request)
    _assert_matches(salesloft_spec, import_schema, answer.body)
    assert answer.status == 200


def test_served_routes_exist_in_salesloft_document(
    simulator: SalesloftSimulator, salesloft_spec: dict[str, Any]
) -> None:
    documented = set(salesloft_spec["paths"])
    routes = {
        ("GET", "/v2/people"),
        ("POST", "/v2/people"),
        ("GET", "/v2/people/{id}"),
        ("PUT", "/v2/people/{id}"),
        ("GET", "/v2/accounts"),
        ("POST", "/v2/accounts"),
        ("PUT", "/v2/accounts/{id}"),
        ("GET", "/v2/users/{id}"),
        ("GET", "/v2/cadences/{id}"),
        ("GET", "/v2/steps"),
        ("POST", "/v2/cadence_memberships"),
        ("GET", "/v2/cadence_memberships/{id}"),
        ("POST", "/v2/cadence_imports"),
        ("GET", "/v2/cadence_exports/{id}"),
    }
    for method, path in routes:
        spelled = path + ".json" if path + ".json" in documented else path
        assert spelled in documented, path
        assert method.lower() in salesloft_spec["paths"][spelled], (method, path)
        assert simulator.router.resolve(method, spelled.replace("{id}", "1")) not in (None, "method"), (method, path)
    token_url = salesloft_spec["components"]["securitySchemes"]["OAuth2"]["flows"]["clientCredentials"]["tokenUrl"]
    assert token_url.endswith("/oauth/token")
    assert simulator.router.resolve("POST", "/oauth/token") not in (None, "method")


def test_create_status_matches_salesloft_document(
    simulator: SalesloftSimulator, salesloft_spec: dict[str, Any]
) -> None:
    documented = set(salesloft_spec["paths"]["/v2/people.json"]["post"]["responses"])

    response = native(simulator, "POST", "/v2/people", body={"email_address": "s@example.com"})

    assert str(response.status) in documented


def test_fixed_clock_dates_records(simulator: SalesloftSimulator) -> None:
    person = _create_person(simulator, email_address="clock@example.com")

    assert person["created_at"].startswith(START.strftime("%Y-%m-%dT%H:%M"))
    assert person["created_at"].endswith("+00:00")
