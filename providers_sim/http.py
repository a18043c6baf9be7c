"""Serve a simulator as its vendor's native HTTP API.

``native_app(simulator)`` returns an ASGI application that turns each HTTP request into a
``NativeRequest``, lets the simulator handle it, and writes the ``NativeResponse`` back.
Request bodies may be JSON (``application/json`` or ``application/vnd.api+json``) or
form-encoded. A body that is not valid JSON gets the vendor's 400 error, and any other
non-empty body its 415 error.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .base import Simulator
from .jsonsafe import UnsafeJSONError, parse_json
from .native import NativeRequest, NativeResponse

logger = logging.getLogger(__name__)

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]


async def _read_body(request: Request) -> tuple[object, tuple[int, str] | None]:
    """Return the parsed body, or the status and message of the error when it cannot be read.

    A body that is not valid JSON is a 400; a content type that is neither JSON nor form
    data is a 415.
    """
    raw = await request.body()
    if not raw:
        return None, None
    content_type = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if content_type == "application/x-www-form-urlencoded":
        try:
            return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True)), None
        except UnicodeDecodeError as exc:
            return None, (400, f"Form body is not valid UTF-8: {exc}")
    if content_type.endswith("json") or content_type in ("", "text/plain"):
        try:
            return parse_json(raw.decode("utf-8")), None
        except (UnicodeDecodeError, UnsafeJSONError) as exc:
            return None, (400, f"Request body is not valid JSON: {exc}")
    return None, (415, f"Unsupported content type {content_type!r}; send application/json")


def native_app(simulator: Simulator) -> Starlette:
    """Build the ASGI application that serves ``simulator`` over HTTP."""

    async def dispatch(request: Request) -> Response:
        body, problem = await _read_body(request)
        if problem is not None:
            native = simulator.error(*problem)
        else:
            native_request = NativeRequest(
                method=request.method,
                path=_raw_path(request),
                query=tuple(parse_qsl(request.url.query, keep_blank_values=True)),
                headers={key.lower(): value for key, value in request.headers.items()},
                json=body,
                base_url=f"{request.url.scheme}://{request.url.netloc}",
            )
            try:
                native = await run_in_threadpool(simulator.handle, native_request)
            except Exception:
                # A simulator bug still returns the vendor's error format, never plain text.
                logger.exception("%s simulator failed on %s %s", simulator.vendor, request.method, request.url.path)
                native = simulator.error(500, "Internal server error")
        return _to_http(native)

    routes = [Route("/{path:path}", dispatch, methods=METHODS)]
    return Starlette(routes=routes)


def _raw_path(request: Request) -> str:
    """Return the path as the client sent it, percent-escapes kept.

    The in-process transport hands simulators the path of the URL the adapter built, with
    escapes such as ``%20`` intact, so the server must not decode it either. Both transports
    then give the simulator the same ``NativeRequest``.
    """
    raw = request.scope.get("raw_path")
    if isinstance(raw, bytes) and raw:
        return raw.decode("latin-1").split("?", 1)[0]
    return request.url.path


def _to_http(native: NativeResponse) -> Response:
    return Response(
        content=native.body_bytes(),
        status_code=native.status,
        headers=native.headers,
        media_type=native.content_type,
    )
