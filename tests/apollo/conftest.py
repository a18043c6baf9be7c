"""Fixtures of the Apollo tests: a fresh simulator on a fixed clock and an adapter over it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mock_server.adapters.apollo import ApolloAdapter
from mock_server.adapters.base import AdapterSettings, Credentials, RetryPolicy
from providers_sim.apollo import ApolloSimulator
from providers_sim.base import FixedClock

from .support import API_KEY, SPECS, START, Native, RecordingTransport, Sleeps


@pytest.fixture
def simulator() -> ApolloSimulator:
    return ApolloSimulator(clock=FixedClock(START))


@pytest.fixture
def native(simulator: ApolloSimulator) -> Native:
    return Native(simulator)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def transport(simulator: ApolloSimulator) -> RecordingTransport:
    return RecordingTransport(simulator)


@pytest.fixture
def adapter(transport: RecordingTransport, sleeps: Sleeps) -> ApolloAdapter:
    settings = AdapterSettings(retry=RetryPolicy(attempts=3, base=0.001, factor=2.0, cap=0.01), sleep=sleeps)
    return ApolloAdapter(transport, Credentials(api_key=API_KEY), settings)


@pytest.fixture
def apollo_spec() -> dict[str, Any]:
    """Apollo's own OpenAPI description, read at run time."""
    path = SPECS / "apollo.openapi.json"
    if not path.exists():
        pytest.skip(f"Apollo's OpenAPI description is not available at {path}")
    return json.loads(path.read_text(encoding="utf-8"))
