"""The Outreach REST API v2 simulator (JSON:API, ``/api/v2/...``).

Routes, for each resource of ``RESOURCES`` as its methods allow:
``GET/POST /api/v2/<resource>`` and ``GET/PATCH /api/v2/<resource>/{id}``, plus the public
``POST /oauth/token``. Requests authenticate with ``Authorization: Bearer <token>``; in
sandbox mode an unknown token opens a new account named after it.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from ..base import Clock, RateLimit, Simulator, iso_millis
from ..native import NativeRequest, NativeResponse
from ..store import Collection, Store
from .baseline import baseline_users
from .jsonapi import (
    JsonApiError,
    ListParams,
    check_body_media_type,
    document_response,
    error_response,
    filter_emails,
    filter_ids,
    filter_range,
    list_url,
    parse_list_params,
    resource_url,
)
from .oauth import TOKEN_PATH, RefreshTokens, token_endpoint
from .records import AccountRecords, check_attributes, human_name, parse_relationships
from .resources import RESOURCES, FilterKind, ResourceSpec

Handler = Callable[..., NativeResponse]


class OutreachSimulator(Simulator):
    """Serves the Outreach API for many sandbox accounts from one store."""

    vendor = "outreach"

    def __init__(
        self,
        store: Store | None = None,
        *,
        clock: Clock | None = None,
        rate_limit: RateLimit | None = None,
        strict_accounts: bool = False,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            store, clock=clock, rate_limit=rate_limit, strict_accounts=strict_accounts, monotonic=monotonic
        )
        self.refresh_tokens = RefreshTokens(self.store, self.vendor)

    # Simulator hooks ---------------------------------------------------------------------

    def register_routes(self) -> None:
        for spec in RESOURCES.values():
            collection_path = f"/api/v2/{spec.name}"
            if "list" in spec.methods:
                self.router.add("GET", collection_path, self.reads(self._guarded(partial(self._list, spec))))
            if "create" in spec.methods:
                self.router.add("POST", collection_path, self._guarded(partial(self._create, spec)))
            if "get" in spec.methods:
                self.router.add("GET", collection_path + "/{id}", self.reads(self._guarded(partial(self._get, spec))))
            if "update" in spec.methods:
                self.router.add("PATCH", collection_path + "/{id}", self._guarded(partial(self._update, spec)))
        self.router.add("POST", TOKEN_PATH, self._token)

    def public_routes(self) -> tuple[str, ...]:
        return (TOKEN_PATH,)

    def credential(self, request: NativeRequest) -> str | None:
        scheme, _, token = (request.header("authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return token.strip()

    def error(self, status: int, message: str, **extra: Any) -> NativeResponse:
        return error_response(status, message, code=extra.get("code"), pointer=extra.get("pointer"))

    def rate_limited(self, account: str, retry_after: int) -> NativeResponse:
        assert self.rate_limit is not None
        headers = {**self.rate_limit_headers(account), "Retry-After": str(retry_after)}
        limit = self.rate_limit.limit
        detail = f"You have exceeded your permitted rate limit of {limit}. Try again in {retry_after} seconds."
        return error_response(429, detail, headers=headers)

    def rate_limit_headers(self, account: str) -> dict[str, str]:
        """Return ``X-RateLimit-*`` for the account's current window (none without a limit).

        ``X-RateLimit-Reset`` is the Unix time, in whole seconds, at which the window ends.
        """
        if self.rate_limit is None:
            return {}
        now = self._monotonic()
        started, used = self._windows.get(account, (now, 0))
        if now - started >= self.rate_limit.window:
            started, used = now, 0
        reset = time.time() + self.rate_limit.window - (now - started)
        return {
            "X-RateLimit-Limit": str(self.rate_limit.limit),
            "X-RateLimit-Remaining": str(max(0, self.rate_limit.limit - used)),
            "X-RateLimit-Reset": str(int(reset + 0.999)),
        }

    def provision(self, account: str) -> None:
        """Create two or three users with one mailbox each, derived from the account name."""
        records = self._records(account)
        for user in baseline_users(account):
            attributes = {
                "firstName": user.first_name,
                "lastName": user.last_name,
                "email": user.email,
                "locked": False,
            }
            stored = records.create(RESOURCES["users"], attributes, {})
            mailbox = {"email": user.email, "sendDisabled": False}
            records.create(RESOURCES["mailboxes"], mailbox, {"user": stored["id"]})

    # Seeding -----------------------------------------------------------------------------

    def insert_native(self, account: str, resource: str, document: dict[str, Any]) -> int:
        """Store a native record as a create would, without the API's body checks, and return its id.

        ``resource`` is one of prospects, accounts, users, mailboxes, sequences,
        sequenceSteps, sequenceTemplates, templates, sequenceStates. ``document`` is a
        JSON:API resource object without ``id``: ``{"attributes": {...}, "relationships":
        {"owner": {"data": {"type": "user", "id": 1}}}}``. Given read-only attributes
        (timestamps, counters, typed ``emailContacts``) are kept; missing ones get defaults.
        The account is opened, and provisioned, first if it is new.
        """
        spec = RESOURCES.get(resource)
        if spec is None:
            raise ValueError(f"Unknown Outreach resource {resource!r}; expected one of {', '.join(RESOURCES)}")
        if "id" in document:
            raise ValueError(f"insert_native assigns ids itself; remove 'id' from the {spec.type} document")
        if not isinstance(document.get("attributes") or {}, dict):
            raise ValueError(f"The attributes of a {spec.type} document must be an object")
        if document.get("type", spec.type) != spec.type:
            raise ValueError(f"A {resource} document must have type {spec.type!r}, not {document.get('type')!r}")
        with self.store.lock:
            self.open_account(account)
            try:
                relationships = parse_relationships(spec, document.get("relationships"))
            except JsonApiError as exc:
                raise ValueError(exc.detail) from None
            if spec.type == "sequenceState":
                relationships.setdefault("creator", self._token_user(account))
            return int(self._records(account).create(spec, document.get("attributes") or {}, relationships)["id"])

    def issue_refresh_token(self, account: str, token: str | None = None) -> str:
        """Return a refresh token that ``POST /oauth/token`` exchanges for ``account``'s tokens."""
        self.open_account(account)
        return self.refresh_tokens.issue(account, token)

    # Handlers ----------------------------------------------------------------------------

    def _guarded(self, handler: Handler) -> Handler:
        def run(request: NativeRequest, **values: Any) -> NativeResponse:
            try:
                return handler(request, **values)
            except JsonApiError as exc:
                return error_response(exc.status, exc.detail, code=exc.code, pointer=exc.pointer)

        return run

    def _list(self, spec: ResourceSpec, request: NativeRequest, *, account: str) -> NativeResponse:
        params = parse_list_params(request, spec)
        collection = self._collection(account, spec)
        matching = self._matching_ids(collection, spec, params)

        if params.before is not None:
            end = bisect.bisect_left(matching, params.before)
            start = max(0, end - params.size)
        else:
            start = 0 if params.after is None else bisect.bisect_right(matching, params.after)
            end = min(len(matching), start + params.size)
        chosen = matching[start:end]
        documents = [collection.get(record_id) for record_id in chosen]

        links: dict[str, str] = {"first": list_url(request, params)}
        if chosen and start > 0:
            links["prev"] = list_url(request, params, before=chosen[0])
        if chosen and end < len(matching):
            links["next"] = list_url(request, params, after=chosen[-1])
        body = {
            "data": [self._render(request, spec, document) for document in documents if document is not None],
            # NOTE: counts are exact here; when Outreach truncates a count (count_truncated) is not known.
            "meta": {"count": len(matching), "count_truncated": False},
            "links": links,
        }
        return document_response(200, body)

    def _get(self, spec: ResourceSpec, request: NativeRequest, *, account: str, id: str) -> NativeResponse:
        document = self._records(account).get(spec, _path_id(spec, id))
        if document is None:
            raise JsonApiError(404, f"Could not find {spec.type!r} with ID '{id}'.")
        return document_response(200, {"data": self._render(request, spec, document)})

    def _create(self, spec: ResourceSpec, request: NativeRequest, *, account: str) -> NativeResponse:
        check_body_media_type(request)
        data = _body_data(request, spec)
        attributes = check_attributes(spec, data.get("attributes"), creating=True)
        relationships = parse_relationships(spec, data.get("relationships"))
        for name in spec.required_relationships:
            if relationships.get(name) is None:
                raise JsonApiError(422, f"{human_name(name)} can't be blank.", pointer=f"/data/relationships/{name}")
        if spec.type == "sequenceState":
            relationships.setdefault("creator", self._token_user(account))

        records = self._records(account)
        records.require_related(spec, relationships)
        records.check_unique(spec, relationships)
        document = records.create(spec, attributes, relationships)
        return document_response(201, {"data": self._render(request, spec, document)})

    def _update(self, spec: ResourceSpec, request: NativeRequest, *, account: str, id: str) -> NativeResponse:
        check_body_media_type(request)
        record_id = _path_id(spec, id)
        data = _body_data(request, spec)
        if data.get("id") is not None and str(data["id"]) != str(record_id):
            raise JsonApiError(
                409, f"The body's data.id {data['id']!r} does not match the URL id {record_id}.", pointer="/data/id"
            )
        attributes = check_attributes(spec, data.get("attributes"), creating=False)
        relationships = parse_relationships(spec, data.get("relationships"))
        for name in spec.required_relationships:
            if name in relationships and relationships[name] is None:
                raise JsonApiError(422, f"{human_name(name)} can't be blank.", pointer=f"/data/relationships/{name}")

        records = self._records(account)
        if records.get(spec, record_id) is None:
            raise JsonApiError(404, f"Could not find {spec.type!r} with ID '{id}'.")
        records.require_related(spec, relationships)
        document = records.update(spec, record_id, attributes, relationships)
        return document_response(200, {"data": self._render(request, spec, document)})

    def _token(self, request: NativeRequest) -> NativeResponse:
        return token_endpoint(request, self.refresh_tokens, self.add_credential)

    # Helpers -----------------------------------------------------------------------------

    def _collection(self, account: str, spec: ResourceSpec) -> Collection:
        return self.collection(account, spec.name, indexes=spec.indexes())

    def _records(self, account: str) -> AccountRecords:
        return AccountRecords(
            lambda name: self._collection(account, RESOURCES[name]), lambda: iso_millis(self.clock.now())
        )

    def _token_user(self, account: str) -> int | None:
        """Return the user the account's token belongs to: its first user."""
        users = self._collection(account, RESOURCES["users"]).ids()
        return users[0] if users else None

    def _matching_ids(self, collection: Collection, spec: ResourceSpec, params: ListParams) -> list[int]:
        """Return the sorted ids of the records that pass every filter (filters are ANDed)."""
        matching: set[int] | None = None
        for name, value in params.filters:
            kind = spec.filters[name].kind
            if kind is FilterKind.RANGE:
                low, high = filter_range(name, value)
                hits = set(collection.scan(partial(_in_range, name, low, high)))
            elif kind is FilterKind.EMAILS:
                hits = {record_id for email in filter_emails(value) for record_id in collection.find(name, email)}
            elif kind is FilterKind.IDS:
                hits = {
                    record_id for related in filter_ids(name, value) for record_id in collection.find(name, related)
                }
            else:
                hits = set(collection.find(name, value))
            matching = hits if matching is None else matching & hits
        # Simulator.handle holds the store lock for the whole request, so the list cannot change.
        return collection.sorted_ids() if matching is None else sorted(matching)

    def _render(self, request: NativeRequest, spec: ResourceSpec, document: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": document["id"],
            "type": spec.type,
            "attributes": document["attributes"],
            "relationships": document["relationships"],
            "links": {"self": resource_url(request, spec, document["id"])},
        }


def _body_data(request: NativeRequest, spec: ResourceSpec) -> dict[str, Any]:
    body = request.json
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise JsonApiError(
            422,
            'The request body must be a JSON:API document: {"data": {"type": ..., "attributes": ...}}.',
            pointer="/data",
        )
    if data.get("type") != spec.type:
        raise JsonApiError(
            409,
            f"data.type must be {spec.type!r} on /api/v2/{spec.name}; got {data.get('type')!r}.",
            pointer="/data/type",
        )
    return data


def _path_id(spec: ResourceSpec, text: str) -> int:
    if not text.isdigit():
        raise JsonApiError(404, f"Could not find {spec.type!r} with ID '{text}'.")
    return int(text)


def _in_range(name: str, low: datetime | None, high: datetime | None, document: Any) -> bool:
    text = document.get("attributes", {}).get(name)
    if not isinstance(text, str):
        return False
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (low is None or moment >= low) and (high is None or moment <= high)
