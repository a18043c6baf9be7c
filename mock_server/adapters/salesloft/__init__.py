"""The adapter between the unified engagement API and the Salesloft REST API v2."""

from .adapter import SalesloftAdapter

__all__ = ["SalesloftAdapter"]
