"""Translation of Salesloft accounts, people, users and cadence memberships.

Writes imitate how the reference service built its native bodies: ids go through a
JavaScript-style ``parseInt`` (``"12abc"`` gives 12, ``"abc"`` gives null), keys that the
caller left out are left out, and fields Salesloft has no place for are dropped:
- accounts: ``custom_fields`` and ``account_id``;
- people: address street lines and postal code, emails typed ``work`` or untyped, and
  phones typed ``work`` or ``other``.
Only the first email typed ``primary`` becomes ``email_address`` and only the first typed
``personal`` becomes ``personal_email_address``; a ``secondary_email_address`` reads back
with a null type.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from ...timestamps import unified_timestamp as unified_time
from ..base import Record

_LEADING_INTEGER = re.compile(r"^\s*([+-]?\d+)")

# Unified email/phone type -> native Person key, in the order records read them back.
EMAIL_KEYS = (("primary", "email_address"), ("personal", "personal_email_address"), (None, "secondary_email_address"))
PHONE_KEYS = (("primary", "phone"), ("home", "home_phone"), ("mobile", "mobile_phone"))


def parse_int_like_js(value: Any) -> int | None:
    """Read an id the way JavaScript's ``parseInt`` does; None where it gives ``NaN``.

    ``"42"`` → 42, ``"42abc"`` → 42, ``"abc"`` → None, ``4.7`` → 4.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else None
    match = _LEADING_INTEGER.match(str(value))
    return int(match.group(1)) if match else None



def embedded_id(value: Any) -> str | None:
    """Return the id of an embedded reference ``{"id": 7, "_href": ...}`` as a string."""
    if isinstance(value, Mapping) and value.get("id") is not None:
        return str(value["id"])
    return None


def _first_of_type(items: Any, type_key: str, value_key: str, requested_type: str) -> tuple[bool, Any]:
    if not isinstance(items, list):
        return False, None
    for item in items:
        if isinstance(item, Mapping) and item.get(type_key) == requested_type:
            return True, item.get(value_key)
    return False, None


def _id_field(body: dict[str, Any], record: Mapping[str, Any], key: str) -> None:
    """Copy an id the way the reference did: parsed when truthy, passed through otherwise."""
    if key in record:
        value = record[key]
        body[key] = parse_int_like_js(value) if value else value


# Accounts --------------------------------------------------------------------------------


def to_native_account(record: Mapping[str, Any]) -> dict[str, Any]:
    """Build the body of ``POST``/``PUT /v2/accounts``: name, domain and owner only."""
    body: dict[str, Any] = {key: record[key] for key in ("name", "domain") if key in record}
    if record.get("owner_id"):
        body["owner_id"] = parse_int_like_js(record["owner_id"])
    return body


def from_native_account(data: Mapping[str, Any]) -> Record:
    return {
        "id": str(data["id"]),
        "owner_id": embedded_id(data.get("owner")),
        "name": data.get("name"),
        "domain": data.get("domain"),
        "created_at": unified_time(data.get("created_at")),
        "updated_at": unified_time(data.get("updated_at")),
        "is_deleted": False,
        "last_modified_at": unified_time(data.get("updated_at")),
        "raw_data": dict(data),
    }


# People ----------------------------------------------------------------------------------


def to_native_person(record: Mapping[str, Any]) -> dict[str, Any]:
    """Build the body of ``POST``/``PUT /v2/people`` from a unified contact."""
    body: dict[str, Any] = {key: record[key] for key in ("first_name", "last_name") if key in record}
    if "job_title" in record:
        body["title"] = record["job_title"]
    address = record.get("address")
    if isinstance(address, Mapping):
        body.update({key: address[key] for key in ("city", "state", "country") if key in address})

    emails = record.get("email_addresses")
    for email_type, native_key in EMAIL_KEYS[:2]:
        found, value = _first_of_type(emails, "email_address_type", "email_address", str(email_type))
        if found:
            body[native_key] = value
    phones = record.get("phone_numbers")
    for phone_type, native_key in PHONE_KEYS:
        found, value = _first_of_type(phones, "phone_number_type", "phone_number", str(phone_type))
        if found:
            body[native_key] = value

    _id_field(body, record, "owner_id")
    _id_field(body, record, "account_id")
    custom_fields = record.get("custom_fields")
    if isinstance(custom_fields, Mapping):
        body.update(custom_fields)
    return body


def from_native_person(data: Mapping[str, Any]) -> Record:
    counts = data.get("counts") or {}
    emails = [
        {"email_address": data[native_key], "email_address_type": email_type}
        for email_type, native_key in EMAIL_KEYS
        if data.get(native_key)
    ]
    phones = [
        {"phone_number": data[native_key], "phone_number_type": phone_type}
        for phone_type, native_key in PHONE_KEYS
        if data.get(native_key)
    ]
    return {
        "id": str(data["id"]),
        "owner_id": embedded_id(data.get("owner")),
        "account_id": embedded_id(data.get("account")),
        "first_name": data.get("first_name"),
        "last_name": data.get("last_name"),
        "job_title": data.get("title"),
        "address": {
            "street_1": None,
            "street_2": None,
            "city": data.get("city"),
            "state": data.get("state"),
            "country": data.get("country"),
            "postal_code": None,
        },
        "email_addresses": emails,
        "phone_numbers": phones,
        "open_count": counts.get("emails_viewed") or 0,
        "click_count": counts.get("emails_clicked") or 0,
        "reply_count": counts.get("emails_replied_to") or 0,
        "bounced_count": counts.get("emails_bounced") or 0,
        "created_at": unified_time(data.get("created_at")),
        "updated_at": unified_time(data.get("updated_at")),
        "is_deleted": False,
        "last_modified_at": unified_time(data.get("updated_at")),
        "raw_data": dict(data),
    }


# Users and cadence memberships -----------------------------------------------------------


def from_native_user(data: Mapping[str, Any]) -> Record:
    """Map a Salesloft user; ``is_locked`` is true for a user who is not ``active``."""
    active = data.get("active")
    return {
        "id": str(data["id"]),
        "first_name": data.get("first_name"),
        "last_name": data.get("last_name"),
        "email": data.get("email"),
        "is_locked": (not active) if isinstance(active, bool) else None,
        "created_at": unified_time(data.get("created_at")),
        "updated_at": unified_time(data.get("updated_at")),
        "is_deleted": False,
        "last_modified_at": unified_time(data.get("updated_at")),
        "raw_data": dict(data),
    }


def from_native_membership(data: Mapping[str, Any]) -> Record:
    """Map a cadence membership; Salesloft has no mailboxes, so ``mailbox_id`` is null."""
    return {
        "id": str(data["id"]),
        "state": data.get("current_state"),
        "contact_id": embedded_id(data.get("person")),
        "sequence_id": embedded_id(data.get("cadence")),
        "mailbox_id": None,
        "user_id": embedded_id(data.get("user")),
        "created_at": unified_time(data.get("created_at")),
        "updated_at": unified_time(data.get("updated_at")),
        "is_deleted": False,
        "last_modified_at": unified_time(data.get("updated_at")),
        "raw_data": dict(data),
    }
