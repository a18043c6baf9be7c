"""Native Salesloft calls: bearer auth, error mapping, retries and page-number paging.

Salesloft lists page by number. A unified cursor for Salesloft contains the native page
number (``{"id": 2, "reverse": false}``); ``next`` comes from ``metadata.paging.next_page``
and ``previous`` from ``prev_page``. Any other cursor (a URL, a record id, a page below 1)
is rejected as invalid.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from providers_sim.native import NativeResponse

from ...cursor import Cursor
from ...timestamps import date_time_text, to_utc
from ..base import ListQuery, Record, Transport, map_items
from .errors import from_native_error, rate_limited

Params = list[tuple[str, str]]
Retrier = Callable[[Callable[[], NativeResponse]], NativeResponse]


@dataclass(frozen=True)
class NativePage:
    """The records and paging metadata of one native list response."""

    data: list[dict[str, Any]]
    next_page: int | None
    prev_page: int | None
    total_count: int | None
    # The response body ``data`` was picked from, and the transport that returned it.
    source: Any = None
    transport: Any = None

    def mapped(self, mapper: Callable[[dict[str, Any]], Record]) -> list[Record]:
        """Return the unified records of ``data`` (see ``map_items``)."""
        return map_items(self.source, mapper, self.data, self.transport)

    @property
    def next_cursor(self) -> Cursor | None:
        return Cursor(self.next_page, False) if self.next_page is not None else None

    @property
    def previous_cursor(self) -> Cursor | None:
        return Cursor(self.prev_page, True) if self.prev_page is not None else None


class SalesloftClient:
    """Sends native requests with the connection's bearer token and maps native errors."""

    def __init__(self, transport: Transport, token: str | None, retrier: Retrier) -> None:
        self._transport = transport
        self._token = token
        self._retrier = retrier

    def send(
        self,
        method: str,
        path: str,
        *,
        params: Iterable[tuple[str, Any]] = (),
        json: Any = None,
        retry: bool = False,
    ) -> Any:
        """Send one request and return the response body; raise the unified error on failure.

        ``retry`` runs the call under the retry policy and turns a final 429 into the
        unified 429 ``Encountered provider rate limiting.``.
        """
        pairs = [(key, _text(value)) for key, value in params if value is not None]
        headers = {"Accept": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        if json is not None:
            headers["Content-Type"] = "application/json"

        def call() -> NativeResponse:
            return self._transport.request(method, path, params=pairs, json=json, headers=headers)

        response = self._retrier(call) if retry else call()
        if response.status == 429 and retry:
            raise rate_limited(response)
        if not response.ok:
            raise from_native_error(response)
        return response.body

    def data(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """Send a request and return the ``data`` object of the response envelope."""
        body = self.send(method, path, **kwargs)
        found = body.get("data") if isinstance(body, dict) else None
        return found if isinstance(found, dict) else {}

    def page(self, path: str, params: Iterable[tuple[str, Any]], *, retry: bool = True) -> NativePage:
        """Fetch one page of a native list."""
        body = self.send("GET", path, params=params, retry=retry)
        body = body if isinstance(body, dict) else {}
        paging = (body.get("metadata") or {}).get("paging") or {}
        data = [item for item in body.get("data") or [] if isinstance(item, dict)]
        return NativePage(
            data, _page_number(paging.get("next_page")), _page_number(paging.get("prev_page")), _count(paging), body, self._transport
        )


def record_path(collection: str, record_id: str, suffix: str = "") -> str:
    """Return ``/v2/<collection>/<id>`` with the unified id escaped as one path segment."""
    return f"/v2/{collection}/{quote(str(record_id), safe='')}{suffix}"


def requested_page(query: ListQuery) -> int | None:
    """Return the native page number that a unified cursor requests (None for the first page)."""
    if query.cursor is None:
        return None
    return query.cursor.page_number(query.cursor_text or query.cursor.encode())


def updated_after(moment: datetime) -> str:
    """Format a ``modified_after`` time for Salesloft's ``updated_at[gt]`` filter."""
    utc = to_utc(moment)
    return f"{date_time_text(utc)}.{utc.microsecond:06d}Z"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _page_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _count(paging: dict[str, Any]) -> int | None:
    found = paging.get("total_count")
    return found if isinstance(found, int) and not isinstance(found, bool) else None
