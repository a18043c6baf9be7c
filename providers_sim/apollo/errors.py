"""The native error a simulator handler raises to return Apollo's error body."""

from __future__ import annotations


class ApolloError(Exception):
    """A native Apollo error: ``status`` and the message sent as ``{"error": message}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
