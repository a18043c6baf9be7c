"""Fixtures of the Outreach tests: a fresh simulator on a fixed clock and an adapter over it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mock_server.adapters.base import AdapterSettings, Credentials, RetryPolicy
from mock_server.adapters.outreach import OutreachAdapter
from providers_sim.base import FixedClock
from providers_sim.outreach import OutreachSimulator

from .support import SPECS, START, TOKEN, Native, RecordingTransport, Sleeps


@pytest.fixture
def simulator() -> OutreachSimulator:
    return OutreachSimulator(clock=FixedClock(START))


@pytest.fixture
def native(simulator: OutreachSimulator) -> Native:
    return Native(simulator)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def transport(simulator: OutreachSimulator) -> RecordingTransport:
    return RecordingTransport(simulator)


@pytest.fixture
def adapter(transport: RecordingTransport, sleeps: Sleeps) -> OutreachAdapter:
    settings = AdapterSettings(retry=RetryPolicy(attempts=3, base=0.001, factor=2.0, cap=0.01), sleep=sleeps)
    return OutreachAdapter(transport, Credentials(token=TOKEN), settings)


@pytest.fixture(scope="session")
def outreach_spec() -> dict[str, Any]:
    """Outreach's own OpenAPI document, read at run time."""
    path = SPECS / "outreach.openapi.json"
    if not path.exists():
        pytest.skip(f"Outreach's OpenAPI document is not available at {path}")
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
