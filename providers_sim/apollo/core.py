"""Shared machinery of the Apollo simulator: auth, errors, rate limits, storage, baseline.

Apollo authenticates with an ``api_key`` in the query string (GET) or in the JSON body
(POST and PUT); there is no Authorization header. Errors are JSON ``{"error": message}``
with an ordinary HTTP status, except rate limiting, whose 429 body is plain text.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from faker import Faker

from ..base import Clock, RateLimit, Simulator, stable_seed
from ..native import NativeRequest, NativeResponse
from ..store import Collection, Store
from .errors import ApolloError
from .ratelimit import ApolloRateLimits, RateLimiter, limit_message
from .records import hex_id, new_email_account, new_user, timestamp
from .search import PageRequest, pagination_for

RouteHandler = Callable[..., NativeResponse]

# The baseline of a sandbox account is dated from this moment plus an offset derived from
# the account name, so the same name always gets the same records.
_BASELINE_EPOCH = datetime(2023, 1, 2, tzinfo=UTC)


class ApolloCore(Simulator):
    """Apollo's auth, error bodies, rate limits, id-keyed collections and sandbox baseline."""

    vendor = "apollo"

    def __init__(
        self,
        store: Store | None = None,
        *,
        clock: Clock | None = None,
        rate_limit: RateLimit | None = None,
        limits: ApolloRateLimits | None = None,
        strict_accounts: bool = False,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """Create the simulator; ``rate_limit`` (one window) sets the per-minute budget
        when ``limits`` is not given."""
        if limits is None:
            limits = ApolloRateLimits(per_minute=rate_limit.limit) if rate_limit else ApolloRateLimits()
        self.limiter = RateLimiter(limits, monotonic)
        super().__init__(store, clock=clock, rate_limit=None, strict_accounts=strict_accounts, monotonic=monotonic)

    # Protocol ----------------------------------------------------------------------------

    def credential(self, request: NativeRequest) -> str | None:
        key: Any = request.param("api_key")
        if not key and isinstance(request.json, dict):
            key = request.json.get("api_key")
        return key if isinstance(key, str) and key else None

    def error(self, status: int, message: str, **extra: Any) -> NativeResponse:
        return NativeResponse(status, {"error": message})

    def rate_limit_headers(self, account: str) -> dict[str, str]:
        return self.limiter.headers(account)

    def route(self, method: str, path: str, handler: RouteHandler) -> None:
        """Serve ``handler`` at ``/v1<path>`` and ``/api/v1<path>``, behind the rate limiter.

        ``handler`` is called as ``handler(request, account, **path_values)`` and may raise
        ``ApolloError`` to return Apollo's error response. GETs and the ``/search`` POSTs
        only read, so their responses are remembered (see ``Simulator.reads``) behind the
        rate limiter, which still counts every call.
        """
        if method == "GET" or path.endswith("/search"):
            handler = self.reads(handler)

        def run(request: NativeRequest, *, account: str, **values: str) -> NativeResponse:
            exceeded = self.limiter.acquire(account)
            if exceeded is not None:
                return NativeResponse(
                    429,
                    limit_message(exceeded, request.path),
                    headers={"retry-after": str(exceeded.retry_after)},
                    content_type="text/plain; charset=utf-8",
                )
            try:
                return handler(request, account, **values)
            except ApolloError as exc:
                return self.error(exc.status, exc.message)

        for prefix in ("/v1", "/api/v1"):
            self.router.add(method, prefix + path, run)

    # Storage -----------------------------------------------------------------------------

    def docs(self, account: str, resource: str) -> Collection:
        """Return the collection of ``resource`` in ``account``, indexed by hex id."""
        return self.collection(account, resource, indexes={"id": _hex_key})

    def insert_doc(self, account: str, resource: str, build: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
        """Store ``build(new_hex_id)`` as the next document of ``resource`` and return it."""
        collection = self.docs(account, resource)
        with self.store.lock:
            number = collection.next_id()
            document = build(hex_id(account, resource, number))
            if collection.find("id", document["id"]):
                raise ApolloError(
                    422, f"The {resource.removesuffix('s')} id {document['id']!r} is already in use; choose another id"
                )
            collection.insert(document, doc_id=number)
            return document

    def find_doc(self, account: str, resource: str, object_id: str) -> tuple[int, dict[str, Any]] | None:
        collection = self.docs(account, resource)
        found = collection.find("id", object_id)
        if not found:
            return None
        document = collection.get(found[0])
        return (found[0], document) if document is not None else None

    def require_doc(self, account: str, resource: str, object_id: str) -> tuple[int, dict[str, Any]]:
        """Return the document with ``object_id``, or raise Apollo's 404."""
        found = self.find_doc(account, resource, object_id)
        if found is None:
            raise ApolloError(404, f"Could not find {resource.removesuffix('s')} with id {object_id!r}")
        return found

    def all_docs(self, account: str, resource: str) -> list[dict[str, Any]]:
        collection = self.docs(account, resource)
        return [document for _, document in collection.page(None, max(1, len(collection)))]

    def page_docs(
        self, account: str, resource: str, paging: PageRequest
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Return one page of every document of ``resource``, in creation order.

        Documents are never removed, so the document numbers run 1..n and a page is the
        slice after number ``(page - 1) * per_page``, read without loading the others.
        """
        collection = self.docs(account, resource)
        after = (paging.page - 1) * paging.per_page
        chosen = [document for _, document in collection.page(after, paging.per_page)]
        return chosen, pagination_for(paging, len(collection))

    def now_text(self) -> str:
        return timestamp(self.clock.now())

    def default_user_id(self, account: str) -> str | None:
        """Return the id of the user the API key belongs to: the account's first user."""
        users = self.docs(account, "users").page(None, 1)
        return users[0][1]["id"] if users else None

    # Sandbox baseline --------------------------------------------------------------------

    def provision(self, account: str) -> None:
        """Create 2 or 3 users, each with one active Gmail email account."""
        seed = stable_seed("apollo", account)
        fake = Faker()
        fake.seed_instance(seed)
        domain = fake.domain_name()
        started = _BASELINE_EPOCH + timedelta(days=seed % 360)
        for position in range(2 + seed % 2):
            first, last = fake.first_name(), fake.last_name()
            email = f"{first}.{last}@{domain}".lower()
            created = timestamp(started + timedelta(hours=position))
            user = self.insert_doc(
                account,
                "users",
                partial(new_user, created_at=created, first_name=first, last_name=last, email=email),
            )
            synced = timestamp(started + timedelta(days=1, hours=position))
            mailbox = partial(
                new_email_account,
                created_at=created,
                user_id=user["id"],
                email=email,
                default=position == 0,
                last_synced_at=synced,
            )
            self.insert_doc(account, "email_accounts", mailbox)


def request_body(request: NativeRequest) -> dict[str, Any]:
    """Return the JSON object body of a POST or PUT (empty for a GET), or raise a 422."""
    if request.json is None:
        return {}
    if not isinstance(request.json, dict):
        raise ApolloError(422, "The request body must be a JSON object")
    return dict(request.json)


def _hex_key(document: Any) -> list[str]:
    return [document["id"]]
