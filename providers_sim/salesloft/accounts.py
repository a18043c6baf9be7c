"""Salesloft accounts (companies): ``/v2/accounts`` and ``/v2/accounts/{id}``.

An account needs a ``name`` and a ``domain``. Domains are stored lowercase and are unique
within a team; a second account with the same domain is a 422. The ``name[]`` list filter
matches exactly and case-sensitively, and several names match any of them.
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
    "name",
    "domain",
    "conversational_name",
    "description",
    "phone",
    "website",
    "linkedin_url",
    "twitter_handle",
    "street",
    "city",
    "state",
    "postal_code",
    "country",
    "locale",
    "industry",
    "company_type",
    "founded",
    "revenue_range",
    "size",
    "crm_id",
)
OTHER_FIELDS = ("do_not_contact", "tags")
REFERENCE_FIELDS = {"owner_id": "owner", "account_tier_id": "account_tier", "company_stage_id": "company_stage"}
DOMAIN_TAKEN = "has already been taken"


def name_key(document: Mapping[str, Any]) -> list[str]:
    name = document.get("name")
    return [name] if isinstance(name, str) else []


def domain_key(document: Mapping[str, Any]) -> list[str]:
    domain = document.get("domain")
    return [domain.lower()] if isinstance(domain, str) and domain else []


def new_account(now: str, creator_id: int | None) -> dict[str, Any]:
    """Return an account with Salesloft's defaults and no name or domain yet."""
    document: dict[str, Any] = {name: None for name in TEXT_FIELDS}
    document.update(
        {
            "created_at": now,
            "updated_at": now,
            "archived_at": None,
            "crm_url": None,
            "crm_object_type": None,
            "owner_crm_id": None,
            "last_contacted_at": None,
            "last_contacted_type": None,
            "do_not_contact": False,
            "custom_fields": {},
            "tags": [],
            "user_relationships": {},
            "counts": {"people": 0},
            "owner": None,
            "creator": reference(creator_id),
            "last_contacted_by": None,
            "last_contacted_person": None,
            "company_stage": None,
            "account_tier": None,
        }
    )
    return document


def apply_account_fields(
    simulator: SalesloftSimulator, account: str, document: dict[str, Any], fields: Mapping[str, Any]
) -> ValidationErrors:
    """Write the request ``fields`` into ``document``; return the field errors found."""
    errors: ValidationErrors = {}
    for name in TEXT_FIELDS:
        if name in fields and fields[name] is not None and not isinstance(fields[name], str):
            errors[name] = ["must be a string"]
    copy_fields(document, fields, TEXT_FIELDS + OTHER_FIELDS)
    for parameter, key in REFERENCE_FIELDS.items():
        if parameter not in fields:
            continue
        value = fields[parameter]
        found = None if value is None or value == "" else parse_id(value)
        if value not in (None, "") and found is None:
            errors[parameter] = [f"must be a record id, got {value!r}"]
        document[key] = reference(found)
    custom = fields.get("custom_fields")
    if isinstance(custom, Mapping):
        document["custom_fields"] = {**document.get("custom_fields", {}), **custom}
    if "archived" in fields:
        document["archived_at"] = simulator.now() if fields["archived"] else None

    for required in ("name", "domain"):
        if blank(document.get(required)):
            errors.setdefault(required, []).append("can't be blank")
    domain = document.get("domain")
    if isinstance(domain, str) and domain.strip():
        document["domain"] = domain.strip().lower()
        holders = simulator.accounts(account).find("domain", document["domain"])
        if any(holder != document.get("id") for holder in holders):
            errors.setdefault("domain", []).append(DOMAIN_TAKEN)
    return errors


def list_accounts(simulator: SalesloftSimulator, request: NativeRequest, *, account: str) -> NativeResponse:
    accounts = simulator.accounts(account)
    filtering: dict[str, Any] = {}
    candidates: set[int] | None = None
    names = array_param(request, "name")
    if names is not None:
        filtering["name"] = names
        candidates = {doc_id for name in names for doc_id in accounts.find("name", name)}
    domain = request.param("domain")
    if domain is not None:
        filtering["domain"] = domain
        matches = set(accounts.find("domain", domain.strip().lower()))
        candidates = matches if candidates is None else candidates & matches
    return standard_list(
        accounts, request, candidates=None if candidates is None else sorted(candidates), filtering=filtering
    )


def create_account(simulator: SalesloftSimulator, request: NativeRequest, *, account: str) -> NativeResponse:
    fields = json_object(request)
    document = new_account(simulator.now(), simulator.current_user_id(account))
    errors = apply_account_fields(simulator, account, document, fields)
    if errors:
        raise unprocessable(errors)
    return data_response(simulator.store_new(account, "accounts", document), request)


def get_account(simulator: SalesloftSimulator, request: NativeRequest, *, account: str, id: str) -> NativeResponse:
    return data_response(_existing(simulator, account, id), request)


def update_account(simulator: SalesloftSimulator, request: NativeRequest, *, account: str, id: str) -> NativeResponse:
    document = _existing(simulator, account, id)
    errors = apply_account_fields(simulator, account, document, json_object(request))
    if errors:
        raise unprocessable(errors)
    document["updated_at"] = simulator.now()
    return data_response(simulator.accounts(account).update(document["id"], document), request)


def delete_account(simulator: SalesloftSimulator, request: NativeRequest, *, account: str, id: str) -> NativeResponse:
    document = _existing(simulator, account, id)
    simulator.accounts(account).remove(document["id"])
    return NativeResponse(204)


def _existing(simulator: SalesloftSimulator, account: str, raw_id: str) -> dict[str, Any]:
    account_id = parse_id(raw_id)
    document = simulator.accounts(account).get(account_id) if account_id else None
    if document is None:
        raise not_found()
    return document
