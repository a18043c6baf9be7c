"""Retries, ``Retry-After``, token refresh and network failures of the HTTP transport.

The unified app runs in process, behind Connexion's test client. Its adapters reach
simulators served by child processes: ``python -m providers_sim serve`` with
``--rate-limit`` or ``--strict-accounts``, and ``tests.native_http.control_server`` where a
test issues refresh tokens or delays requests.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

import mock_server.transport as transport_module
from conftest import API_KEY, BASE_PATH
from mock_server.adapters.base import RetryPolicy
from mock_server.app import create_app
from mock_server.errors import RemoteProviderError
from mock_server.providers import Provider
from mock_server.settings import HttpBackend, Settings
from providers_sim.outreach.baseline import baseline_users as outreach_baseline
from providers_sim.salesloft.users import baseline_users as salesloft_baseline

from .servers import ControlServer, SimulatorServers, free_port_run, serving_control, serving_simulators

# The limited simulators allow two requests per account in a 2-second window (Apollo: per
# minute), so a third request within the window gets a Retry-After of 1 or 2 seconds.
RATE_LIMIT = "2/2"
# Honour a Retry-After of up to 3 s.
PATIENT = RetryPolicy(attempts=3, base=0.01, factor=2.0, cap=3.0)
# Give up fast: Retry-After is capped to 50 ms.
IMPATIENT = RetryPolicy(attempts=2, base=0.01, factor=2.0, cap=0.05)
CLIENT_ID = "client-id-for-tests"
CLIENT_SECRET = "client-secret-9b1f2c"
REFRESH_LOG = "Refreshed the access token"
RETRY_LOG = "responded 429; retrying"


@pytest.fixture(scope="module")
def limited() -> Iterator[SimulatorServers]:
    with serving_simulators("--rate-limit", RATE_LIMIT) as running:
        yield running


@pytest.fixture(scope="module")
def strict() -> Iterator[SimulatorServers]:
    with serving_simulators("--strict-accounts") as running:
        yield running


@pytest.fixture(scope="module")
def outreach_control() -> Iterator[ControlServer]:
    with serving_control(Provider.OUTREACH) as running:
        yield running


@pytest.fixture(scope="module")
def salesloft_control() -> Iterator[ControlServer]:
    with serving_control(Provider.SALESLOFT) as running:
        yield running


@pytest.fixture
def control(request: pytest.FixtureRequest, provider: Provider) -> ControlServer:
    return request.getfixturevalue(f"{provider.value}_control")  # type: ignore[no-any-return]


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


class Unified:
    """The unified app, served in process, for one customer of one provider."""

    def __init__(self, settings: Settings, provider: Provider) -> None:
        self.app = create_app(settings)
        self.client = TestClient(self.app)
        self.headers = {
            "x-api-key": API_KEY,
            "x-customer-id": f"customer-{uuid.uuid4().hex[:12]}",
            "x-provider-name": provider.value,
        }

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.request(method, BASE_PATH + path, headers=self.headers, **kwargs)

    def close(self) -> None:
        self.client.close()
        self.app.app.config["SANDBOX"].close()


@pytest.fixture
def opened() -> Iterator[list[Unified]]:
    apps: list[Unified] = []
    yield apps
    for app in apps:
        app.close()


def unified(opened: list[Unified], provider: Provider, backend: HttpBackend, retry: RetryPolicy = PATIENT) -> Unified:
    app = Unified(Settings(http_backends={provider: backend}, retry=retry), provider)
    opened.append(app)
    return app


def first_error(response: httpx.Response) -> dict[str, Any]:
    return response.json()["errors"][0]  # type: ignore[no-any-return]


def log_lines(caplog: pytest.LogCaptureFixture, fragment: str) -> list[str]:
    return [record.getMessage() for record in caplog.records if fragment in record.getMessage()]


# 429 and Retry-After -------------------------------------------------------------------


@pytest.mark.parametrize("provider", [Provider.OUTREACH, Provider.SALESLOFT], ids=str)
def test_list_waits_retry_after_then_succeeds(
    limited: SimulatorServers, opened: list[Unified], logs: pytest.LogCaptureFixture, provider: Provider
) -> None:
    app = unified(opened, provider, HttpBackend(limited.root_url(provider)))
    spent = [app.call("GET", "/contacts").status_code for _ in range(2)]

    started = time.monotonic()
    response = app.call("GET", "/contacts")
    waited = time.monotonic() - started

    retries = log_lines(logs, RETRY_LOG)
    assert spent == [200, 200]
    assert response.status_code == 200, response.text
    assert len(retries) == 1
    assert re.fullmatch(rf"{provider.value} responded 429; retrying in [12]\.000 s \(retry 1 of 3\)", retries[0])
    assert waited >= float(retries[0].split("retrying in ")[1].split(" s")[0])


@pytest.mark.parametrize("provider", [Provider.OUTREACH, Provider.SALESLOFT], ids=str)
def test_list_429_after_last_retry(
    limited: SimulatorServers, opened: list[Unified], logs: pytest.LogCaptureFixture, provider: Provider
) -> None:
    app = unified(opened, provider, HttpBackend(limited.root_url(provider)), IMPATIENT)
    for _ in range(2):
        app.call("GET", "/contacts")

    response = app.call("GET", "/contacts")

    assert response.status_code == 429, response.text
    assert first_error(response)["code"] == "TOO_MANY_REQUESTS_ERROR"
    assert first_error(response)["title"] == "Encountered provider rate limiting."
    assert len(log_lines(logs, RETRY_LOG)) == IMPATIENT.attempts


def test_apollo_contact_read_retries_429(
    limited: SimulatorServers, opened: list[Unified], logs: pytest.LogCaptureFixture
) -> None:
    app = unified(opened, Provider.APOLLO, HttpBackend(limited.root_url(Provider.APOLLO)), IMPATIENT)
    record = {
        "first_name": "Ada",
        "email_addresses": [{"email_address": "ada@example.com", "email_address_type": "primary"}],
    }
    contact_id = app.call("POST", "/contacts", json={"record": record}).json()["record"]["id"]
    app.call("POST", "/contacts", json={"record": record})

    refused_write = app.call("POST", "/contacts", json={"record": record})
    writes_retried = len(log_lines(logs, RETRY_LOG))
    refused_read = app.call("GET", f"/contacts/{contact_id}")

    assert refused_write.status_code == 429
    assert first_error(refused_write)["title"] == "Encountered Apollo rate limiting"
    assert writes_retried == 0
    assert refused_read.status_code == 429
    assert first_error(refused_read)["title"] == "Encountered Apollo rate limiting."
    assert len(log_lines(logs, RETRY_LOG)) == IMPATIENT.attempts


# OAuth token refresh -------------------------------------------------------------------


def refreshing_backend(server: ControlServer, refresh_token: str) -> HttpBackend:
    return HttpBackend(server.root_url, refresh_token=refresh_token, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)


def baseline_first_names(provider: Provider, account: str) -> list[str]:
    if provider is Provider.OUTREACH:
        return [user.first_name for user in outreach_baseline(account)]
    return [str(user["first_name"]) for user in salesloft_baseline(account, "2024-01-01T00:00:00.000000+00:00")]


@pytest.mark.parametrize("provider", [Provider.OUTREACH, Provider.SALESLOFT], ids=str)
def test_token_refreshed_first_and_near_expiry(
    control: ControlServer,
    opened: list[Unified],
    logs: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    provider: Provider,
) -> None:
    account = f"refresh-{uuid.uuid4().hex[:8]}"
    app = unified(opened, provider, refreshing_backend(control, control.issue_refresh_token(account)))

    first = app.call("GET", "/users")
    refreshed_first = len(log_lines(logs, REFRESH_LOG))
    second = app.call("GET", "/users")
    refreshed_second = len(log_lines(logs, REFRESH_LOG))
    # A token that expires in two hours is now inside the refresh margin.
    monkeypatch.setattr(transport_module, "REFRESH_MARGIN_SECONDS", 3 * 3600)
    third = app.call("GET", "/users")

    assert first.status_code == 200, first.text
    assert [user["first_name"] for user in first.json()["records"]] == baseline_first_names(provider, account)
    assert refreshed_first == 1
    assert second.status_code == 200
    assert refreshed_second == 1
    assert third.status_code == 200, third.text
    assert len(log_lines(logs, REFRESH_LOG)) == 2


def used_refresh_token(server: ControlServer) -> str:
    """Return a refresh token that the simulator issued and that was already exchanged."""
    refresh_token = server.issue_refresh_token(f"used-{uuid.uuid4().hex[:8]}")
    grant = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
    }
    assert httpx.post(f"{server.root_url}/oauth/token", json=grant).status_code == 200
    return refresh_token


@pytest.mark.parametrize("provider", [Provider.OUTREACH, Provider.SALESLOFT], ids=str)
def test_dead_refresh_token_is_500(control: ControlServer, opened: list[Unified], provider: Provider) -> None:
    app = unified(opened, provider, refreshing_backend(control, used_refresh_token(control)))

    response = app.call("GET", "/contacts")

    assert response.status_code == 500, response.text
    assert first_error(response)["code"] == "SG_CONNECTION_NO_LONGER_AUTHENTICATED_ERROR"
    assert first_error(response)["status"] == "401"
    assert first_error(response)["title"] == "Unable to refresh access token. Refresh token invalid."


# Network failures ----------------------------------------------------------------------


@pytest.mark.parametrize("provider", list(Provider), ids=str)
def test_unreachable_provider_is_499_502(
    opened: list[Unified], logs: pytest.LogCaptureFixture, provider: Provider
) -> None:
    nobody_listens = f"http://127.0.0.1:{free_port_run(1)}"
    app = unified(opened, provider, HttpBackend(nobody_listens, timeout=2.0))

    response = app.call("GET", "/contacts")

    assert response.status_code == 499, response.text
    assert first_error(response)["code"] == "REMOTE_PROVIDER_ERROR"
    assert first_error(response)["status"] == "502"
    assert first_error(response)["meta"]["origin"] == "remote-provider"
    assert len(log_lines(logs, "failed (ConnectError); retry")) == 2


def test_slow_provider_is_499_504(
    outreach_control: ControlServer, opened: list[Unified], logs: pytest.LogCaptureFixture
) -> None:
    app = unified(opened, Provider.OUTREACH, HttpBackend(outreach_control.root_url, timeout=0.3))
    outreach_control.stall(1.5)

    started = time.monotonic()
    slow = app.call("GET", "/contacts")
    waited = time.monotonic() - started
    after_stall = app.call("GET", "/contacts")

    assert slow.status_code == 499, slow.text
    assert first_error(slow)["status"] == "504"
    assert (
        first_error(slow)["title"]
        == f"The request to the provider at {outreach_control.root_url} timed out after 0.3 s"
    )
    assert waited < 1.2
    assert log_lines(logs, "timed out")
    assert after_stall.status_code == 200


# Secrets -------------------------------------------------------------------------------

SECRET_TOKEN = "tok-5ecr3t-a1b2c3d4e5"
SECRET_API_KEY = "key-5ecr3t-f6e7d8c9b0"
SECRET_REFRESH = "rt-5ecr3t-0a9b8c7d6e"
SECRETS = (SECRET_TOKEN, SECRET_API_KEY, SECRET_REFRESH, CLIENT_SECRET)


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


@pytest.mark.parametrize("provider", list(Provider), ids=str)
def test_rejected_credentials_never_shown(
    strict: SimulatorServers, opened: list[Unified], logs: pytest.LogCaptureFixture, provider: Provider
) -> None:
    backend = HttpBackend(strict.root_url(provider), token=SECRET_TOKEN, api_key=SECRET_API_KEY)
    app = unified(opened, provider, backend)

    answers = [app.call("GET", "/contacts/1"), app.call("GET", "/contacts", params={"page_size": "5"})]
    answers.append(app.call("POST", "/contacts", json={"record": {"first_name": "Ada"}}))

    assert [answer.status_code for answer in answers] != [200, 200, 201]
    assert all(answer.status_code >= 400 for answer in answers)
    for answer in answers:
        assert_no_secret(answer.text)
    assert logs.records
    assert_no_secret(logs.text)


def test_apollo_key_redacted_in_httpx_log(
    strict: SimulatorServers, opened: list[Unified], logs: pytest.LogCaptureFixture
) -> None:
    backend = HttpBackend(strict.root_url(Provider.APOLLO), api_key=SECRET_API_KEY)
    app = unified(opened, Provider.APOLLO, backend)

    app.call("GET", "/contacts/abc")

    request_lines = [
        record.getMessage()
        for record in logs.records
        if record.name == "httpx" and "/v1/contacts/abc" in record.getMessage()
    ]
    assert request_lines
    assert all("api_key=<redacted>" in line for line in request_lines)
    assert_no_secret(logs.text)


@pytest.mark.parametrize("provider", [Provider.OUTREACH, Provider.SALESLOFT], ids=str)
def test_refresh_secrets_never_shown(
    control: ControlServer, opened: list[Unified], logs: pytest.LogCaptureFixture, provider: Provider
) -> None:
    app = unified(opened, provider, refreshing_backend(control, SECRET_REFRESH))

    response = app.call("GET", "/users")

    # Outreach rejects a refresh token it never issued; Salesloft's sandbox opens an account for it.
    assert response.status_code == {Provider.OUTREACH: 500, Provider.SALESLOFT: 200}[provider], response.text
    assert_no_secret(response.text)
    assert_no_secret(logs.text)


class HangUpServer:
    """A loopback TCP server that reads each request and closes the connection without a response."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.requests: list[bytes] = []
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            connection, _ = self.listener.accept()
            if self.stopping:
                connection.close()
                return
            with connection:
                connection.settimeout(2)
                received = b""
                try:
                    while b"\r\n\r\n" not in received:
                        chunk = connection.recv(4096)
                        if not chunk:
                            break
                        received += chunk
                except OSError:
                    pass
                self.requests.append(received)

    def close(self) -> None:
        # accept() does not return when the socket closes, so a last connection wakes it.
        self.stopping = True
        socket.create_connection(self.listener.getsockname(), timeout=2).close()
        self.thread.join(5)
        self.listener.close()


@pytest.fixture
def hang_up() -> Iterator[HangUpServer]:
    server = HangUpServer()
    yield server
    server.close()


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_broken_create_not_repeated(hang_up: HangUpServer, logs: pytest.LogCaptureFixture, method: str) -> None:
    transport = transport_module.HttpTransport(HttpBackend(hang_up.url, token="t", timeout=2.0), backoff=0.01)
    try:
        with pytest.raises(RemoteProviderError) as raised:
            transport.request(method, "/api/v2/prospects", json={"data": {"type": "prospect"}})
    finally:
        transport.close()

    assert len(hang_up.requests) == 1
    assert raised.value.http_status == 499
    assert "may or may not have taken effect" in raised.value.title
    assert log_lines(logs, "not retried")


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_broken_read_retried(hang_up: HangUpServer, method: str) -> None:
    transport = transport_module.HttpTransport(HttpBackend(hang_up.url, token="t", timeout=2.0), backoff=0.01)
    try:
        with pytest.raises(RemoteProviderError):
            transport.request(method, "/api/v2/prospects/1", json={} if method == "PUT" else None)
    finally:
        transport.close()

    assert len(hang_up.requests) == 3
