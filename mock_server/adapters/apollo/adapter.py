"""The Apollo adapter: unified operations on Apollo's REST API v1.

Operations that Apollo cannot serve (getAccount, getUser, getMailbox, listSequenceStates,
getSequenceState) are rejected by the operation layer from the capability table and are not
overridden here. Account search and upsert match on the name only, through Apollo's loose
organisation-name keyword search, and read only its first page.
"""

from __future__ import annotations

from typing import Any

from ...errors import BadRequestError
from ...providers import Provider
from ..base import ListQuery, Page, Record, Written
from ..capabilities import APOLLO
from .client import PUBLIC_API, expect_object, path_id
from .mappers import (
    from_native_account,
    from_native_contact,
    from_native_mailbox,
    from_native_user,
    to_native_account,
    to_native_contact,
)
from .sequence_mappers import from_native_contact_states
from .sequences import SequenceOperations

_DOMAIN_NOT_SUPPORTED = "Domain is not supported when upserting an account in Apollo"
_NAME_REQUIRED = "Name is required when upserting an account in Apollo"


class ApolloAdapter(SequenceOperations):
    """Translates unified operations to Apollo calls and Apollo objects back."""

    provider = Provider.APOLLO

    # Accounts --------------------------------------------------------------------------------

    def create_account(self, record: Record) -> Written:
        """Create an account; ``owner_id`` and ``account_id`` are not sent (Apollo sets the owner)."""
        payload = self.client.send("POST", f"{PUBLIC_API}/accounts", body=to_native_account(record))
        account = expect_object(payload, "account")
        return Written(str(account["id"]), from_native_account(account))

    def list_accounts(self, query: ListQuery) -> Page:
        return self.list_page(f"{PUBLIC_API}/accounts/search", "accounts", query, from_native_account)

    def search_accounts(self, filter: Record) -> Page:
        """Return the first page of accounts whose name matches ``filter.name`` loosely."""
        name = self._account_name(filter)
        records = [from_native_account(item) for item in self._accounts_named(name)]
        return Page(records, None, None, len(records))

    def update_account(self, account_id: str, record: Record) -> Record | None:
        payload = self.client.send(
            "PUT", f"{PUBLIC_API}/accounts/{path_id(account_id)}", body=to_native_account(record)
        )
        return from_native_account(expect_object(payload, "account"))

    def upsert_account(self, record: Record, upsert_on: Record) -> Written:
        """Update the one account whose name matches ``upsert_on.name``, or create one."""
        name = self._account_name(upsert_on)
        found = self._accounts_named(name)
        if len(found) > 1:
            raise BadRequestError("More than one account found for upsert query")
        if found:
            account_id = str(found[0]["id"])
            return Written(account_id, self.update_account(account_id, record))
        return self.create_account(record)

    def _account_name(self, fields: Record) -> str:
        """Return the name to match on; Apollo cannot match accounts by domain."""
        if fields.get("domain") is not None:
            raise BadRequestError(_DOMAIN_NOT_SUPPORTED)
        name = fields.get("name")
        if not name:
            raise BadRequestError(_NAME_REQUIRED)
        return str(name)

    def _accounts_named(self, name: str) -> list[dict[str, Any]]:
        per_page = APOLLO.list_page_cap or 100
        payload = self.client.send(
            "POST", f"{PUBLIC_API}/accounts/search", body={"q_organization_name": name, "per_page": per_page}
        )
        return [item for item in payload.get("accounts") or [] if isinstance(item, dict) and "id" in item]

    # Contacts --------------------------------------------------------------------------------

    def create_contact(self, record: Record) -> Written:
        payload = self.client.send("POST", f"{PUBLIC_API}/contacts", body=to_native_contact(record))
        contact = expect_object(payload, "contact")
        return Written(str(contact["id"]), from_native_contact(contact))

    def list_contacts(self, query: ListQuery) -> Page:
        return self.list_page(f"{PUBLIC_API}/contacts/search", "contacts", query, from_native_contact)

    def search_contacts(self, filter: Record, query: ListQuery) -> Page:
        """Look up each distinct email with its own keyword search and keep the first hit.

        Every distinct email costs one Apollo call. Cursor and page size are not used.
        """
        emails = filter.get("emails") or []
        if not emails:
            raise BadRequestError("At least 1 email must be provided when searching contacts")
        records: list[Record] = []
        for email in dict.fromkeys(emails):
            payload = self.client.send("POST", f"{PUBLIC_API}/contacts/search", body={"q_keywords": email})
            hits = [item for item in payload.get("contacts") or [] if isinstance(item, dict) and "id" in item]
            if hits:
                records.append(from_native_contact(hits[0]))
        return Page(records, None, None, len(records))

    def get_contact(self, contact_id: str) -> Record:
        """Read a contact, retrying per-minute rate limits."""
        payload = self.client.get_contact(contact_id)
        return from_native_contact(expect_object(payload, "contact"))

    def update_contact(self, contact_id: str, record: Record) -> Record | None:
        payload = self.client.send(
            "PUT", f"{PUBLIC_API}/contacts/{path_id(contact_id)}", body=to_native_contact(record)
        )
        return from_native_contact(expect_object(payload, "contact"))

    # Users and mailboxes ---------------------------------------------------------------------

    def list_users(self, query: ListQuery) -> Page:
        return self.list_page(f"{PUBLIC_API}/users/search", "users", query, from_native_user, method="GET")

    def list_mailboxes(self, query: ListQuery) -> Page:
        """Return every email account in one page; Apollo does not page them."""
        if query.modified_after is not None and APOLLO.list_refuses_modified_after is not None:
            raise APOLLO.list_refuses_modified_after.error()
        payload = self.client.send("GET", f"{PUBLIC_API}/email_accounts")
        items = [item for item in payload.get("email_accounts") or [] if isinstance(item, dict) and "id" in item]
        records = [from_native_mailbox(item) for item in items]
        return Page(records, None, None, len(records))

    # Managed-destination sync ----------------------------------------------------------------

    def sync_records(self, object_name: str) -> list[Record]:
        """Read every record of a common object; sequence states come from the contacts,
        because Apollo has no list of them."""
        if object_name != "sequence_state":
            return super().sync_records(object_name)
        return [
            state
            for contact in super().sync_records("contact")
            for state in from_native_contact_states(contact["raw_data"])
        ]
