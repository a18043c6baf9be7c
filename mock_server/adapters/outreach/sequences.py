"""Outreach sequences, steps and templates: translation and the multi-call writes.

A unified sequence step is three Outreach resources: a ``sequenceStep`` (type, interval,
order), a ``template`` (subject and body) and the ``sequenceTemplate`` that links them.
Call and task steps may have no template; an email step must have one.
"""

from __future__ import annotations

from typing import Any

from ...errors import BadRequestError, NotFoundError
from ..base import Record
from ..capabilities import OUTREACH
from .client import API, OutreachClient, resource_object, resource_path
from .mappers import (
    SEQUENCE_METRICS,
    camel_case_keys,
    common_fields,
    integer_id,
    owner_relationship,
    related_id,
    timestamp,
)

EMAIL_STEP_TYPES = frozenset({"auto_email", "manual_email"})


# Reading ---------------------------------------------------------------------------------


def from_native_sequence(resource: dict[str, Any]) -> Record:
    attributes = resource.get("attributes") or {}
    record = common_fields(resource)
    record.update(
        owner_id=related_id(resource, "owner"),
        name=attributes.get("name"),
        is_enabled=bool(attributes.get("enabled")),
        tags=attributes.get("tags") or [],
        num_steps=attributes.get("sequenceStepCount") or 0,
        metrics={name: attributes.get(name) or 0 for name in SEQUENCE_METRICS},
        is_archived=bool(attributes.get("locked")),
        share_type="private" if attributes.get("shareType") == "private" else "team",
        raw_data=resource,
    )
    return record


def from_native_step(step: dict[str, Any], template: dict[str, Any] | None) -> Record:
    """Return the unified step of ``getSequence``. A step without a template has no ``template``.

    Fields that Outreach leaves null (``date`` on interval steps, an empty ``taskNote``) are
    left out, because the unified step schema has no nullable fields.
    """
    attributes = step.get("attributes") or {}
    fields: Record = {
        "id": str(step.get("id")),
        "created_at": timestamp(attributes.get("createdAt")),
        "updated_at": timestamp(attributes.get("updatedAt")),
        "type": attributes.get("stepType"),
        "date": attributes.get("date"),
        "name": attributes.get("displayName"),
        "interval_seconds": attributes.get("interval"),
        "task_note": attributes.get("taskNote"),
    }
    record = {key: value for key, value in fields.items() if value is not None}
    if template is not None:
        template_attributes = template.get("attributes") or {}
        record["template"] = {
            "id": str(template.get("id")),
            "body": template_attributes.get("bodyHtml") or "",
            "subject": template_attributes.get("subject") or "",
        }
    return record


def step_template(client: OutreachClient, step_id: str) -> dict[str, Any] | None:
    """Return the template linked to a step through its first sequenceTemplate, or None."""
    body = client.call("GET", f"{API}/sequenceTemplates", params=[("filter[sequenceStep][id]", step_id)])
    for link in body.get("data") or []:
        template_id = related_id(link, "template") if isinstance(link, dict) else None
        if template_id is not None:
            return client.get("templates", template_id)
    return None


def read_sequence(client: OutreachClient, sequence_id: str) -> Record:
    """Return a sequence with every step (all pages) and each step's template."""
    sequence = client.get("sequences", sequence_id)
    page_size = str(OUTREACH.list_page_cap or OUTREACH.default_page_size)
    steps = client.list_all("sequenceSteps", [("filter[sequence][id]", str(sequence["id"])), ("page[size]", page_size)])
    record = from_native_sequence(sequence)
    record["steps"] = [from_native_step(step, step_template(client, str(step["id"]))) for step in steps]
    return record


# Writing ---------------------------------------------------------------------------------


