"""The mapping of native Apollo errors to unified errors.

    native 401 / 403        → 500 SG_CONNECTION_NO_LONGER_AUTHENTICATED_ERROR (body status "401"/"403")
    native 429, hourly/day  → 429 "Encountered Apollo hourly or daily rate limiting"
    native 429, per minute  → 429 "Encountered Apollo rate limiting"
    any other native error  → 499 REMOTE_PROVIDER_ERROR (body status = native status,
                              meta.cause = native body)

Calls to both hosts (api.apollo.io and app.apollo.io) map the same way. Only contact reads
retry per-minute 429s first (see ``ApolloClient.get_contact``). The API key
never appears in an error: it is removed from every string of ``meta.cause``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from providers_sim.native import NativeResponse

from ...errors import (
    ConnectionNoLongerAuthenticatedError,
    RemoteProviderError,
    TooManyRequestsError,
    UnifiedError,
)

HOURLY_OR_DAILY_MESSAGE = "Encountered Apollo hourly or daily rate limiting"
MINUTE_MESSAGE = "Encountered Apollo rate limiting"

# Apollo's 429 text for an exhausted hourly or daily budget. The endpoint class has no
# underscore, so limits of endpoints such as emailer_campaigns count as per-minute, as
# they did in the reference service.
_HOURLY_OR_DAILY = re.compile(
    r"^The maximum number of api calls allowed for [a-z0-9/]+ is [0-9]+ times per (hour|day)\. Please upgrade your plan"
)
_PAYING_TEAMS = "This endpoint is only available to paying teams"
_REDACTED = "[redacted]"


def response_text(response: NativeResponse) -> str:
    """Return the body as text: a plain-text body as is, a JSON body serialised."""
    if isinstance(response.body, str):
        return response.body
    return json.dumps(response.body)


def is_hourly_or_daily_limit(response: NativeResponse) -> bool:
    """Tell whether a 429 reports an exhausted hourly or daily budget (not a per-minute one)."""
    text = response_text(response)
    return _PAYING_TEAMS in text or _HOURLY_OR_DAILY.match(text) is not None


def rate_limit_error(response: NativeResponse, secret: str | None) -> TooManyRequestsError:
    """Return the 429 of a user-facing call, which Apollo calls are never retried on."""
    message = HOURLY_OR_DAILY_MESSAGE if is_hourly_or_daily_limit(response) else MINUTE_MESSAGE
    return TooManyRequestsError(message, cause=rate_limit_cause(response, secret))


def rate_limit_cause(response: NativeResponse, secret: str | None) -> dict[str, Any]:
    return {"status": response.status, "body": redact(response_text(response), secret)}


def from_native_error(response: NativeResponse, secret: str | None) -> UnifiedError:
    """Map a native error other than a rate limit to the unified error class."""
    status = response.status
    if status in (401, 403):
        return ConnectionNoLongerAuthenticatedError(f"Request failed with status code {status}", status=str(status))

    message = None
    if isinstance(response.body, dict) and isinstance(response.body.get("error"), str):
        message = response.body["error"]
    title = redact(message, secret) if message else f"Request failed with status code {status}"
    return RemoteProviderError(title, status=str(status), cause=redact(response.body, secret))


def redact(value: Any, secret: str | None) -> Any:
    """Return ``value`` with every occurrence of ``secret`` in its strings replaced."""
    if not secret:
        return value
    if isinstance(value, str):
        return value.replace(secret, _REDACTED)
    if isinstance(value, list):
        return [redact(item, secret) for item in value]
    if isinstance(value, dict):
        return {redact(key, secret): redact(item, secret) for key, item in value.items()}
    return value
