"""The HTTP transport: adapters reach a simulator's native server or the real vendor.

One pooled ``httpx.Client`` per vendor backend. Connection failures and timeouts are
retried with exponential backoff; HTTP answers, including 429 and 5xx, are returned to the
adapter, which decides what they mean (its own 429 retries honour ``Retry-After``).
A bearer token close to expiry is refreshed through the vendor's OAuth token endpoint.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import httpx

from providers_sim.native import NativeResponse

from .adapters.base import _query_pairs
from .errors import ConnectionNoLongerAuthenticatedError, GatewayTimeoutError, RemoteProviderError
from .settings import HttpBackend

logger = logging.getLogger(__name__)

REFRESH_MARGIN_SECONDS = 300


class HttpTransport:
    """Sends native requests over HTTP to ``backend.base_url``."""

    def __init__(self, backend: HttpBackend, *, connect_retries: int = 2, backoff: float = 0.05) -> None:
        self.backend = backend
        self.base_url = backend.base_url.rstrip("/")
        self._client = httpx.Client(
            timeout=httpx.Timeout(backend.timeout, connect=min(5.0, backend.timeout)),
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
        )
        self._connect_retries = connect_retries
        self._backoff = backoff
        self._token_lock = threading.Lock()
        self._access_token = backend.token
        self._refresh_token = backend.refresh_token
        self._expires_at: float | None = None if backend.refresh_token is None else 0.0

    def request(
        self,
        method: str,
        url: str,
        *,
        params: list[tuple[str, str]] | dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> NativeResponse:
        if not url.startswith(("http://", "https://")):
            url = self.base_url + url
        headers = dict(headers or {})
        self._apply_fresh_token(headers)
        attempt = 0
        while True:
            try:
                query: list[tuple[str, str | int | float | bool | None]] = list(_query_pairs(params))
                response = self._client.request(method, url, params=query or None, json=json, headers=headers)
                break
            except (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError) as exc:
                if attempt >= self._connect_retries:
                    raise RemoteProviderError(
                        f"Could not reach the provider at {self.base_url}: {type(exc).__name__}", status=502
                    ) from None
                attempt += 1
                logger.warning("Request to %s failed (%s); retry %d", self.base_url, type(exc).__name__, attempt)
                time.sleep(self._backoff * 2 ** (attempt - 1))
            except httpx.TimeoutException:
                raise GatewayTimeoutError(f"The provider at {self.base_url} timed out") from None
        return _native_response(response)

    def _apply_fresh_token(self, headers: dict[str, str]) -> None:
        """Replace a sandbox or stale bearer token with a fresh one when refresh is configured."""
        if self._refresh_token is None or "authorization" not in {key.lower() for key in headers}:
            return
        with self._token_lock:
            if self._expires_at is not None and self._expires_at - time.time() < REFRESH_MARGIN_SECONDS:
                self._refresh()
            for key in list(headers):
                if key.lower() == "authorization":
                    headers[key] = f"Bearer {self._access_token}"

    def _refresh(self) -> None:
        token_url = self.backend.token_url or f"{self.base_url}/oauth/token"
        response = self._client.post(
            token_url,
            json={
                "client_id": self.backend.client_id,
                "client_secret": self.backend.client_secret,
                "grant_type": "refresh_token",
                "refresh_token": self._refresh_token,
            },
        )
        if response.status_code == 400:
            raise ConnectionNoLongerAuthenticatedError(
                "Unable to refresh access token. Refresh token invalid.", status=401
            )
        if response.status_code >= 300:
            raise RemoteProviderError(
                f"Token refresh failed with status {response.status_code}", status=response.status_code
            )
        body = response.json()
        self._access_token = body["access_token"]
        self._refresh_token = body.get("refresh_token", self._refresh_token)
        self._expires_at = time.time() + float(body.get("expires_in", 7200))
        logger.info("Refreshed the access token for %s", self.base_url)

    def close(self) -> None:
        self._client.close()


def _native_response(response: httpx.Response) -> NativeResponse:
    content_type = response.headers.get("content-type", "")
    body: Any
    if not response.content:
        body = None
    elif "json" in content_type:
        try:
            body = response.json()
        except ValueError:
            body = response.text
    else:
        body = response.text
    return NativeResponse(
        status=response.status_code,
        body=body,
        headers={key.lower(): value for key, value in response.headers.items()},
        content_type=content_type.split(";")[0] or "application/json",
    )
