"""The Apollo adapter's base: its native client and page-numbered lists.

Apollo lists page by number. A unified cursor carries the page number as its ``id``:
``next`` is ``{"id": page + 1, "reverse": false}`` while pages remain, and ``previous``
is ``{"id": page - 1, "reverse": true}`` on every page but the first. Apollo ignores the
reverse flag. ``total_count`` is Apollo's ``total_entries``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...cursor import Cursor
from ..base import Adapter, AdapterSettings, Credentials, ListQuery, Page, Record, Transport, map_items
from ..capabilities import APOLLO
from .client import ApolloClient


class ApolloBase(Adapter):
    """Holds the native client and turns Apollo pages into unified pages."""

    def __init__(self, transport: Transport, credentials: Credentials, settings: AdapterSettings | None = None) -> None:
        super().__init__(transport, credentials, settings)
        self.client = ApolloClient(transport, credentials.api_key or credentials.token, self.with_retries)

    def list_page(
        self,
        path: str,
        key: str,
        query: ListQuery,
        mapper: Callable[[dict[str, Any]], Record],
        *,
        method: str = "POST",
        remember: bool = True,
    ) -> Page:
        """Fetch the page that a list query requests and map its items with ``mapper``.

        ``remember=False`` is for mappers whose result depends on more than the item (the
        current time, for example), which must run on every call.

        The operation layer rejects ``modified_after`` on Apollo lists before calling the
        adapter. A query that still carries one is rejected here with the same error.
        """
        if query.modified_after is not None and APOLLO.list_refuses_modified_after is not None:
            raise APOLLO.list_refuses_modified_after.error()
        page = 1
        if query.cursor is not None:
            page = query.cursor.page_number(query.cursor_text or query.cursor.encode())
        per_page = query.page_size or APOLLO.default_page_size
        if APOLLO.list_page_cap is not None:
            per_page = min(per_page, APOLLO.list_page_cap)

        if method == "GET":
            payload = self.client.send("GET", path, params={"page": page, "per_page": per_page})
        else:
            payload = self.client.send("POST", path, body={"page": page, "per_page": per_page})
        items = [item for item in payload.get(key) or [] if isinstance(item, dict) and "id" in item]
        result = _page_from_pagination(payload.get("pagination"), page)
        if remember:
            result.records = map_items(payload, mapper, items, self.transport)
        else:
            result.records = [mapper(item) for item in items]
        return result


def _page_from_pagination(pagination: Any, requested: int) -> Page:
    """Build the cursors of a page from Apollo's ``pagination``, whose ``page`` may be a string."""
    pagination = pagination if isinstance(pagination, dict) else {}
    page = _whole(pagination.get("page")) or requested
    total_pages = _whole(pagination.get("total_pages")) or 0
    total_entries = _whole(pagination.get("total_entries"))
    return Page(
        records=[],
        next=Cursor(page + 1, False) if total_pages > page else None,
        previous=Cursor(page - 1, True) if page != 1 else None,
        total_count=total_entries,
    )


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
