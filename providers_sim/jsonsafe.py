"""Parse request bodies as strict JSON that every later step can store and send back.

Python's ``json`` module accepts more than JSON: ``NaN`` and ``Infinity``, numbers that
overflow to infinity, lone UTF-16 surrogates (which cannot be encoded as UTF-8 again),
and nesting deep enough to exhaust the interpreter's recursion limit later on. Stored,
any of those breaks every read of the record. ``parse_json`` rejects them up front, and
integers longer than Python converts from text (4,300 digits by default).
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 64


class UnsafeJSONError(ValueError):
    """A request body that is not strict JSON, or contains a value the store cannot keep."""


def _reject_constant(name: str) -> Any:
    raise UnsafeJSONError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise UnsafeJSONError(f"number {text[:40]} is out of range")
    return value


def parse_json(text: str) -> Any:
    """Return the value of ``text``; raise ``UnsafeJSONError`` with the reason when it is unsafe."""
    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except UnsafeJSONError:
        raise
    except RecursionError:
        raise UnsafeJSONError(f"nesting is deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:
        raise UnsafeJSONError(str(exc)) from None
    check_value(value)
    return value


def check_value(value: Any) -> None:
    """Raise ``UnsafeJSONError`` for deep nesting or lone surrogates in ``value``."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise UnsafeJSONError(f"nesting is deeper than {MAX_DEPTH} levels")
        kind = type(item)
        if kind is dict:
            for key, child in item.items():
                _check_text(key)
                pending.append((child, depth + 1))
        elif kind is list:
            pending.extend((child, depth + 1) for child in item)
        elif kind is str:
            _check_text(item)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise UnsafeJSONError("string contains a lone UTF-16 surrogate, which is invalid Unicode") from None
