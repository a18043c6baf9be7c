"""Uvicorn's HTTP protocols with the spec's error body for requests that do not parse.

Uvicorn rejects a request it cannot parse (a garbage request line, a broken header) itself,
before the application receives it, with a plain-text 400. The protocols here send the same
400 with the spec's ``errors`` body instead, so clients get one error shape for every
failure.
"""

from __future__ import annotations

import json
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from .errors import BadRequestError


def bad_request_bytes(message: str, default_headers: list[tuple[bytes, bytes]]) -> bytes:
    """Return a complete HTTP/1.1 400 response whose JSON body is the spec's ``errors`` shape."""
    error = BadRequestError(
        "Invalid HTTP request", detail=f"The server could not parse the request: {message} Check the request line and headers."
    )
    body = json.dumps(error.to_body()).encode("utf-8")
    head = [b"HTTP/1.1 400 Bad Request\r\n"]
    head.extend(name + b": " + value + b"\r\n" for name, value in default_headers)
    head.append(b"content-type: application/json\r\ncontent-length: %d\r\nconnection: close\r\n\r\n" % len(body))
    return b"".join(head) + body


class JsonBadRequest:
    """Mixin for uvicorn's protocol classes that sends a JSON 400 for unparsable requests."""

    transport: Any
    server_state: Any

    def send_400_response(self, msg: str) -> None:
        self.transport.write(bad_request_bytes(msg, self.server_state.default_headers))
        self.transport.close()


class JsonErrorH11Protocol(JsonBadRequest, H11Protocol):
    """The pure-Python protocol with the JSON 400."""


def http_protocol() -> type[Any]:
    """Return the protocol class for ``uvicorn.Config(http=...)``: httptools when installed, else h11."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:
        return JsonErrorH11Protocol

    class JsonErrorHttpToolsProtocol(JsonBadRequest, HttpToolsProtocol):
        """The httptools protocol with the JSON 400."""

    return JsonErrorHttpToolsProtocol
