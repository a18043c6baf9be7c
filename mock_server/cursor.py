"""Pagination cursors: base64url (no padding) of the compact JSON ``{"id": X, "reverse": B}``.

``{"id":2,"reverse":false}`` encodes to ``eyJpZCI6MiwicmV2ZXJzZSI6ZmFsc2V9``. What ``id``
contains depends on the vendor: a page number (Apollo, Salesloft), the absolute URL of the
next native page (Outreach), or the last record id of a cached read.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from .errors import BadRequestError


@dataclass(frozen=True)
class Cursor:
    """A decoded cursor; ``id`` is an int or a string, depending on who made it."""

    id: int | str
    reverse: bool = False

    def encode(self) -> str:
        text = json.dumps({"id": self.id, "reverse": self.reverse}, separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, value: str) -> Cursor:
        """Parse a cursor from a query parameter; raise ``BadRequestError`` when malformed."""
        padded = value + "=" * (-len(value) % 4)
        try:
            raw = base64.urlsafe_b64decode(padded.encode("ascii"))
            data = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeError, binascii.Error):
            raise invalid_cursor(value, "it is not base64url-encoded JSON") from None
        if not isinstance(data, dict) or set(data) - {"id", "reverse"} or "id" not in data:
            raise invalid_cursor(value, 'it must decode to {"id": ..., "reverse": ...}')
        cursor_id = data["id"]
        reverse = data.get("reverse", False)
        if isinstance(cursor_id, bool) or not isinstance(cursor_id, (int, str)):
            raise invalid_cursor(value, "its id must be a number or a string")
        if not isinstance(reverse, bool):
            raise invalid_cursor(value, "its reverse flag must be true or false")
        return cls(cursor_id, reverse)

    def page_number(self, raw: str) -> int:
        """Return ``id`` as a page number (1 or more); ``raw`` is the cursor text, for messages."""
        if isinstance(self.id, bool) or not isinstance(self.id, int) or self.id < 1:
            raise invalid_cursor(raw, "it does not come from this provider's list")
        return self.id


def invalid_cursor(value: str, reason: str) -> BadRequestError:
    shown = value if len(value) <= 80 else value[:77] + "..."
    return BadRequestError(
        f"Invalid cursor {shown!r}: {reason}. Pass the cursor exactly as a previous "
        "response returned it in pagination.next or pagination.previous."
    )
