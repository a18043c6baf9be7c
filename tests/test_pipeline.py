"""The request pipeline: authentication, tenancy, routing and parameter validation."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator
from starlette.testclient import TestClient

from conftest import API_KEY, BASE_PATH, unified_headers
from mock_server.app import create_app, load_spec
from mock_server.connections import application_id_for
from mock_server.settings import Settings

SPEC = load_spec()


def errors_validator() -> OAS30Validator:
    schema = {"type": "object", "properties": {"errors": {"$ref": "#/components/schemas/errors"}}, "required": ["errors"]}
    return OAS30Validator({**schema, "components": SPEC["components"]})


ERRORS = errors_validator()


@pytest.fixture
def client() -> Iterator[TestClient]:
    with create_app(Settings()).test_client() as test_client:
        yield test_client


def assert_error(response: Any, status: int, code: str, title: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    ERRORS.validate(body)
    item = body["errors"][0]
    assert item["problem_type"] == code
    assert item["code"] == code
    if title is not None:
        assert item["title"] == title
    return item


def test_missing_api_key_is_401(client: TestClient) -> None:
    headers = unified_headers("outreach")
    del headers["x-api-key"]
    assert_error(client.get(f"{BASE_PATH}/accounts", headers=headers), 401, "UNAUTHORIZED_ERROR", "x-api-key header must be set")


def test_unknown_api_key_is_401(client: TestClient) -> None:
    headers = {**unified_headers("outreach"), "x-api-key": "not-a-key"}
    response = client.get(f"{BASE_PATH}/accounts", headers=headers)
    assert_error(response, 401, "UNAUTHORIZED_ERROR", "Can't find application by api key")


@pytest.mark.parametrize("missing", ["x-customer-id", "x-provider-name"])
def test_missing_tenant_header_is_401(client: TestClient, missing: str) -> None:
    headers = unified_headers("outreach")
    del headers[missing]
    response = client.get(f"{BASE_PATH}/accounts", headers=headers)
    assert_error(response, 401, "UNAUTHORIZED_ERROR", "x-customer-id and x-provider-name headers must be set")


def test_auth_is_checked_before_validation(client: TestClient) -> None:
    response = client.post(f"{BASE_PATH}/accounts", json={"no": "record"}, headers={"x-api-key": "wrong"})
    assert_error(response, 401, "UNAUTHORIZED_ERROR")


def test_unknown_provider_is_404_with_reference_message(client: TestClient) -> None:
    headers = unified_headers("salesforce", customer="acme")
    application_id = application_id_for(API_KEY)
    expected = (
        f"Connection not found for customer: {application_id}:acme and application: {application_id} "
        "and provider: salesforce"
    )
    assert_error(client.get(f"{BASE_PATH}/accounts", headers=headers), 404, "NOT_FOUND_ERROR", expected)


def test_header_names_match_in_any_case(client: TestClient) -> None:
    headers = {"X-API-KEY": API_KEY, "X-Customer-Id": "case-test", "X-PROVIDER-NAME": "outreach"}
    assert client.get(f"{BASE_PATH}/users", headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/accounts/1", "GET, PATCH"),
        ("PATCH", "/sequences/1", "GET"),
        ("POST", "/users", "GET"),
        ("PATCH", "/sequence_states/1", "GET"),
        ("PUT", "/mailboxes", "GET"),
    ],
)
def test_undefined_method_is_405_with_allow(client: TestClient, method: str, path: str, allowed: str) -> None:
    response = client.request(method, f"{BASE_PATH}{path}", headers=unified_headers("outreach"))
    assert_error(response, 405, "METHOD_NOT_ALLOWED_ERROR")
    assert response.headers["allow"] == allowed


def test_unknown_path_is_404(client: TestClient) -> None:
    response = client.get(f"{BASE_PATH}/opportunities", headers=unified_headers("outreach"))
    assert_error(response, 404, "NOT_FOUND_ERROR")


@pytest.mark.parametrize("path", ["/contacts%2F1", "/contacts%2f1", "/contacts/1%2F2"])
def test_encoded_slash_is_404(client: TestClient, path: str) -> None:
    headers = unified_headers("outreach")
    created = client.post(f"{BASE_PATH}/contacts", json={"record": {"first_name": "Slash"}}, headers=headers)
    assert created.json()["record"]["id"] == "1"
    response = client.get(BASE_PATH + path, headers=headers)
    assert_error(response, 404, "NOT_FOUND_ERROR")


@pytest.mark.parametrize(("method", "path"), [("POST", "/_admin%2Fsync"), ("GET", "/_admin%2Fsnapshot")])
def test_encoded_slash_outside_api_is_404(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, headers=unified_headers("outreach"))
    assert_error(response, 404, "NOT_FOUND_ERROR")


def test_trailing_slash_is_the_same_path(client: TestClient) -> None:
    headers = {**unified_headers("outreach"), "host": "elsewhere.example"}
    created = client.post(f"{BASE_PATH}/contacts/", json={"record": {"first_name": "Trail"}}, headers=headers)
    assert created.status_code == 201, created.text
    contact_id = created.json()["record"]["id"]
    read = client.get(f"{BASE_PATH}/contacts/{contact_id}/", headers=headers, follow_redirects=False)
    assert read.status_code == 200, read.text
    assert read.json()["first_name"] == "Trail"
    listed = client.get(f"{BASE_PATH}/contacts/", headers=headers, follow_redirects=False)
    assert listed.status_code == 200
    assert [record["id"] for record in listed.json()["records"]] == [contact_id]


def test_oversized_headers_are_400(client: TestClient) -> None:
    headers = {**unified_headers("outreach"), "x-padding": "p" * 20_000}
    response = client.get(f"{BASE_PATH}/users", headers=headers)
    assert_error(response, 400, "VALIDATION_ERROR")
    assert response.json()["errors"][0]["meta"]["source"]["pointer"] == "/headers"
    just_under = {**unified_headers("outreach"), "x-padding": "p" * 15_000}
    assert client.get(f"{BASE_PATH}/users", headers=just_under).status_code == 200


def test_unknown_query_parameter_is_400(client: TestClient) -> None:
    response = client.get(f"{BASE_PATH}/accounts?colour=blue", headers=unified_headers("outreach"))
    item = assert_error(response, 400, "VALIDATION_ERROR")
    assert item["meta"]["source"]["pointer"] == "/query/colour"


def test_modified_after_on_search_is_unknown_parameter(client: TestClient) -> None:
    response = client.post(
        f"{BASE_PATH}/accounts/_search?modified_after=2023-01-01T00:00:00Z",
        json={"filter": {"name": "x"}},
        headers=unified_headers("outreach"),
    )
    item = assert_error(response, 400, "VALIDATION_ERROR")
    assert item["meta"]["source"]["pointer"] == "/query/modified_after"


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1001", "1.5", "", " 10"])
def test_invalid_page_size_is_400(client: TestClient, value: str) -> None:
    response = client.get(f"{BASE_PATH}/accounts", params={"page_size": value}, headers=unified_headers("outreach"))
    item = assert_error(response, 400, "VALIDATION_ERROR")
    assert item["meta"]["source"]["pointer"] == "/query/page_size"
    assert "1 to 1000" in item["detail"]


def test_page_size_at_maximum_is_accepted(client: TestClient) -> None:
    response = client.get(f"{BASE_PATH}/accounts", params={"page_size": "1000"}, headers=unified_headers("outreach"))
    assert response.status_code == 200, response.text


def test_repeated_query_parameter_is_400(client: TestClient) -> None:
    response = client.get(f"{BASE_PATH}/accounts?page_size=1&page_size=2", headers=unified_headers("outreach"))
    assert_error(response, 400, "VALIDATION_ERROR")


@pytest.mark.parametrize("value", ["TRUE", "False", "true"])
def test_boolean_accepts_any_letter_case(client: TestClient, value: str) -> None:
    response = client.get(f"{BASE_PATH}/users", params={"include_raw_data": value}, headers=unified_headers("outreach"))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("value", ["yes", "1", "", "truth"])
def test_invalid_boolean_is_400(client: TestClient, value: str) -> None:
    response = client.get(f"{BASE_PATH}/users", params={"include_raw_data": value}, headers=unified_headers("outreach"))
    item = assert_error(response, 400, "VALIDATION_ERROR")
    assert item["meta"]["source"]["pointer"] == "/query/include_raw_data"


@pytest.mark.parametrize("value", ["2023-01-01", "2023-01-01T00:00:00", "yesterday", "2023-02-30T00:00:00Z"])
def test_invalid_modified_after_is_400(client: TestClient, value: str) -> None:
    response = client.get(f"{BASE_PATH}/accounts", params={"modified_after": value}, headers=unified_headers("outreach"))
    item = assert_error(response, 400, "VALIDATION_ERROR")
    assert item["meta"]["source"]["pointer"] == "/query/modified_after"


def test_missing_record_names_pointer(client: TestClient) -> None:
    response = client.post(f"{BASE_PATH}/accounts", json={}, headers=unified_headers("outreach"))
    item = assert_error(response, 400, "VALIDATION_ERROR")
    assert item["meta"]["source"]["pointer"] == "/body/record"


def test_wrong_field_type_names_pointer(client: TestClient) -> None:
    response = client.post(f"{BASE_PATH}/accounts", json={"record": {"name": 5}}, headers=unified_headers("outreach"))
    item = assert_error(response, 400, "VALIDATION_ERROR")
    assert item["meta"]["source"]["pointer"] == "/body/record/name"


def test_invalid_json_body_is_400(client: TestClient) -> None:
    headers = {**unified_headers("outreach"), "content-type": "application/json"}
    response = client.post(f"{BASE_PATH}/accounts", content=b"{not json", headers=headers)
    item = assert_error(response, 400, "VALIDATION_ERROR")
    assert item["meta"]["source"]["pointer"] == "/body"


@pytest.mark.parametrize("cursor", ["%%%", "bm90IGpzb24", "eyJpZCI6bnVsbH0", "eyJmb28iOjF9"])
def test_malformed_cursor_is_400_bad_request(client: TestClient, cursor: str) -> None:
    response = client.get(f"{BASE_PATH}/accounts", params={"cursor": cursor}, headers=unified_headers("outreach"))
    item = assert_error(response, 400, "BAD_REQUEST")
    assert "cursor" in item["title"].lower()


def test_strict_connections_reject_undeclared(client: TestClient) -> None:
    with create_app(Settings(strict_connections=True)).test_client() as strict:
        response = strict.get(f"{BASE_PATH}/accounts", headers=unified_headers("outreach", customer="c1"))
    assert_error(response, 404, "NOT_FOUND_ERROR")
    assert response.json()["errors"][0]["title"].startswith("Connection not found for customer:")


def test_swagger_ui_is_served(client: TestClient) -> None:
    response = client.get(f"{BASE_PATH}/ui/")
    assert response.status_code == 200
    assert "swagger" in response.text.lower()


def test_one_log_line_per_request(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    headers = unified_headers("outreach", customer="log-check")
    with caplog.at_level(logging.INFO, logger="mock_server.requests"):
        client.get(f"{BASE_PATH}/users", headers=headers)
    lines = [record.getMessage() for record in caplog.records if record.name == "mock_server.requests"]
    assert len(lines) == 1
    line = lines[0]
    assert "provider=outreach" in line
    assert "customer=log-check" in line
    assert f"GET {BASE_PATH}/users 200" in line
    assert line.endswith("ms")
    assert API_KEY not in caplog.text
