"""Salesloft users: ``GET /v2/users``, ``GET /v2/users/{id}``, ``GET /v2/me`` and the baseline.

A token belongs to one user of its team: the simulator treats the account's first user (the
lowest id) as the authenticated user, who owns new cadences and is the default user of new
cadence memberships.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from providers_sim.base import stable_seed
from providers_sim.native import NativeRequest, NativeResponse

from .documents import data_response, not_found, parse_id, reference
from .paging import flag, standard_list

if TYPE_CHECKING:
    from .simulator import SalesloftSimulator

_FIRST_NAMES = ("Ada", "Bruno", "Chiara", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Keiko", "Luis")
_LAST_NAMES = ("Abbott", "Brennan", "Castillo", "Dubois", "Eriksen", "Fischer", "Gupta", "Haddad", "Ivanova", "Jensen")
_JOB_ROLES = ("Account Executive", "SDR / BDR", "Sales Manager")


def new_user(fields: Mapping[str, Any], now: str) -> dict[str, Any]:
    """Build a stored user from ``fields`` over Salesloft's defaults."""
    first = fields.get("first_name") or "Sam"
    last = fields.get("last_name") or "Seller"
    email = fields.get("email") or f"{first}.{last}@example.com".lower()
    document: dict[str, Any] = {
        "guid": str(uuid.uuid4()),
        "created_at": now,
        "updated_at": now,
        "name": f"{first} {last}",
        "first_name": first,
        "last_name": last,
        "job_role": None,
        "active": True,
        "time_zone": "US/Eastern",
        "slack_username": None,
        "twitter_handle": None,
        "email": email,
        "email_client_email_address": email,
        "sending_email_address": email,
        "from_address": email,
        "full_email_address": f'"{first} {last}" <{email}>',
        "bcc_email_address": None,
        "email_signature": "",
        "email_signature_type": "html",
        "email_signature_click_tracking_disabled": False,
        "team_admin": False,
        "local_dial_enabled": False,
        "click_to_call_enabled": False,
        "email_client_configured": True,
        "crm_connected": False,
        "external_feature_flags": {},
        "_private_fields": {},
        "phone_client": None,
        "phone_number_assignment": None,
        "group": None,
        "team": reference(1),
        "role": None,
        "work_country": None,
    }
    document.update(fields)
    document["name"] = f"{document['first_name']} {document['last_name']}"
    return document


def baseline_users(account: str, now: str) -> list[dict[str, Any]]:
    """Return the 2 or 3 users of a new sandbox team; the same account always gets the same."""
    seed = stable_seed("salesloft", account)
    rng = random.Random(seed)
    team_id = seed % 900_000 + 1
    domain = f"team{seed % 10_000:04d}.example.com"
    users = []
    for position in range(2 + seed % 2):
        first = rng.choice(_FIRST_NAMES)
        last = rng.choice(_LAST_NAMES)
        email = f"{first}.{last}{position + 1}@{domain}".lower()
        fields = {
            "guid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "first_name": first,
            "last_name": last,
            "email": email,
            "job_role": _JOB_ROLES[position % len(_JOB_ROLES)],
            "team_admin": position == 0,
            "team": reference(team_id),
        }
        users.append(new_user(fields, now))
    return users


def current_user_id(simulator: SalesloftSimulator, account: str) -> int | None:
    """Return the id of the user a token of ``account`` acts as (the first user)."""
    ids = simulator.collection(account, "users").ids()
    return ids[0] if ids else None


def list_users(simulator: SalesloftSimulator, request: NativeRequest, *, account: str) -> NativeResponse:
    users = simulator.collection(account, "users")
    filtering: dict[str, Any] = {}
    predicates = []
    active = flag(request, "active")
    if active is not None:
        filtering["active"] = active
        predicates.append(lambda document: bool(document.get("active")) is active)
    return standard_list(users, request, predicates=predicates, filtering=filtering, whole_list_without_page=True)


def get_user(simulator: SalesloftSimulator, request: NativeRequest, *, account: str, id: str) -> NativeResponse:
    user_id = parse_id(id)
    document = simulator.collection(account, "users").get(user_id) if user_id else None
    if document is None:
        raise not_found()
    return data_response(document, request)


def get_me(simulator: SalesloftSimulator, request: NativeRequest, *, account: str) -> NativeResponse:
    user_id = current_user_id(simulator, account)
    document = simulator.collection(account, "users").get(user_id) if user_id else None
    if document is None:
        raise not_found()
    return data_response(document, request)
