"""An HTTP client for the unified API that checks every response against the spec."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from conftest import API_KEY, BASE_PATH
from tests.spec_responses import assert_conforms, operation_for


class UnifiedClient:
    """Talks to one served sandbox as one customer of one provider."""

    def __init__(self, base_url: str, provider: str, customer: str | None = None) -> None:
        self.provider = provider
        self.customer = customer or f"customer-{uuid.uuid4().hex[:12]}"
        self._http = httpx.Client(base_url=base_url + BASE_PATH, timeout=30.0)

    def headers(self) -> dict[str, str]:
        return {"x-api-key": API_KEY, "x-customer-id": self.customer, "x-provider-name": self.provider}

    def call(self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None) -> httpx.Response:
        response = self._http.request(method, path, params=params, json=json, headers=self.headers())
        body = response.json() if response.content else None
        assert_conforms(operation_for(method, path.split("?")[0]), response.status_code, body)
        return response

    def ok(self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None) -> Any:
        """Call and require a 2xx response, then return the JSON body."""
        response = self.call(method, path, params=params, json=json)
        assert response.is_success, f"{method} {path} -> {response.status_code}: {response.text}"
        return response.json()

    def error(self, method: str, path: str, status: int, *, params: dict[str, Any] | None = None, json: Any = None) -> dict[str, Any]:
        """Call and require the given error status; return the first error item."""
        response = self.call(method, path, params=params, json=json)
        assert response.status_code == status, f"{method} {path} -> {response.status_code}: {response.text}"
        return response.json()["errors"][0]  # type: ignore[no-any-return]

    def close(self) -> None:
        self._http.close()
