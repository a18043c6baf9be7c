"""The Outreach adapter: unified engagement operations on Outreach's REST API v2.

Every operation of the unified API except the batch create of sequence states (which the
capability table rejects with 501) maps to one or more JSON:API calls under ``/api/v2``.
Lists, searches and the sequence-state lookup retry native 429s, but gets and writes do not.
"""

from __future__ import annotations

import logging
from typing import Any

from ...errors import BadRequestError
from ...providers import Provider
from ..base import Adapter, AdapterSettings, Credentials, ListQuery, Page, Record, Transport, Written
from ..capabilities import OUTREACH
from .client import API, Mapper, OutreachClient, resource_object, resource_path, updated_after_filter
from .errors import first_error
from .mappers import (
    camel_case_keys,
    from_native_account,
    from_native_contact,
    from_native_mailbox,
    from_native_sequence_state,
    from_native_user,
    integer_id,
    to_native_account,
    to_native_contact,
)
from .sequences import create_sequence, create_step, from_native_sequence, read_sequence, update_step_template

logger = logging.getLogger(__name__)

DUPLICATE_STATE_CODE = "has already been in this sequence"
# The sequenceState relationship that each unified search filter matches.
STATE_FILTER_RELATIONSHIPS = {"contact_id": "prospect", "sequence_id": "sequence"}
SYNC_OBJECTS = {
    "account": ("accounts", from_native_account),
    "contact": ("prospects", from_native_contact),
    "user": ("users", from_native_user),
    "mailbox": ("mailboxes", from_native_mailbox),
    "sequence": ("sequences", from_native_sequence),
    "sequence_state": ("sequenceStates", from_native_sequence_state),
}


