"""Salesloft list endpoints: page-number paging, time-range filters and the list envelope.

Every list returns ``{"metadata": {"filtering", "sorting", "paging"}, "data": [...]}``.
``per_page`` runs 1..100 (default 25) and ``page`` starts at 1. ``paging.total_pages`` and
``paging.total_count`` appear only when ``include_paging_counts`` is true.

NOTE: Salesloft sorts lists by ``updated_at`` descending unless a request sets ``sort_by``. The
simulator always pages in id order (and says so in ``metadata.sorting``), so that page
numbers stay stable while records change between two page reads.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from providers_sim.native import NativeRequest, NativeResponse
from providers_sim.store import Collection

from .documents import ValidationErrors, parse_id, parse_time, present, unprocessable

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100
TIME_FIELDS = ("updated_at", "created_at")
TIME_OPERATORS: Mapping[str, Callable[[datetime, datetime], bool]] = {
    "gt": lambda stored, bound: stored > bound,
    "gte": lambda stored, bound: stored >= bound,
    "lt": lambda stored, bound: stored < bound,
    "lte": lambda stored, bound: stored <= bound,
}
TRUE_WORDS = frozenset({"true", "1", "t", "yes"})

Predicate = Callable[[Mapping[str, Any]], bool]


@dataclass(frozen=True)
class PageRequest:
    """The paging parameters of one list request."""

    per_page: int
    page: int
    page_given: bool
    include_counts: bool


def read_page_request(request: NativeRequest) -> PageRequest:
    """Read ``per_page``, ``page`` and ``include_paging_counts``; a 422 when out of range."""
    errors: ValidationErrors = {}
    per_page = _whole_number(request.param("per_page"), DEFAULT_PER_PAGE)
    if per_page is None or not 1 <= per_page <= MAX_PER_PAGE:
        errors["per_page"] = [f"must be a whole number from 1 to {MAX_PER_PAGE}"]
    page = _whole_number(request.param("page"), 1)
    if page is None or page < 1:
        errors["page"] = ["must be a whole number of 1 or more"]
    if errors:
        raise unprocessable(errors)
    assert per_page is not None and page is not None
    include = (request.param("include_paging_counts") or "").strip().lower() in TRUE_WORDS
    return PageRequest(per_page, page, request.param("page") not in (None, ""), include)


def _whole_number(text: str | None, default: int) -> int | None:
    if text is None or text == "":
        return default
    try:
        return int(text)
    except ValueError:
        return None


def flag(request: NativeRequest, name: str) -> bool | None:
    """Read a boolean query parameter; None when absent or neither true nor false."""
    text = (request.param(name) or "").strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in {"false", "0", "f", "no"}:
        return False
    return None


def array_param(request: NativeRequest, name: str) -> list[str] | None:
    """Read an array filter sent as ``name[]=a&name[]=b`` or as ``name=a,b``; None when absent."""
    bracketed = request.params(f"{name}[]")
    joined = request.params(name)
    if not bracketed and not joined:
        return None
    values = list(bracketed)
    for text in joined:
        values.extend(part for part in text.split(",") if part != "")
    return values


def time_filters(request: NativeRequest, filtering: dict[str, Any]) -> list[Predicate]:
    """Turn ``updated_at[gt]=...`` style parameters into predicates on the stored times."""
    predicates: list[Predicate] = []
    errors: ValidationErrors = {}
    for field_name in TIME_FIELDS:
        for operator, compare in TIME_OPERATORS.items():
            key = f"{field_name}[{operator}]"
            text = request.param(key)
            if text is None:
                continue
            bound = parse_time(text)
            if bound is None:
                errors.setdefault(field_name, []).append(
                    f"{operator} must be an ISO 8601 time with an offset, got {text!r}"
                )
                continue
            filtering[key] = text
            predicates.append(_time_predicate(field_name, compare, bound))
    if errors:
        raise unprocessable(errors)
    return predicates


def _time_predicate(field_name: str, compare: Callable[[datetime, datetime], bool], bound: datetime) -> Predicate:
    def matches(document: Mapping[str, Any]) -> bool:
        stored = parse_time(document.get(field_name))
        return stored is not None and compare(stored, bound)

    return matches


def id_filter(request: NativeRequest, filtering: dict[str, Any]) -> set[int] | None:
    """Read the ``ids`` filter that every list accepts; None when absent."""
    values = array_param(request, "ids")
    if values is None:
        return None
    filtering["ids"] = values
    return {number for number in (parse_id(value) for value in values) if number is not None}


def select(collection: Collection, candidates: list[int] | None, predicates: list[Predicate]) -> list[int]:
    """Return the sorted ids among ``candidates`` (all when None) that pass every predicate."""
    if not predicates:
        # Simulator.handle holds the store lock for the whole request, so the list cannot change.
        return collection.sorted_ids() if candidates is None else sorted(candidates)
    allowed = None if candidates is None else set(candidates)

    def matches(document: Mapping[str, Any]) -> bool:
        return all(predicate(document) for predicate in predicates)

    found = collection.scan(matches)
    return found if allowed is None else [doc_id for doc_id in found if doc_id in allowed]


def list_response(
    collection: Collection,
    ids: list[int],
    paging: PageRequest,
    request: NativeRequest,
    filtering: Mapping[str, Any],
    *,
    whole_list_without_page: bool = False,
) -> NativeResponse:
    """Return one page of ``ids`` (sorted) in the Salesloft list envelope.

    ``whole_list_without_page`` imitates ``/v2/users``, which returns every record when the
    request has no ``page`` parameter.
    """
    total = len(ids)
    if whole_list_without_page and not paging.page_given:
        chosen, next_page = ids, None
    else:
        start = (paging.page - 1) * paging.per_page
        chosen = ids[start : start + paging.per_page]
        next_page = paging.page + 1 if start + paging.per_page < total else None
    documents = collection.page(None, max(1, len(chosen)), ids=chosen) if chosen else []
    meta_paging: dict[str, Any] = {
        "per_page": paging.per_page,
        "current_page": paging.page,
        "next_page": next_page,
        "prev_page": paging.page - 1 if paging.page > 1 else None,
    }
    if paging.include_counts:
        meta_paging["total_pages"] = math.ceil(total / paging.per_page)
        meta_paging["total_count"] = total
    body = {
        "metadata": {
            "filtering": dict(filtering),
            "sorting": {"sort_by": "id", "sort_direction": "ASC"},
            "paging": meta_paging,
        },
        "data": [present(document, request.base_url) for _, document in documents],
    }
    return NativeResponse(200, body)


def standard_list(
    collection: Collection,
    request: NativeRequest,
    *,
    candidates: list[int] | None = None,
    predicates: list[Predicate] | None = None,
    filtering: dict[str, Any] | None = None,
    whole_list_without_page: bool = False,
) -> NativeResponse:
    """Respond to a list request, applying the filters every list shares (``ids``, time ranges)."""
    paging = read_page_request(request)
    filtering = {} if filtering is None else filtering
    times = time_filters(request, filtering)
    requested_ids = id_filter(request, filtering)
    if requested_ids is not None:
        candidates = [
            doc_id for doc_id in (candidates if candidates is not None else collection.ids()) if doc_id in requested_ids
        ]
    ids = select(collection, candidates, [*(predicates or []), *times])
    return list_response(collection, ids, paging, request, filtering, whole_list_without_page=whole_list_without_page)
