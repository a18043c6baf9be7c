"""The Salesloft adapter: unified engagement operations on the Salesloft REST API v2.

Salesloft has no mailboxes, cannot update sequence steps and has no batch enrolment. The
operation layer rejects those operations, as the capability table declares, before this
adapter is called. Behaviour that differs from the other vendors, on purpose:
- Uncached lists always ask for 100 records a page, whatever the ``page_size``, and
  report no ``total_count``.
- ``searchAccounts`` without a filter lists every account; its ``name`` matches exactly
  and case-sensitively.
- ``createSequenceStep`` returns the cadence id, because Salesloft's import response
  contains no step id.
- ``createSequenceState`` ignores ``mailbox_id``. Salesloft returns a 422 (so a 499) for a
  person who is already on the cadence.
- Lists and searches retry native 429s with the configured backoff, then return 429.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from ...errors import BadRequestError
from ...providers import Provider
from ..base import Adapter, AdapterSettings, Credentials, ListQuery, Page, Record, Transport, Written
from ..capabilities import SALESLOFT
from .cadences import (
    from_native_cadence,
    from_native_step_groups,
    to_native_cadence_import,
    to_native_step_import,
)
from .client import SalesloftClient, record_path, requested_page, updated_after
from .records import (
    from_native_account,
    from_native_membership,
    from_native_person,
    from_native_user,
    parse_int_like_js,
    to_native_account,
    to_native_person,
)

NO_UPSERT_FIELD = "Must specify at least one upsertOn field"
SEVERAL_UPSERT_MATCHES = "More than one account found for upsertOn fields"
Mapper = Callable[[Mapping[str, Any]], Record]
# Salesloft's largest page; uncached lists always ask for it.
LIST_PAGE_SIZE = SALESLOFT.list_page_cap or 100


class SalesloftAdapter(Adapter):
    """Translates unified operations into Salesloft API v2 calls."""

    provider = Provider.SALESLOFT

    def __init__(self, transport: Transport, credentials: Credentials, settings: AdapterSettings | None = None) -> None:
        super().__init__(transport, credentials, settings)
        self.client = SalesloftClient(transport, credentials.token, self.with_retries)

    # Shared list mechanics ---------------------------------------------------------------

    def _list(self, path: str, query: ListQuery, mapper: Mapper) -> Page:
        """Fetch the page that an uncached list requests: always 100 records, from the cursor's page."""
        params: list[tuple[str, Any]] = [("per_page", LIST_PAGE_SIZE), ("page", requested_page(query))]
        if query.modified_after is not None:
            params.append(("updated_at[gt]", updated_after(query.modified_after)))
        native = self.client.page(path, params)
        return Page(native.mapped(mapper), native.next_cursor, native.previous_cursor)

    def _search(self, path: str, query: ListQuery, filters: list[tuple[str, Any]], mapper: Mapper) -> Page:
        """Fetch a filtered page; ``page_size`` is sent as ``per_page`` only when given."""
        params: list[tuple[str, Any]] = [("per_page", query.page_size), ("page", requested_page(query)), *filters]
        native = self.client.page(path, params)
        return Page(native.mapped(mapper), native.next_cursor, native.previous_cursor)

    # Accounts ----------------------------------------------------------------------------

    def create_account(self, record: Record) -> Written:
        data = self.client.data("POST", "/v2/accounts", json=to_native_account(record))
        return Written(str(data["id"]), from_native_account(data))

    def list_accounts(self, query: ListQuery) -> Page:
        return self._list("/v2/accounts", query, from_native_account)

    def search_accounts(self, filter: Record) -> Page:
        """Search by exact ``name`` and ``domain`` (ANDed); no filter lists every account."""
        params: list[tuple[str, Any]] = [("per_page", LIST_PAGE_SIZE)]
        if filter.get("name") is not None:
            params.append(("name[]", filter["name"]))
        if filter.get("domain") is not None:
            params.append(("domain", filter["domain"]))
        native = self.client.page("/v2/accounts", params)
        records = native.mapped(from_native_account)
        return Page(records, native.next_cursor, native.previous_cursor, total_count=len(records))

    def get_account(self, account_id: str) -> Record:
        return from_native_account(self.client.data("GET", record_path("accounts", account_id)))

    def update_account(self, account_id: str, record: Record) -> Record | None:
        data = self.client.data("PUT", record_path("accounts", account_id), json=to_native_account(record))
        return from_native_account(data)

    def upsert_account(self, record: Record, upsert_on: Record) -> Written:
        name, domain = upsert_on.get("name"), upsert_on.get("domain")
        if not name and not domain:
            raise BadRequestError(NO_UPSERT_FIELD)
        found = self.search_accounts({"name": name or None, "domain": domain or None}).records
        if len(found) > 1:
            raise BadRequestError(SEVERAL_UPSERT_MATCHES)
        if found:
            account_id = found[0]["id"]
            return Written(account_id, self.update_account(account_id, record))
        return self.create_account(record)

    # Contacts ----------------------------------------------------------------------------

    def create_contact(self, record: Record) -> Written:
        data = self.client.data("POST", "/v2/people", json=to_native_person(record))
        return Written(str(data["id"]), from_native_person(data))

    def list_contacts(self, query: ListQuery) -> Page:
        return self._list("/v2/people", query, from_native_person)

    def search_contacts(self, filter: Record, query: ListQuery) -> Page:
        """Find people by any of ``filter.emails``; an empty list matches every person."""
        emails = filter.get("emails") or []
        filters = [("email_addresses[]", email) for email in emails]
        page = self._search("/v2/people", query, filters, from_native_person)
        page.total_count = len(page.records)
        return page

    def get_contact(self, contact_id: str) -> Record:
        return from_native_person(self.client.data("GET", record_path("people", contact_id)))

    def update_contact(self, contact_id: str, record: Record) -> Record | None:
        data = self.client.data("PUT", record_path("people", contact_id), json=to_native_person(record))
        return from_native_person(data)

    # Users -------------------------------------------------------------------------------

    def list_users(self, query: ListQuery) -> Page:
        return self._list("/v2/users", query, from_native_user)

    def get_user(self, user_id: str) -> Record:
        return from_native_user(self.client.data("GET", record_path("users", user_id)))

    # Sequences ---------------------------------------------------------------------------

    def create_sequence(self, record: Record) -> Written:
        body = to_native_cadence_import(record)
        data = self.client.data("POST", "/v2/cadence_imports", json=body)
        return Written(str(data["cadence"]["id"]))

    def create_sequence_step(self, sequence_id: str, record: Record) -> Written:
        """Add one step group to the cadence; the id returned is the cadence's own."""
        body = to_native_step_import(parse_int_like_js(sequence_id), record)
        data = self.client.data("POST", "/v2/cadence_imports", json=body)
        return Written(str(data["cadence"]["id"]))

    def list_sequences(self, query: ListQuery) -> Page:
        """List cadences with their step counts, which cost a walk over every step first."""
        step_counts = self._count_steps_by_cadence()

        def from_native(item: Mapping[str, Any]) -> Record:
            return from_native_cadence(item, step_counts.get(str(item.get("id")), 0))

        return self._list("/v2/cadences", query, from_native)

    def _count_steps_by_cadence(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        page_number: int | None = None
        seen: set[int] = set()
        while True:
            native = self.client.page("/v2/steps", [("per_page", LIST_PAGE_SIZE), ("page", page_number)])
            for step in native.data:
                cadence = step.get("cadence")
                if isinstance(cadence, dict) and cadence.get("id") is not None:
                    counts[str(cadence["id"])] += 1
            if native.next_page is None or native.next_page in seen:
                return counts
            seen.add(native.next_page)
            page_number = native.next_page

    def get_sequence(self, sequence_id: str) -> Record:
        """Read a cadence with its steps; the steps come from the cadence export and have no ids."""
        cadence = self.client.data("GET", record_path("cadences", sequence_id, ".json"))
        steps_page = self.client.page(
            "/v2/steps", [("cadence_id", sequence_id), ("include_paging_counts", 1)], retry=False
        )
        export = self.client.data("GET", record_path("cadence_exports", sequence_id))
        record = from_native_cadence(cadence, steps_page.total_count or 0)
        record["steps"] = from_native_step_groups((export.get("cadence_content") or {}).get("step_groups"))
        return record

    # Sequence states ---------------------------------------------------------------------

    def create_sequence_state(self, record: Record) -> Written:
        """Add a person to a cadence; ``mailbox_id`` is ignored and ``user_id`` is optional."""
        body = {"cadence_id": record.get("sequence_id"), "person_id": record.get("contact_id")}
        if "user_id" in record:
            body["user_id"] = record["user_id"]
        data = self.client.data("POST", "/v2/cadence_memberships", json=body)
        return Written(str(data["id"]), from_native_membership(data))

    def list_sequence_states(self, query: ListQuery) -> Page:
        return self._list("/v2/cadence_memberships", query, from_native_membership)

    def search_sequence_states(self, filter: Record, query: ListQuery) -> Page:
        """Find memberships by ``contact_id`` and/or ``sequence_id``; no ``total_count``."""
        filters = [("person_id", filter.get("contact_id")), ("cadence_id", filter.get("sequence_id"))]
        return self._search("/v2/cadence_memberships", query, filters, from_native_membership)

    def get_sequence_state(self, state_id: str) -> Record:
        return from_native_membership(self.client.data("GET", record_path("cadence_memberships", state_id)))
