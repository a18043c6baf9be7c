"""JSON:API wire details of the Outreach API: media types, error bodies, paging and filters.

Outreach responses use ``application/vnd.api+json``. Errors are ``{"errors": [{"id", "title",
"detail", ...}]}`` where ``id`` is a short camelCase error name. Lists page with
``page[size]`` (default 50, at most 1000) and a keyset cursor: ``page[after]=<id>`` asks
for the records after that id, ``page[before]=<id>`` for those before it. Filter keys may
arrive literal (``filter[sequence][id]``) or percent-encoded (``filter%5Bsequence%5D%5Bid%5D``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlencode

from ..native import NativeRequest, NativeResponse
from .resources import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, ResourceSpec

MEDIA_TYPE = "application/vnd.api+json"
ACCEPTED_BODY_TYPES = (MEDIA_TYPE, "application/json")

_ERROR_NAMES: dict[int, tuple[str, str]] = {
    400: ("badRequest", "Bad Request"),
    401: ("unauthorized", "Unauthorized"),
    403: ("forbidden", "Forbidden"),
    404: ("resourceNotFound", "Resource Not Found"),
    405: ("methodNotAllowed", "Method Not Allowed"),
    409: ("conflict", "Conflict"),
    415: ("unsupportedMediaType", "Unsupported Media Type"),
    422: ("validationError", "Validation Error"),
    429: ("rateLimitExceeded", "Rate Limit Exceeded"),
}

_FILTER_KEY = re.compile(r"^filter((?:\[[^\[\]]+\])+)$")


class JsonApiError(Exception):
    """A native error that a handler raises; the simulator turns it into the error body."""

    def __init__(self, status: int, detail: str, *, code: str | None = None, pointer: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code
        self.pointer = pointer


def error_response(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    pointer: str | None = None,
    headers: dict[str, str] | None = None,
) -> NativeResponse:
    """Return an Outreach error response with one item in ``errors``."""
    error_id, title = _ERROR_NAMES.get(status, ("error", "Error"))
    item: dict[str, Any] = {"id": error_id, "title": title, "detail": detail}
    if code is not None:
        item["code"] = code
    if pointer is not None:
        item["source"] = {"pointer": pointer}
    return NativeResponse(status, {"errors": [item]}, dict(headers or {}), content_type=MEDIA_TYPE)


def document_response(status: int, body: dict[str, Any]) -> NativeResponse:
    return NativeResponse(status, body, {}, content_type=MEDIA_TYPE)


def check_body_media_type(request: NativeRequest) -> None:
    """Reject a request body whose Content-Type is neither JSON:API nor plain JSON."""
    content_type = (request.header("content-type") or "").split(";")[0].strip().lower()
    if content_type and content_type not in ACCEPTED_BODY_TYPES:
        raise JsonApiError(415, f"Expected Content-Type header to be '{MEDIA_TYPE}', got {content_type!r}.")


# Query parsing ---------------------------------------------------------------------------


def normalized_query(request: NativeRequest) -> list[tuple[str, str]]:
    """Return the query pairs with percent-encoded keys decoded."""
    return [(unquote(key), value) for key, value in request.query]


@dataclass(frozen=True)
class ListParams:
    """The paging and filtering parameters of one list request."""

    size: int
    after: int | None
    before: int | None
    filters: tuple[tuple[str, str], ...]


def parse_list_params(request: NativeRequest, spec: ResourceSpec) -> ListParams:
    """Read ``page[...]`` and ``filter[...]``, and raise a 400 ``JsonApiError`` when one is invalid."""
    size = PAGE_SIZE_DEFAULT
    after: int | None = None
    before: int | None = None
    filters: dict[str, str] = {}
    for key, value in normalized_query(request):
        if key == "page[size]":
            size = _page_size(value)
        elif key == "page[after]":
            after = _cursor_id(key, value)
        elif key == "page[before]":
            before = _cursor_id(key, value)
        elif key.startswith("filter"):
            name = _filter_name(key)
            if name not in spec.filters:
                accepted = ", ".join(f"filter[{']['.join(item.split('.'))}]" for item in spec.filters)
                raise JsonApiError(400, f"Unknown filter {key!r} for {spec.name}. Accepted filters: {accepted}.")
            filters[name] = value
    if after is not None and before is not None:
        raise JsonApiError(400, "Pass either page[after] or page[before], not both.")
    return ListParams(size, after, before, tuple(filters.items()))


def _page_size(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= PAGE_SIZE_MAX:
        raise JsonApiError(400, f"page[size] must be a whole number from 1 to {PAGE_SIZE_MAX}; got {value!r}.")
    return int(value)


def _cursor_id(key: str, value: str) -> int:
    if not value.isdigit():
        raise JsonApiError(400, f"{key} must be a cursor from a links.next or links.prev URL; got {value!r}.")
    return int(value)


def _filter_name(key: str) -> str:
    match = _FILTER_KEY.match(key)
    if match is None:
        raise JsonApiError(
            400, f"Malformed filter key {key!r}; expected filter[attribute] or filter[relationship][id]."
        )
    return ".".join(re.findall(r"\[([^\[\]]+)\]", match.group(1)))


def filter_ids(name: str, value: str) -> list[int]:
    """Parse a comma-separated list of integer ids."""
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if not parts or not all(part.isdigit() for part in parts):
        raise JsonApiError(400, f"filter[{name}] must be one or more integer ids separated by commas; got {value!r}.")
    return [int(part) for part in parts]


def filter_emails(value: str) -> list[str]:
    return [part.strip().lower() for part in value.split(",") if part.strip()]


def filter_range(name: str, value: str) -> tuple[datetime | None, datetime | None]:
    """Parse ``<from>..<to>``, where either side is an ISO 8601 time or ``inf``. Both ends are included."""
    if ".." not in value:
        moment = _timestamp(name, value)
        return moment, moment
    low_text, _, high_text = value.partition("..")
    low = None if low_text in ("", "-inf", "inf") else _timestamp(name, low_text)
    high = None if high_text in ("", "inf") else _timestamp(name, high_text)
    return low, high


def _timestamp(name: str, text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise JsonApiError(
            400,
            f"filter[{name}] must be a range of ISO 8601 times with a zone, such as "
            f"2024-01-01T00:00:00.000Z..inf; got {text!r}.",
        )
    return moment


# Links -----------------------------------------------------------------------------------


def list_url(request: NativeRequest, params: ListParams, **page: int) -> str:
    """Return the absolute URL of a page of the same list, with the same filters and size."""
    pairs = [(_filter_key(name), value) for name, value in params.filters]
    pairs.append(("page[size]", str(params.size)))
    pairs.extend((f"page[{key}]", str(value)) for key, value in page.items())
    return f"{request.base_url}{request.path.rstrip('/')}?{urlencode(pairs, safe='[],:')}"


def _filter_key(name: str) -> str:
    return "filter" + "".join(f"[{part}]" for part in name.split("."))


def resource_url(request: NativeRequest, spec: ResourceSpec, record_id: int) -> str:
    return f"{request.base_url}/api/v2/{spec.name}/{record_id}"