def create_sequence(client: OutreachClient, record: Record) -> tuple[str, dict[str, Any]]:
    """Create a sequence and its steps, and return its id and resource object.

    Each step gets order = position + 1. The share type is not sent, so Outreach applies its own default.
    """
    attributes: dict[str, Any] = {key: record[key] for key in ("name", "tags") if key in record}
    attributes.update(record.get("custom_fields") or {})
    data: dict[str, Any] = {"type": "sequence", "attributes": attributes}
    owner = owner_relationship(record) if record.get("owner_id") else None
    if owner is not None:
        data["relationships"] = owner
    body = client.call("POST", f"{API}/sequences", json={"data": data})
    sequence = resource_object("POST", "sequences", body)
    sequence_id = str(sequence["id"])

    steps = record.get("steps") or []
    for position, step in enumerate(steps):
        nested = camel_case_keys({"custom_fields": step.get("custom_fields") or {}})["customFields"]
        create_step(client, sequence_id, {**step, "order": position + 1}, custom_fields=nested)
    if steps:
        sequence = client.get("sequences", sequence_id)
    return sequence_id, sequence


def create_step(client: OutreachClient, sequence_id: str, record: Record, *, custom_fields: dict[str, Any]) -> str:
    """Create a step, its template (unless one is named by id) and their link, and return the step id.

    Raises ``BadRequestError`` before any native call for an email step without a template.
    """
    step_type = record.get("type")
    template = record.get("template") if isinstance(record.get("template"), dict) else None
    if template is None and step_type in EMAIL_STEP_TYPES:
        raise BadRequestError(
            f"A template is required for {step_type} steps in Outreach. Pass record.template with an id, "
            "or with a body and a subject."
        )

    template_id = _template_id(client, template) if template is not None else None

    attributes: dict[str, Any] = {
        "stepType": step_type,
        "order": record.get("order") if record.get("order") is not None else 0,
    }
    for unified, native in (("interval_seconds", "interval"), ("date", "date"), ("task_note", "taskNote")):
        if unified in record:
            attributes[native] = record[unified]
    if not record.get("date") and not record.get("interval_seconds"):
        # Without an interval or a date Outreach would wait one week before the step.
        attributes["interval"] = 0
    attributes.update(custom_fields)
    relationships = {"sequence": {"data": {"type": "sequence", "id": integer_id(sequence_id)}}}
    body = client.call(
        "POST",
        f"{API}/sequenceSteps",
        json={"data": {"type": "sequenceStep", "attributes": attributes, "relationships": relationships}},
    )
    step_id = resource_object("POST", "sequenceSteps", body)["id"]

    if template_id is not None:
        link: dict[str, Any] = {
            "type": "sequenceTemplate",
            "attributes": {"isReply": record["is_reply"]} if record.get("is_reply") is not None else {},
            "relationships": {
                "sequenceStep": {"data": {"type": "sequenceStep", "id": step_id}},
                "template": {"data": {"type": "template", "id": template_id}},
            },
        }
        client.call("POST", f"{API}/sequenceTemplates", json={"data": link})
    return str(step_id)


def _template_id(client: OutreachClient, template: dict[str, Any]) -> Any:
    """Return the id of the template a step uses, creating the template when no id is given."""
    if template.get("id"):
        # Read the template first, so that an unknown id fails before the step exists.
        return client.get("templates", str(template["id"]))["id"]
    attributes: dict[str, Any] = {}
    for unified, native in (
        ("name", "name"),
        ("body", "bodyHtml"),
        ("subject", "subject"),
        ("to", "toRecipients"),
        ("cc", "ccRecipients"),
        ("bcc", "bccRecipients"),
    ):
        if unified in template:
            attributes[native] = template[unified]
    attributes.update(camel_case_keys(template.get("custom_fields") or {}))
    body = client.call("POST", f"{API}/templates", json={"data": {"type": "template", "attributes": attributes}})
    return resource_object("POST", "templates", body)["id"]


def update_step_template(client: OutreachClient, step_id: str, record: Record) -> None:
    """Change the subject and body of the template a step uses."""
    template = step_template(client, step_id)
    if template is None:
        raise NotFoundError(f"Sequence step {step_id} does not have a template")
    changes: dict[str, Any] = record["template"] if isinstance(record.get("template"), dict) else {}
    attributes = {
        native: changes[unified]
        for unified, native in (("body", "bodyHtml"), ("subject", "subject"))
        if unified in changes
    }
    data = {"id": template["id"], "type": "template", "attributes": attributes}
    client.call("PATCH", resource_path("templates", str(template["id"])), json={"data": data})
