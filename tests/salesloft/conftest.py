"""Fixtures of the Salesloft tests: a fresh simulator on a fixed clock, and an adapter on it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mock_server.adapters.base import AdapterSettings, Credentials, InProcessTransport, RetryPolicy
from mock_server.adapters.salesloft import SalesloftAdapter
from providers_sim.base import FixedClock
from providers_sim.salesloft import SalesloftSimulator

from .support import BASE_URL, SPEC_PATH, START, TOKEN, RecordingTransport


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def simulator(clock: FixedClock) -> SalesloftSimulator:
    return SalesloftSimulator(clock=clock)


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def transport(simulator: SalesloftSimulator) -> RecordingTransport:
    return RecordingTransport(InProcessTransport(simulator, BASE_URL))


@pytest.fixture
def adapter(transport: RecordingTransport, sleeps: list[float]) -> SalesloftAdapter:
    settings = AdapterSettings(retry=RetryPolicy(attempts=3, base=0.001, factor=2.0, cap=0.01), sleep=sleeps.append)
    return SalesloftAdapter(transport, Credentials(token=TOKEN), settings)


@pytest.fixture(scope="session")
def salesloft_spec() -> dict[str, Any]:
    """Salesloft's own OpenAPI document, read at run time as an outside oracle."""
    if not SPEC_PATH.exists():
        pytest.skip(f"Salesloft's OpenAPI document is not present at {SPEC_PATH}")
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))
