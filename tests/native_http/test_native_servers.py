"""The simulators served as native HTTP APIs keep each vendor's wire conventions.

One ``python -m providers_sim serve --provider all`` child process serves Apollo, Outreach
and Salesloft on three loopback ports. Two more run with ``--rate-limit`` and with
``--strict-accounts``, and the Outreach refresh test uses ``tests.native_http.control_server``
to issue a refresh token. Every request below goes over real HTTP.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from mock_server.providers import Provider
from providers_sim.outreach.baseline import baseline_users

from .servers import SimulatorServers, serving_control, serving_simulators

OUTREACH_MEDIA_TYPE = "application/vnd.api+json"
RATE_LIMIT = 3


@pytest.fixture(scope="module")
def servers() -> Iterator[SimulatorServers]:
    with serving_simulators() as running:
        yield running


@pytest.fixture(scope="module")
def limited() -> Iterator[SimulatorServers]:
    with serving_simulators("--rate-limit", f"{RATE_LIMIT}/60") as running:
        yield running


@pytest.fixture(scope="module")
def strict() -> Iterator[SimulatorServers]:
    with serving_simulators("--strict-accounts") as running:
        yield running


def account_name() -> str:
    return f"native-{uuid.uuid4().hex[:12]}"


def client_for(servers: SimulatorServers, provider: Provider, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=servers.root_url(provider), headers=headers, timeout=10.0)


def outreach_prospect(first_name: str, email: str) -> dict[str, object]:
    return {"data": {"type": "prospect", "attributes": {"firstName": first_name, "emails": [email]}}}


# Outreach ------------------------------------------------------------------------------


def test_outreach_serves_json_api_under_api_v2(servers: SimulatorServers) -> None:
    with client_for(servers, Provider.OUTREACH, account_name()) as outreach:
        created = outreach.post(
            "/api/v2/prospects",
            json=outreach_prospect("Ada", "ada@example.com"),
            headers={"Content-Type": OUTREACH_MEDIA_TYPE},
        )
        fetched = outreach.get(f"/api/v2/prospects/{created.json()['data']['id']}")

    assert created.status_code == 201, created.text
    assert created.headers["content-type"] == OUTREACH_MEDIA_TYPE
    assert fetched.status_code == 200
    assert fetched.headers["content-type"] == OUTREACH_MEDIA_TYPE
    assert fetched.json()["data"]["type"] == "prospect"
    assert fetched.json()["data"]["attributes"]["firstName"] == "Ada"


def test_outreach_accepts_plain_json_bodies(servers: SimulatorServers) -> None:
    with client_for(servers, Provider.OUTREACH, account_name()) as outreach:
        created = outreach.post("/api/v2/prospects", json=outreach_prospect("Grace", "grace@example.com"))

    assert created.status_code == 201, created.text


def test_outreach_rejects_other_body_media_types(servers: SimulatorServers) -> None:
    with client_for(servers, Provider.OUTREACH, account_name()) as outreach:
        response = outreach.post(
            "/api/v2/prospects", content=b"<prospect/>", headers={"Content-Type": "application/xml"}
        )

    assert response.status_code == 415
    assert response.headers["content-type"] == OUTREACH_MEDIA_TYPE
    assert response.json()["errors"][0]["id"] == "unsupportedMediaType"


def test_invalid_json_body_is_400(servers: SimulatorServers) -> None:
    with client_for(servers, Provider.SALESLOFT, account_name()) as salesloft:
        response = salesloft.post("/v2/people", content=b"{not json", headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.json()["error"].startswith("Request body is not valid JSON")


def test_outreach_without_bearer_token_is_401(servers: SimulatorServers) -> None:
    with client_for(servers, Provider.OUTREACH) as outreach:
        response = outreach.get("/api/v2/prospects")

    assert response.status_code == 401
    assert response.json()["errors"][0]["id"] == "unauthorized"


def test_outreach_next_links_use_served_host(servers: SimulatorServers) -> None:
    own_root = servers.root_url(Provider.OUTREACH)
    with client_for(servers, Provider.OUTREACH, account_name()) as outreach:
        for number in range(3):
            outreach.post("/api/v2/prospects", json=outreach_prospect(f"P{number}", f"p{number}@example.com"))
        first = outreach.get(
            "/api/v2/prospects",
            params={"page[size]": "2", "filter[emails]": "p0@example.com,p1@example.com,p2@example.com"},
        )
        next_url = first.json()["links"]["next"]
        second = outreach.get(next_url)

    parts = urlsplit(next_url)
    assert f"{parts.scheme}://{parts.netloc}" == own_root
    assert parts.path == "/api/v2/prospects"
    assert "page[size]=2" in parts.query
    assert "filter[emails]=" in parts.query
    assert [item["attributes"]["firstName"] for item in first.json()["data"]] == ["P0", "P1"]
    assert [item["attributes"]["firstName"] for item in second.json()["data"]] == ["P2"]
    assert "next" not in second.json()["links"]
    assert second.json()["links"]["prev"].startswith(own_root + "/api/v2/prospects?")


def test_outreach_self_links_use_served_host(servers: SimulatorServers) -> None:
    with client_for(servers, Provider.OUTREACH, account_name()) as outreach:
        user = outreach.get("/api/v2/users").json()["data"][0]

    assert user["links"]["self"] == f"{servers.root_url(Provider.OUTREACH)}/api/v2/users/{user['id']}"


def test_outreach_unknown_refresh_token_400(servers: SimulatorServers) -> None:
    grant = {
        "client_id": "id",
        "client_secret": "secret",
        "grant_type": "refresh_token",
        "refresh_token": "never-issued",
    }
    with client_for(servers, Provider.OUTREACH) as outreach:
        response = outreach.post("/oauth/token", json=grant)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_outreach_refresh_rotates_the_refresh_token() -> None:
    account = account_name()
    with (
        serving_control(Provider.OUTREACH) as control,
        httpx.Client(base_url=control.root_url, timeout=10.0) as outreach,
    ):
        refresh_token = control.issue_refresh_token(account)
        grant = {
            "client_id": "id",
            "client_secret": "secret",
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        }
        issued = outreach.post("/oauth/token", json=grant)
        users = outreach.get("/api/v2/users", headers={"Authorization": f"Bearer {issued.json()['access_token']}"})
        reused = outreach.post("/oauth/token", json=grant)
        rotated = outreach.post("/oauth/token", json={**grant, "refresh_token": issued.json()["refresh_token"]})

    assert issued.status_code == 200, issued.text
    assert issued.json()["expires_in"] > 0
    assert users.status_code == 200
    assert [user["attributes"]["firstName"] for user in users.json()["data"]] == [
        user.first_name for user in baseline_users(account)
    ]
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"
    assert rotated.status_code == 200


def test_outreach_refresh_needs_client_credentials(servers: SimulatorServers) -> None:
    with client_for(servers, Provider.OUTREACH) as outreach:
        response = outreach.post("/oauth/token", json={"grant_type": "refresh_token", "refresh_token": "x"})

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


# Salesloft -----------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", ".json"], ids=["bare", "json-suffix"])
def test_salesloft_v2_with_and_without_suffix(servers: SimulatorServers, suffix: str) -> None:
    with client_for(servers, Provider.SALESLOFT, account_name()) as salesloft:
        created = salesloft.post(f"/v2/people{suffix}", json={"email_address": "ada@example.com", "first_name": "Ada"})
        person_id = created.json()["data"]["id"]
        fetched = salesloft.get(f"/v2/people/{person_id}{suffix}")
        listed = salesloft.get(f"/v2/people{suffix}")

    assert created.status_code == 200, created.text
    assert fetched.status_code == 200
    assert fetched.json()["data"]["first_name"] == "Ada"
    assert listed.status_code == 200
    assert set(listed.json()) == {"metadata", "data"}
    assert listed.json()["metadata"]["paging"]["current_page"] == 1


def test_salesloft_reads_bracketed_array_params(servers: SimulatorServers) -> None:
    with client_for(servers, Provider.SALESLOFT, account_name()) as salesloft:
        for name in ("ada", "bob", "eve"):
            salesloft.post("/v2/people", json={"email_address": f"{name}@example.com"})
        found = salesloft.get(
            "/v2/people", params=[("email_addresses[]", "ada@example.com"), ("email_addresses[]", "eve@example.com")]
        )

    assert found.status_code == 200
    assert sorted(person["email_address"] for person in found.json()["data"]) == ["ada@example.com", "eve@example.com"]


def test_salesloft_account_name_filter_is_exact(servers: SimulatorServers) -> None:
    with client_for(servers, Provider.SALESLOFT, account_name()) as salesloft:
        salesloft.post("/v2/accounts", json={"name": "Acme & Sons", "domain": "acme.example"})
        salesloft.post("/v2/accounts", json={"name": "acme & sons", "domain": "acme-lower.example"})
        found = salesloft.get("/v2/accounts", params=[("name[]", "Acme & Sons")])

    assert [company["domain"] for company in found.json()["data"]] == ["acme.example"]


def test_salesloft_json_bodies_and_error_objects(servers: SimulatorServers) -> None:
    with client_for(servers, Provider.SALESLOFT, account_name()) as salesloft:
        missing = salesloft.get("/v2/people/999999")
        invalid = salesloft.post("/v2/people", json={"first_name": "No contact details"})

    assert missing.status_code == 404
    assert missing.json() == {"error": "Not Found"}
    assert invalid.status_code == 422
    assert isinstance(invalid.json()["errors"], dict)


def test_salesloft_hrefs_use_served_host(servers: SimulatorServers) -> None:
    with client_for(servers, Provider.SALESLOFT, account_name()) as salesloft:
        company = salesloft.post("/v2/accounts", json={"name": "Href Co", "domain": "href.example"}).json()["data"]
        person = salesloft.post(
            "/v2/people", json={"email_address": "h@example.com", "account_id": company["id"]}
        ).json()["data"]

    assert person["account"]["_href"] == f"{servers.root_url(Provider.SALESLOFT)}/v2/accounts/{company['id']}"


def test_salesloft_refresh_rotates_the_refresh_token(servers: SimulatorServers) -> None:
    refresh_token = account_name()
    grant = {
        "client_id": "id",
        "client_secret": "secret",
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
    }
    with client_for(servers, Provider.SALESLOFT) as salesloft:
        issued = salesloft.post("/oauth/token", json=grant)
        me = salesloft.get("/v2/me", headers={"Authorization": f"Bearer {issued.json()['access_token']}"})
        reused = salesloft.post("/oauth/token", json=grant)
        rotated = salesloft.post("/oauth/token", json={**grant, "refresh_token": issued.json()["refresh_token"]})

    assert issued.status_code == 200, issued.text
    assert issued.json()["token_type"] == "bearer"
    assert issued.json()["expires_in"] > 0
    assert me.status_code == 200
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"
    assert rotated.status_code == 200


def test_salesloft_without_bearer_token_is_401(servers: SimulatorServers) -> None:
    with client_for(servers, Provider.SALESLOFT) as salesloft:
        response = salesloft.get("/v2/people")

    assert response.status_code == 401
    assert "error" in response.json()


# Apollo --------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["/v1", "/api/v1"])
def test_apollo_api_key_in_get_query(servers: SimulatorServers, prefix: str) -> None:
    with client_for(servers, Provider.APOLLO) as apollo:
        response = apollo.get(f"{prefix}/email_accounts", params={"api_key": account_name()})

    assert response.status_code == 200, response.text
    assert len(response.json()["email_accounts"]) >= 2


@pytest.mark.parametrize("prefix", ["/v1", "/api/v1"])
def test_apollo_api_key_in_post_body(servers: SimulatorServers, prefix: str) -> None:
    api_key = account_name()
    with client_for(servers, Provider.APOLLO) as apollo:
        created = apollo.post(
            f"{prefix}/contacts", json={"api_key": api_key, "first_name": "Ada", "email": "ada@example.com"}
        )
        fetched = apollo.get(f"/v1/contacts/{created.json()['contact']['id']}", params={"api_key": api_key})

    assert created.status_code == 200, created.text
    assert fetched.status_code == 200
    assert fetched.json()["contact"]["email"] == "ada@example.com"


def test_apollo_accounts_are_separated_by_api_key(servers: SimulatorServers) -> None:
    owner, stranger = account_name(), account_name()
    with client_for(servers, Provider.APOLLO) as apollo:
        created = apollo.post("/v1/contacts", json={"api_key": owner, "first_name": "Ada"})
        seen_by_stranger = apollo.get(f"/v1/contacts/{created.json()['contact']['id']}", params={"api_key": stranger})

    assert seen_by_stranger.status_code == 404
    assert "error" in seen_by_stranger.json()


def test_apollo_without_api_key_is_401(servers: SimulatorServers) -> None:
    with client_for(servers, Provider.APOLLO) as apollo:
        response = apollo.post("/v1/contacts/search", json={"page": 1})

    assert response.status_code == 401
    assert "error" in response.json()


# Rate limits ---------------------------------------------------------------------------


def spend_budget(send: Callable[[], httpx.Response], count: int) -> list[httpx.Response]:
    return [send() for _ in range(count)]


def test_outreach_rate_limit_429(limited: SimulatorServers) -> None:
    with client_for(limited, Provider.OUTREACH, account_name()) as outreach:
        answers = spend_budget(lambda: outreach.get("/api/v2/users"), RATE_LIMIT + 1)

    assert [answer.status_code for answer in answers] == [200] * RATE_LIMIT + [429]
    assert answers[0].headers["x-ratelimit-limit"] == str(RATE_LIMIT)
    assert int(answers[-1].headers["retry-after"]) >= 1
    assert answers[-1].headers["x-ratelimit-remaining"] == "0"
    assert answers[-1].headers["content-type"] == OUTREACH_MEDIA_TYPE
    assert answers[-1].json()["errors"][0]["id"] == "rateLimitExceeded"


def test_salesloft_rate_limit_429(limited: SimulatorServers) -> None:
    with client_for(limited, Provider.SALESLOFT, account_name()) as salesloft:
        answers = spend_budget(lambda: salesloft.get("/v2/people"), RATE_LIMIT + 1)

    assert [answer.status_code for answer in answers] == [200] * RATE_LIMIT + [429]
    assert answers[0].headers["x-ratelimit-limit-minute"] == str(RATE_LIMIT)
    assert answers[-1].headers["x-ratelimit-remaining-minute"] == "0"
    assert int(answers[-1].headers["retry-after"]) >= 1
    assert answers[-1].json() == {"error": "Rate limit exceeded"}


def test_apollo_rate_limit_text_429(limited: SimulatorServers) -> None:
    api_key = account_name()
    with client_for(limited, Provider.APOLLO) as apollo:
        answers = spend_budget(lambda: apollo.get("/v1/email_accounts", params={"api_key": api_key}), RATE_LIMIT + 1)

    assert [answer.status_code for answer in answers] == [200] * RATE_LIMIT + [429]
    assert answers[0].headers["x-rate-limit-minute"] == str(RATE_LIMIT)
    assert answers[0].headers["x-minute-requests-left"] == str(RATE_LIMIT - 1)
    assert answers[-1].headers["content-type"].startswith("text/plain")
    assert "per minute" in answers[-1].text
    assert int(answers[-1].headers["retry-after"]) >= 1


def test_rate_limit_budget_is_per_account(limited: SimulatorServers) -> None:
    with client_for(limited, Provider.SALESLOFT, account_name()) as spender:
        spend_budget(lambda: spender.get("/v2/people"), RATE_LIMIT + 1)
    with client_for(limited, Provider.SALESLOFT, account_name()) as other:
        response = other.get("/v2/people")

    assert response.status_code == 200


# Strict accounts -----------------------------------------------------------------------


def test_strict_outreach_rejects_unknown_token(strict: SimulatorServers) -> None:
    with client_for(strict, Provider.OUTREACH, account_name()) as outreach:
        response = outreach.get("/api/v2/prospects")

    assert response.status_code == 401
    assert response.json()["errors"][0]["id"] == "unauthorized"


def test_strict_salesloft_rejects_unknown_token(strict: SimulatorServers) -> None:
    with client_for(strict, Provider.SALESLOFT, account_name()) as salesloft:
        response = salesloft.get("/v2/people.json")

    assert response.status_code == 401
    assert "error" in response.json()


def test_strict_salesloft_rejects_unknown_refresh_token(strict: SimulatorServers) -> None:
    grant = {
        "client_id": "id",
        "client_secret": "secret",
        "grant_type": "refresh_token",
        "refresh_token": account_name(),
    }
    with client_for(strict, Provider.SALESLOFT) as salesloft:
        response = salesloft.post("/oauth/token", json=grant)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_strict_apollo_rejects_unknown_api_key(strict: SimulatorServers) -> None:
    with client_for(strict, Provider.APOLLO) as apollo:
        response = apollo.get("/v1/email_accounts", params={"api_key": account_name()})

    assert response.status_code == 401
    assert "error" in response.json()
