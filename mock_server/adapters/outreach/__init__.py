"""The Outreach adapter of the unified engagement API."""

from .adapter import OutreachAdapter

__all__ = ["OutreachAdapter"]
