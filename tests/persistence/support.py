"""Helpers of the persistence tests: servers on a data file, and unified calls to them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from conftest import API_KEY, BASE_PATH, ROOT, ServerProcess, free_port


def start_server(data_file: Path, *extra: str, flush_interval: float = 60.0) -> ServerProcess:
    """Serve the sandbox on a free loopback port with ``--data-file``."""
    port = free_port()
    args = [
        "serve",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--data-file",
        str(data_file),
        "--flush-interval",
        str(flush_interval),
        *extra,
    ]
    return ServerProcess(args, port, f"{BASE_PATH}/openapi.json").start()


def headers(provider: str, customer: str = "persisted") -> dict[str, str]:
    return {"x-api-key": API_KEY, "x-customer-id": customer, "x-provider-name": provider}


def create_account(server: ServerProcess, provider: str, name: str, timeout: float = 10.0) -> str:
    """Create an account through the unified API and return its id."""
    response = httpx.post(
        server.base_url + BASE_PATH + "/accounts",
        json={"record": {"name": name, "domain": f"{name.lower()}.example"}},
        headers=headers(provider),
        timeout=timeout,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["record"]["id"])


def account_names(server: ServerProcess, provider: str) -> list[str]:
    """Return the names of every account of the connection, in list order."""
    names: list[str] = []
    params: dict[str, Any] = {"page_size": 100}
    while True:
        response = httpx.get(server.base_url + BASE_PATH + "/accounts", params=params, headers=headers(provider))
        assert response.status_code == 200, response.text
        body = response.json()
        names.extend(record["name"] for record in body["records"])
        if body["pagination"]["next"] is None:
            return names
        params["cursor"] = body["pagination"]["next"]


def stored_account_names(data_file: Path, provider: str) -> list[str]:
    """Read the account names of every ``<provider>/.../accounts`` table straight from the file."""
    data = json.loads(data_file.read_text(encoding="utf-8"))
    names = []
    for table_name, table in data.items():
        if table_name.startswith(provider + "/") and table_name.endswith("/accounts"):
            for key in sorted(table, key=int):
                document = table[key]
                attributes = document.get("attributes", document)
                if "name" in attributes:
                    names.append(attributes["name"])
    return names


def run_command(*args: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    """Run ``python -m mock_server ARGS`` and return its result."""
    return subprocess.run(
        [sys.executable, "-m", "mock_server", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
