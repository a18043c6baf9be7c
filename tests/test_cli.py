"""The ``serve`` command as a user runs it: a real process on a free loopback port."""

from __future__ import annotations

import httpx

from conftest import BASE_PATH, ServerProcess, free_port, unified_headers


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
