"""The HTTP transport: adapters reach a simulator's native server or the real vendor.

One pooled ``httpx.Client`` per vendor backend. A failure to connect, a connection that
breaks before the response and a connect timeout are retried with exponential backoff; when
the retries run out the unified response is 499 ``REMOTE_PROVIDER_ERROR`` with body status
"502". A read or write timeout is not retried, because the vendor may have acted on the
request; it is 499 with body status "504". The unified spec declares neither 502 nor 504
as an HTTP status, so both become 499, as native 5xx responses do.

HTTP responses, including 429 and 5xx, are returned to the adapter, which decides what they
mean (its own 429 retries honour ``Retry-After``). A bearer token close to expiry is
refreshed through the vendor's OAuth token endpoint.

httpx logs every request URL at INFO, and Apollo's API key travels in the query string of
GET requests, so the transport redacts credential query parameters in httpx's log lines.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from providers_sim.native import NativeResponse

from .adapters.base import _query_pairs
from .errors import ConnectionNoLongerAuthenticatedError, RemoteProviderError
from .settings import HttpBackend

logger = logging.getLogger(__name__)

REFRESH_MARGIN_SECONDS = 300
# Query parameters whose values are credentials (Apollo's api_key, OAuth values).
SECRET_QUERY = re.compile(r"((?:^|[?&])(?:api_key|access_token|refresh_token|client_secret)=)[^&#\s\"]*", re.IGNORECASE)
# Errors after which the request never reached the vendor: retried for every method.
CONNECT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout)
# The connection broke after the request may have been sent: retried only for methods that
# RFC 9110 calls idempotent, because repeating a POST or PATCH could repeat its effect.
BROKEN_ERRORS = (httpx.ReadError, httpx.RemoteProtocolError)
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Idle pooled connections are dropped before a server with uvicorn's default keep-alive
# (5 s) closes them, so that a request rarely meets a connection closing under it.
KEEPALIVE_EXPIRY_SECONDS = 2.0


class _RedactQuerySecrets(logging.Filter):
    """Replace credential values in the URLs of log lines with ``<redacted>``."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = SECRET_QUERY.sub(r"\1<redacted>", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def _redact_httpx_logs() -> None:
    """Install the redacting filter on httpx's logger once per process."""
    httpx_logger = logging.getLogger("httpx")
    if not any(isinstance(existing, _RedactQuerySecrets) for existing in httpx_logger.filters):
        httpx_logger.addFilter(_RedactQuerySecrets())


class HttpTransport:
    """Sends native requests over HTTP to ``backend.base_url``."""

    def __init__(self, backend: HttpBackend, *, connect_retries: int = 2, backoff: float = 0.05) -> None:
        self.backend = backend
        self.base_url = backend.base_url.rstrip("/")
        self._client = httpx.Client(
            timeout=httpx.Timeout(backend.timeout, connect=min(5.0, backend.timeout)),
            limits=httpx.Limits(
                max_connections=32, max_keepalive_connections=16, keepalive_expiry=KEEPALIVE_EXPIRY_SECONDS
            ),
        )
        self._connect_retries = connect_retries
        self._backoff = backoff
        self._token_lock = threading.Lock()
        self._access_token = backend.token
        self._refresh_token = backend.refresh_token
        self._expires_at: float | None = None if backend.refresh_token is None else 0.0
        _redact_httpx_logs()

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
        query: list[tuple[str, str | int | float | bool | None]] = list(_query_pairs(params))
        response = self._send(
            method, lambda: self._client.request(method, url, params=query or None, json=json, headers=headers)
        )
        return _native_response(response)

    def _send(self, method: str, call: Callable[[], httpx.Response]) -> httpx.Response:
        """Run one HTTP exchange, retrying connection failures; raise the unified error when it fails."""
        attempt = 0
        retried = CONNECT_ERRORS + BROKEN_ERRORS if method.upper() in IDEMPOTENT_METHODS else CONNECT_ERRORS
        while True:
            try:
                return call()
            except retried as exc:
                if attempt >= self._connect_retries:
                    logger.error(
                        "%s to %s failed after %d retries: %s", method, self.base_url, attempt, type(exc).__name__
                    )
                    raise RemoteProviderError(
                        f"Could not reach the provider at {self.base_url}: {type(exc).__name__}", status=502
                    ) from None
                attempt += 1
                logger.warning("%s to %s failed (%s); retry %d", method, self.base_url, type(exc).__name__, attempt)
                time.sleep(self._backoff * 2 ** (attempt - 1))
            except BROKEN_ERRORS as exc:
                logger.error(
                    "%s to %s failed after it was sent (%s); not retried, because the provider may have acted on it",
                    method,
                    self.base_url,
                    type(exc).__name__,
                )
                raise RemoteProviderError(
                    f"The connection to the provider at {self.base_url} broke before its response: "
                    f"{type(exc).__name__}. The {method} may or may not have taken effect.",
                    status=502,
                ) from None
            except httpx.TimeoutException as exc:
                logger.error("%s to %s timed out: %s", method, self.base_url, type(exc).__name__)
                raise RemoteProviderError(
                    f"The request to the provider at {self.base_url} timed out after {self.backend.timeout:g} s",
                    status=504,
                ) from None

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
        grant = {
            "client_id": self.backend.client_id,
            "client_secret": self.backend.client_secret,
            "grant_type": "refresh_token",
            "refresh_token": self._refresh_token,
        }
        response = self._send("POST", lambda: self._client.post(token_url, json=grant))
        if response.status_code == 400:
            raise ConnectionNoLongerAuthenticatedError(
                "Unable to refresh access token. Refresh token invalid.", status=401
            )
        if response.status_code >= 300:
            raise RemoteProviderError(
                f"Token refresh failed with status {response.status_code}", status=response.status_code
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise RemoteProviderError("The token endpoint returned no access_token", status=response.status_code)
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
