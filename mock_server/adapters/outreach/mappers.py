"""Translation between unified records and Outreach resource objects.

``from_native_*`` reads a JSON:API resource object (``{id, type, attributes,
relationships, links}``) into a unified record whose ``raw_data`` is that whole object.
``to_native_*`` builds the ``attributes`` and ``relationships`` of a write. A key that is
absent from the unified record is left out of the write; an explicit null is sent as null.
"""

from __future__ import annotations

import re
from typing import Any

from ...timestamps import unified_timestamp as timestamp
from ..base import Record

SEQUENCE_METRICS = (
    "scheduleCount",
    "openCount",
    "optOutCount",
    "clickCount",
    "replyCount",
    "deliverCount",
    "failureCount",
    "neutralReplyCount",
    "negativeReplyCount",
    "positiveReplyCount",
    "numRepliedProspects",
    "numContactedProspects",
)
# Native phone lists in the order they are read; voip numbers read back as "other".
PHONE_LISTS_READ = (
    ("mobilePhones", "mobile"),
    ("homePhones", "home"),
    ("workPhones", "work"),
    ("otherPhones", "other"),
    ("voipPhones", "other"),
)
# Outreach has no primary phone list, so primary numbers are written as mobile numbers.
PHONE_LISTS_WRITTEN = {
    "primary": "mobilePhones",
    "mobile": "mobilePhones",
    "home": "homePhones",
    "work": "workPhones",
    "other": "otherPhones",
}
ADDRESS_FIELDS = (
    ("street_1", "addressStreet"),
    ("street_2", "addressStreet2"),
    ("city", "addressCity"),
    ("state", "addressState"),
    ("postal_code", "addressZip"),
    ("country", "addressCountry"),
)
_LEADING_INTEGER = re.compile(r"^\s*([+-]?\d+)")
_WORD_SEPARATORS = re.compile(r"[_.\-\s]+")


# Shared helpers --------------------------------------------------------------------------



def related_id(resource: dict[str, Any], name: str) -> str | None:
    """Return the id of a to-one relationship as a string, or None when unset."""
    relationship = (resource.get("relationships") or {}).get(name)
    data = relationship.get("data") if isinstance(relationship, dict) else None
    if isinstance(data, dict) and data.get("id") is not None:
        return str(data["id"])
    return None


def integer_id(value: Any) -> int | None:
    """Read an id as JavaScript's ``parseInt`` does: ``"12"`` and ``"12abc"`` give 12, ``"x"`` None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = _LEADING_INTEGER.match(value) if isinstance(value, str) else None
    return int(match.group(1)) if match else None


def camel_case(key: str) -> str:
    """Return ``key`` in camelCase, as the reference service wrote nested custom fields.

    ``my_field`` → ``myField``, ``custom1`` → ``custom1``, ``Work-Phone`` → ``workPhone``.
    NOTE: this follows the common cases of the npm ``camelcase`` package; keys with runs
    of capitals (``APIKey``) may differ from it.
    """
    words = [word for word in _WORD_SEPARATORS.split(key) if word]
    if not words:
        return key
    first = words[0][:1].lower() + words[0][1:]
    return first + "".join(word[:1].upper() + word[1:] for word in words[1:])


def camel_case_keys(value: Any) -> Any:
    """Return ``value`` with the keys of every nested object in camelCase."""
    if isinstance(value, dict):
        return {camel_case(str(key)): camel_case_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [camel_case_keys(item) for item in value]
    return value


def common_fields(resource: dict[str, Any]) -> Record:
    """Return the id, timestamps and ``is_deleted`` that every unified record carries."""
    attributes = resource.get("attributes") or {}
    return {
        "id": str(resource.get("id")),
        "created_at": timestamp(attributes.get("createdAt")),
        "updated_at": timestamp(attributes.get("updatedAt")),
        "is_deleted": False,
        "last_modified_at": timestamp(attributes.get("updatedAt")),
    }


def owner_relationship(record: Record) -> dict[str, Any] | None:
    """Return the ``owner`` relationship of an account or sequence write, or None to send none."""
    if "owner_id" not in record:
        return None
    owner_id = record["owner_id"]
    if owner_id is None:
        return {"owner": None}
    return {"owner": {"data": {"type": "user", "id": integer_id(owner_id)}}}


# Accounts --------------------------------------------------------------------------------


def from_native_account(resource: dict[str, Any]) -> Record:
    attributes = resource.get("attributes") or {}
    record = common_fields(resource)
    record.update(
        name=attributes.get("name"),
        domain=attributes.get("domain"),
        owner_id=related_id(resource, "owner"),
        raw_data=resource,
    )
    return record


def to_native_account(
    record: Record, custom_fields: dict[str, Any] | None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Return the attributes and relationships of an account write; ``account_id`` is dropped."""
    attributes: dict[str, Any] = {key: record[key] for key in ("domain", "name") if key in record}
    attributes.update(custom_fields or {})
    return attributes, owner_relationship(record)


