"""How native Salesloft errors become unified errors.

Every native error status becomes a 499 ``REMOTE_PROVIDER_ERROR`` whose body ``status`` is
the native status and whose ``meta.cause`` is the native body. The title is the body's
``error`` text when Salesloft sent one (404, 401, 403, 429), and otherwise the HTTP reason
phrase, as for 422 validation bodies ``{"errors": {field: [message]}}``.

The reference service raised a generic 500 for native 400, 409, 429 and 5xx. This project
returns 499 for those too, because 499 is what the spec declares for vendor failures. List
and search paths retry 429s first, and return 429 ``Encountered provider rate limiting.``
when the retries run out (see ``rate_limited``).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from providers_sim.native import NativeResponse

from ...errors import RemoteProviderError, TooManyRequestsError

RATE_LIMITED_TITLE = "Encountered provider rate limiting."


def reason_phrase(status: int) -> str:
    """Return the standard HTTP reason phrase of ``status`` (``Error <status>`` for unknown ones)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"Error {status}"


def from_native_error(response: NativeResponse) -> RemoteProviderError:
    """Return the unified error for a native error response."""
    body: Any = response.body
    message = body.get("error") if isinstance(body, dict) else None
    title = message if isinstance(message, str) and message else reason_phrase(response.status)
    return RemoteProviderError(title, status=response.status, cause=body)


def rate_limited(response: NativeResponse) -> TooManyRequestsError:
    """Return the error for a list or search whose retries all met a 429."""
    return TooManyRequestsError(RATE_LIMITED_TITLE, cause=response.body)
