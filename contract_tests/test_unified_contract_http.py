"""Schemathesis, every phase and every check, against the unified API over the HTTP transport.

Two child processes: the three simulators (``python -m providers_sim serve --provider all``)
and the unified API whose adapters reach them over HTTP
(``python -m mock_server serve --provider-url NAME=URL ...``).
The overlay and expected statuses are the ones of the in-process run. The case count of each
run is printed (``pytest -s`` shows it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import API_KEY, BASE_PATH, free_port
from contract_tests.runner import run_schemathesis
from mock_server.providers import Provider
from tests.native_http.servers import ChildServer, SimulatorServers, serving_simulators

# Fewer examples than the in-process run, because every case here also crosses HTTP to the
# simulators. With 25, one provider's run took 15 to 20 s on a 2-core AMD EPYC.
MAX_EXAMPLES = 25
MIN_CASES = 500


@pytest.fixture(scope="module")
def simulators() -> Iterator[SimulatorServers]:
    with serving_simulators() as running:
        yield running


@pytest.fixture(scope="module")
def unified_over_http(simulators: SimulatorServers) -> Iterator[str]:
    """The unified API served as a child process, its adapters on the HTTP transport."""
    port = free_port()
    backends = [f"--provider-url={provider.value}={simulators.root_url(provider)}" for provider in Provider]
    base_url = f"http://127.0.0.1:{port}"
    server = ChildServer(
        "mock_server", ["serve", "--port", str(port), "--log-level", "warning", *backends], [f"{base_url}{BASE_PATH}/openapi.json"]
    )
    server.start()
    try:
        yield base_url
    finally:
        server.stop()


@pytest.mark.parametrize("provider", [provider.value for provider in Provider])
def test_schemathesis_over_http_finds_no_failure(provider: str, unified_over_http: str, tmp_path: Path) -> None:
    result = run_schemathesis(provider, unified_over_http + BASE_PATH, API_KEY, tmp_path, max_examples=MAX_EXAMPLES)
    print(f"\nschemathesis {provider} (HTTP transport): {result.summary()}")
    assert result.exit_code == 0, result.output[-8000:]
    assert result.operations >= 25
    assert result.test_cases >= MIN_CASES
