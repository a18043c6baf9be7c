"""Helpers of the Salesloft tests: a transport that records native requests, and direct native calls."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mock_server.adapters.base import InProcessTransport, Record, Written
from providers_sim.native import NativeRequest, NativeResponse
from providers_sim.salesloft import SalesloftSimulator

BASE_URL = "https://api.salesloft.com"
TOKEN = "team-alpha"
START = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
SPEC_PATH = Path(__file__).resolve().parents[2].parent / "shared" / "provider-specs" / "salesloft.openapi.json"


@dataclass
class SentRequest:
    method: str
    url: str
    params: list[tuple[str, str]]
    json: Any
    headers: dict[str, str]

    def param(self, name: str) -> str | None:
        values = [value for key, value in self.params if key == name]
        return values[-1] if values else None

    def params_named(self, name: str) -> list[str]:
        return [value for key, value in self.params if key == name]


@dataclass
class RecordingTransport:
    """An in-process transport that keeps every native request it sends."""

    inner: InProcessTransport
    sent: list[SentRequest] = field(default_factory=list)
    base_url: str = ""

    def __post_init__(self) -> None:
        self.base_url = self.inner.base_url

    def request(
        self,
        method: str,
        url: str,
        *,
        params: list[tuple[str, str]] | dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> NativeResponse:
        pairs = list(params.items()) if isinstance(params, dict) else list(params or [])
        self.sent.append(SentRequest(method, url, [(str(k), str(v)) for k, v in pairs], json, dict(headers or {})))
        return self.inner.request(method, url, params=params, json=json, headers=headers)

    def last(self, method: str, path: str) -> SentRequest:
        """Return the last request with ``method`` to exactly ``path``."""
        for sent in reversed(self.sent):
            if sent.method == method and sent.url == path:
                return sent
        raise AssertionError(f"No {method} {path} request was sent; sent: {[s.url for s in self.sent]}")


def native(
    simulator: SalesloftSimulator,
    method: str,
    path: str,
    *,
    params: list[tuple[str, str]] | None = None,
    body: Any = None,
    token: str | None = TOKEN,
) -> NativeResponse:
    """Send one native request straight to the simulator, through a JSON round trip."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = NativeRequest.from_url(
        method,
        BASE_URL + path,
        params=params or [],
        headers=headers,
        json=json.loads(json.dumps(body)),
        base_url=BASE_URL,
    )
    return simulator.handle(request)


def written_record(written: Written) -> Record:
    """Return the record a create returned; fail when it returned none."""
    assert written.record is not None, f"the write of {written.id} returned no record"
    return written.record
