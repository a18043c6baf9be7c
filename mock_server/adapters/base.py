"""The adapter contract: one class per vendor translates unified operations to native calls.

An adapter never talks to a simulator object directly. It sends native requests through a
``Transport``: ``InProcessTransport`` calls a simulator in the same process, and the HTTP
transport sends the same requests over the network to a simulator's native server or to the
real vendor. Records cross this boundary as unified snake_case dicts.

Adapters always put the native object into ``raw_data``; the operation layer drops it
unless the caller asked for ``include_raw_data=true``.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar

from providers_sim.memo import DerivedMemo
from providers_sim.native import NativeRequest, NativeResponse
from providers_sim.store import copy_document

from ..cursor import Cursor
from ..errors import NotImplementedUnifiedError
from ..providers import Provider

logger = logging.getLogger(__name__)

T = TypeVar("T")
Record = dict[str, Any]


class Transport(Protocol):
    """Sends one native request and returns the native response."""

    base_url: str

    def request(
        self,
        method: str,
        url: str,
        *,
        params: list[tuple[str, str]] | dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> NativeResponse: ...


class NativeHandler(Protocol):
    def handle(self, request: NativeRequest) -> NativeResponse: ...


class InProcessTransport:
    """A transport that hands requests to a simulator in the same process.

    The request body is deep-copied, so the simulator never keeps an object the adapter
    can change. Response bodies are not copied: a simulator builds them from copies of its
    stored documents and hands the same body to a repeated read of unchanged data (see
    ``Simulator.reads``), so adapters treat them as read-only. Response header names are
    lowercase, as the HTTP transport returns them.
    """

    # A simulator hands the same body to a repeated read of unchanged data.
    shares_bodies = True

    def __init__(self, simulator: NativeHandler, base_url: str) -> None:
        self.simulator = simulator
        self.base_url = base_url.rstrip("/")

    def request(
        self,
        method: str,
        url: str,
        *,
        params: list[tuple[str, str]] | dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> NativeResponse:
        if not url.startswith(("http://", "https://")):
            url = self.base_url + url
        pairs = _query_pairs(params)
        request = NativeRequest.from_url(
            method, url, params=pairs, headers=headers, json=_copy_json(json), base_url=self.base_url
        )
        response = self.simulator.handle(request)
        return NativeResponse(
            status=response.status,
            body=response.body,
            headers={key.lower(): value for key, value in response.headers.items()},
            content_type=response.content_type,
        )


def _query_pairs(params: list[tuple[str, str]] | dict[str, Any] | None) -> list[tuple[str, str]]:
    """Flatten query parameters; None values are left out and lists repeat the key."""
    if params is None:
        return []
    items = params.items() if isinstance(params, dict) else params
    pairs: list[tuple[str, str]] = []
    for key, value in items:
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            pairs.extend((key, _query_text(item)) for item in value)
        else:
            pairs.append((key, _query_text(value)))
    return pairs


def _query_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _copy_json(value: Any) -> Any:
    return copy_document(value)


# Records mapped from native list bodies, shared by every adapter of the process.
_MAPPED = DerivedMemo(64)


def shares_bodies(transport: Any) -> bool:
    """Return whether ``transport`` may hand out the same response body object again."""
    return bool(getattr(transport, "shares_bodies", False))


def map_items(
    source: Any, mapper: Callable[[dict[str, Any]], Record], items: list[dict[str, Any]], transport: Any
) -> list[Record]:
    """Return ``[mapper(item) for item in items]``, reusing the list mapped before from ``source``.

    ``items`` must be picked from the native body ``source`` by a rule that depends on
    nothing else, and ``mapper`` must depend on nothing but its item. A simulator in the
    same process hands out the same body object again for a repeated read of unchanged
    data. The records mapped from it then are reused, so callers must not change them. Bodies
    from other transports are new every time, so nothing is remembered for them.
    """
    if not shares_bodies(transport):
        return [mapper(item) for item in items]
    return _MAPPED.derive(source, mapper, lambda: [mapper(item) for item in items])


@dataclass(frozen=True)
class Credentials:
    """Authentication data of an adapter: a bearer token (Outreach, Salesloft) or an API key
    (Apollo), and optionally what it needs to refresh an expiring token."""

    token: str | None = None
    api_key: str | None = None
    refresh_token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    expires_at: float | None = None

    def __repr__(self) -> str:
        return "Credentials(<redacted>)"


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff for native 429s: ``attempts`` retries, waiting
    ``min(cap, base * factor**n)`` seconds, or ``Retry-After`` when the vendor sends one
    (never more than ``cap``)."""

    attempts: int = 3
    base: float = 1.0
    factor: float = 2.0
    cap: float = 60.0
    jitter: bool = False

    def delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after is not None:
            try:
                return min(self.cap, max(0.0, float(retry_after)))
            except ValueError:
                pass
        wait = min(self.cap, self.base * self.factor**attempt)
        return wait * random.uniform(0.5, 1.0) if self.jitter else wait


@dataclass(frozen=True)
class ListQuery:
    """The paging and filtering parameters of an uncached list or search."""

    page_size: int | None = None
    cursor: Cursor | None = None
    cursor_text: str | None = None
    modified_after: datetime | None = None