class OutreachAdapter(Adapter):
    """Translates unified operations into Outreach JSON:API calls."""

    provider = Provider.OUTREACH

    def __init__(self, transport: Transport, credentials: Credentials, settings: AdapterSettings | None = None) -> None:
        super().__init__(transport, credentials, settings)
        self.client = OutreachClient(transport, credentials.token, self.with_retries)

    # Accounts ----------------------------------------------------------------------------

    def create_account(self, record: Record) -> Written:
        attributes, relationships = to_native_account(record, record.get("custom_fields"))
        return self._create("accounts", "account", attributes, relationships, from_native_account)

    def list_accounts(self, query: ListQuery) -> Page:
        return self.client.list_page("accounts", self._list_params(query), query, from_native_account)

    def search_accounts(self, filter: Record) -> Page:
        """Search by name, domain or both (ANDed), at Outreach's default page size."""
        if not filter.get("name") and not filter.get("domain"):
            raise BadRequestError("Must specify at least one filter field")
        return self._find_accounts(filter)

    def get_account(self, account_id: str) -> Record:
        return from_native_account(self.client.get("accounts", account_id))

    def update_account(self, account_id: str, record: Record) -> Record | None:
        attributes, relationships = to_native_account(record, record.get("custom_fields"))
        return self._update("accounts", "account", account_id, attributes, relationships, from_native_account)

    def upsert_account(self, record: Record, upsert_on: Record) -> Written:
        """Update the one account that matches ``upsert_on`` (name and/or domain), or create one.

        Keys of ``record.custom_fields`` are sent in camelCase, as the reference service did.
        """
        if not upsert_on.get("name") and not upsert_on.get("domain"):
            raise BadRequestError("Must specify at least one upsertOn field")
        found = self._find_accounts(upsert_on).records
        if len(found) > 1:
            raise BadRequestError("More than one account found for upsertOn fields")

        attributes, relationships = to_native_account(record, camel_case_keys(record.get("custom_fields") or {}))
        if found:
            updated = self._update(
                "accounts", "account", found[0]["id"], attributes, relationships, from_native_account
            )
            return Written(found[0]["id"], updated)
        return self._create("accounts", "account", attributes, relationships, from_native_account)

    def _find_accounts(self, filter: Record) -> Page:
        params = [
            (f"filter[{key}]", str(filter[key])) for key in sorted(OUTREACH.account_search_filters) if filter.get(key)
        ]
        return self.client.list_page("accounts", params, ListQuery(), from_native_account, total_from_meta=False)

    # Contacts ----------------------------------------------------------------------------

    def create_contact(self, record: Record) -> Written:
        attributes, relationships = to_native_contact(record)
        return self._create("prospects", "prospect", attributes, relationships, from_native_contact)

    def list_contacts(self, query: ListQuery) -> Page:
        return self.client.list_page("prospects", self._list_params(query), query, from_native_contact)

    def search_contacts(self, filter: Record, query: ListQuery) -> Page:
        """Find prospects with any of the given email addresses."""
        emails = [str(email) for email in filter.get("emails") or []]
        params = [("page[size]", str(self._page_size(query))), ("filter[emails]", ",".join(emails))]
        return self.client.list_page("prospects", params, query, from_native_contact, total_from_meta=False)

    def get_contact(self, contact_id: str) -> Record:
        return from_native_contact(self.client.get("prospects", contact_id))

    def update_contact(self, contact_id: str, record: Record) -> Record | None:
        attributes, relationships = to_native_contact(record)
        return self._update("prospects", "prospect", contact_id, attributes, relationships, from_native_contact)

    # Users and mailboxes -----------------------------------------------------------------

    def list_users(self, query: ListQuery) -> Page:
        return self.client.list_page("users", self._list_params(query), query, from_native_user)

    def get_user(self, user_id: str) -> Record:
        return from_native_user(self.client.get("users", user_id))

    def list_mailboxes(self, query: ListQuery) -> Page:
        return self.client.list_page("mailboxes", self._list_params(query), query, from_native_mailbox)

    def get_mailbox(self, mailbox_id: str) -> Record:
        return from_native_mailbox(self.client.get("mailboxes", mailbox_id))

    # Sequences and steps -----------------------------------------------------------------

    def create_sequence(self, record: Record) -> Written:
        sequence_id, sequence = create_sequence(self.client, record)
        return Written(sequence_id, from_native_sequence(sequence))

    def list_sequences(self, query: ListQuery) -> Page:
        return self.client.list_page("sequences", self._list_params(query), query, from_native_sequence)

    def get_sequence(self, sequence_id: str) -> Record:
        return read_sequence(self.client, sequence_id)

    def create_sequence_step(self, sequence_id: str, record: Record) -> Written:
        custom_fields = record.get("custom_fields") or {}
        return Written(create_step(self.client, sequence_id, record, custom_fields=custom_fields))

    def update_sequence_step(self, sequence_id: str, step_id: str, record: Record) -> None:
        """Change the template of a step. Outreach identifies the step by its id alone."""
        update_step_template(self.client, step_id, record)

    # Sequence states ---------------------------------------------------------------------

    def create_sequence_state(self, record: Record) -> Written:
        """Enrol a prospect. If it is already in the sequence, return the existing state's id."""
        if not record.get("mailbox_id"):
            raise BadRequestError("Mailbox ID is required for Outreach")
        relationships = {
            name: {"data": {"type": name, "id": integer_id(record.get(key))}}
            for name, key in (("prospect", "contact_id"), ("sequence", "sequence_id"), ("mailbox", "mailbox_id"))
        }
        body = {"data": {"type": "sequenceState", "relationships": relationships}}
        path = f"{API}/sequenceStates"
        response = self.client.send("POST", path, json=body)
        if response.status == 422 and first_error(response.body).get("code") == DUPLICATE_STATE_CODE:
            existing = self._existing_state(record)
            if existing is not None:
                logger.info(
                    "Outreach prospect %s is already in sequence %s",
                    record.get("contact_id"),
                    record.get("sequence_id"),
                )
                return Written(existing["id"], existing)
        state = resource_object("POST", "sequenceStates", self.client.document("POST", path, response))
        return Written(str(state["id"]), from_native_sequence_state(state))

    def _existing_state(self, record: Record) -> Record | None:
        filter = {"contact_id": record.get("contact_id"), "sequence_id": record.get("sequence_id")}
        found = self.search_sequence_states(filter, ListQuery(page_size=10)).records
        return found[0] if found else None

    def list_sequence_states(self, query: ListQuery) -> Page:
        return self.client.list_page("sequenceStates", self._list_params(query), query, from_native_sequence_state)

    def search_sequence_states(self, filter: Record, query: ListQuery) -> Page:
        """Find states by contact, sequence or both (ANDed). With neither, list every state."""
        params = [("page[size]", str(self._page_size(query)))]
        for key in sorted(OUTREACH.sequence_state_search_filters):
            if filter.get(key):
                params.append((f"filter[{STATE_FILTER_RELATIONSHIPS[key]}][id]", str(filter[key])))
        return self.client.list_page("sequenceStates", params, query, from_native_sequence_state)

    def get_sequence_state(self, state_id: str) -> Record:
        return from_native_sequence_state(self.client.get("sequenceStates", state_id))

    # Managed-destination sync ------------------------------------------------------------

    def sync_records(self, object_name: str) -> list[Record]:
        """Read every record of a common object, at Outreach's largest page size."""
        resource, mapper = SYNC_OBJECTS[object_name]
        params = [("page[size]", str(OUTREACH.list_page_cap or OUTREACH.default_page_size))]
        records: list[Record] = []
        query = ListQuery()
        seen: set[str] = set()
        while True:
            page = self.client.list_page(resource, params, query, mapper)
            records.extend(page.records)
            if page.next is None or str(page.next.id) in seen:
                return records
            seen.add(str(page.next.id))
            query = ListQuery(cursor=page.next, cursor_text=page.next.encode())

    # Helpers -----------------------------------------------------------------------------

    def _page_size(self, query: ListQuery) -> int:
        size = query.page_size or OUTREACH.default_page_size
        return min(size, OUTREACH.list_page_cap) if OUTREACH.list_page_cap else size

    def _list_params(self, query: ListQuery) -> list[tuple[str, str]]:
        params = [("page[size]", str(self._page_size(query)))]
        if query.modified_after is not None:
            params.append(("filter[updatedAt]", updated_after_filter(query.modified_after)))
        return params

    def _create(
        self,
        resource: str,
        type_name: str,
        attributes: dict[str, Any],
        relationships: dict[str, Any] | None,
        mapper: Mapper,
    ) -> Written:
        data: dict[str, Any] = {"type": type_name, "attributes": attributes}
        if relationships is not None:
            data["relationships"] = relationships
        body = self.client.call("POST", f"{API}/{resource}", json={"data": data})
        created = resource_object("POST", resource, body)
        return Written(str(created["id"]), mapper(created))

    def _update(
        self,
        resource: str,
        type_name: str,
        record_id: str,
        attributes: dict[str, Any],
        relationships: dict[str, Any] | None,
        mapper: Mapper,
    ) -> Record:
        data: dict[str, Any] = {"type": type_name, "id": integer_id(record_id), "attributes": attributes}
        if relationships is not None:
            data["relationships"] = relationships
        body = self.client.call("PATCH", resource_path(resource, record_id), json={"data": data})
        return mapper(resource_object("PATCH", resource, body))
