"""The vendors that can stand behind the unified API."""

from __future__ import annotations

from enum import StrEnum


class Provider(StrEnum):
    """A value of the ``x-provider-name`` header that selects a vendor."""

    APOLLO = "apollo"
    OUTREACH = "outreach"
    SALESLOFT = "salesloft"

    def __str__(self) -> str:
        return self.value
