"""Native Apollo calls: authentication, paths and error handling.

Apollo takes its API key as the ``api_key`` query parameter on GET and as a JSON body field
on POST and PUT. The public API lives on api.apollo.io under ``/v1``; the sequence
endpoints that the web app uses live on app.apollo.io under ``/api/v1``. Both prefixes go
through the same transport, so the host is never written here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from providers_sim.native import NativeResponse

from ...errors import RemoteProviderError, TerminalTooManyRequestsError, TooManyRequestsError
from ..base import Transport
from .errors import from_native_error, is_hourly_or_daily_limit, rate_limit_cause, rate_limit_error

logger = logging.getLogger(__name__)

PUBLIC_API = "/v1"
APP_API = "/api/v1"

_HEADERS = {"Content-Type": "application/json", "Cache-Control": "no-cache"}

Retrier = Callable[[Callable[[], NativeResponse]], NativeResponse]


def path_id(value: str) -> str:
    """Quote an id for use as one path segment."""
    return quote(str(value), safe="")


class ApolloClient:
    """Sends authenticated Apollo requests and raises unified errors for native failures."""

    def __init__(self, transport: Transport, api_key: str | None, retry: Retrier) -> None:
        self._transport = transport
        self._api_key = api_key
        self._retry = retry

    def call(
        self, method: str, path: str, *, body: dict[str, Any] | None = None, params: dict[str, Any] | None = None
    ) -> NativeResponse:
        """Send one request with the API key and return the native response as is."""
        if method == "GET":
            query = {**(params or {}), "api_key": self._api_key}
            response = self._transport.request(method, path, params=query, headers=dict(_HEADERS))
        else:
            payload = {**(body or {}), "api_key": self._api_key}
            response = self._transport.request(method, path, params=params, json=payload, headers=dict(_HEADERS))
        logger.debug("Apollo %s %s returned %d", method, path, response.status)
        return response

    def send(
        self, method: str, path: str, *, body: dict[str, Any] | None = None, params: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Send a user-facing request and return its JSON body; a 429 is not retried."""
        response = self.call(method, path, body=body, params=params)
        if response.status == 429:
            raise rate_limit_error(response, self._api_key)
        return self._body(response)

    def get_contact(self, contact_id: str, prefix: str = PUBLIC_API) -> dict[str, Any]:
        """Read ``{contact}``, retrying per-minute 429s with the configured backoff.

        An hourly or daily 429 stops at once with a terminal error; per-minute 429s that
        outlast the retries end as a 429.
        """
        path = f"{prefix}/contacts/{path_id(contact_id)}"

        def attempt() -> NativeResponse:
            response = self.call("GET", path)
            if response.status == 429 and is_hourly_or_daily_limit(response):
                raise TerminalTooManyRequestsError(
                    "Encountered Apollo hourly or daily rate limiting.", cause=rate_limit_cause(response, self._api_key)
                )
            return response

        response = self._retry(attempt)
        if response.status == 429:
            raise TooManyRequestsError(
                "Encountered Apollo rate limiting.", cause=rate_limit_cause(response, self._api_key)
            )
        return self._body(response)

    def _body(self, response: NativeResponse) -> dict[str, Any]:
        if not response.ok:
            raise from_native_error(response, self._api_key)
        if not isinstance(response.body, dict):
            raise RemoteProviderError(
                "Apollo returned a response body that is not a JSON object", status=str(response.status)
            )
        return response.body


def expect_object(payload: dict[str, Any], key: str) -> dict[str, Any]:
    """Return ``payload[key]``, or raise a remote-provider error when it is not an object."""
    value = payload.get(key)
    if not isinstance(value, dict) or "id" not in value:
        raise RemoteProviderError(f"Apollo returned a response without the {key!r} object", status="200")
    return value
