"""Translation of Apollo emailer campaigns, steps and contact campaign statuses.

Apollo stores each step's delay as ``wait_time`` in a ``wait_mode`` unit, counted from the
previous step. Reading a campaign reports ``interval_seconds`` as the running total of those
delays from the first step, not the delay from the previous step that the unified API
describes: steps waiting 1 day and then 2 days read back as 86400 and 259200.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from .mappers import Record, to_iso

# Unified step type → Apollo ``emailer_step.type``.
STEP_TYPE_TO_NATIVE = {
    "auto_email": "auto_email",
    "manual_email": "manual_email",
    "call": "call",
    "task": "action_item",
    "linkedin_send_message": "linkedin_step_message",
}
# Apollo ``emailer_step.type`` → unified type; every other native type reads back as task.
STEP_TYPE_FROM_NATIVE = {
    "auto_email": "auto_email",
    "manual_email": "manual_email",
    "call": "call",
    "linkedin_step_message": "linkedin_send_message",
}
WAIT_MODE_SECONDS = {"day": 86400, "hour": 3600, "minute": 60, "second": 1}

# Campaign metrics copied into ``metrics`` (camelCased) when they are numbers; Apollo
# reports a metric that is still being computed as the string "loading".
METRIC_FIELDS = (
    "unique_scheduled",
    "unique_delivered",
    "unique_bounced",
    "unique_opened",
    "unique_replied",
    "unique_demoed",
    "unique_clicked",
    "unique_unsubscribed",
    "bounce_rate",
    "open_rate",
    "click_rate",
    "reply_rate",
    "spam_blocked_rate",
    "opt_out_rate",
    "demo_rate",
)


def now_iso() -> str:
    moment = datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _camel_case(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


# Sequences ---------------------------------------------------------------------------------


def to_native_campaign(record: Mapping[str, Any]) -> dict[str, Any]:
    """Return the body of POST /api/v1/emailer_campaigns; new campaigns start active."""
    body: dict[str, Any] = {
        "name": record.get("name"),
        "permissions": "private" if record.get("type") == "private" else "team_can_use",
        "active": True,
    }
    if record.get("tags") is not None:
        body["label_ids"] = record["tags"]
    if record.get("owner_id") is not None:
        body["user_id"] = record["owner_id"]
    body.update(record.get("custom_fields") or {})
    return body


def from_native_campaign(campaign: Mapping[str, Any], last_modified_at: str) -> Record:
    """Map an emailer campaign; ``last_modified_at`` is the read time, since Apollo has no update time."""
    metrics = {
        _camel_case(field): campaign[field]
        for field in METRIC_FIELDS
        if isinstance(campaign.get(field), (int, float)) and not isinstance(campaign.get(field), bool)
    }
    archived = bool(campaign.get("archived"))
    return {
        "id": str(campaign["id"]),
        "name": campaign.get("name") or "",
        "is_enabled": bool(campaign.get("active")),
        "num_steps": campaign.get("num_steps") or 0,
        "tags": list(campaign.get("label_ids") or []),
        "metrics": metrics,
        "owner_id": campaign.get("user_id"),
        "is_archived": archived,
        "is_deleted": archived,
        "share_type": "private" if campaign.get("permissions") == "private" else "team",
        "created_at": to_iso(campaign.get("created_at")),
        "updated_at": None,
        "last_modified_at": last_modified_at,
        "raw_data": dict(campaign),
    }


# Steps -------------------------------------------------------------------------------------


def to_native_wait(interval_seconds: Any) -> tuple[str, int]:
    """Return ``(wait_mode, wait_time)`` for a delay in seconds, in the largest exact unit.

    ``172800`` → ``("day", 2)``, ``5400`` → ``("minute", 90)``, ``90`` → ``("second", 90)``.
    A missing or fractional delay counts as 0, which is ``("second", 0)``.
    """
    if isinstance(interval_seconds, bool) or not isinstance(interval_seconds, (int, float)):
        seconds = 0
    elif isinstance(interval_seconds, float) and not interval_seconds.is_integer():
        seconds = 0
    else:
        seconds = int(interval_seconds)
    for mode in ("day", "hour", "minute"):
        unit = WAIT_MODE_SECONDS[mode]
        if seconds and seconds % unit == 0:
            return mode, seconds // unit
    return "second", seconds


def to_native_step(campaign_id: str, record: Mapping[str, Any]) -> dict[str, Any]:
    """Return the body of POST /api/v1/emailer_steps; ``order`` becomes ``position`` (default 1)."""
    wait_mode, wait_time = to_native_wait(record.get("interval_seconds"))
    body: dict[str, Any] = {
        "emailer_campaign_id": campaign_id,
        "position": record.get("order") if record.get("order") is not None else 1,
        "type": STEP_TYPE_TO_NATIVE.get(record.get("type") or "", record.get("type")),
        "wait_mode": wait_mode,
        "wait_time": wait_time,
    }
    if "date" in record:
        body["exact_datetime"] = record["date"]
    if "task_note" in record:
        body["note"] = record["task_note"]
    body.update(record.get("custom_fields") or {})
    return body


def to_native_touch(touch: Mapping[str, Any], template_id: str, record: Mapping[str, Any]) -> dict[str, Any]:
    """Return the body of PUT /api/v1/emailer_touches/{id} that fills a new step's email.

    A template given by id replaces the step's own template; otherwise the step's own
    template (``template_id``) gets the subject and body.
    """
    template = record.get("template") or {}
    if template.get("id") is not None:
        native_template: dict[str, Any] = {"id": template["id"]}
    else:
        native_template = {"id": template_id}
        for unified, native in (("subject", "subject"), ("body", "body_html")):
            if unified in template:
                native_template[native] = template[unified]
    return {
        "id": touch["id"],
        "emailer_step_id": touch.get("emailer_step_id"),
        "emailer_template": native_template,
        "type": "reply_to_thread" if record.get("is_reply") else "new_thread",
    }


def from_native_steps(payload: Mapping[str, Any]) -> list[Record]:
    """Map the steps of GET /api/v1/emailer_campaigns/{id}, in the order Apollo lists them."""
    touches = {touch.get("emailer_step_id"): touch for touch in payload.get("emailer_touches") or []}
    templates = {template.get("id"): template for template in payload.get("emailer_templates") or []}
    steps: list[Record] = []
    elapsed = 0
    for step in payload.get("emailer_steps") or []:
        elapsed += (step.get("wait_time") or 0) * WAIT_MODE_SECONDS.get(step.get("wait_mode") or "", 0)
        unified: Record = {
            "id": str(step["id"]),
            "type": STEP_TYPE_FROM_NATIVE.get(step.get("type") or "", "task"),
            "interval_seconds": elapsed,
        }
        date = to_iso(step.get("exact_datetime"))
        if date is not None:
            unified["date"] = date
        if step.get("note") is not None:
            unified["task_note"] = step["note"]
        touch = touches.get(step["id"])
        template = templates.get(touch.get("emailer_template_id")) if touch else None
        if template is not None:
            unified["template"] = _from_native_template(template)
        steps.append(unified)
    return steps


def _from_native_template(template: Mapping[str, Any]) -> Record:
    body = template.get("body_html")
    if body is None:
        body = template.get("body_text")
    unified: Record = {
        "id": str(template["id"]),
        "body": body if body is not None else "",
        "subject": template.get("subject") or "",
    }
    if isinstance(template.get("name"), str):
        unified["name"] = template["name"]
    return unified


# Sequence states ---------------------------------------------------------------------------


def from_native_sequence_state(status: Mapping[str, Any], contact_id: str) -> Record:
    """Map one ``contact_campaign_statuses`` entry of the contact ``contact_id``."""
    added_at = to_iso(status.get("added_at"))
    return {
        "id": str(status["id"]),
        "state": status.get("status"),
        "contact_id": contact_id,
        "sequence_id": status.get("emailer_campaign_id"),
        "mailbox_id": status.get("send_email_from_email_account_id"),
        "user_id": status.get("added_by_user_id"),
        "created_at": added_at,
        "updated_at": None,
        "last_modified_at": added_at,
        "is_deleted": False,
        "raw_data": dict(status),
    }


def from_native_contact_states(contact: Mapping[str, Any]) -> list[Record]:
    """Map every campaign status of a contact to a sequence state."""
    contact_id = str(contact["id"])
    return [from_native_sequence_state(status, contact_id) for status in contact.get("contact_campaign_statuses") or []]
