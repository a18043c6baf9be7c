"""Salesloft cadence memberships: a person's time on a cadence.

``POST /v2/cadence_memberships`` adds a person to a cadence. Salesloft documents
``person_id``, ``cadence_id`` and ``user_id`` as query parameters; integrations send them
in a JSON body as well, so both are read (the body wins). ``user_id`` defaults to the
token's user. A person has one membership per cadence: adding someone who is still on the
cadence is a 422, and re-adding someone who left reuses the same membership record.
``DELETE /v2/cadence_memberships/{id}`` removes the person from the cadence and keeps the
record.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from providers_sim.native import NativeRequest, NativeResponse

from .documents import ValidationErrors, data_response, json_object, not_found, parse_id, reference, unprocessable
from .paging import flag, standard_list

if TYPE_CHECKING:
    from .simulator import SalesloftSimulator

ALREADY_ON_CADENCE = "is already on this cadence"
JOIN_STATE = "active"


def person_key(document: Mapping[str, Any]) -> list[int]:
    person = document.get("person")
    found = person.get("id") if isinstance(person, Mapping) else None
    return [found] if isinstance(found, int) else []


def new_membership(person_id: int, cadence_id: int, user_id: int | None, now: str) -> dict[str, Any]:
    """Return a membership of a person who joins a cadence now."""
    return {
        "added_at": now,
        "created_at": now,
        "updated_at": now,
        "person_deleted": False,
        "currently_on_cadence": True,
        "current_state": JOIN_STATE,
        "cadence": reference(cadence_id),
        "person": reference(person_id),
        "user": reference(user_id),
        "latest_action": None,
        "counts": {"views": 0, "clicks": 0, "replies": 0, "calls": 0, "sent_emails": 0, "bounces": 0},
    }


def _parameter(request: NativeRequest, body: Mapping[str, Any], name: str) -> object:
    if name in body:
        return body[name]
    return request.param(name)


def _resolve_ids(simulator: SalesloftSimulator, request: NativeRequest, account: str) -> tuple[int, int, int | None]:
    body = json_object(request)
    errors: ValidationErrors = {}
    resolved: dict[str, int | None] = {}
    lookups = {"person_id": simulator.people(account), "cadence_id": simulator.cadences(account)}
    lookups["user_id"] = simulator.collection(account, "users")
    for name, collection in lookups.items():
        raw = _parameter(request, body, name)
        if raw is None or raw == "":
            if name != "user_id":
                errors[name] = ["is required"]
            resolved[name] = None
            continue
        found = parse_id(raw)
        if found is None or collection.get(found) is None:
            errors[name] = [f"does not name a visible record, got {raw!r}"]
        resolved[name] = found
    if errors:
        raise unprocessable(errors)
    person_id, cadence_id = resolved["person_id"], resolved["cadence_id"]
    assert person_id is not None and cadence_id is not None
    return person_id, cadence_id, resolved["user_id"] or simulator.current_user_id(account)


def create_membership(simulator: SalesloftSimulator, request: NativeRequest, *, account: str) -> NativeResponse:
    person_id, cadence_id, user_id = _resolve_ids(simulator, request, account)
    cadence = simulator.cadences(account).get(cadence_id)
    assert cadence is not None
    if cadence.get("archived_at") is not None or cadence.get("current_state") == "archived":
        raise unprocessable({"cadence_id": ["is archived; people cannot be added to it"]})
    return data_response(add_to_cadence(simulator, account, person_id, cadence_id, user_id), request)


def add_to_cadence(
    simulator: SalesloftSimulator, account: str, person_id: int, cadence_id: int, user_id: int | None
) -> dict[str, Any]:
    """Put a person on a cadence and return the membership (a 422 if already on it)."""
    memberships = simulator.memberships(account)
    now = simulator.now()
    existing = [
        document
        for _, document in memberships.page(None, 1_000_000, ids=memberships.find("person", person_id))
        if (document.get("cadence") or {}).get("id") == cadence_id
    ]
    if existing and existing[0].get("currently_on_cadence"):
        raise unprocessable({"person_id": [ALREADY_ON_CADENCE]})
    if existing:
        membership = memberships.update(
            existing[0]["id"],
            {
                "added_at": now,
                "updated_at": now,
                "currently_on_cadence": True,
                "current_state": JOIN_STATE,
                "user": reference(user_id),
            },
        )
    else:
        membership = simulator.store_new(
            account, "cadence_memberships", new_membership(person_id, cadence_id, user_id, now)
        )
        count_person(simulator, account, cadence_id)
    link_person(simulator, account, person_id, cadence_id)
    return membership


def count_person(simulator: SalesloftSimulator, account: str, cadence_id: int) -> None:
    cadences = simulator.cadences(account)
    cadence = cadences.get(cadence_id)
    if cadence is not None:
        counts = dict(cadence.get("counts") or {})
        counts["cadence_people"] = counts.get("cadence_people", 0) + 1
        cadences.update(cadence_id, {"counts": counts})


def link_person(simulator: SalesloftSimulator, account: str, person_id: int, cadence_id: int) -> None:
    people = simulator.people(account)
    person = people.get(person_id)
    if person is None:
        return
    active = [item for item in person.get("cadences") or [] if item.get("id") != cadence_id]
    active.append(reference(cadence_id))
    people.update(person_id, {"cadences": active, "most_recent_cadence": reference(cadence_id)})


def list_memberships(simulator: SalesloftSimulator, request: NativeRequest, *, account: str) -> NativeResponse:
    memberships = simulator.memberships(account)
    filtering: dict[str, Any] = {}
    candidates = None
    predicates = []
    person_text = request.param("person_id")
    if person_text is not None:
        filtering["person_id"] = person_text
        person_id = parse_id(person_text)
        candidates = memberships.find("person", person_id) if person_id is not None else []
    cadence_text = request.param("cadence_id")
    if cadence_text is not None:
        filtering["cadence_id"] = cadence_text
        cadence_id = parse_id(cadence_text)
        predicates.append(lambda document: (document.get("cadence") or {}).get("id") == cadence_id)
    on_cadence = flag(request, "currently_on_cadence")
    if on_cadence is not None:
        filtering["currently_on_cadence"] = on_cadence
        predicates.append(lambda document: bool(document.get("currently_on_cadence")) is on_cadence)
    return standard_list(memberships, request, candidates=candidates, predicates=predicates, filtering=filtering)


def get_membership(simulator: SalesloftSimulator, request: NativeRequest, *, account: str, id: str) -> NativeResponse:
    return data_response(_existing(simulator, account, id), request)


def delete_membership(
    simulator: SalesloftSimulator, request: NativeRequest, *, account: str, id: str
) -> NativeResponse:
    membership = _existing(simulator, account, id)
    now = simulator.now()
    simulator.memberships(account).update(
        membership["id"], {"currently_on_cadence": False, "current_state": "removed", "updated_at": now}
    )
    person_id = (membership.get("person") or {}).get("id")
    cadence_id = (membership.get("cadence") or {}).get("id")
    person = simulator.people(account).get(person_id) if isinstance(person_id, int) else None
    if isinstance(person_id, int) and person is not None:
        remaining = [item for item in person.get("cadences") or [] if item.get("id") != cadence_id]
        simulator.people(account).update(person_id, {"cadences": remaining})
    return NativeResponse(204)


def _existing(simulator: SalesloftSimulator, account: str, raw_id: str) -> dict[str, Any]:
    membership_id = parse_id(raw_id)
    document = simulator.memberships(account).get(membership_id) if membership_id else None
    if document is None:
        raise not_found()
    return document
