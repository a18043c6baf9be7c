"""The ``serve`` command as a user runs it: a real process on a free loopback port."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from types import SimpleNamespace

import httpx
import pytest

from conftest import API_KEY, BASE_PATH, ServerProcess, free_port, unified_headers
from mock_server.cli import http_backends
from mock_server.connections import application_id_for
from mock_server.protocol import JsonErrorH11Protocol
from mock_server.providers import Provider


def test_serve_prints_url_and_key_and_answers() -> None:
    port = free_port()
    server = ServerProcess(["serve", "--port", str(port), "--log-level", "info"], port, f"{BASE_PATH}/openapi.json").start()
    try:
        response = httpx.get(f"{server.base_url}{BASE_PATH}/users", headers=unified_headers("salesloft"), timeout=10)
        assert response.status_code == 200
    finally:
        server.stop()
    assert server.process is not None
    assert server.process.returncode == 0
    assert f"http://127.0.0.1:{port}{BASE_PATH}" in server.output
    assert "Sandbox API key: sandbox-api-key" in server.output
    assert "provider=salesloft" in server.output
    assert f"GET {BASE_PATH}/users 200" in server.output


def raw_exchange(port: int, request: bytes) -> bytes:
    """Send raw bytes to 127.0.0.1:``port`` and return everything read until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received


@pytest.mark.parametrize("request_bytes", [b"HELLO\r\n\r\n", b"GET / HTTP/1.1\r\nBad Header Line\r\n\r\n"])
def test_unparsable_request_gets_json_400(request_bytes: bytes) -> None:
    port = free_port()
    server = ServerProcess(["serve", "--port", str(port)], port, f"{BASE_PATH}/openapi.json").start()
    try:
        raw = raw_exchange(port, request_bytes)
        after = httpx.get(f"{server.base_url}{BASE_PATH}/users", headers=unified_headers("outreach"), timeout=10)
    finally:
        server.stop()
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b"content-type: application/json" in head.lower()
    error = json.loads(body)["errors"][0]
    assert error["code"] == "BAD_REQUEST"
    assert error["status"] == "400"
    assert error["title"] == "Invalid HTTP request"
    assert after.status_code == 200


def test_h11_protocol_sends_json_400() -> None:
    written: list[bytes] = []

    class Transport:
        closed = False

        def write(self, data: bytes) -> None:
            written.append(data)

        def close(self) -> None:
            self.closed = True

    protocol = JsonErrorH11Protocol.__new__(JsonErrorH11Protocol)
    protocol.transport = Transport()
    protocol.server_state = SimpleNamespace(default_headers=[(b"server", b"uvicorn")])
    protocol.send_400_response("Invalid HTTP request received.")

    head, _, body = b"".join(written).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 Bad Request")
    assert b"server: uvicorn" in head
    assert f"content-length: {len(body)}".encode() in head
    assert json.loads(body)["errors"][0]["detail"].startswith("The server could not parse the request: Invalid HTTP")
    assert protocol.transport.closed


def test_serve_with_custom_keys_rejects_default_key() -> None:
    port = free_port()
    server = ServerProcess(
        ["serve", "--port", str(port), "--api-key", "key-one", "--api-key", "key-two"], port, f"{BASE_PATH}/openapi.json"
    ).start()
    try:
        headers = unified_headers("outreach")
        default = httpx.get(f"{server.base_url}{BASE_PATH}/users", headers=headers, timeout=10)
        second = httpx.get(f"{server.base_url}{BASE_PATH}/users", headers={**headers, "x-api-key": "key-two"}, timeout=10)
    finally:
        server.stop()
    assert default.status_code == 401
    assert second.status_code == 200


def test_serve_over_http_to_simulators() -> None:
    sim_port = free_port()
    while any(port_in_use(sim_port + offset) for offset in (1, 2)):
        sim_port = free_port()
    simulators = ServerProcess(["sim", "serve", "--provider", "all", "--port", str(sim_port)], sim_port, "/v1/users/search").start()
    urls = {"apollo": sim_port, "outreach": sim_port + 1, "salesloft": sim_port + 2}
    port = free_port()
    options = [option for name, sim in urls.items() for option in ("--provider-url", f"{name}=http://127.0.0.1:{sim}")]
    server = ServerProcess(["serve", "--port", str(port), *options], port, f"{BASE_PATH}/openapi.json").start()
    try:
        for provider in urls:
            headers = unified_headers(provider)
            body = {"record": {"last_name": "Wire", "email_addresses": [{"email_address": "wire@example.com", "email_address_type": "primary"}]}}
            created = httpx.post(f"{server.base_url}{BASE_PATH}/contacts", json=body, headers=headers, timeout=10)
            assert created.status_code == 201, created.text
            contact_id = created.json()["record"]["id"]
            fetched = httpx.get(f"{server.base_url}{BASE_PATH}/contacts/{contact_id}", headers=headers, timeout=10)
            assert fetched.status_code == 200, fetched.text
            assert fetched.json()["last_name"] == "Wire"
            # The record lives in the simulator process, not in the unified server.
            native = native_contact(provider, urls[provider], headers["x-customer-id"], contact_id)
            assert native.status_code == 200, native.text
    finally:
        server.stop()
        simulators.stop()
    for provider, sim in urls.items():
        assert f"{provider} over HTTP at http://127.0.0.1:{sim}" in server.output


def native_contact(provider: str, port: int, customer: str, contact_id: str) -> httpx.Response:
    account = f"{application_id_for(API_KEY)}:{customer}"
    base = f"http://127.0.0.1:{port}"
    if provider == "apollo":
        return httpx.get(f"{base}/v1/contacts/{contact_id}", params={"api_key": account}, timeout=10)
    path = f"/api/v2/prospects/{contact_id}" if provider == "outreach" else f"/v2/people/{contact_id}"
    return httpx.get(base + path, headers={"Authorization": f"Bearer {account}"}, timeout=10)


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_provider_url_rejects_unknown_provider() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "mock_server", "serve", "--provider-url", "hubspot=http://127.0.0.1:1"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert completed.returncode == 2
    assert "unknown provider 'hubspot'" in completed.stderr


def test_http_backends_read_credentials_from_environment() -> None:
    environ = {"ENGAGEMENT_MOCK_OUTREACH_TOKEN": "secret-token", "ENGAGEMENT_MOCK_OUTREACH_REFRESH_TOKEN": "refresh"}
    backends = http_backends([(Provider.OUTREACH, "https://vendor.invalid")], environ)
    backend = backends[Provider.OUTREACH]
    assert backend.token == "secret-token"
    assert backend.refresh_token == "refresh"
    assert backend.api_key is None
    assert "secret-token" not in repr(backend)


@pytest.mark.parametrize(
    "arguments",
    [
        ["serve", "--port", "99999"],
        ["serve", "--flush-interval", "nan"],
        ["serve", "--retry-factor", "nan"],
        ["sim", "serve", "--provider", "all", "--rate-limit", "x"],
        ["sim", "serve", "--provider", "all", "--port", "abc"],
    ],
)
def test_invalid_options_are_usage_errors(arguments: list[str]) -> None:
    completed = subprocess.run([sys.executable, "-m", "mock_server", *arguments], capture_output=True, text=True, timeout=30)
    assert completed.returncode == 2
    assert "error: argument" in completed.stderr
    assert "Traceback" not in completed.stderr