# Contacts --------------------------------------------------------------------------------


def from_native_contact(resource: dict[str, Any]) -> Record:
    attributes = resource.get("attributes") or {}
    phones = []
    for native_list, phone_type in PHONE_LISTS_READ:
        for number in attributes.get(native_list) or []:
            phones.append({"phone_number": number, "phone_number_type": phone_type})
    emails = [
        {"email_address": item.get("email"), "email_address_type": item.get("email_type")}
        for item in attributes.get("emailContacts") or []
        if isinstance(item, dict)
    ]
    record = common_fields(resource)
    record.update(
        owner_id=related_id(resource, "owner"),
        account_id=related_id(resource, "account"),
        first_name=attributes.get("firstName"),
        last_name=attributes.get("lastName"),
        job_title=attributes.get("title"),
        address={unified: attributes.get(native) for unified, native in ADDRESS_FIELDS},
        email_addresses=emails,
        phone_numbers=phones,
        open_count=attributes.get("openCount") or 0,
        click_count=attributes.get("clickCount") or 0,
        reply_count=attributes.get("replyCount") or 0,
        bounced_count=attributes.get("bouncedCount") or 0,
        raw_data=resource,
    )
    return record


def to_native_contact(record: Record) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Return the attributes and relationships of a prospect write.

    Email types are not sent (Outreach reads them back as null). Primary and mobile
    numbers go to ``mobilePhones``. A number without a value or a known type is skipped.
    """
    attributes: dict[str, Any] = {}
    for unified, native in (("first_name", "firstName"), ("last_name", "lastName"), ("job_title", "title")):
        if unified in record:
            attributes[native] = record[unified]
    if "address" in record:
        address = record["address"]
        for unified, native in ADDRESS_FIELDS:
            if address is None:
                attributes[native] = None
            elif isinstance(address, dict) and unified in address:
                attributes[native] = address[unified]
    if record.get("email_addresses") is not None:
        attributes["emails"] = [
            item.get("email_address") for item in record["email_addresses"] if isinstance(item, dict)
        ]
    if record.get("phone_numbers") is not None:
        lists: dict[str, list[str]] = {name: [] for name in ("mobilePhones", "homePhones", "workPhones", "otherPhones")}
        for item in record["phone_numbers"]:
            if not isinstance(item, dict) or not item.get("phone_number"):
                continue
            native_list = PHONE_LISTS_WRITTEN.get(item.get("phone_number_type") or "")
            if native_list is not None:
                lists[native_list].append(item["phone_number"])
        attributes.update(lists)
    attributes.update(record.get("custom_fields") or {})

    relationships: dict[str, Any] | None = None
    if "owner_id" in record or "account_id" in record:
        relationships = {}
        for unified, name, type_name in (("owner_id", "owner", "user"), ("account_id", "account", "account")):
            if unified not in record:
                continue
            value = record[unified]
            relationships[name] = {"data": {"type": type_name, "id": value}} if value else value
    return attributes, relationships


# Users, mailboxes and sequence states ----------------------------------------------------


def from_native_user(resource: dict[str, Any]) -> Record:
    attributes = resource.get("attributes") or {}
    record = common_fields(resource)
    record.update(
        first_name=attributes.get("firstName"),
        last_name=attributes.get("lastName"),
        email=attributes.get("email"),
        is_locked=attributes.get("locked"),
        raw_data=resource,
    )
    return record


def from_native_mailbox(resource: dict[str, Any]) -> Record:
    attributes = resource.get("attributes") or {}
    user_id = related_id(resource, "user")
    if user_id is None and attributes.get("userId") is not None:
        user_id = str(attributes["userId"])
    record = common_fields(resource)
    record.update(email=attributes.get("email"), user_id=user_id, raw_data=resource)
    if "sendDisabled" in attributes:
        record["is_disabled"] = attributes["sendDisabled"]
    return record


def from_native_sequence_state(resource: dict[str, Any]) -> Record:
    attributes = resource.get("attributes") or {}
    record = common_fields(resource)
    record.update(
        state=attributes.get("state"),
        contact_id=related_id(resource, "prospect"),
        sequence_id=related_id(resource, "sequence"),
        mailbox_id=related_id(resource, "mailbox"),
        user_id=related_id(resource, "creator"),
        raw_data=resource,
    )
    return record
