"""Salesloft people: ``/v2/people`` (list, create) and ``/v2/people/{id}`` (get, update, delete).

A person needs an ``email_address``, or a ``phone`` together with a ``last_name``; anything
else is a 422. Updates are partial: keys left out of a PUT keep their values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from providers_sim.native import NativeRequest, NativeResponse

from .documents import (
    ValidationErrors,
    blank,
    copy_fields,
    data_response,
    json_object,
    not_found,
    parse_id,
    reference,
    unprocessable,
)
from .paging import array_param, standard_list

if TYPE_CHECKING:
    from .simulator import SalesloftSimulator

TEXT_FIELDS = (
    "first_name",
    "last_name",
    "email_address",
    "secondary_email_address",
    "personal_email_address",
    "phone",
    "phone_extension",
    "home_phone",
    "mobile_phone",
    "linkedin_url",
    "title",
    "city",
    "state",
    "country",
    "work_city",
    "work_state",
    "work_country",
    "crm_id",
    "person_company_name",
    "person_company_website",
    "person_company_industry",
    "locale",
    "personal_website",
    "twitter_handle",
    "job_seniority",
)
OTHER_FIELDS = ("do_not_contact", "contact_restrictions", "tags")
# Request parameter -> stored reference key.
REFERENCE_FIELDS = {
    "owner_id": "owner",
    "account_id": "account",
    "person_stage_id": "person_stage",
    "import_id": "import",
}
ALL_REQUIRED_MESSAGE = "Either email_address, or phone and last_name, must be present"


def email_key(document: Mapping[str, Any]) -> list[str]:
    """Index key: the lowercased primary email address."""
    email = document.get("email_address")
    return [email.lower()] if isinstance(email, str) and email else []


def new_person(now: str) -> dict[str, Any]:
    """Return a person with Salesloft's defaults and no contact details."""
    document: dict[str, Any] = {name: None for name in TEXT_FIELDS}
    document.update(
        {
            "created_at": now,
            "updated_at": now,
            "last_contacted_at": None,
            "last_replied_at": None,
            "display_name": None,
            "full_email_address": None,
            "crm_url": None,
            "crm_object_type": None,
            "owner_crm_id": None,
            "do_not_contact": False,
            "bouncing": False,
            "eu_resident": False,
            "starred": False,
            "untouched": True,
            "success_count": 0,
            "last_contacted_type": None,
            "locale_utc_offset": None,
            "custom_fields": {},
            "tags": [],
            "contact_restrictions": [],
            "counts": {
                "emails_sent": 0,
                "emails_viewed": 0,
                "emails_clicked": 0,
                "emails_replied_to": 0,
                "emails_bounced": 0,
                "calls": 0,
            },
            "account": None,
            "owner": None,
            "last_contacted_by": None,
            "import": None,
            "person_stage": None,
            "most_recent_cadence": None,
            "last_completed_step_cadence": None,
            "last_completed_step": None,
            "cadences": [],
        }
    )
    return document


def apply_person_fields(document: dict[str, Any], fields: Mapping[str, Any]) -> ValidationErrors:
    """Write the request ``fields`` into ``document``; return the field errors found.

    Unknown keys are ignored, as Salesloft ignores unknown parameters.
    """
    errors: ValidationErrors = {}
    for name in TEXT_FIELDS:
        if name in fields and fields[name] is not None and not isinstance(fields[name], str):
            errors[name] = ["must be a string"]
    copy_fields(document, fields, TEXT_FIELDS + OTHER_FIELDS)
    for parameter, key in REFERENCE_FIELDS.items():
        if parameter not in fields:
            continue
        value = fields[parameter]
        if value is None or value == "":
            document[key] = None
            continue
        found = parse_id(value)
        if found is None:
            errors[parameter] = [f"must be a record id, got {value!r}"]
        document[key] = reference(found)
    custom = fields.get("custom_fields")
    if isinstance(custom, Mapping):
        document["custom_fields"] = {**document.get("custom_fields", {}), **custom}
    derive_names(document)
    if blank(document.get("email_address")) and (blank(document.get("phone")) or blank(document.get("last_name"))):
        errors.setdefault("email_address", []).append(ALL_REQUIRED_MESSAGE)
    return errors


def derive_names(document: dict[str, Any]) -> None:
    """Set ``display_name`` and ``full_email_address`` from the name and email fields."""
    # Wrongly typed names are reported as field errors by the caller; here they are skipped.
    names = (document.get("first_name"), document.get("last_name"))
    full_name = " ".join(part for part in names if isinstance(part, str) and part)
    email = document.get("email_address")
    if not isinstance(email, str):
        email = None
    document["display_name"] = full_name or email or None
    if not email:
        document["full_email_address"] = None
    elif full_name:
        document["full_email_address"] = f"{full_name} <{email}>"
    else:
        document["full_email_address"] = email


def list_people(simulator: SalesloftSimulator, request: NativeRequest, *, account: str) -> NativeResponse:
    people = simulator.people(account)
    filtering: dict[str, Any] = {}
    candidates: list[int] | None = None
    emails = array_param(request, "email_addresses")
    if emails is not None:
        filtering["email_addresses"] = emails
        candidates = sorted({doc_id for email in emails for doc_id in people.find("email", email.lower())})
    predicates = []
    account_ids = array_param(request, "account_id")
    if account_ids is not None:
        filtering["account_id"] = account_ids
        wanted = {parse_id(value) for value in account_ids}
        predicates.append(lambda document: (document.get("account") or {}).get("id") in wanted)
    return standard_list(people, request, candidates=candidates, predicates=predicates, filtering=filtering)


def create_person(simulator: SalesloftSimulator, request: NativeRequest, *, account: str) -> NativeResponse:
    fields = json_object(request)
    document = new_person(simulator.now())
    errors = apply_person_fields(document, fields)
    if errors:
        raise unprocessable(errors)
    return data_response(simulator.store_new(account, "people", document), request)


def get_person(simulator: SalesloftSimulator, request: NativeRequest, *, account: str, id: str) -> NativeResponse:
    return data_response(_existing(simulator, account, id), request)


def update_person(simulator: SalesloftSimulator, request: NativeRequest, *, account: str, id: str) -> NativeResponse:
    document = _existing(simulator, account, id)
    errors = apply_person_fields(document, json_object(request))
    if errors:
        raise unprocessable(errors)
    document["updated_at"] = simulator.now()
    return data_response(simulator.people(account).update(document["id"], document), request)


def delete_person(simulator: SalesloftSimulator, request: NativeRequest, *, account: str, id: str) -> NativeResponse:
    document = _existing(simulator, account, id)
    simulator.people(account).remove(document["id"])
    memberships = simulator.memberships(account)
    for membership_id in memberships.find("person", document["id"]):
        memberships.update(membership_id, {"person_deleted": True, "updated_at": simulator.now()})
    return NativeResponse(204)


def _existing(simulator: SalesloftSimulator, account: str, raw_id: str) -> dict[str, Any]:
    person_id = parse_id(raw_id)
    document = simulator.people(account).get(person_id) if person_id else None
    if document is None:
        raise not_found()
    return document
