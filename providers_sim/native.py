"""The native request and response types that every simulator handles.

A simulator is a function from ``NativeRequest`` to ``NativeResponse``. The in-process
transport calls it directly; the native HTTP server turns real HTTP requests into the same
objects. Both paths therefore run the same simulator code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit


@dataclass(frozen=True)
class NativeRequest:
    """One request to a vendor API, as the vendor's server would see it.

    ``path`` has no query string; ``query`` keeps repeated keys in order. Header names are
    lowercase. ``base_url`` is the scheme and host the client used (for absolute links).
    """

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    json: Any = None
    base_url: str = ""

    @classmethod
    def from_url(
        cls,
        method: str,
        url: str,
        *,
        params: Iterable[tuple[str, str]] | Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        base_url: str = "",
    ) -> NativeRequest:
        """Build a request from a path or an absolute URL plus extra query parameters."""
        parts = urlsplit(url)
        query = list(parse_qsl(parts.query, keep_blank_values=True))
        if params:
            items = params.items() if isinstance(params, Mapping) else params
            query.extend((str(key), str(value)) for key, value in items)
        if parts.scheme and parts.netloc:
            base_url = f"{parts.scheme}://{parts.netloc}"
        return cls(
            method=method.upper(),
            path=parts.path or "/",
            query=tuple(query),
            headers={key.lower(): value for key, value in (headers or {}).items()},
            json=json,
            base_url=base_url,
        )

    def param(self, name: str, default: str | None = None) -> str | None:
        """Return the last value of query parameter ``name``."""
        found = default
        for key, value in self.query:
            if key == name:
                found = value
        return found

    def params(self, name: str) -> list[str]:
        """Return every value of query parameter ``name``, in order."""
        return [value for key, value in self.query if key == name]

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def url(self) -> str:
        """Return the absolute URL of this request."""
        suffix = f"?{urlencode(self.query)}" if self.query else ""
        return f"{self.base_url}{self.path}{suffix}"


@dataclass
class NativeResponse:
    """A vendor API response: status, headers and a JSON body (or text for plain bodies)."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def body_bytes(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, str) and not self.content_type.endswith("json"):
            return self.body.encode("utf-8")
        return json.dumps(self.body).encode("utf-8")


Handler = Callable[..., NativeResponse]


class Router:
    """Maps ``(method, path pattern)`` to handlers; patterns use ``{name}`` segments.

    A pattern segment ``{id}`` matches one path segment. The handler is called as
    ``handler(request, **path_values)``. ``suffixes`` lists endings a path may carry and
    that are removed before matching (Salesloft accepts ``/v2/people.json``).
    """

    def __init__(self, suffixes: tuple[str, ...] = ()) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._suffixes = suffixes

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        regex = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern.rstrip("/")) + "/?$"
        self._routes.append((method.upper(), re.compile(regex), handler))

    def resolve(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None | str:
        """Return the handler and path values, ``"method"`` for a known path with another
        method, or None for an unknown path."""
        for suffix in self._suffixes:
            if path.endswith(suffix):
                path = path[: -len(suffix)]
                break
        path_known = False
        for route_method, regex, handler in self._routes:
            match = regex.match(path)
            if match is None:
                continue
            if route_method == method.upper():
                # Match on the path as sent, then decode each value: ``12%203`` is id ``12 3``.
                return handler, {name: unquote(value) for name, value in match.groupdict().items()}
            path_known = True
        return "method" if path_known else None
