"""Run the Flask application on the event loop's thread instead of a thread pool.

Connexion serves a Flask app through a2wsgi, which hands every request to a worker thread
and passes the body and the response back through futures. When every vendor behind the
sandbox is simulated in the same process, handlers make no network calls, and the
interpreter runs one thread at a time anyway. The hand-off then gains nothing, and on a
2-core machine it took about half of a small request's time (see ``bench/README.md``).
``InlineWSGI`` reads the request body, calls the WSGI application directly and sends its
response.

While a handler runs, the server accepts no other request. With an HTTP backend a handler
can wait on a slow vendor, so ``use_inline_wsgi`` leaves the thread pool in place then.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable
from typing import Any, cast

from a2wsgi.wsgi import build_environ
from connexion import FlaskApp
from starlette.types import ASGIApp, Receive, Scope, Send

logger = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class InlineWSGI:
    """An ASGI application that calls a WSGI application on the calling thread.

    Scopes other than ``http`` (lifespan, websocket) go to ``others`` when given, and are
    otherwise ignored.
    """

    def __init__(self, wsgi_app: WSGIApp, others: ASGIApp | None = None) -> None:
        self.wsgi_app = wsgi_app
        self.others = others

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if self.others is not None:
                await self.others(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        environ = cast(dict[str, Any], build_environ(scope, io.BytesIO(b"".join(chunks))))  # type: ignore[arg-type]
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            if exc_info is not None and started:
                raise exc_info[1].with_traceback(exc_info[2])
            started[:] = [status, headers]
            return _no_write

        result = self.wsgi_app(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        if not started:
            raise RuntimeError("The WSGI application returned without calling start_response")
        status, headers = started
        await send(
            {
                "type": "http.response.start",
                "status": int(status.split(" ", 1)[0]),
                "headers": [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _no_write(_data: bytes) -> None:
    raise RuntimeError("This server does not support the WSGI write() callable; return the body instead")


def use_inline_wsgi(app: FlaskApp) -> bool:
    """Make ``app`` call its Flask application inline; return False when Connexion has no such hook."""
    middleware_app = getattr(app, "_middleware_app", None)
    if middleware_app is None or not hasattr(middleware_app, "asgi_app"):
        logger.warning("This Connexion version offers no way to call Flask inline; keeping its thread pool")
        return False
    middleware_app.asgi_app = InlineWSGI(app.app.wsgi_app, middleware_app.asgi_app)
    return True
