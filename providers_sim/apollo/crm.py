"""Apollo's CRM routes: accounts, contacts, users and email accounts.

Writes accept only the fields Apollo documents and ignore any other key, as Apollo does.
A create sets ``owner_id`` to the user the API key belongs to unless the body names one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..native import NativeRequest, NativeResponse
from .core import ApolloCore, request_body
from .errors import ApolloError
from .records import PHONE_FIELDS, new_account, new_contact, parse_raw_address, phone_entry
from .search import matches_keywords, matches_organization_name, page_request, paginate

ACCOUNT_FIELDS = ("name", "domain", "phone", "website_url", "owner_id", "typed_custom_fields")
CONTACT_FIELDS = (
    "first_name",
    "last_name",
    "title",
    "email",
    "organization_name",
    "present_raw_address",
    "account_id",
    "owner_id",
    "typed_custom_fields",
    *PHONE_FIELDS,
)
CONTACT_SORT_FIELDS = {"contact_updated_at": "updated_at", "contact_created_at": "created_at"}


class CrmRoutes(ApolloCore):
    """Handlers of the account, contact, user and email-account endpoints."""

    def register_crm_routes(self) -> None:
        self.route("POST", "/accounts", self._post_account)
        self.route("PUT", "/accounts/{object_id}", self._put_account)
        self.route("POST", "/accounts/search", self._search_accounts)
        self.route("POST", "/contacts", self._post_contact)
        self.route("PUT", "/contacts/{object_id}", self._put_contact)
        self.route("GET", "/contacts/{object_id}", self._get_contact)
        self.route("POST", "/contacts/search", self._search_contacts)
        self.route("GET", "/users/search", self._search_users)
        self.route("GET", "/email_accounts", self._list_email_accounts)

    # Accounts ----------------------------------------------------------------------------

    def create_account(self, account: str, fields: Mapping[str, Any], object_id: str | None = None) -> dict[str, Any]:
        """Store a new account (with ``object_id`` instead of a new id when given); ``name`` is required."""
        changes = self._account_changes(account, fields)
        if not changes.get("name"):
            raise ApolloError(422, "Name can't be blank")
        changes.setdefault("owner_id", self.default_user_id(account))
        changes["creator_id"] = self.default_user_id(account)
        created = self.now_text()
        return self.insert_doc(account, "accounts", lambda new_id: new_account(object_id or new_id, created, **changes))

    def _post_account(self, request: NativeRequest, account: str) -> NativeResponse:
        return NativeResponse(200, {"account": self.create_account(account, request_body(request))})

    def _put_account(self, request: NativeRequest, account: str, object_id: str) -> NativeResponse:
        number, current = self.require_doc(account, "accounts", object_id)
        changes = self._account_changes(account, request_body(request), current)
        if "name" in changes and not changes["name"]:
            raise ApolloError(422, "Name can't be blank")
        updated = self.docs(account, "accounts").update(number, changes)
        return NativeResponse(200, {"account": updated})

    def _search_accounts(self, request: NativeRequest, account: str) -> NativeResponse:
        body = request_body(request)
        paging = page_request(body.get("page"), body.get("per_page"))
        query = _optional_text(body, "q_organization_name")
        if query:
            found = [
                doc for doc in self.all_docs(account, "accounts") if matches_organization_name(query, doc.get("name"))
            ]
            chosen, pagination = paginate(found, paging)
        else:
            chosen, pagination = self.page_docs(account, "accounts", paging)
        return NativeResponse(200, {"accounts": chosen, "pagination": pagination})

    def _account_changes(
        self, account: str, fields: Mapping[str, Any], current: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for key in ACCOUNT_FIELDS:
            if key not in fields:
                continue
            if key == "typed_custom_fields":
                changes[key] = _merged_custom_fields(fields[key], current)
            elif key == "owner_id":
                changes[key] = self._known_user(account, fields[key])
            else:
                changes[key] = _optional_text(fields, key)
        return changes

    # Contacts ----------------------------------------------------------------------------

    def create_contact(self, account: str, fields: Mapping[str, Any], object_id: str | None = None) -> dict[str, Any]:
        """Store a new contact (with ``object_id`` instead of a new id when given), deriving
        the address fields and phone numbers."""
        changes = self._contact_changes(account, fields, None)
        changes.setdefault("owner_id", self.default_user_id(account))
        changes["creator_id"] = self.default_user_id(account)
        created = self.now_text()
        return self.insert_doc(account, "contacts", lambda new_id: new_contact(object_id or new_id, created, **changes))

    def _post_contact(self, request: NativeRequest, account: str) -> NativeResponse:
        return NativeResponse(200, {"contact": self.create_contact(account, request_body(request))})

    def _put_contact(self, request: NativeRequest, account: str, object_id: str) -> NativeResponse:
        number, current = self.require_doc(account, "contacts", object_id)
        changes = self._contact_changes(account, request_body(request), current)
        merged = {**current, **changes}
        changes["name"] = " ".join(part for part in (merged["first_name"], merged["last_name"]) if part) or None
        changes["updated_at"] = self.now_text()
        updated = self.docs(account, "contacts").update(number, changes)
        return NativeResponse(200, {"contact": updated})

    def _get_contact(self, request: NativeRequest, account: str, object_id: str) -> NativeResponse:
        _, contact = self.require_doc(account, "contacts", object_id)
        return NativeResponse(200, {"contact": contact})

    def _search_contacts(self, request: NativeRequest, account: str) -> NativeResponse:
        body = request_body(request)
        paging = page_request(body.get("page"), body.get("per_page"))
        sort_field = body.get("sort_by_field")
        query = _optional_text(body, "q_keywords")
        if sort_field is None and not query:
            chosen, pagination = self.page_docs(account, "contacts", paging)
            return NativeResponse(200, {"contacts": chosen, "pagination": pagination})

        contacts = self.all_docs(account, "contacts")
        if sort_field is not None:
            if sort_field not in CONTACT_SORT_FIELDS:
                raise ApolloError(422, f"sort_by_field {sort_field!r} is not one of {sorted(CONTACT_SORT_FIELDS)}")
            key = CONTACT_SORT_FIELDS[sort_field]
            contacts.sort(key=lambda doc: doc.get(key) or "", reverse=not body.get("sort_ascending", False))

        if query:
            contacts = [doc for doc in contacts if matches_keywords(query, _contact_texts(doc))]
            # Apollo ranks a contact whose email is the whole query first.
            contacts.sort(key=lambda doc: (doc.get("email") or "").lower() != query.strip().lower())

        chosen, pagination = paginate(contacts, paging)
        return NativeResponse(200, {"contacts": chosen, "pagination": pagination})

    def _contact_changes(
        self, account: str, fields: Mapping[str, Any], current: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for key in CONTACT_FIELDS:
            if key not in fields or key in PHONE_FIELDS:
                continue
            if key == "typed_custom_fields":
                changes[key] = _merged_custom_fields(fields[key], current)
            elif key == "owner_id":
                changes[key] = self._known_user(account, fields[key])
            else:
                changes[key] = _optional_text(fields, key)

        if changes.get("email") == "":
            changes["email"] = None
        email = changes.get("email")
        if email is not None and "@" not in email:
            raise ApolloError(422, f"Email {email!r} is invalid: it has no @")
        if "present_raw_address" in changes:
            changes.update(parse_raw_address(changes["present_raw_address"]))
        if changes.get("account_id") is not None:
            found = self.find_doc(account, "accounts", changes["account_id"])
            if found is None:
                raise ApolloError(422, f"Account {changes['account_id']!r} does not exist")
            changes["organization_name"] = found[1].get("name")
        if any(key in fields for key in PHONE_FIELDS):
            existing = list(current.get("phone_numbers") or []) if current else []
            changes["phone_numbers"] = _phone_numbers(fields, existing)
        return changes

    def _known_user(self, account: str, user_id: Any) -> str | None:
        if user_id is None:
            return None
        if not isinstance(user_id, str) or self.find_doc(account, "users", user_id) is None:
            raise ApolloError(422, f"User {user_id!r} does not exist")
        return user_id

    # Users and email accounts ------------------------------------------------------------

    def _search_users(self, request: NativeRequest, account: str) -> NativeResponse:
        paging = page_request(request.param("page"), request.param("per_page"))
        chosen, pagination = self.page_docs(account, "users", paging)
        return NativeResponse(200, {"users": chosen, "pagination": pagination})

    def _list_email_accounts(self, request: NativeRequest, account: str) -> NativeResponse:
        return NativeResponse(200, {"email_accounts": self.all_docs(account, "email_accounts")})


def _optional_text(fields: Mapping[str, Any], key: str) -> str | None:
    value = fields.get(key)
    if value is not None and not isinstance(value, str):
        raise ApolloError(422, f"{key} must be a string, got {value!r}")
    return value


def _merged_custom_fields(value: Any, current: Mapping[str, Any] | None) -> dict[str, Any]:
    if value is None:
        return dict(current.get("typed_custom_fields") or {}) if current else {}
    if not isinstance(value, dict):
        raise ApolloError(422, f"typed_custom_fields must be an object, got {value!r}")
    merged = dict(current.get("typed_custom_fields") or {}) if current else {}
    merged.update(value)
    return merged


def _phone_numbers(fields: Mapping[str, Any], existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rebuild ``phone_numbers``: a phone field in the body replaces the numbers of its type."""
    numbers: list[dict[str, Any]] = []
    for key, phone_type in PHONE_FIELDS.items():
        if key in fields:
            raw = _optional_text(fields, key)
            if raw:
                numbers.append(phone_entry(raw, phone_type, 0))
        else:
            numbers.extend(entry for entry in existing if entry.get("type") == phone_type)
    numbers.extend(entry for entry in existing if entry.get("type") not in PHONE_FIELDS.values())
    for position, entry in enumerate(numbers):
        entry["position"] = position
    return numbers


def _contact_texts(contact: Mapping[str, Any]) -> list[str | None]:
    keys = ("name", "first_name", "last_name", "email", "title", "organization_name")
    return [contact.get(key) for key in keys]
