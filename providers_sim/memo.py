"""Bounded memos that let a repeated read of unchanged data reuse what the last one built.

Each layer keeps its own. A simulator remembers the response of a read-only request per
store version. An adapter remembers the unified records it mapped from one native body
object, and the operation layer remembers the JSON text of one list of records. A memo
hit hands out the very object built before, so every layer treats what it receives from
the layer below as read-only.

Setting the environment variable ``ENGAGEMENT_MOCK_VERIFY_MEMOS=1`` makes every hit
rebuild its value as well and raise ``MemoMismatch`` when the two differ. The test suite
runs with it, so that a layer which changes a shared object, or a read that depends on
something other than its inputs, fails loudly instead of serving stale data.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

V = TypeVar("V")
T = TypeVar("T")

VERIFY_VARIABLE = "ENGAGEMENT_MOCK_VERIFY_MEMOS"


def verifying() -> bool:
    """Return whether memo hits are checked against a rebuilt value."""
    return os.environ.get(VERIFY_VARIABLE, "") not in ("", "0")


class MemoMismatch(AssertionError):
    """A remembered value differs from the value rebuilt from the same inputs."""


class Memo(Generic[V]):
    """A least-recently-used map of at most ``size`` entries, safe to share between threads."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("a memo needs room for at least one entry")
        self.size = size
        self._entries: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class DerivedMemo:
    """Values computed from a source object, reused while the same object comes back.

    The key is the identity of the source plus a caller's key (the function applied, for
    example). An entry holds a reference to its source, so no other object can take over
    that identity while the entry exists. Only lists and dicts are remembered: other
    values are cheap to rebuild or may be shared singletons.
    """

    def __init__(self, size: int) -> None:
        self._memo: Memo[tuple[Any, Any]] = Memo(size)

    def __len__(self) -> int:
        return len(self._memo)

    def derive(self, source: Any, key: Hashable, build: Callable[[], T]) -> T:
        """Return ``build()``, or the value it returned for this very ``source`` and ``key``."""
        if type(source) not in (list, dict):
            return build()
        memo_key = (id(source), key)
        entry = self._memo.get(memo_key)
        if entry is not None and entry[0] is source:
            value: T = entry[1]
            if verifying():
                check_same(value, build(), f"value derived with {key!r}")
            return value
        value = build()
        self._memo.put(memo_key, (source, value))
        return value

    def clear(self) -> None:
        self._memo.clear()


def check_same(remembered: Any, rebuilt: Any, description: str) -> None:
    """Raise ``MemoMismatch`` when a remembered value no longer equals its rebuilt value."""
    if remembered != rebuilt:
        raise MemoMismatch(f"The remembered {description} differs from the one rebuilt from the same inputs")
