"""Translation of Apollo accounts, contacts, users and email accounts.

Apollo keeps one email per contact, so a contact reads back with exactly one email typed
``primary`` (none when it has no email), whatever type it was written with. Owners cannot be
set through the API: ``owner_id`` is dropped on writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...timestamps import unified_timestamp as to_iso

Record = dict[str, Any]

# Native phone type → unified phone_number_type; any other native type reads back as None.
_PHONE_TYPES = {"home": "home", "mobile": "mobile", "work": "work", "work_hq": "work", "other": "other"}



# Accounts ----------------------------------------------------------------------------------


def to_native_account(record: Mapping[str, Any]) -> dict[str, Any]:
    """Return the body of POST or PUT /v1/accounts; fields absent from ``record`` are left out."""
    body: dict[str, Any] = {}
    for unified, native in (("name", "name"), ("domain", "domain"), ("custom_fields", "typed_custom_fields")):
        if unified in record:
            body[native] = record[unified]
    return body


def from_native_account(account: Mapping[str, Any]) -> Record:
    created_at = to_iso(account.get("created_at"))
    return {
        "id": str(account["id"]),
        "name": account.get("name"),
        "domain": account.get("domain"),
        "owner_id": account.get("owner_id"),
        "created_at": created_at,
        "updated_at": None,
        "last_modified_at": created_at,
        "is_deleted": False,
        "raw_data": dict(account),
    }


# Contacts ----------------------------------------------------------------------------------


def to_native_contact(record: Mapping[str, Any]) -> dict[str, Any]:
    """Return the body of POST or PUT /v1/contacts.

    The first email of any type becomes ``email``. The address becomes one
    ``present_raw_address`` line (street_2 is dropped): ``{"street_1": "525 Brannan",
    "city": "San Francisco", "postal_code": "94107"}`` → ``"525 Brannan, San Francisco, 94107"``.
    ``mobile_phone`` takes the mobile number, else the primary one.
    """
    body: dict[str, Any] = {}
    for unified, native in (("first_name", "first_name"), ("last_name", "last_name"), ("job_title", "title")):
        if unified in record:
            body[native] = record[unified]

    emails = record.get("email_addresses") or []
    if emails:
        body["email"] = emails[0].get("email_address")

    address = record.get("address")
    if address is not None:
        parts = [address.get(key) for key in ("street_1", "city", "state", "postal_code", "country")]
        body["present_raw_address"] = ", ".join(part for part in parts if part)

    if "account_id" in record:
        body["account_id"] = record["account_id"]

    phones = record.get("phone_numbers")
    if phones is not None:
        numbers = _first_number_by_type(phones)
        chosen = {
            "mobile_phone": numbers.get("mobile") or numbers.get("primary"),
            "corporate_phone": numbers.get("work"),
            "home_phone": numbers.get("home"),
            "other_phone": numbers.get("other"),
        }
        body.update({key: value for key, value in chosen.items() if value is not None})

    if "custom_fields" in record:
        body["typed_custom_fields"] = record["custom_fields"]
    return body


def _first_number_by_type(phones: list[Mapping[str, Any]]) -> dict[str, str | None]:
    numbers: dict[str, str | None] = {}
    for phone in phones:
        phone_type = phone.get("phone_number_type")
        if phone_type is not None and phone_type not in numbers:
            numbers[phone_type] = phone.get("phone_number")
    return numbers


def from_native_contact(contact: Mapping[str, Any]) -> Record:
    updated_at = to_iso(contact.get("updated_at"))
    return {
        "id": str(contact["id"]),
        "owner_id": contact.get("owner_id"),
        "account_id": contact.get("account_id"),
        "first_name": contact.get("first_name"),
        "last_name": contact.get("last_name"),
        "job_title": contact.get("title"),
        "address": {
            "street_1": contact.get("street_address"),
            "street_2": None,
            "city": contact.get("city"),
            "state": contact.get("state"),
            "country": contact.get("country"),
            "postal_code": contact.get("postal_code"),
        },
        "email_addresses": _email_addresses(contact.get("email")),
        "phone_numbers": [
            {"phone_number": phone.get("sanitized_number"), "phone_number_type": _PHONE_TYPES.get(phone.get("type"))}
            for phone in contact.get("phone_numbers") or []
        ],
        # Apollo reports no email engagement counts on contacts.
        "open_count": 0,
        "click_count": 0,
        "reply_count": 0,
        "bounced_count": 0,
        "created_at": to_iso(contact.get("created_at")),
        "updated_at": updated_at,
        "last_modified_at": updated_at,
        "is_deleted": False,
        "raw_data": dict(contact),
    }


# Users and mailboxes -----------------------------------------------------------------------


def from_native_user(user: Mapping[str, Any]) -> Record:
    created_at = to_iso(user.get("created_at"))
    return {
        "id": str(user["id"]),
        "first_name": user.get("first_name"),
        "last_name": user.get("last_name"),
        "email": user.get("email"),
        "created_at": created_at,
        "updated_at": None,
        "last_modified_at": created_at,
        "is_deleted": False,
        # Apollo users cannot be locked.
        "is_locked": None,
        "raw_data": dict(user),
    }


def from_native_mailbox(email_account: Mapping[str, Any]) -> Record:
    synced_at = to_iso(email_account.get("last_synced_at"))
    active = email_account.get("active")
    return {
        "id": str(email_account["id"]),
        "email": email_account.get("email"),
        "user_id": email_account.get("user_id"),
        "created_at": None,
        "updated_at": synced_at,
        "last_modified_at": synced_at,
        "is_deleted": False,
        "is_disabled": (not active) if isinstance(active, bool) else None,
        "raw_data": dict(email_account),
    }


def _email_addresses(email: str | None) -> list[dict[str, Any]]:
    """Return Apollo's single email as the one ``primary`` address.

    A contact without an email has no address: the reference returned one address with a
    null ``email_address``, which the spec does not allow.
    """
    if not email:
        return []
    return [{"email_address": email, "email_address_type": "primary"}]
