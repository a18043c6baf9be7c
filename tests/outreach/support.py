"""Helpers of the Outreach tests: native requests, a recording transport and recorded sleeps."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mock_server.adapters.base import InProcessTransport
from providers_sim.native import NativeRequest, NativeResponse
from providers_sim.outreach import OutreachSimulator

TOKEN = "outreach-test-account"
BASE_URL = "https://api.outreach.io"
API = BASE_URL + "/api/v2"
SPECS = Path(__file__).resolve().parents[2].parent / "shared" / "provider-specs"
START = datetime(2024, 1, 2, 9, 0, tzinfo=UTC)


class Native:
    """Sends native requests to a simulator with a bearer token."""

    def __init__(self, simulator: OutreachSimulator, token: str = TOKEN) -> None:
        self.simulator = simulator
        self.token = token

    def request(
        self,
        method: str,
        url: str,
        *,
        params: list[tuple[str, str]] | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> NativeResponse:
        if not url.startswith("http"):
            url = API + url
        sent = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        payload = json.loads(json.dumps(body)) if body is not None else None
        return self.simulator.handle(NativeRequest.from_url(method, url, params=params, headers=sent, json=payload))

    def get(self, url: str, *params: tuple[str, str]) -> NativeResponse:
        return self.request("GET", url, params=list(params))

    def post(self, path: str, body: Any, **headers: str) -> NativeResponse:
        return self.request("POST", path, body=body, headers=headers or None)

    def patch(self, path: str, body: Any) -> NativeResponse:
        return self.request("PATCH", path, body=body)

    def create(self, resource: str, type_name: str, attributes: dict[str, Any], **relationships: int) -> dict[str, Any]:
        """Create a record through the API and return its resource object."""
        related = {name: {"data": {"type": _type_of(name), "id": value}} for name, value in relationships.items()}
        response = self.post(
            f"/{resource}", {"data": {"type": type_name, "attributes": attributes, "relationships": related}}
        )
        assert response.status == 201, response.body
        return dict(response.body["data"])


def _type_of(relationship: str) -> str:
    return {"owner": "user", "creator": "user"}.get(relationship, relationship)


@dataclass
class SentRequest:
    method: str
    url: str
    params: list[tuple[str, str]]
    json: Any


class RecordingTransport(InProcessTransport):
    """An in-process transport that keeps every request the adapter sent."""

    def __init__(self, simulator: OutreachSimulator, base_url: str = BASE_URL) -> None:
        super().__init__(simulator, base_url)
        self.sent: list[SentRequest] = []

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
        self.sent.append(SentRequest(method, url, pairs, json))
        return super().request(method, url, params=params, json=json, headers=headers)

    def calls(self, method: str, path_end: str) -> list[SentRequest]:
        return [item for item in self.sent if item.method == method and item.url.split("?")[0].endswith(path_end)]


class Sleeps(list[float]):
    """Records the delays the adapter asked to sleep, without sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def native_error(status: int, title: str = "Native Error", **extra: Any) -> NativeResponse:
    """A native JSON:API error response, for injecting faults."""
    headers = {"Retry-After": str(extra.pop("retry_after"))} if "retry_after" in extra else {}
    item = {"id": "injected", "title": title, "detail": f"{title} (injected)", **extra}
    return NativeResponse(status, {"errors": [item]}, headers, content_type="application/vnd.api+json")
