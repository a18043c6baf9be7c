"""Native Outreach records: body checks, defaults, derived attributes and side effects.

Records are stored as JSON:API resource objects without ``links``:
``{"id": 7, "type": "prospect", "attributes": {...}, "relationships": {"owner": {"data":
{"type": "user", "id": 3}}}}``. Every declared to-one relationship is present, with
``{"data": null}`` when unset. The server fills timestamps, counters and derived
attributes, and keeps a sequence's ``sequenceStepCount`` equal to its number of steps.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from typing import Any

from ..store import Collection
from .jsonapi import JsonApiError
from .resources import (
    DEFAULT_STEP_INTERVAL,
    RESOURCES,
    SHARE_TYPES,
    STEP_TYPES,
    ResourceSpec,
)

DUPLICATE_STATE_CODE = "has already been in this sequence"

_STEP_LABELS = {
    "auto_email": "Auto email",
    "manual_email": "Manual email",
    "call": "Call",
    "task": "Task",
    "linkedin_send_message": "LinkedIn message",
}
_TAG = re.compile(r"<[^>]+>")


# Body checks -----------------------------------------------------------------------------


def parse_relationships(spec: ResourceSpec, raw: Any) -> dict[str, int | None]:
    """Read ``relationships`` of a write body into ``{name: id or None}``.

    Accepts ``{"owner": {"data": {"type": "user", "id": 3}}}``, an id given as a string of
    digits, and ``null`` or ``{"data": null}`` to clear a relationship.
    """
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise JsonApiError(422, "relationships must be an object.", pointer="/data/relationships")
    parsed: dict[str, int | None] = {}
    for name, value in raw.items():
        pointer = f"/data/relationships/{name}"
        relationship = spec.relationship(name)
        if relationship is None:
            known = ", ".join(item.name for item in spec.relationships) or "none"
            raise JsonApiError(422, f"Unknown relationship {name!r} for {spec.type}. Known: {known}.", pointer=pointer)
        data = value.get("data") if isinstance(value, dict) else value
        if data is None:
            parsed[name] = None
            continue
        if not isinstance(data, dict):
            raise JsonApiError(
                422, f'Relationship {name!r} must be {{"data": {{"type", "id"}}}} or null.', pointer=pointer
            )
        if data.get("type") not in (None, relationship.type):
            raise JsonApiError(
                422,
                f"Relationship {name!r} must point at a {relationship.type!r}, not {data.get('type')!r}.",
                pointer=pointer,
            )
        parsed[name] = _relationship_id(name, data.get("id"), pointer)
    return parsed


def _relationship_id(name: str, value: Any, pointer: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str) and value.isdigit() and int(value) > 0:
        return int(value)
    raise JsonApiError(
        422, f"Relationship {name!r} needs a positive integer id; got {value!r}.", pointer=f"{pointer}/data/id"
    )


def check_attributes(spec: ResourceSpec, attributes: Any, *, creating: bool) -> dict[str, Any]:
    """Check the writable attributes of a create or update body and return them."""
    if attributes is None:
        attributes = {}
    if not isinstance(attributes, dict):
        raise JsonApiError(422, "attributes must be an object.", pointer="/data/attributes")
    checked = dict(attributes)
    for name, value in attributes.items():
        pointer = f"/data/attributes/{name}"
        if name in spec.read_only:
            raise JsonApiError(422, f"{name} is read-only and cannot be written.", pointer=pointer)
        _check_type(spec, name, value, pointer)
        if name in spec.integer_attributes and isinstance(value, float):
            checked[name] = int(value)
    if creating:
        for name in spec.required_attributes:
            if attributes.get(name) in (None, ""):
                raise JsonApiError(422, f"{human_name(name)} can't be blank.", pointer=f"/data/attributes/{name}")
    if spec.type == "sequenceStep" and "stepType" in attributes and attributes["stepType"] not in STEP_TYPES:
        allowed = ", ".join(sorted(STEP_TYPES))
        raise JsonApiError(
            422,
            f"stepType must be one of {allowed}; got {attributes['stepType']!r}.",
            pointer="/data/attributes/stepType",
        )
    if spec.type == "sequence" and "shareType" in attributes and attributes["shareType"] not in SHARE_TYPES:
        raise JsonApiError(
            422,
            f"shareType must be private, read_only or shared; got {attributes['shareType']!r}.",
            pointer="/data/attributes/shareType",
        )
    return checked


def _check_type(spec: ResourceSpec, name: str, value: Any, pointer: str) -> None:
    if value is None:
        return
    if name in spec.integer_attributes:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value:
            raise JsonApiError(422, f"{name} must be an integer; got {value!r}.", pointer=pointer)
    elif name in spec.boolean_attributes:
        if not isinstance(value, bool):
            raise JsonApiError(422, f"{name} must be true or false; got {value!r}.", pointer=pointer)
    elif name in spec.string_list_attributes:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise JsonApiError(422, f"{name} must be a list of strings; got {value!r}.", pointer=pointer)
    limit = spec.max_lengths.get(name)
    if limit is not None:
        if not isinstance(value, str):
            raise JsonApiError(422, f"{name} must be a string; got {value!r}.", pointer=pointer)
        if len(value) > limit:
            raise JsonApiError(422, f"{name} is too long (maximum is {limit} characters).", pointer=pointer)


def human_name(name: str) -> str:
    """Return an attribute or relationship name as words: ``sequenceStep`` → ``Sequence step``."""
    words = re.sub(r"([A-Z])", r" \1", name).strip().lower()
    return words[:1].upper() + words[1:]


# Records ---------------------------------------------------------------------------------


class AccountRecords:
    """The native records of one Outreach account, with the server's write rules."""

    def __init__(self, collection: Callable[[str], Collection], now: Callable[[], str]) -> None:
        self._collection = collection
        self._now = now

    def collection(self, spec: ResourceSpec) -> Collection:
        return self._collection(spec.name)

    def get(self, spec: ResourceSpec, record_id: int) -> dict[str, Any] | None:
        return self.collection(spec).get(record_id)

    def require_related(self, spec: ResourceSpec, relationships: Mapping[str, int | None]) -> None:
        """Raise a 404 when a relationship points at a record that does not exist."""
        for name, related_id in relationships.items():
            relationship = spec.relationship(name)
            if related_id is None or relationship is None:
                continue
            if self.collection(RESOURCES[relationship.resource]).get(related_id) is None:
                raise JsonApiError(
                    404,
                    f"Could not find {relationship.type!r} with ID '{related_id}' for relationship {name!r}.",
                    pointer=f"/data/relationships/{name}",
                )

    def check_unique(self, spec: ResourceSpec, relationships: Mapping[str, int | None]) -> None:
        """Reject a second sequence state for the same prospect and sequence."""
        if spec.type != "sequenceState":
            return
        prospect_id, sequence_id = relationships.get("prospect"), relationships.get("sequence")
        states = self.collection(spec)
        existing = set(states.find("prospect.id", prospect_id)) & set(states.find("sequence.id", sequence_id))
        if existing:
            raise JsonApiError(
                422,
                f"Prospect {prospect_id} has already been in sequence {sequence_id}.",
                code=DUPLICATE_STATE_CODE,
                pointer="/data/relationships/prospect",
            )

    def create(
        self, spec: ResourceSpec, attributes: Mapping[str, Any], relationships: Mapping[str, int | None]
    ) -> dict[str, Any]:
        """Store a new record with the server's defaults and return it."""
        now = self._now()
        stored_attributes = {key: copy.deepcopy(value) for key, value in spec.defaults.items()}
        stored_attributes.update(copy.deepcopy(dict(attributes)))
        stored_attributes.setdefault("createdAt", now)
        stored_attributes.setdefault("updatedAt", stored_attributes["createdAt"])
        document = {
            "type": spec.type,
            "attributes": stored_attributes,
            "relationships": {
                item.name: _relationship(item.type, relationships.get(item.name)) for item in spec.relationships
            },
        }
        self._derive(spec, document, previous=None)

        collection = self.collection(spec)
        with collection.store.lock:
            record_id = collection.next_id()
            stored = {"id": record_id, **document}
            collection.insert(stored, record_id)
        if spec.type == "sequenceStep":
            self._recount_steps(_related_id(stored, "sequence"), now)
        return copy.deepcopy(stored)

    def update(
        self, spec: ResourceSpec, record_id: int, attributes: Mapping[str, Any], relationships: Mapping[str, int | None]
    ) -> dict[str, Any]:
        """Merge a PATCH into a record. ``updatedAt`` changes only when something else changed."""
        collection = self.collection(spec)
        current = collection.get(record_id)
        if current is None:
            raise JsonApiError(404, f"Could not find {spec.type!r} with ID '{record_id}'.")
        changed = copy.deepcopy(current)
        changed["attributes"].update(copy.deepcopy(dict(attributes)))
        for name, related_id in relationships.items():
            relationship = spec.relationship(name)
            assert relationship is not None
            changed["relationships"][name] = _relationship(relationship.type, related_id)
        self._derive(spec, changed, previous=current)
        if changed == current:
            return current
        changed["attributes"]["updatedAt"] = self._now()
        return collection.update(record_id, changed)

    def _derive(self, spec: ResourceSpec, document: dict[str, Any], previous: Mapping[str, Any] | None) -> None:
        attributes = document["attributes"]
        if spec.type in ("prospect", "user"):
            names = [attributes.get("firstName"), attributes.get("lastName")]
            attributes["name"] = " ".join(name for name in names if name) or None
        if spec.type == "prospect":
            # A seeded record may bring its own typed emailContacts. Every other write
            # rebuilds them from emails.
            seeded_contacts = previous is None and "emailContacts" in attributes
            if seeded_contacts and not attributes.get("emails"):
                attributes["emails"] = [
                    item.get("email") for item in attributes["emailContacts"] if isinstance(item, dict)
                ]
            if not seeded_contacts:
                old_contacts = (previous or {}).get("attributes", {}).get("emailContacts") or []
                attributes["emailContacts"] = _email_contacts(attributes.get("emails") or [], old_contacts)
        elif spec.type == "mailbox":
            attributes["userId"] = _related_id(document, "user")
        elif spec.type == "template":
            attributes["bodyText"] = _TAG.sub("", attributes.get("bodyHtml") or "")
        elif spec.type == "sequenceStep" and previous is None:
            self._place_step(document)

    def _place_step(self, document: dict[str, Any]) -> None:
        """Fill a new step's order, interval and display name."""
        attributes = document["attributes"]
        sequence_id = _related_id(document, "sequence")
        if not isinstance(attributes.get("order"), int) or attributes["order"] < 1:
            # NOTE: an order that is missing or below 1 puts the step last. This is inferred
            # from Outreach's 1-based orders, not observed.
            steps = self.collection(RESOURCES["sequenceSteps"])
            orders = [
                (steps.get(step_id) or {}).get("attributes", {}).get("order") or 0
                for step_id in steps.find("sequence.id", sequence_id)
            ]
            attributes["order"] = max(orders, default=0) + 1
        if attributes.get("interval") is None and not attributes.get("date"):
            attributes["interval"] = DEFAULT_STEP_INTERVAL
        attributes.setdefault("interval", None)
        label = _STEP_LABELS.get(attributes.get("stepType"), str(attributes.get("stepType")))
        attributes["displayName"] = f"Step {attributes['order']}: {label}"

    def _recount_steps(self, sequence_id: int | None, now: str) -> None:
        if sequence_id is None:
            return
        sequences = self.collection(RESOURCES["sequences"])
        sequence = sequences.get(sequence_id)
        if sequence is None:
            return
        count = len(self.collection(RESOURCES["sequenceSteps"]).find("sequence.id", sequence_id))
        attributes = dict(sequence["attributes"], sequenceStepCount=count, updatedAt=now)
        sequences.update(sequence_id, {"attributes": attributes})


def _relationship(type_name: str, related_id: int | None) -> dict[str, Any]:
    return {"data": None if related_id is None else {"type": type_name, "id": related_id}}


def _related_id(document: Mapping[str, Any], name: str) -> int | None:
    data = (document.get("relationships", {}).get(name) or {}).get("data")
    return data["id"] if isinstance(data, dict) else None


def _email_contacts(emails: list[str], previous: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Build ``emailContacts`` from ``emails``. An address written this way has no type."""
    known_types = {item.get("email"): item.get("email_type") for item in previous if isinstance(item, dict)}
    return [{"email": email, "email_type": known_types.get(email)} for email in emails]