@dataclass
class Page:
    """One page of unified records and the cursors around it."""

    records: list[Record]
    next: Cursor | None = None
    previous: Cursor | None = None
    total_count: int | None = None

    def pagination(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "next": self.next.encode() if self.next else None,
            "previous": self.previous.encode() if self.previous else None,
        }
        if self.total_count is not None:
            body["total_count"] = self.total_count
        return body


@dataclass
class Written:
    """The result of a create or upsert: the new id, and the unified record when the
    native response already carried it (used to refresh the cache without another call)."""

    id: str
    record: Record | None = None


@dataclass
class AdapterSettings:
    """Behaviour knobs shared by every adapter."""

    retry: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep


class Adapter:
    """Base class of the vendor adapters; one method per unified operation.

    A method that a vendor does not support is not overridden: the operation layer reads
    the vendor's capability table and returns the documented refusal before calling it.
    """

    provider: Provider

    def __init__(self, transport: Transport, credentials: Credentials, settings: AdapterSettings | None = None) -> None:
        self.transport = transport
        self.credentials = credentials
        self.settings = settings or AdapterSettings()

    def _not_supported(self) -> NotImplementedUnifiedError:
        return NotImplementedUnifiedError("Not implemented")

    # Accounts
    def create_account(self, record: Record) -> Written:
        raise self._not_supported()

    def list_accounts(self, query: ListQuery) -> Page:
        raise self._not_supported()

    def search_accounts(self, filter: Record) -> Page:
        raise self._not_supported()

    def get_account(self, account_id: str) -> Record:
        raise self._not_supported()

    def update_account(self, account_id: str, record: Record) -> Record | None:
        raise self._not_supported()

    def upsert_account(self, record: Record, upsert_on: Record) -> Written:
        raise self._not_supported()

    # Contacts
    def create_contact(self, record: Record) -> Written:
        raise self._not_supported()

    def list_contacts(self, query: ListQuery) -> Page:
        raise self._not_supported()

    def search_contacts(self, filter: Record, query: ListQuery) -> Page:
        raise self._not_supported()

    def get_contact(self, contact_id: str) -> Record:
        raise self._not_supported()

    def update_contact(self, contact_id: str, record: Record) -> Record | None:
        raise self._not_supported()

    # Users and mailboxes
    def list_users(self, query: ListQuery) -> Page:
        raise self._not_supported()

    def get_user(self, user_id: str) -> Record:
        raise self._not_supported()

    def list_mailboxes(self, query: ListQuery) -> Page:
        raise self._not_supported()

    def get_mailbox(self, mailbox_id: str) -> Record:
        raise self._not_supported()

    # Sequences and steps
    def create_sequence(self, record: Record) -> Written:
        raise self._not_supported()

    def list_sequences(self, query: ListQuery) -> Page:
        raise self._not_supported()

    def get_sequence(self, sequence_id: str) -> Record:
        raise self._not_supported()

    def create_sequence_step(self, sequence_id: str, record: Record) -> Written:
        raise self._not_supported()

    def update_sequence_step(self, sequence_id: str, step_id: str, record: Record) -> None:
        raise self._not_supported()

    # Sequence states
    def create_sequence_state(self, record: Record) -> Written:
        raise self._not_supported()

    def list_sequence_states(self, query: ListQuery) -> Page:
        raise self._not_supported()

    def search_sequence_states(self, filter: Record, query: ListQuery) -> Page:
        raise self._not_supported()

    def get_sequence_state(self, state_id: str) -> Record:
        raise self._not_supported()

    def batch_create_sequence_state(self, records: list[Record]) -> list[Written]:
        raise self._not_supported()

    # Managed-destination sync
    def sync_records(self, object_name: str) -> list[Record]:
        """Return every record of a common object, as a sync into the cache would read them.

        ``object_name`` is one of account, contact, user, mailbox, sequence,
        sequence_state. The default pages through the uncached list.
        """
        lister = {
            "account": self.list_accounts,
            "contact": self.list_contacts,
            "user": self.list_users,
            "mailbox": self.list_mailboxes,
            "sequence": self.list_sequences,
            "sequence_state": self.list_sequence_states,
        }[object_name]
        records: list[Record] = []
        query = ListQuery(page_size=100)
        seen: set[str] = set()
        while True:
            page = lister(query)
            records.extend(page.records)
            if page.next is None:
                return records
            marker = page.next.encode()
            if marker in seen:
                return records
            seen.add(marker)
            query = ListQuery(page_size=100, cursor=page.next, cursor_text=marker)

    def with_retries(self, call: Callable[[], NativeResponse]) -> NativeResponse:
        """Run a native call, retrying 429 responses with the configured backoff.

        Returns the last response, which is still a 429 when every retry was used up.
        """
        policy = self.settings.retry
        response = call()
        for attempt in range(policy.attempts):
            if response.status != 429:
                return response
            wait = policy.delay(attempt, response.headers.get("retry-after"))
            logger.info("%s responded 429; retrying in %.3f s (retry %d of %d)", self.provider.value, wait, attempt + 1, policy.attempts)
            self.settings.sleep(wait)
            response = call()
        return response
