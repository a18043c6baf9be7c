"""The Salesloft REST API v2 simulator: routes, auth, errors, rate limits and storage.

Every path responds with and without the ``.json`` suffix (``/v2/people`` and
``/v2/people.json``). Requests authenticate with ``Authorization: Bearer <token>``; bodies
are JSON. Records come back in a ``{"data": ...}`` envelope, and errors as
``{"error": message}`` (404, 401, 403, 429) or ``{"errors": {field: [message]}}`` (422).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from providers_sim.base import Clock, RateLimit, Simulator
from providers_sim.native import NativeRequest, NativeResponse
from providers_sim.store import Collection, IndexKey, Store

from . import accounts, cadences, memberships, oauth, people, steps, users
from .documents import SalesloftError, error_response, salesloft_time

# Salesloft's documented budget: 600 cost units a minute, shared by the whole team.
DEFAULT_MINUTE_BUDGET = 600
RATE_LIMITED_MESSAGE = "Rate limit exceeded"
TOKEN_PATH = "/oauth/token"

INDEXES: Mapping[str, Mapping[str, IndexKey]] = {
    "people": {"email": people.email_key},
    "accounts": {"name": accounts.name_key, "domain": accounts.domain_key},
    "steps": {"cadence": steps.cadence_key},
    "step_groups": {"cadence": steps.cadence_key},
    "cadence_memberships": {"person": memberships.person_key},
}

ResourceHandler = Callable[..., NativeResponse]


class SalesloftSimulator(Simulator):
    """Serves the parts of Salesloft's API v2 that the unified engagement API uses.

    Native resources, one collection each per account: ``users``, ``people``,
    ``accounts``, ``cadences``, ``steps``, ``cadence_memberships`` and ``step_groups``
    (the day, automation settings and step ids of each group of a cadence, which cadence
    exports read back).
    """

    vendor = "salesloft"

    def __init__(
        self,
        store: Store | None = None,
        *,
        clock: Clock | None = None,
        rate_limit: RateLimit | None = None,
        strict_accounts: bool = False,
        monotonic: Callable[[], float] = time.monotonic,
        import_requires_empty_cadence: bool = False,
    ) -> None:
        """Create the simulator.

        ``import_requires_empty_cadence`` makes cadence imports into a cadence that already
        has steps a 422, a Salesloft limit that is suspected but unconfirmed.
        """
        self.import_requires_empty_cadence = import_requires_empty_cadence
        super().__init__(
            store, clock=clock, rate_limit=rate_limit, strict_accounts=strict_accounts, monotonic=monotonic
        )
        self.refresh_tokens = self.store.collection(
            f"{self.vendor}/oauth/refresh_tokens", indexes={"token": oauth.token_key}
        )

    # Protocol ----------------------------------------------------------------------------

    def path_suffixes(self) -> tuple[str, ...]:
        return (".json",)

    def register_routes(self) -> None:
        routes: list[tuple[str, str, ResourceHandler]] = [
            ("GET", "/v2/me", users.get_me),
            ("GET", "/v2/users", users.list_users),
            ("GET", "/v2/users/{id}", users.get_user),
            ("GET", "/v2/people", people.list_people),
            ("POST", "/v2/people", people.create_person),
            ("GET", "/v2/people/{id}", people.get_person),
            ("PUT", "/v2/people/{id}", people.update_person),
            ("DELETE", "/v2/people/{id}", people.delete_person),
            ("GET", "/v2/accounts", accounts.list_accounts),
            ("POST", "/v2/accounts", accounts.create_account),
            ("GET", "/v2/accounts/{id}", accounts.get_account),
            ("PUT", "/v2/accounts/{id}", accounts.update_account),
            ("DELETE", "/v2/accounts/{id}", accounts.delete_account),
            ("GET", "/v2/cadences", cadences.list_cadences),
            ("GET", "/v2/cadences/{id}", cadences.get_cadence),
            ("POST", "/v2/cadence_imports", cadences.import_cadence),
            ("GET", "/v2/cadence_exports/{id}", cadences.export_cadence),
            ("GET", "/v2/steps", steps.list_steps),
            ("GET", "/v2/steps/{id}", steps.get_step),
            ("GET", "/v2/cadence_memberships", memberships.list_memberships),
            ("POST", "/v2/cadence_memberships", memberships.create_membership),
            ("GET", "/v2/cadence_memberships/{id}", memberships.get_membership),
            ("DELETE", "/v2/cadence_memberships/{id}", memberships.delete_membership),
        ]
        for method, pattern, handler in routes:
            bound = self._bind(handler)
            self.router.add(method, pattern, self.reads(bound) if method == "GET" else bound)
        self.router.add("POST", TOKEN_PATH, self._bind(oauth.refresh_access_token))

    def _bind(self, handler: ResourceHandler) -> ResourceHandler:
        def run(request: NativeRequest, **values: str) -> NativeResponse:
            try:
                return handler(self, request, **values)
            except SalesloftError as exc:
                return exc.response

        return run

    def public_routes(self) -> tuple[str, ...]:
        return (TOKEN_PATH, TOKEN_PATH + ".json")

    def credential(self, request: NativeRequest) -> str | None:
        scheme, _, token = (request.header("authorization") or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return token.strip()

    def error(self, status: int, message: str, **extra: Any) -> NativeResponse:
        headers = {"Retry-After": str(extra["retry_after"])} if "retry_after" in extra else {}
        return error_response(status, message, headers)

    def rate_limited(self, account: str, retry_after: int) -> NativeResponse:
        headers = self.rate_limit_headers(account)
        headers["x-ratelimit-remaining-minute"] = "0"
        headers["Retry-After"] = str(retry_after)
        return error_response(429, RATE_LIMITED_MESSAGE, headers)

    def rate_limit_headers(self, account: str) -> dict[str, str]:
        """Return Salesloft's budget headers; without a configured limit nothing is used up."""
        if self.rate_limit is None:
            limit = remaining = DEFAULT_MINUTE_BUDGET
        else:
            limit = self.rate_limit.limit
            _, used = self._windows.get(account, (0.0, 0))
            remaining = max(0, limit - used)
        return {
            "x-ratelimit-limit-minute": str(limit),
            "x-ratelimit-remaining-minute": str(remaining),
            "x-ratelimit-endpoint-cost": "1",
        }

    def provision(self, account: str) -> None:
        for user in users.baseline_users(account, self.now()):
            self.store_new(account, "users", user)

    # Storage -----------------------------------------------------------------------------

    def collection(self, account: str, resource: str, indexes: dict[str, IndexKey] | None = None) -> Collection:
        """Open a resource collection of ``account`` with the indexes that resource uses."""
        return super().collection(account, resource, indexes or dict(INDEXES.get(resource, {})))

    def people(self, account: str) -> Collection:
        return self.collection(account, "people")

    def accounts(self, account: str) -> Collection:
        return self.collection(account, "accounts")

    def cadences(self, account: str) -> Collection:
        return self.collection(account, "cadences")

    def steps(self, account: str) -> Collection:
        return self.collection(account, "steps")

    def memberships(self, account: str) -> Collection:
        return self.collection(account, "cadence_memberships")

    def now(self) -> str:
        """Return the current time as Salesloft formats it."""
        return salesloft_time(self.clock.now())

    def current_user_id(self, account: str) -> int | None:
        return users.current_user_id(self, account)

    def store_new(self, account: str, resource: str, document: Mapping[str, Any]) -> dict[str, Any]:
        """Store a new document with the next free id (or its own ``id``) and return it."""
        collection = self.collection(account, resource)
        with self.store.lock:
            doc_id = document.get("id") or collection.next_id()
            if collection.get(doc_id) is not None:
                raise ValueError(f"{resource} record {doc_id} already exists in account {account!r}")
            stored = {"id": doc_id, **{key: value for key, value in document.items() if key != "id"}}
            collection.insert(stored, doc_id)
            return stored

    # Fixture seeding ---------------------------------------------------------------------

    def insert_native(self, account: str, resource: str, document: Mapping[str, Any]) -> int:
        """Store a native object as a create would, without request checks; return its id.

        ``resource`` is ``users``, ``people``, ``accounts``, ``cadences``,
        ``cadence_memberships`` (which needs ``person`` and ``cadence`` references) or
        ``step_groups``. A step group is a StepGroup as cadence imports take it, plus
        ``cadence_id``, and the id returned is the group's. Keys of ``document`` override
        the defaults, so a fixture can set ``updated_at`` or counters.
        """
        with self.store.lock:
            self.open_account(account)
            now = self.now()
            if resource == "users":
                return int(self.store_new(account, "users", users.new_user(document, now))["id"])
            if resource == "people":
                person = people.new_person(now)
                person.update(document)
                people.derive_names(person)
                return int(self.store_new(account, "people", person)["id"])
            if resource == "accounts":
                company = accounts.new_account(now, self.current_user_id(account))
                company.update(document)
                if isinstance(company.get("domain"), str):
                    company["domain"] = company["domain"].lower()
                return int(self.store_new(account, "accounts", company)["id"])
            if resource == "cadences":
                cadence = cadences.new_cadence(document, now, self.current_user_id(account))
                return int(self.store_new(account, "cadences", cadence)["id"])
            if resource == "cadence_memberships":
                return self._insert_membership(account, document, now)
            if resource == "step_groups":
                fields = dict(document)
                cadence_id = int(fields.pop("cadence_id"))
                return steps.store_step_groups(self, account, cadence_id, [fields])[0]
        raise ValueError(
            f"Unknown Salesloft resource {resource!r}; use users, people, accounts, cadences, "
            "cadence_memberships or step_groups"
        )

    def _insert_membership(self, account: str, document: Mapping[str, Any], now: str) -> int:
        person_id = int(document["person"]["id"])
        cadence_id = int(document["cadence"]["id"])
        user = document.get("user")
        user_id = int(user["id"]) if isinstance(user, Mapping) else self.current_user_id(account)
        membership = memberships.new_membership(person_id, cadence_id, user_id, now)
        membership.update(document)
        stored = self.store_new(account, "cadence_memberships", membership)
        memberships.count_person(self, account, cadence_id)
        memberships.link_person(self, account, person_id, cadence_id)
        return int(stored["id"])

    def issue_refresh_token(self, account: str) -> str:
        """Issue a live OAuth refresh token for ``account``."""
        with self.store.lock:
            self.open_account(account)
            return oauth.issue_refresh_token(self, account)
