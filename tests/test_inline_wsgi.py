"""Calling the Flask application on the event loop's thread."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from a2wsgi import WSGIMiddleware

from mock_server.app import create_app
from mock_server.inline import InlineWSGI
from mock_server.providers import Provider
from mock_server.settings import HttpBackend, Settings


def scope(method: str = "POST", path: str = "/echo", query: bytes = b"a=1") -> dict[str, Any]:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": query,
        "http_version": "1.1",
        "headers": [(b"content-type", b"text/plain"), (b"x-test", b"yes")],
        "server": ("127.0.0.1", 8080),
        "client": ("127.0.0.1", 50000),
    }


def run(app: InlineWSGI, messages: list[dict[str, Any]], request_scope: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    incoming = iter(messages)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return next(incoming)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(request_scope or scope(), receive, send))
    return sent


class Recording:
    """A WSGI application that echoes what it received, through a closable iterable."""

    def __init__(self) -> None:
        self.environ: dict[str, Any] = {}
        self.closed = False

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
        self.environ = environ
        body = environ["wsgi.input"].read()
        start_response("201 Created", [("Content-Type", "text/plain"), ("X-Seen", environ["HTTP_X_TEST"])])
        recording = self

        class Chunks:
            def __iter__(self) -> Iterator[bytes]:
                yield b"got:"
                yield body

            def close(self) -> None:
                recording.closed = True

        return Chunks()  # type: ignore[return-value]


def test_chunked_body_arrives_whole() -> None:
    application = Recording()
    sent = run(InlineWSGI(application), [
        {"type": "http.request", "body": b"hello ", "more_body": True},
        {"type": "http.request", "body": b"world", "more_body": False},
    ])
    assert sent[0]["status"] == 201
    assert (b"x-seen", b"yes") in sent[0]["headers"]
    assert (b"content-type", b"text/plain") in sent[0]["headers"]
    assert sent[1]["body"] == b"got:hello world"
    assert application.closed
    assert application.environ["QUERY_STRING"] == "a=1"
    assert application.environ["asgi.scope"]["path"] == "/echo"


def test_disconnect_skips_application() -> None:
    application = Recording()
    sent = run(InlineWSGI(application), [
        {"type": "http.request", "body": b"part", "more_body": True},
        {"type": "http.disconnect"},
    ])
    assert sent == []
    assert application.environ == {}


def test_application_error_propagates() -> None:
    def failing(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        raise LookupError("broken handler")

    with pytest.raises(LookupError, match="broken handler"):
        run(InlineWSGI(failing), [{"type": "http.request", "body": b""}])


def test_write_callable_raises() -> None:
    def writing(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        write = start_response("200 OK", [])
        write(b"old style")
        return []

    with pytest.raises(RuntimeError, match="write"):
        run(InlineWSGI(writing), [{"type": "http.request", "body": b""}])


def test_missing_start_response_raises() -> None:
    def silent(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        return [b"no status"]

    with pytest.raises(RuntimeError, match="start_response"):
        run(InlineWSGI(silent), [{"type": "http.request", "body": b""}])


def test_lifespan_goes_to_others() -> None:
    seen: list[str] = []

    async def others(request_scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(request_scope["type"])

    run(InlineWSGI(Recording(), others), [], {"type": "lifespan"})
    run(InlineWSGI(Recording()), [], {"type": "lifespan"})
    assert seen == ["lifespan"]


def test_in_process_sandbox_runs_inline() -> None:
    app = create_app(Settings())
    assert isinstance(app._middleware_app.asgi_app, InlineWSGI)


def test_http_backend_keeps_thread_pool() -> None:
    backend = HttpBackend(base_url="http://127.0.0.1:9")
    app = create_app(Settings(http_backends={Provider.OUTREACH: backend}))
    assert isinstance(app._middleware_app.asgi_app, WSGIMiddleware)
