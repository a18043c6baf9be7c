"""Cadence steps: the step groups that cadence imports write, and ``/v2/steps``.

A cadence is a list of step groups, one or more per day. A group has a ``day`` (1 is the
day a person joins), an ``automated`` flag (only for groups of Email steps), optional
``automated_settings`` (``after_time_delay`` with ``delay_time`` 0..720 minutes, or
``at_time``) and its steps. Each step is stored as a ``/v2/steps`` record with the day it
runs on and its position in the cadence (``step_number``). The group keeps its settings and
the ids of its steps, so that cadence exports return what the import sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from providers_sim.native import NativeRequest, NativeResponse

from .documents import ValidationErrors, blank, data_response, not_found, parse_id, reference
from .paging import standard_list

if TYPE_CHECKING:
    from .simulator import SalesloftSimulator

STEP_TYPES = ("Email", "Phone", "Other", "Integration")
SEND_TYPES = ("after_time_delay", "at_time")
TIMEZONE_MODES = ("person", "user")
MAX_DELAY_MINUTES = 720
_TIME_OF_DAY = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# Keys of a stored group that belong to the simulator, not to the exported StepGroup.
_GROUP_INTERNAL_KEYS = ("id", "cadence", "step_ids")


def cadence_key(document: Mapping[str, Any]) -> list[int]:
    cadence = document.get("cadence")
    found = cadence.get("id") if isinstance(cadence, Mapping) else None
    return [found] if isinstance(found, int) else []


def _whole(value: object) -> int | None:
    """Return a JSON number that has no fractional part as an int; None for anything else."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not float(value).is_integer():
        return None
    return int(value)


def validate_step_groups(groups: object) -> ValidationErrors:
    """Return the field errors of ``cadence_content.step_groups``, keyed by the field path."""
    if not isinstance(groups, list):
        return {"cadence_content.step_groups": ["must be an array of step groups"]}
    errors: ValidationErrors = {}
    for index, group in enumerate(groups):
        where = f"cadence_content.step_groups[{index}]"
        if not isinstance(group, Mapping):
            errors[where] = ["must be an object"]
            continue
        _validate_group(group, where, errors)
    return errors


def _validate_group(group: Mapping[str, Any], where: str, errors: ValidationErrors) -> None:
    day = _whole(group.get("day"))
    if day is None or day < 1:
        errors[f"{where}.day"] = [f"must be a whole number of 1 or more, got {group.get('day')!r}"]
    automated = group.get("automated", False)
    if not isinstance(automated, bool):
        errors[f"{where}.automated"] = ["must be true or false"]
    if not isinstance(group.get("due_immediately", False), bool):
        errors[f"{where}.due_immediately"] = ["must be true or false"]
    reference_number = group.get("reference_id")
    if reference_number is not None and _whole(reference_number) is None:
        errors[f"{where}.reference_id"] = ["must be a number or null"]

    steps = group.get("steps")
    if not isinstance(steps, list) or not steps:
        errors[f"{where}.steps"] = ["must be a non-empty array of steps"]
        steps = []
    for position, step in enumerate(steps):
        _validate_step(step, f"{where}.steps[{position}]", errors)
    if automated is True and any(isinstance(step, Mapping) and step.get("type") != "Email" for step in steps):
        errors.setdefault(f"{where}.automated", []).append(
            "can only be true when every step of the group is an Email step"
        )

    settings = group.get("automated_settings")
    if settings is None:
        return
    if automated is not True:
        errors[f"{where}.automated_settings"] = ["is only valid when automated is true"]
    elif not isinstance(settings, Mapping):
        errors[f"{where}.automated_settings"] = ["must be an object"]
    else:
        _validate_automated_settings(settings, f"{where}.automated_settings", errors)


def _validate_step(step: object, where: str, errors: ValidationErrors) -> None:
    if not isinstance(step, Mapping):
        errors[where] = ["must be an object"]
        return
    if step.get("type") not in STEP_TYPES:
        errors[f"{where}.type"] = [f"must be one of {', '.join(STEP_TYPES)}, got {step.get('type')!r}"]
    name = step.get("name")
    if blank(name) or not isinstance(name, str):
        errors[f"{where}.name"] = ["can't be blank"]
    if not isinstance(step.get("enabled", True), bool):
        errors[f"{where}.enabled"] = ["must be true or false"]
    settings = step.get("type_settings", {})
    if not isinstance(settings, Mapping):
        errors[f"{where}.type_settings"] = ["must be an object"]
        return
    instructions = settings.get("instructions")
    if instructions is not None and not isinstance(instructions, str):
        errors[f"{where}.type_settings.instructions"] = ["must be a string"]
    template = settings.get("email_template")
    if template is not None and not isinstance(template, Mapping):
        errors[f"{where}.type_settings.email_template"] = ["must be an object"]


