"""Native calls to Outreach: authentication, error mapping, retries and list paging.

Unified cursors of Outreach lists carry the absolute ``links.next`` / ``links.prev`` URL of
the native page. A cursor is followed only when it points at the transport's own base URL
and the same list path, so a forged cursor can neither send the bearer token to another
host nor read another resource.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from providers_sim.native import NativeResponse

from ...cursor import Cursor, invalid_cursor
from ...timestamps import date_time_text, to_utc
from ..base import ListQuery, Page, Record, Transport, map_items
from .errors import error_from_native, rate_limited, unexpected_body

API = "/api/v2"
MEDIA_TYPE = "application/vnd.api+json"

Mapper = Callable[[dict[str, Any]], Record]


class OutreachClient:
    """Sends authenticated JSON:API requests and turns native errors into unified ones."""

    def __init__(
        self,
        transport: Transport,
        token: str | None,
        with_retries: Callable[[Callable[[], NativeResponse]], NativeResponse],
    ) -> None:
        self.transport = transport
        self._token = token
        self._with_retries = with_retries

    def send(
        self, method: str, url: str, *, params: list[tuple[str, str]] | None = None, json: Any = None
    ) -> NativeResponse:
        """Send one request and return the native response, whatever its status."""
        headers = {"Authorization": f"Bearer {self._token or ''}", "Accept": MEDIA_TYPE}
        if json is not None:
            headers["Content-Type"] = MEDIA_TYPE
        return self.transport.request(method, url, params=params, json=json, headers=headers)

    def call(
        self,
        method: str,
        url: str,
        *,
        params: list[tuple[str, str]] | None = None,
        json: Any = None,
        retry: bool = False,
    ) -> dict[str, Any]:
        """Send a request and return its JSON:API document, or raise the unified error on failure.

        With ``retry`` a 429 is retried with the adapter's backoff, and a 429 that outlasts
        every retry becomes 429 ``Encountered provider rate limiting.``.
        """
        if retry:
            response = self._with_retries(lambda: self.send(method, url, params=params, json=json))
            if response.status == 429:
                raise rate_limited()
        else:
            response = self.send(method, url, params=params, json=json)
        return self.document(method, url, response)

    def document(self, method: str, url: str, response: NativeResponse) -> dict[str, Any]:
        """Return the body of a successful response, or raise the unified error."""
        if not response.ok:
            raise error_from_native(response)
        body = response.body
        if not isinstance(body, dict) or "data" not in body:
            raise unexpected_body(method, url, response.status, body)
        return body

    def get(self, resource: str, record_id: str) -> dict[str, Any]:
        """Return the resource object of ``GET /api/v2/<resource>/<id>``."""
        body = self.call("GET", resource_path(resource, record_id))
        return resource_object("GET", resource, body)

    # Lists -------------------------------------------------------------------------------

    def list_page(
        self,
        resource: str,
        params: list[tuple[str, str]],
        query: ListQuery,
        mapper: Mapper,
        *,
        total_from_meta: bool = True,
    ) -> Page:
        """Fetch one page of a list (or the page a cursor names) and map its records."""
        path = f"{API}/{resource}"
        if query.cursor is not None:
            body = self.call("GET", self.cursor_url(query, path), retry=True)
        else:
            body = self.call("GET", path, params=params, retry=True)
        return page_from_document(body, mapper, total_from_meta=total_from_meta, transport=self.transport)

    def list_all(self, resource: str, params: list[tuple[str, str]]) -> list[dict[str, Any]]:
        """Return the resource objects of every page of a list, following ``links.next``."""
        path = f"{API}/{resource}"
        body = self.call("GET", path, params=params)
        found = list(_data_list(body))
        seen = set()
        while True:
            next_url = (body.get("links") or {}).get("next")
            if not isinstance(next_url, str) or next_url in seen:
                return found
            seen.add(next_url)
            body = self.call("GET", next_url)
            found.extend(_data_list(body))

    def cursor_url(self, query: ListQuery, path: str) -> str:
        """Return the native URL a cursor carries, after checking that it belongs to ``path``."""
        assert query.cursor is not None
        text = query.cursor_text or query.cursor.encode()
        url = query.cursor.id
        if not isinstance(url, str):
            raise invalid_cursor(text, "it does not come from an Outreach list")
        parts = urlsplit(url)
        base = urlsplit(self.transport.base_url)
        expected_path = base.path.rstrip("/") + path
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or parts.path.rstrip("/") != expected_path:
            raise invalid_cursor(text, f"it does not point at this connection's Outreach list {path}")
        return url


def resource_path(resource: str, record_id: str) -> str:
    return f"{API}/{resource}/{quote(str(record_id), safe='')}"


def resource_object(method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """Return ``body["data"]`` when it is a resource object with an id."""
    data = body.get("data")
    if not isinstance(data, dict) or data.get("id") is None:
        raise unexpected_body(method, path, 200, body)
    return data


def _data_list(body: dict[str, Any]) -> list[dict[str, Any]]:
    data = body.get("data")
    if not isinstance(data, list):
        raise unexpected_body("GET", "a list", 200, body)
    return [item for item in data if isinstance(item, dict) and item.get("id") is not None]


def page_from_document(body: dict[str, Any], mapper: Mapper, *, total_from_meta: bool, transport: Any = None) -> Page:
    """Build a unified page from a JSON:API list document.

    ``total_count`` is ``meta.count`` for lists and the page length for searches that the
    reference service counted that way.
    """
    records = map_items(body, mapper, _data_list(body), transport)
    links = body.get("links") or {}
    next_url, previous_url = links.get("next"), links.get("prev")
    if total_from_meta:
        count = (body.get("meta") or {}).get("count")
        total = count if isinstance(count, int) else None
    else:
        total = len(records)
    return Page(
        records,
        next=Cursor(next_url, False) if isinstance(next_url, str) and next_url else None,
        previous=Cursor(previous_url, True) if isinstance(previous_url, str) and previous_url else None,
        total_count=total,
    )


def updated_after_filter(moment: datetime) -> str:
    """Return the ``filter[updatedAt]`` range of records updated strictly after ``moment``.

    Outreach keeps milliseconds and its ranges include both ends, so the range starts at
    the first millisecond after ``moment``: 10:00:00.000250Z gives ``10:00:00.001Z..inf``.
    """
    utc = to_utc(moment)
    floored = utc.replace(microsecond=utc.microsecond - utc.microsecond % 1000)
    try:
        start = floored + timedelta(milliseconds=1)
    except OverflowError:
        # The last millisecond Python can hold; no record is updated after it.
        start = floored
    return f"{date_time_text(start)}.{start.microsecond // 1000:03d}Z..inf"
