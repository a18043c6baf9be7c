"""The Apollo adapter of the unified API."""

from .adapter import ApolloAdapter

__all__ = ["ApolloAdapter"]
