"""Salesloft cadences: ``/v2/cadences``, ``POST /v2/cadence_imports`` and
``GET /v2/cadence_exports/{id}``.

Salesloft's API creates cadences only through imports. An import without
``cadence_content.cadence_id`` creates a cadence from ``settings`` (name required) and
``sharing_settings``. An import with a ``cadence_id`` adds the step groups to that cadence
and ignores ``settings`` and ``sharing_settings``. The response contains only the cadence id.

NOTE: Salesloft may accept imports into an existing cadence only while it has no steps.
That limit is unconfirmed, so the simulator accepts such imports by default, and
``SalesloftSimulator(import_requires_empty_cadence=True)`` returns 422 instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from providers_sim.native import NativeRequest, NativeResponse

from .documents import (
    ValidationErrors,
    blank,
    data_response,
    json_object,
    not_found,
    parse_id,
    reference,
    unprocessable,
)
from .paging import Predicate, array_param, flag, standard_list
from .steps import exported_groups, store_step_groups, validate_step_groups

if TYPE_CHECKING:
    from .simulator import SalesloftSimulator

CADENCE_FUNCTIONS = ("outbound", "inbound", "event", "other")
CADENCE_STATES = ("draft", "active", "archived", "expired", "deleted")
NOT_EMPTY_MESSAGE = "already has steps; cadence content can only be imported into a cadence without steps"


def new_cadence(fields: Mapping[str, Any], now: str, owner_id: int | None) -> dict[str, Any]:
    """Build a stored cadence from ``fields`` (native Cadence keys) over the defaults."""
    document: dict[str, Any] = {
        "created_at": now,
        "updated_at": now,
        "archived_at": None,
        "name": None,
        "team_cadence": False,
        "shared": False,
        "remove_bounces_enabled": True,
        "remove_replies_enabled": True,
        "opt_out_link_included": True,
        "draft": False,
        "current_state": "active",
        "cadence_framework_id": None,
        "cadence_function": "outbound",
        "external_identifier": None,
        "tags": [],
        "owner": reference(owner_id),
        "creator": reference(owner_id),
        "bounced_stage": None,
        "replied_stage": None,
        "added_stage": None,
        "finished_stage": None,
        "cadence_priority": None,
        "groups": [],
        "counts": {
            "cadence_people": 0,
            "people_acted_on_count": 0,
            "target_daily_people": 0,
            "opportunities_created": 0,
            "meetings_booked": 0,
        },
    }
    document.update(fields)
    return document


def cadence_from_settings(settings: Mapping[str, Any], sharing: Mapping[str, Any]) -> dict[str, Any]:
    """Translate import ``settings`` and ``sharing_settings`` into Cadence fields."""
    target = settings.get("target_daily_people") or 0
    return {
        "name": settings.get("name"),
        "team_cadence": bool(sharing.get("team_cadence", False)),
        "shared": bool(sharing.get("shared", False)),
        "remove_bounces_enabled": bool(settings.get("remove_bounced", True)),
        "remove_replies_enabled": bool(settings.get("remove_replied", True)),
        "cadence_function": settings.get("cadence_function") or "outbound",
        "external_identifier": settings.get("external_identifier"),
        "counts": {
            "cadence_people": 0,
            "people_acted_on_count": 0,
            "target_daily_people": target,
            "opportunities_created": 0,
            "meetings_booked": 0,
        },
    }


def _validate_settings(settings: object, sharing: object) -> ValidationErrors:
    errors: ValidationErrors = {}
    if not isinstance(settings, Mapping):
        return {"settings": ["is required when cadence_content.cadence_id is not given"]}
    if blank(settings.get("name")) or not isinstance(settings.get("name"), str):
        errors["settings.name"] = ["can't be blank"]
    function = settings.get("cadence_function", "outbound")
    if function not in CADENCE_FUNCTIONS:
        errors["settings.cadence_function"] = [f"must be one of {', '.join(CADENCE_FUNCTIONS)}, got {function!r}"]
    target = settings.get("target_daily_people", 0)
    if target is not None and (isinstance(target, bool) or not isinstance(target, (int, float)) or target < 0):
        errors["settings.target_daily_people"] = ["must be a number of 0 or more"]
    for key in ("remove_replied", "remove_bounced", "remove_people_when_meeting_booked"):
        if key in settings and not isinstance(settings[key], bool):
            errors[f"settings.{key}"] = ["must be true or false"]
    if sharing is not None and not isinstance(sharing, Mapping):
        errors["sharing_settings"] = ["must be an object"]
    elif isinstance(sharing, Mapping):
        for key in ("team_cadence", "shared"):
            if key in sharing and not isinstance(sharing[key], bool):
                errors[f"sharing_settings.{key}"] = ["must be true or false"]
    return errors


def import_cadence(simulator: SalesloftSimulator, request: NativeRequest, *, account: str) -> NativeResponse:
    body = json_object(request)
    content = body.get("cadence_content")
    if not isinstance(content, Mapping):
        raise unprocessable({"cadence_content": ["is required"]})
    errors = validate_step_groups(content.get("step_groups"))
    groups: list[Mapping[str, Any]] = content.get("step_groups") or []

    cadences = simulator.cadences(account)
    raw_cadence_id = content.get("cadence_id")
    if raw_cadence_id is not None:
        cadence_id = parse_id(raw_cadence_id)
        if cadence_id is None:
            errors["cadence_content.cadence_id"] = [f"must be a cadence id, got {raw_cadence_id!r}"]
            raise unprocessable(errors)
        if cadences.get(cadence_id) is None:
            raise not_found()
        if simulator.import_requires_empty_cadence and simulator.steps(account).find("cadence", cadence_id):
            errors["cadence_content.cadence_id"] = [NOT_EMPTY_MESSAGE]
        if errors:
            raise unprocessable(errors)
        cadences.update(cadence_id, {"updated_at": simulator.now()})
    else:
        sharing = body.get("sharing_settings")
        errors.update(_validate_settings(body.get("settings"), sharing))
        if errors:
            raise unprocessable(errors)
        fields = cadence_from_settings(body["settings"], sharing if isinstance(sharing, Mapping) else {})
        created = simulator.store_new(
            account, "cadences", new_cadence(fields, simulator.now(), simulator.current_user_id(account))
        )
        cadence_id = created["id"]

    store_step_groups(simulator, account, cadence_id, groups)
    return NativeResponse(200, {"data": {"cadence": {"id": cadence_id}}})


def export_cadence(simulator: SalesloftSimulator, request: NativeRequest, *, account: str, id: str) -> NativeResponse:
    cadence = _existing(simulator, account, id)
    counts = cadence.get("counts") or {}
    content = {
        "settings": {
            "name": cadence.get("name"),
            "target_daily_people": counts.get("target_daily_people", 0),
            "remove_replied": cadence.get("remove_replies_enabled", True),
            "remove_bounced": cadence.get("remove_bounces_enabled", True),
            "external_identifier": cadence.get("external_identifier"),
            "cadence_function": cadence.get("cadence_function", "outbound"),
        },
        "sharing_settings": {
            "team_cadence": cadence.get("team_cadence", False),
            "shared": cadence.get("shared", False),
        },
        "step_groups": exported_groups(simulator, account, cadence["id"]),
    }
    return NativeResponse(200, {"data": {"cadence_content": content}})


def list_cadences(simulator: SalesloftSimulator, request: NativeRequest, *, account: str) -> NativeResponse:
    filtering: dict[str, Any] = {}
    predicates = []
    names = array_param(request, "name")
    if names is not None:
        filtering["name"] = names
        predicates.append(lambda document: document.get("name") in names)
    for key in ("team_cadence", "shared"):
        expected = flag(request, key)
        if expected is not None:
            filtering[key] = expected
            predicates.append(_flag_predicate(key, expected))
    archived = flag(request, "archived")
    if archived is not None:
        filtering["archived"] = archived
        predicates.append(lambda document: (document.get("archived_at") is not None) is archived)
    return standard_list(simulator.cadences(account), request, predicates=predicates, filtering=filtering)


def _flag_predicate(key: str, expected: bool) -> Predicate:
    return lambda document: bool(document.get(key)) is expected


def get_cadence(simulator: SalesloftSimulator, request: NativeRequest, *, account: str, id: str) -> NativeResponse:
    return data_response(_existing(simulator, account, id), request)


def _existing(simulator: SalesloftSimulator, account: str, raw_id: str) -> dict[str, Any]:
    cadence_id = parse_id(raw_id)
    document = simulator.cadences(account).get(cadence_id) if cadence_id else None
    if document is None:
        raise not_found()
    return document
