"""Pieces every Salesloft resource shares: timestamps, ids, references and error bodies.

Stored documents carry embedded references as ``{"id": 7}``. The ``_href`` of each
reference is added when a document is sent, from the base URL of that request, so the same
store serves ``https://api.salesloft.com`` and a local ``http://127.0.0.1:PORT`` alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from providers_sim.native import NativeRequest, NativeResponse

# Embedded reference key -> the /v2 collection it points into.
REFERENCE_PATHS: Mapping[str, str] = {
    "owner": "users",
    "creator": "users",
    "user": "users",
    "last_contacted_by": "users",
    "account": "accounts",
    "person": "people",
    "last_contacted_person": "people",
    "cadence": "cadences",
    "most_recent_cadence": "cadences",
    "last_completed_step_cadence": "cadences",
    "last_completed_step": "steps",
    "latest_action": "actions",
}
REFERENCE_LIST_PATHS: Mapping[str, str] = {"cadences": "cadences", "groups": "groups"}

ValidationErrors = dict[str, list[str]]


def salesloft_time(moment: datetime) -> str:
    """Format a time as Salesloft does, with microseconds: ``2024-01-02T03:04:05.000000+00:00``."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse_time(value: object) -> datetime | None:
    """Parse an ISO 8601 time with an offset (``Z`` included); None when it is not one."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed


def parse_id(value: object) -> int | None:
    """Read a record id sent as a JSON number or a string of digits; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, float) and value.is_integer() and value > 0:
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
        return number if number > 0 else None
    return None


def reference(record_id: int | None) -> dict[str, int] | None:
    """Return the stored form of an embedded reference, or None for no reference."""
    return {"id": record_id} if record_id is not None else None


def reference_id(value: object) -> int | None:
    """Return the id inside a stored reference ``{"id": N}``."""
    if isinstance(value, Mapping):
        found = value.get("id")
        return found if isinstance(found, int) else None
    return None


def present(document: Mapping[str, Any], base_url: str) -> dict[str, Any]:
    """Return a stored document as the API sends it, with ``_href`` on every reference."""
    shown = dict(document)
    for key, path in REFERENCE_PATHS.items():
        found = shown.get(key)
        if isinstance(found, Mapping) and "id" in found:
            shown[key] = _linked(found, base_url, path)
    for key, path in REFERENCE_LIST_PATHS.items():
        found = shown.get(key)
        if isinstance(found, list):
            shown[key] = [_linked(item, base_url, path) if isinstance(item, Mapping) else item for item in found]
    return shown


def _linked(found: Mapping[str, Any], base_url: str, path: str) -> dict[str, Any]:
    return {"_href": f"{base_url}/v2/{path}/{found['id']}", "id": found["id"]}


class SalesloftError(Exception):
    """A native error response that a handler raises; the route wrapper sends it."""

    def __init__(self, response: NativeResponse) -> None:
        super().__init__(response.status)
        self.response = response


def json_object(request: NativeRequest) -> dict[str, Any]:
    """Return the JSON object body of a request ({} when empty); a 400 when it is not an object."""
    body = request.json
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise SalesloftError(error_response(400, "The request body must be a JSON object"))
    return body


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> NativeResponse:
    """Return a Salesloft error: ``{"error": message}``."""
    return NativeResponse(status, {"error": message}, headers=dict(headers or {}))


def not_found() -> SalesloftError:
    return SalesloftError(error_response(404, "Not Found"))


def unprocessable(errors: ValidationErrors) -> SalesloftError:
    """Return a Salesloft validation failure: 422 with ``{"errors": {field: [message]}}``."""
    return SalesloftError(NativeResponse(422, {"errors": errors}))


def data_response(document: Mapping[str, Any], request: NativeRequest, status: int = 200) -> NativeResponse:
    """Wrap one document in the ``{"data": ...}`` envelope."""
    return NativeResponse(status, {"data": present(document, request.base_url)})


def blank(value: object) -> bool:
    """Tell whether a value counts as missing for a required text field."""
    return value is None or (isinstance(value, str) and not value.strip())


def copy_fields(target: dict[str, Any], source: Mapping[str, Any], names: tuple[str, ...]) -> None:
    """Copy the keys of ``names`` that ``source`` has into ``target`` (null values included)."""
    for name in names:
        if name in source:
            target[name] = source[name]
