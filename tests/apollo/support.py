"""Helpers of the Apollo tests: native requests, recorded sleeps and 429 bodies."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mock_server.adapters.base import InProcessTransport
from providers_sim.apollo import ApolloSimulator
from providers_sim.native import NativeRequest, NativeResponse

API_KEY = "apollo-test-key"
BASE_URL = "https://api.apollo.io"
SPECS = Path(__file__).resolve().parents[2].parent / "shared" / "provider-specs"
START = datetime(2024, 1, 2, 9, 0, tzinfo=UTC)


class Native:
    """Sends native requests to a simulator with the test API key."""

    def __init__(self, simulator: ApolloSimulator, api_key: str = API_KEY) -> None:
        self.simulator = simulator
        self.api_key = api_key

    def get(self, path: str, **params: Any) -> NativeResponse:
        query = {"api_key": self.api_key, **params}
        return self.simulator.handle(NativeRequest.from_url("GET", BASE_URL + path, params=query))

    def post(self, path: str, body: dict[str, Any] | None = None) -> NativeResponse:
        return self._send("POST", path, body)

    def put(self, path: str, body: dict[str, Any] | None = None) -> NativeResponse:
        return self._send("PUT", path, body)

    def _send(self, method: str, path: str, body: dict[str, Any] | None) -> NativeResponse:
        payload = json.loads(json.dumps({"api_key": self.api_key, **(body or {})}))
        return self.simulator.handle(NativeRequest.from_url(method, BASE_URL + path, json=payload))


class Sleeps(list[float]):
    """Records the delays the adapter asked to sleep, without sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def plain_429(text: str) -> NativeResponse:
    """A native 429 with a plain-text body, as Apollo sends it."""
    return NativeResponse(429, text, headers={"retry-after": "1"}, content_type="text/plain")


HOURLY_TEXT = (
    "The maximum number of api calls allowed for api/v1/contacts/search is 400 times per hour. "
    "Please upgrade your plan from https://app.apollo.io/#/settings/plans/upgrade."
)
MINUTE_TEXT = "You have exceeded the rate limit of 50 requests per minute. Please try again in 12 seconds."


def spec_validator(spec: dict[str, Any], pointer: str) -> Any:
    """Return a JSON Schema validator for the schema at ``pointer`` in Apollo's OpenAPI document."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator({**spec, "$ref": pointer})


def response_schema(path: str, method: str) -> str:
    """Return the JSON pointer of a 200 JSON response schema in Apollo's OpenAPI document."""
    escaped = path.replace("~", "~0").replace("/", "~1")
    return f"#/paths/{escaped}/{method}/responses/200/content/application~1json/schema"


class RecordingTransport(InProcessTransport):
    """An in-process transport that records the method and path of every native call."""

    def __init__(self, simulator: ApolloSimulator, base_url: str = BASE_URL) -> None:
        super().__init__(simulator, base_url)
        self.calls: list[tuple[str, str]] = []
        self.bodies: list[Any] = []

    def request(self, method: str, url: str, **kwargs: Any) -> NativeResponse:
        self.calls.append((method, url))
        self.bodies.append(kwargs.get("json"))
        return super().request(method, url, **kwargs)
