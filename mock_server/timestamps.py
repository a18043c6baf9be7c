"""RFC 3339 date-time parsing shared by validation and the cache."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)


def parse_rfc3339(value: str) -> datetime | None:
    """Return an aware datetime for an RFC 3339 date-time with offset or ``Z``, else None.

    ``2024-05-01T10:00:00Z`` and ``2024-05-01T10:00:00.5+02:00`` parse;
    ``2024-05-01T10:00:00`` (no offset) and ``2024-05-01`` do not.
    """
    if not _RFC3339.match(value):
        return None
    text = value.replace("z", "Z").replace("Z", "+00:00")
    if "." in text:
        head, _, tail = text.partition(".")
        digits = re.match(r"\d+", tail)
        assert digits is not None
        fraction = digits.group(0)[:6].ljust(6, "0")
        text = f"{head}.{fraction}{tail[len(digits.group(0)):]}"
    try:
        return datetime.fromisoformat(text.replace("t", "T"))
    except ValueError:
        return None


def to_utc(moment: datetime) -> datetime:
    """Return ``moment`` in UTC, clamped to the range of ``datetime``.

    ``0001-01-01T00:00:00+01:00`` lies before the first UTC instant Python can hold, and
    ``9999-12-31T23:59:59-01:00`` after the last, so they become those instants.
    """
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        edge = datetime.min if moment.year == datetime.min.year else datetime.max
        return edge.replace(tzinfo=UTC)


def date_time_text(moment: datetime) -> str:
    """Return ``YYYY-MM-DDTHH:MM:SS`` with a four-digit year (``strftime`` drops leading zeros)."""
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    )


def parse_timestamp(value: object) -> datetime | None:
    """Parse a stored ISO 8601 timestamp (as records carry them); None when absent or invalid."""
    if not isinstance(value, str):
        return None
    return parse_rfc3339(value)


_CANONICAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def unified_timestamp(value: Any) -> str | None:
    """Return a native date-time as the unified form ``2023-10-21T03:59:24.026Z``.

    A time without an offset is taken as UTC. Returns None when ``value`` is missing or
    not an ISO 8601 date-time.
    """
    if not isinstance(value, str) or not value:
        return None
    if _CANONICAL.match(value):
        return value
    try:
        moment = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = to_utc(moment)
    return f"{date_time_text(moment)}.{moment.microsecond // 1000:03d}Z"
