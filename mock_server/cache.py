"""The managed-destination cache that ``read_from_cache=true`` reads.

The reference service copied each common object into a Postgres destination with a
periodic sync. Here every connection has a sync for every object unless one is switched
off, the first cached read of an object runs a full sync through the adapter, and each
write through the unified API refreshes its record at once, so a cached read returns a write
immediately. Records are ordered by ``id`` as strings, ascending, as the destination's
``ORDER BY id`` did.
"""

from __future__ import annotations

import bisect
import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .cursor import Cursor, invalid_cursor
from .errors import BadRequestError, NotImplementedUnifiedError
from .timestamps import parse_timestamp

if TYPE_CHECKING:
    from .adapters.base import Adapter, Page

COMMON_OBJECTS = ("account", "contact", "user", "mailbox", "sequence", "sequence_state")


class _ObjectCache:
    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.order: list[str] = []
        self.synced = False

    def put(self, record: dict[str, Any]) -> None:
        record_id = str(record["id"])
        if record_id not in self.records:
            bisect.insort(self.order, record_id)
        self.records[record_id] = record


class ManagedCache:
    """The cached copy of one connection's common objects."""

    def __init__(self, adapter: Adapter) -> None:
        self.adapter = adapter
        self._objects = {name: _ObjectCache() for name in COMMON_OBJECTS}
        self._disabled: set[str] = set()
        self._lock = threading.RLock()

    # Syncs -------------------------------------------------------------------------------

    def set_sync(self, object_name: str, enabled: bool) -> None:
        """Switch the sync of one object on or off (off reproduces the reference's 400)."""
        if object_name not in self._objects:
            raise BadRequestError(
                f"Unknown common object {object_name!r}; expected one of {', '.join(COMMON_OBJECTS)}"
            )
        with self._lock:
            if enabled:
                self._disabled.discard(object_name)
            else:
                self._disabled.add(object_name)

    def invalidate(self) -> None:
        """Forget every cached record; the next cached read syncs again."""
        with self._lock:
            self._objects = {name: _ObjectCache() for name in COMMON_OBJECTS}

    def has_sync(self, object_name: str) -> bool:
        return object_name not in self._disabled

    def is_synced(self, object_name: str) -> bool:
        """Whether the object has been read into the cache (so writes must refresh it)."""
        return object_name not in self._disabled and self._objects[object_name].synced

    def mark_stale(self, object_name: str) -> None:
        """Drop one object's cached records; the next cached read syncs it again."""
        with self._lock:
            self._objects[object_name] = _ObjectCache()

    def _synced(self, object_name: str, customer_id: str) -> _ObjectCache:
        cached = self._objects[object_name]
        if not cached.synced:
            try:
                records = self.adapter.sync_records(object_name)
            except NotImplementedUnifiedError:
                # The vendor has no such object (Salesloft mailboxes), so no sync can exist.
                self._disabled.add(object_name)
                raise _no_sync(object_name, customer_id) from None
            for record in records:
                cached.put(_without_raw(record))
            cached.synced = True
        return cached

    # Writes ------------------------------------------------------------------------------

    def refresh(self, object_name: str, record: dict[str, Any]) -> None:
        """Store the new version of a record after a write, when that object is synced."""
        with self._lock:
            if object_name in self._disabled:
                return
            cached = self._objects[object_name]
            if cached.synced:
                cached.put(_without_raw(record))

    # Reads -------------------------------------------------------------------------------

    def page(
        self,
        object_name: str,
        customer_id: str,
        page_size: int | None,
        cursor: Cursor | None,
        cursor_text: str | None,
        modified_after: datetime | None,
    ) -> Page:
        """Return one page of cached records, as the reference's cached list did."""
        from .adapters.base import Page

        if object_name in self._disabled:
            raise _no_sync(object_name, customer_id)
        size = 10 if page_size is None else page_size
        if size < 1:
            raise BadRequestError("Page size must be greater than 0")
        if size > 1000:
            raise BadRequestError("Page size cannot exceed 1000")
        if cursor is not None and not isinstance(cursor.id, str):
            raise invalid_cursor(cursor_text or "", "it does not come from a cached read")

        with self._lock:
            cached = self._synced(object_name, customer_id)
            if cursor is not None and str(cursor.id) not in cached.records:
                raise invalid_cursor(cursor_text or "", "it names no cached record of this list")
            order = cached.order
            if modified_after is not None:
                order = [key for key in order if _modified_after(cached.records[key], modified_after)]
            total = len(order)
            if cursor is None:
                start, end = 0, min(size, total)
            elif cursor.reverse:
                end = bisect.bisect_left(order, str(cursor.id))
                start = max(0, end - size)
            else:
                start = bisect.bisect_right(order, str(cursor.id))
                end = min(total, start + size)
            chosen = order[start:end]
            records = [dict(cached.records[key]) for key in chosen]

        next_cursor = Cursor(chosen[-1], False) if chosen and end < total else None
        previous_cursor = Cursor(chosen[0], True) if chosen and start > 0 else None
        return Page(records, next_cursor, previous_cursor, total)


def _no_sync(object_name: str, customer_id: str) -> BadRequestError:
    return BadRequestError(
        f"No sync found for {object_name} for customer {customer_id}. Please ensure you're syncing "
        "the right object type (standard or common) from your provider."
    )


def _without_raw(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if key != "raw_data"}


def _modified_after(record: dict[str, Any], moment: datetime) -> bool:
    stamp = parse_timestamp(record.get("last_modified_at"))
    return stamp is not None and stamp > moment
