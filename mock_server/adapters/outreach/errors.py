"""Mapping of native Outreach errors to unified errors.

Outreach's 401, 403, 404, 409, 422 and 429 keep their status (origin ``remote-provider``).
Every other native error status, 400 and 5xx included, becomes a 499
``REMOTE_PROVIDER_ERROR`` whose body ``status`` is the native status. The title is the
first JSON:API error's ``title``, and ``meta.cause`` is the native error body, which never
contains the bearer token.
"""

from __future__ import annotations

from typing import Any

from providers_sim.native import NativeResponse

from ...errors import (
    ORIGIN_REMOTE,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    RemoteProviderError,
    TooManyRequestsError,
    UnauthorizedError,
    UnifiedError,
    UnprocessableEntityError,
)

RATE_LIMITED_TITLE = "Encountered provider rate limiting."

_PASSED_THROUGH: dict[int, type[UnifiedError]] = {
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: TooManyRequestsError,
}


def error_from_native(response: NativeResponse) -> UnifiedError:
    """Return the unified error for a native error response."""
    title = first_error(response.body).get("title") or f"Request failed with status code {response.status}"
    cause = response.body if isinstance(response.body, dict) else {"body": response.body}
    error_class = _PASSED_THROUGH.get(response.status)
    if error_class is None:
        return RemoteProviderError(str(title), status=response.status, cause=cause)
    headers = {}
    retry_after = response.headers.get("retry-after") or response.headers.get("Retry-After")
    if response.status == 429 and retry_after:
        headers["Retry-After"] = retry_after
    return error_class(str(title), origin=ORIGIN_REMOTE, cause=cause, headers=headers)


def first_error(body: Any) -> dict[str, Any]:
    """Return the first item of a JSON:API ``errors`` array, or an empty dict."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return errors[0]
    return {}


def rate_limited() -> TooManyRequestsError:
    """Return the 429 raised when a retried list or search still gets 429 from Outreach."""
    return TooManyRequestsError(RATE_LIMITED_TITLE)


def unexpected_body(method: str, path: str, status: int, body: Any) -> RemoteProviderError:
    """Return the error for a successful response whose body is not a JSON:API document."""
    return RemoteProviderError(
        f"Outreach returned status {status} for {method} {path} without a JSON:API data member",
        status=status,
        cause=body if isinstance(body, dict) else {"body": body},
    )
