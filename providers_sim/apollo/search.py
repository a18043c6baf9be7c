"""Paging and keyword matching of Apollo's search endpoints.

Apollo pages by number: ``page`` starts at 1 and ``per_page`` is capped at 100. The
``pagination`` object echoes ``page`` as the client sent it, so a page given as a string
(every query-string page, and JSON pages sent as strings) comes back as a string.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from mock_server.adapters.capabilities import APOLLO

from .errors import ApolloError

MAX_PER_PAGE = APOLLO.list_page_cap or 100
DEFAULT_PER_PAGE = 10

_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class PageRequest:
    """A validated page request; ``echo`` is ``page`` as the client sent it."""

    page: int
    per_page: int
    echo: int | str


def page_request(page: Any, per_page: Any) -> PageRequest:
    """Validate ``page`` and ``per_page`` from a JSON body or a query string."""
    page_number = _positive_int("page", page, 1)
    size = min(_positive_int("per_page", per_page, DEFAULT_PER_PAGE), MAX_PER_PAGE)
    echo: int | str = page if isinstance(page, str) else page_number
    return PageRequest(page_number, size, echo)


def paginate(items: Sequence[dict[str, Any]], request: PageRequest) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Return one page of ``items`` and Apollo's ``pagination`` object."""
    start = (request.page - 1) * request.per_page
    chosen = list(items[start : start + request.per_page])
    return chosen, pagination_for(request, len(items))


def pagination_for(request: PageRequest, total: int) -> dict[str, Any]:
    """Return Apollo's ``pagination`` object for a page of a result of ``total`` items."""
    return {
        "page": request.echo,
        "per_page": request.per_page,
        "total_entries": total,
        "total_pages": (total + request.per_page - 1) // request.per_page,
    }


def _positive_int(name: str, value: Any, default: int) -> int:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise ApolloError(422, f"{name} must be a positive integer, got {value!r}")
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise ApolloError(422, f"{name} must be a positive integer, got {value!r}") from None
    if isinstance(value, float) and not value.is_integer():
        raise ApolloError(422, f"{name} must be a positive integer, got {value!r}")
    if number < 1:
        raise ApolloError(422, f"{name} must be a positive integer, got {value!r}")
    return number


def matches_organization_name(query: str, name: str | None) -> bool:
    """Apply ``q_organization_name``: every query word starts some word of the name.

    Matching ignores case and punctuation, so ``"acme"`` finds ``"Acme Corp"`` and
    ``"ACME Labs"``.
    """
    wanted = _WORD.findall(query.lower())
    words = _WORD.findall((name or "").lower())
    return all(any(word.startswith(token) for word in words) for token in wanted)


def matches_keywords(query: str, texts: Iterable[str | None]) -> bool:
    """Apply ``q_keywords``: every whitespace-separated query term occurs in one of ``texts``.

    Matching ignores case and looks for substrings, so ``"smith@example.com"`` also finds
    ``"jsmith@example.com"``.
    """
    haystack = " ".join(text.lower() for text in texts if text)
    return all(term in haystack for term in query.lower().split())
