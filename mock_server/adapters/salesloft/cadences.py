"""Translation of sequences and sequence steps to Salesloft cadences and back.

Salesloft builds cadences from step groups, each scheduled on a ``day`` (1 = the day a
person joins). Writes turn a step's ``interval_seconds`` into a day: a step created with a
sequence is placed relative to the step before it, a step added later is placed from the
start of the cadence. Reads report ``interval_seconds`` as the offset from the start of
the cadence, ``(day - 1) * 86400 + delay_time * 60``, so a written interval and the one
read back differ once a sequence has two steps with non-zero intervals. Salesloft steps
read back without ids, and Other/Integration steps (unified ``task``) without an interval.

Only relative, whole-day intervals are accepted, and neither LinkedIn steps nor templates
given by id. ``owner_id`` and ``tags`` of a new sequence are dropped, and ``shared`` is
always sent as true, so every sequence reads back with ``share_type`` ``team`` unless
``custom_fields.sharing_settings`` sets ``shared`` to false.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...errors import BadRequestError
from ..base import Record
from .records import embedded_id, unified_time

DAY_SECONDS = 86400
MAX_DELAY_MINUTES = 720
DATE_NOT_SUPPORTED = "Only relative delays are supported for Salesloft sequences"
WHOLE_DAYS_ONLY = "Salesloft only supports intervals in whole days (i.e. multiples of 86400)"
DELAY_TOO_LONG = f"Salesloft only supports delays up to {MAX_DELAY_MINUTES} minutes within a day"
LINKEDIN_NOT_SUPPORTED = "LinkedIn steps are not currently supported for Salesloft sequences"
TEMPLATE_ID_NOT_SUPPORTED = "Template IDs are not currently supported for Salesloft sequences"
EMAIL_TYPES = ("auto_email", "manual_email")
# NOTE: the reference service named a step added without ``order`` "Step undefined",
# because it put the missing number into a JavaScript template string. This label keeps
# that name; change it here to name such steps differently.
MISSING_ORDER_LABEL = "undefined"


def _number_text(value: Any) -> str:
    """Write a number as JavaScript prints it (``2.0`` → ``2``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _step_name(step: Mapping[str, Any], order: Any) -> str:
    name = step.get("name")
    if name is None:
        name = f"Step {_number_text(order) if order is not None else MISSING_ORDER_LABEL}"
    task_note = step.get("task_note")
    return f"{name}: {task_note}" if task_note else str(name)


def _native_step(step: Mapping[str, Any], name: str) -> dict[str, Any]:
    step_type = step.get("type")
    template = step.get("template")
    task_note = step.get("task_note")
    if step_type in EMAIL_TYPES and isinstance(template, Mapping) and template.get("body") is not None:
        email_template = {
            native: template[unified]
            for unified, native in (("name", "title"), ("subject", "subject"), ("body", "body"))
            if unified in template
        }
        return {"enabled": True, "type": "Email", "name": name, "type_settings": {"email_template": email_template}}
    if step_type == "call":
        return {
            "type": "Phone",
            "name": name,
            "type_settings": {"instructions": task_note if task_note is not None else ""},
        }
    return {"type": "Other", "name": name, "type_settings": {"instructions": f"{step_type}: {task_note or ''}"}}


def to_native_step_group(step: Mapping[str, Any], order: Any, offset_seconds: int = 0) -> dict[str, Any]:
    """Validate one unified step and build the Salesloft step group that contains it.

    ``offset_seconds`` is where the previous step sits from the start of the cadence. The
    checks run in this order, each a 400 with its own message: a ``date``, an interval
    that is not whole days, a delay over 720 minutes, a LinkedIn step, a template id.
    """
    if step.get("date"):
        raise BadRequestError(DATE_NOT_SUPPORTED)
    interval = step.get("interval_seconds") or 0
    total_seconds = interval + offset_seconds
    day = total_seconds / DAY_SECONDS + 1
    if not float(day).is_integer():
        raise BadRequestError(WHOLE_DAYS_ONLY)
    delay_minutes = (total_seconds - (int(day) - 1) * DAY_SECONDS) / 60
    if delay_minutes > MAX_DELAY_MINUTES:
        raise BadRequestError(DELAY_TOO_LONG)
    if step.get("type") == "linkedin_send_message":
        raise BadRequestError(LINKEDIN_NOT_SUPPORTED)
    template = step.get("template")
    if isinstance(template, Mapping) and template.get("id") is not None:
        raise BadRequestError(TEMPLATE_ID_NOT_SUPPORTED)

    automated = step.get("type") == "auto_email"
    group: dict[str, Any] = {"day": int(day), "automated": automated}
    if automated:
        group["automated_settings"] = {"send_type": "after_time_delay", "delay_time": int(delay_minutes)}
    group["due_immediately"] = False
    group["steps"] = [_native_step(step, _step_name(step, order))]
    group["reference_id"] = order
    return group


def to_native_cadence_import(record: Mapping[str, Any]) -> dict[str, Any]:
    """Build the ``POST /v2/cadence_imports`` body that creates a sequence with its steps.

    ``custom_fields.settings`` and ``custom_fields.sharing_settings`` are merged over the
    defaults; every other custom field is sent at the top level of the import. Steps are
    numbered by their position in ``steps``.
    """
    custom_fields = dict(record.get("custom_fields") or {})
    custom_settings = custom_fields.pop("settings", None)
    custom_sharing = custom_fields.pop("sharing_settings", None)
    settings = {
        "name": record.get("name"),
        "target_daily_people": 0,
        "cadence_function": "outbound",
        "remove_bounced": True,
        "remove_replied": True,
        "external_identifier": None,
        **(custom_settings if isinstance(custom_settings, Mapping) else {}),
    }
    sharing_settings = {
        "team_cadence": record.get("type") == "team",
        "shared": True,
        **(custom_sharing if isinstance(custom_sharing, Mapping) else {}),
    }
    groups = []
    offset_seconds = 0
    for index, step in enumerate(record.get("steps") or []):
        group = to_native_step_group(step, order=index + 1, offset_seconds=offset_seconds)
        offset_seconds = (group["day"] - 1) * DAY_SECONDS
        groups.append(group)
    return {
        **custom_fields,
        "settings": settings,
        "sharing_settings": sharing_settings,
        "cadence_content": {"step_groups": groups},
    }


def to_native_step_import(cadence_id: int | None, record: Mapping[str, Any]) -> dict[str, Any]:
    """Build the ``POST /v2/cadence_imports`` body that adds one step to a cadence."""
    group = to_native_step_group(record, order=record.get("order"))
    custom_fields = record.get("custom_fields")
    extra = dict(custom_fields) if isinstance(custom_fields, Mapping) else {}
    return {"cadence_content": {"cadence_id": cadence_id, "step_groups": [group], **extra}}


# Reads -----------------------------------------------------------------------------------


def _camel_case(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def from_native_cadence(data: Mapping[str, Any], num_steps: int) -> Record:
    counts = data.get("counts") or {}
    return {
        "id": str(data["id"]),
        "owner_id": embedded_id(data.get("owner")),
        "name": data.get("name"),
        "is_enabled": not data.get("draft"),
        "tags": list(data.get("tags") or []),
        "num_steps": num_steps,
        "metrics": {_camel_case(key): value for key, value in counts.items()},
        "is_archived": data.get("current_state") == "archived",
        "is_deleted": bool(data.get("archived_at")),
        "share_type": "team" if data.get("shared") else "private",
        "created_at": unified_time(data.get("created_at")),
        "updated_at": unified_time(data.get("updated_at")),
        "last_modified_at": unified_time(data.get("updated_at")),
        "raw_data": dict(data),
    }


def from_native_step_groups(groups: Any) -> list[Record]:
    """Flatten exported step groups into unified steps, in cadence order."""
    steps: list[Record] = []
    for group in groups if isinstance(groups, list) else []:
        if not isinstance(group, Mapping):
            continue
        settings = group.get("automated_settings") or {}
        interval = (int(group.get("day") or 1) - 1) * DAY_SECONDS + int(settings.get("delay_time") or 0) * 60
        for step in group.get("steps") or []:
            if isinstance(step, Mapping):
                steps.append(_from_native_step(step, bool(group.get("automated")), interval))
    return steps


def _from_native_step(step: Mapping[str, Any], automated: bool, interval: int) -> Record:
    type_settings = step.get("type_settings") or {}
    if step.get("type") == "Email":
        email_template = type_settings.get("email_template") or {}
        template: Record = {
            "subject": email_template.get("subject") or "",
            "body": email_template.get("body") or "",
        }
        if email_template.get("title") is not None:
            template = {"name": email_template["title"], **template}
        return {
            "name": step.get("name"),
            "type": "auto_email" if automated else "manual_email",
            "interval_seconds": interval,
            "template": template,
        }
    if step.get("type") == "Phone":
        return {
            "name": step.get("name"),
            "type": "call",
            "interval_seconds": interval,
            "task_note": type_settings.get("instructions"),
        }
    return {"name": step.get("name"), "type": "task", "task_note": type_settings.get("instructions")}