def _validate_automated_settings(settings: Mapping[str, Any], where: str, errors: ValidationErrors) -> None:
    send_type = settings.get("send_type")
    if send_type not in SEND_TYPES:
        errors[f"{where}.send_type"] = [f"must be one of {', '.join(SEND_TYPES)}, got {send_type!r}"]
    elif send_type == "after_time_delay":
        delay = _whole(settings.get("delay_time"))
        if delay is None or not 0 <= delay <= MAX_DELAY_MINUTES:
            errors[f"{where}.delay_time"] = [f"must be a whole number of minutes from 0 to {MAX_DELAY_MINUTES}"]
    else:
        if not isinstance(settings.get("time_of_day"), str) or not _TIME_OF_DAY.match(settings["time_of_day"]):
            errors[f"{where}.time_of_day"] = ["must be a time of day such as 09:00"]
        if settings.get("timezone_mode") not in TIMEZONE_MODES:
            errors[f"{where}.timezone_mode"] = ["must be person or user"]


def store_step_groups(
    simulator: SalesloftSimulator, account: str, cadence_id: int, groups: list[Mapping[str, Any]]
) -> list[int]:
    """Store validated step groups and their steps under a cadence, renumber its steps and
    return the new group ids."""
    now = simulator.now()
    group_ids = []
    for group in groups:
        day = int(group["day"])
        step_ids = []
        for step in group["steps"]:
            stored = simulator.store_new(account, "steps", _new_step(cadence_id, day, step, now))
            step_ids.append(stored["id"])
        document: dict[str, Any] = {
            "cadence": reference(cadence_id),
            "day": day,
            "automated": bool(group.get("automated", False)),
            "due_immediately": bool(group.get("due_immediately", False)),
            "reference_id": group.get("reference_id"),
            "step_ids": step_ids,
        }
        if group.get("automated_settings") is not None:
            document["automated_settings"] = dict(group["automated_settings"])
        group_ids.append(simulator.store_new(account, "step_groups", document)["id"])
    _renumber(simulator, account, cadence_id)
    return group_ids


def _new_step(cadence_id: int, day: int, step: Mapping[str, Any], now: str) -> dict[str, Any]:
    enabled = step.get("enabled", True)
    return {
        "created_at": now,
        "updated_at": now,
        "cadence": reference(cadence_id),
        "day": day,
        "step_number": 0,
        "name": step["name"],
        "display_name": f"Day {day}: {step['name']}",
        "type": step["type"],
        "enabled": enabled,
        "disabled": not enabled,
        "type_settings": dict(step.get("type_settings") or {}),
        "multitouch_enabled": False,
        "details": None,
    }


def cadence_groups(simulator: SalesloftSimulator, account: str, cadence_id: int) -> list[dict[str, Any]]:
    """Return the stored step groups of a cadence in cadence order (by day, then by creation)."""
    groups = simulator.collection(account, "step_groups")
    found = [document for _, document in groups.page(None, 1_000_000, ids=groups.find("cadence", cadence_id))]
    return sorted(found, key=lambda document: (document["day"], document["id"]))


def _renumber(simulator: SalesloftSimulator, account: str, cadence_id: int) -> None:
    steps = simulator.steps(account)
    number = 0
    for group in cadence_groups(simulator, account, cadence_id):
        for step_id in group["step_ids"]:
            number += 1
            current = steps.get(step_id)
            if current is not None and current.get("step_number") != number:
                steps.update(step_id, {"step_number": number})


def exported_groups(simulator: SalesloftSimulator, account: str, cadence_id: int) -> list[dict[str, Any]]:
    """Return a cadence's step groups in the shape cadence imports take."""
    steps = simulator.steps(account)
    exported = []
    for group in cadence_groups(simulator, account, cadence_id):
        exported_group = {key: value for key, value in group.items() if key not in _GROUP_INTERNAL_KEYS}
        exported_group["steps"] = []
        for step_id in group["step_ids"]:
            step = steps.get(step_id)
            if step is not None:
                exported_group["steps"].append(
                    {
                        "enabled": step["enabled"],
                        "name": step["name"],
                        "type": step["type"],
                        "type_settings": step["type_settings"],
                    }
                )
        exported.append(exported_group)
    return exported


def list_steps(simulator: SalesloftSimulator, request: NativeRequest, *, account: str) -> NativeResponse:
    steps = simulator.steps(account)
    filtering: dict[str, Any] = {}
    candidates = None
    cadence_text = request.param("cadence_id")
    if cadence_text is not None:
        filtering["cadence_id"] = cadence_text
        cadence_id = parse_id(cadence_text)
        candidates = steps.find("cadence", cadence_id) if cadence_id is not None else []
    predicates = []
    step_type = request.param("type")
    if step_type is not None:
        filtering["type"] = step_type
        predicates.append(lambda document: str(document.get("type", "")).lower() == step_type.lower())
    return standard_list(steps, request, candidates=candidates, predicates=predicates, filtering=filtering)


def get_step(simulator: SalesloftSimulator, request: NativeRequest, *, account: str, id: str) -> NativeResponse:
    step_id = parse_id(id)
    document = simulator.steps(account).get(step_id) if step_id else None
    if document is None:
        raise not_found()
    return data_response(document, request)
