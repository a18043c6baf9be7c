"""ASGI middleware: the reference request pipeline in front of Connexion's validation.

For every request, the headers may take at most 16 KiB (400), and outside the API base
path a ``%2F`` in the path is a 404. A trailing slash on an API path is dropped. Then, for
every request under the API base path, in this order:

1. ``x-api-key`` must be set (401) and name a known application (401);
2. ``x-customer-id`` and ``x-provider-name`` must both be set (401);
3. the connection is looked up, or opened in the sandbox (404 for an unknown provider);
4. a path the spec does not define is 404, a method it does not define on a known path
   is 405 with an ``Allow`` header (this runs before Connexion's routing, so that these
   errors come after the authentication checks, as in the reference service).

Request validation (400) and the handler come after. Header names match in any case.
``RequestLogMiddleware`` writes one INFO line per request.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .connections import Sandbox
from .errors import MethodNotAllowedError, NotFoundError, UnauthorizedError, UnifiedError, ValidationError

logger = logging.getLogger("mock_server.requests")

_LINE_BREAKS = re.compile(r"[\r\n]")
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class SpecPaths:
    """The path templates of the spec, to tell an unknown path from an unknown method."""

    def __init__(self, paths: dict[str, Any]) -> None:
        self._templates: list[tuple[re.Pattern[str], int, list[str]]] = []
        for template, item in paths.items():
            regex = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "/?$"
            methods = sorted(method.upper() for method in item if method in HTTP_METHODS)
            self._templates.append((re.compile(regex), template.count("{"), methods))

    def allowed_methods(self, path: str) -> tuple[list[str], list[str]] | None:
        """Return the methods any template of ``path`` accepts, and those of its most
        specific template (``/accounts/_upsert`` before ``/accounts/{account_id}``), for
        the ``Allow`` header; None when no template matches."""
        matches = [(parameters, methods) for regex, parameters, methods in self._templates if regex.match(path)]
        if not matches:
            return None
        accepted = sorted({method for _, methods in matches for method in methods})
        fewest = min(parameters for parameters, _ in matches)
        specific = sorted({method for parameters, methods in matches if parameters == fewest for method in methods})
        return accepted, specific


def _headers(scope: Scope) -> dict[str, str]:
    return {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope.get("headers", [])}


async def send_error(send: Send, error: UnifiedError, application_name: str | None = None) -> None:
    """Send ``error`` as a complete JSON response."""
    body = json.dumps(error.to_body(application_name)).encode("utf-8")
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers.extend((key.lower().encode("latin-1"), value.encode("latin-1")) for key, value in error.headers.items())
    await send({"type": "http.response.start", "status": error.http_status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


_SINGLE_HEADERS = ("x-api-key", "x-customer-id", "x-provider-name")


def _reject_repeated_headers(scope: Scope) -> None:
    """Raise a 400 when a tenant or key header appears twice: it must name one connection."""
    seen: set[str] = set()
    for raw_name, _value in scope.get("headers", []):
        name = raw_name.decode("latin-1").lower()
        if name in _SINGLE_HEADERS:
            if name in seen:
                raise ValidationError(
                    f"Header {name} is repeated",
                    detail=f"Header {name} was sent more than once; send it once, with one value.",
                    pointer=f"/headers/{name}",
                )
            seen.add(name)


# The maximum size of a request's headers in bytes: Node.js's default limit (16 KiB), which
# the reference service ran behind. Uvicorn with httptools sets no limit.
MAX_HEADER_BYTES = 16 * 1024


def _check_header_size(scope: Scope) -> None:
    size = sum(len(name) + len(value) + 4 for name, value in scope.get("headers", []))
    if size > MAX_HEADER_BYTES:
        raise ValidationError(
            "Request headers too large",
            detail=f"The request headers take {size} bytes; send at most {MAX_HEADER_BYTES}.",
            pointer="/headers",
        )


def _reject_encoded_slash(scope: Scope) -> None:
    """Raise a 404 for a path with ``%2F`` in it.

    The server decodes %2F before routing, which would turn /contacts%2F1 into /contacts/1.
    An encoded slash belongs to one segment, and no route takes an id that contains one.
    """
    raw_path = scope.get("raw_path") or b""
    if b"%2f" in raw_path.lower():
        raise NotFoundError(
            f"No such path: {scope['method']} {raw_path.decode('latin-1')} (an encoded '/' does not separate segments)"
        )


class EngagementPipeline:
    """Authenticates, resolves the connection and rejects unknown routes (see module doc)."""

    def __init__(self, app: ASGIApp, *, sandbox: Sandbox, spec_paths: SpecPaths, base_path: str) -> None:
        self.app = app
        self.sandbox = sandbox
        self.spec_paths = spec_paths
        self.base_path = base_path.rstrip("/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        in_api = path == self.base_path or path.startswith(self.base_path + "/")
        try:
            _check_header_size(scope)
            if not in_api:
                _reject_encoded_slash(scope)
        except UnifiedError as error:
            await send_error(send, error, self.sandbox.settings.application_name)
            return
        if not in_api:
            await self.app(scope, receive, send)
            return
        if len(path) > len(self.base_path) + 1 and path.endswith("/"):
            # As in Express's default routing, /contacts/ is /contacts. Without this, the
            # router would respond with a redirect built from the Host header.
            path = path.rstrip("/")
            scope["path"] = path
            scope["raw_path"] = (scope.get("raw_path") or b"").rstrip(b"/") or path.encode("latin-1")
        try:
            self._check(scope, path[len(self.base_path) :] or "/")
        except UnifiedError as error:
            await send_error(send, error, self.sandbox.settings.application_name if error.http_status != 401 else None)
            return
        await self.app(scope, receive, send)

    def _check(self, scope: Scope, relative_path: str) -> None:
        _reject_repeated_headers(scope)
        headers = _headers(scope)
        api_key = headers.get("x-api-key", "")
        if not api_key:
            raise UnauthorizedError("x-api-key header must be set")
        application_id = self.sandbox.application_for_key(api_key)
        if application_id is None:
            raise UnauthorizedError("Can't find application by api key")

        customer_id = headers.get("x-customer-id", "")
        provider_name = headers.get("x-provider-name", "")
        if not customer_id or not provider_name:
            raise UnauthorizedError("x-customer-id and x-provider-name headers must be set")
        connection = self.sandbox.connection(application_id, customer_id, provider_name)
        scope.setdefault("state", {})["connection"] = connection

        if _LINE_BREAKS.search(relative_path):
            # Connexion's router matches no route for a path with a line break in it.
            raise NotFoundError(f"No such path: {scope['method']} {scope['path']!r} contains a line break")
        _reject_encoded_slash(scope)
        methods = self.spec_paths.allowed_methods(relative_path)
        if methods is None:
            raise NotFoundError(f"No such path: {scope['method']} {scope['path']}")
        accepted, allowed = methods
        if scope["method"] not in accepted:
            raise MethodNotAllowedError(
                f"Method {scope['method']} is not allowed on {scope['path']}",
                detail=f"Method {scope['method']} is not allowed on {scope['path']}; allowed: {', '.join(allowed)}.",
                headers={"Allow": ", ".join(allowed)},
            )


class RequestLogMiddleware:
    """Logs one INFO line per request: provider, customer, method, path, status, milliseconds.

    4xx responses log at INFO, 5xx at ERROR. API keys and bodies are never logged.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            headers = _headers(scope)
            elapsed = (time.perf_counter() - started) * 1000
            level = logging.ERROR if status >= 500 else logging.INFO
            if logger.isEnabledFor(level):
                logger.log(
                    level,
                    "provider=%s customer=%s %s %s %d %.1fms",
                    headers.get("x-provider-name", "-"),
                    headers.get("x-customer-id", "-"),
                    scope["method"],
                    scope["path"],
                    status,
                    elapsed,
                )
