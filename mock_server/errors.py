"""Errors of the unified API and the spec-shaped ``errors`` body they turn into.

``UnifiedError`` is the root. Each subclass fixes the error code (also sent as
``problem_type``), the HTTP status and a default title, as the reference service did:

    UnifiedError
    ├── BadRequestError            400 BAD_REQUEST
    ├── ValidationError            400 VALIDATION_ERROR (with meta.source.pointer)
    ├── UnauthorizedError          401 UNAUTHORIZED_ERROR
    ├── ForbiddenError             403 FORBIDDEN_ERROR
    ├── NotFoundError              404 NOT_FOUND_ERROR
    ├── MethodNotAllowedError      405 METHOD_NOT_ALLOWED_ERROR
    ├── ConflictError              409 CONFLICT_ERROR
    ├── UnprocessableEntityError   422 UNPROCESSABLE_ENTITY_ERROR
    ├── TooManyRequestsError       429 TOO_MANY_REQUESTS_ERROR
    ├── RemoteProviderError        499 REMOTE_PROVIDER_ERROR (body status: the native status)
    ├── InternalServerError        500 INTERNAL_SERVER_ERROR
    ├── ConnectionNoLongerAuthenticatedError
    │                              500 SG_CONNECTION_NO_LONGER_AUTHENTICATED_ERROR
    ├── TerminalTooManyRequestsError
    │                              500 SG_TERMINAL_TOO_MANY_REQUESTS_ERROR
    ├── NotImplementedUnifiedError 501 NOT_IMPLEMENTED_ERROR
    └── GatewayTimeoutError        504 GATEWAY_TIMEOUT_ERROR

The body ``status`` can differ from the HTTP status (a 499 carries the vendor's status).
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

ORIGIN_SERVICE = "supaglue"
ORIGIN_REMOTE = "remote-provider"


class UnifiedError(Exception):
    """An error returned in the spec's ``errors`` shape."""

    code: ClassVar[str] = "INTERNAL_SERVER_ERROR"
    http_status: ClassVar[int] = 500
    default_title: ClassVar[str] = "Internal server error"
    default_origin: ClassVar[str] = ORIGIN_SERVICE

    def __init__(
        self,
        title: str | None = None,
        *,
        detail: str | None = None,
        status: str | int | None = None,
        origin: str | None = None,
        cause: Any = None,
        pointer: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.title = title or self.default_title
        self.detail = detail if detail is not None else self.title
        self.status = str(status if status is not None else self.http_status)
        self.origin = origin or self.default_origin
        self.cause = cause
        self.pointer = pointer
        self.headers = headers or {}
        super().__init__(self.title)

    def to_body(self, application_name: str | None = None) -> dict[str, Any]:
        """Return the response body: one item in the spec's ``errors`` array."""
        meta: dict[str, Any] = {"origin": self.origin}
        if self.cause is not None:
            meta["cause"] = self.cause
        if application_name:
            meta["application_name"] = application_name
        if self.pointer is not None:
            meta["source"] = {"pointer": self.pointer}
        item = {
            "id": str(uuid.uuid4()),
            "title": self.title,
            "detail": self.detail,
            "problem_type": self.code,
            "code": self.code,
            "status": self.status,
            "meta": meta,
        }
        return {"errors": [item]}


class BadRequestError(UnifiedError):
    code = "BAD_REQUEST"
    http_status = 400
    default_title = "Bad request"


class ValidationError(UnifiedError):
    """A request that breaks the contract; ``pointer`` names the offending value."""

    code = "VALIDATION_ERROR"
    http_status = 400
    default_title = "Request validation failed"


class UnauthorizedError(UnifiedError):
    code = "UNAUTHORIZED_ERROR"
    http_status = 401
    default_title = "Unauthorized"


class ForbiddenError(UnifiedError):
    code = "FORBIDDEN_ERROR"
    http_status = 403
    default_title = "Forbidden"


class NotFoundError(UnifiedError):
    code = "NOT_FOUND_ERROR"
    http_status = 404
    default_title = "Not found"


class MethodNotAllowedError(UnifiedError):
    code = "METHOD_NOT_ALLOWED_ERROR"
    http_status = 405
    default_title = "Method not allowed"


class ConflictError(UnifiedError):
    code = "CONFLICT_ERROR"
    http_status = 409
    default_title = "Conflict"


class UnprocessableEntityError(UnifiedError):
    code = "UNPROCESSABLE_ENTITY_ERROR"
    http_status = 422
    default_title = "Unprocessable entity"


class TooManyRequestsError(UnifiedError):
    code = "TOO_MANY_REQUESTS_ERROR"
    http_status = 429
    default_title = "Too many requests"


class RemoteProviderError(UnifiedError):
    code = "REMOTE_PROVIDER_ERROR"
    http_status = 499
    default_title = "Remote provider error"
    default_origin = ORIGIN_REMOTE


class InternalServerError(UnifiedError):
    code = "INTERNAL_SERVER_ERROR"
    http_status = 500
    default_title = "Internal server error"


class ConnectionNoLongerAuthenticatedError(UnifiedError):
    code = "SG_CONNECTION_NO_LONGER_AUTHENTICATED_ERROR"
    http_status = 500
    default_title = "Connection no longer authenticated"


class TerminalTooManyRequestsError(UnifiedError):
    code = "SG_TERMINAL_TOO_MANY_REQUESTS_ERROR"
    http_status = 500
    default_title = "Too many requests"


class NotImplementedUnifiedError(UnifiedError):
    code = "NOT_IMPLEMENTED_ERROR"
    http_status = 501
    default_title = "Not implemented"


class GatewayTimeoutError(UnifiedError):
    code = "GATEWAY_TIMEOUT_ERROR"
    http_status = 504
    default_title = "Gateway timeout"
    default_origin = ORIGIN_REMOTE
