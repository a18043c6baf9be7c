"""The Apollo simulator: Apollo's REST API v1 for many Apollo teams at once.

Every route is served under ``/v1`` (api.apollo.io) and ``/api/v1`` (app.apollo.io/api),
because the unified adapter calls both hosts. Routes:

    POST /v1/accounts                 PUT /v1/accounts/{id}        POST /v1/accounts/search
    POST /v1/contacts                 PUT /v1/contacts/{id}        GET  /v1/contacts/{id}
    POST /v1/contacts/search          GET /v1/users/search         GET  /v1/email_accounts
    POST /v1/emailer_campaigns        POST /v1/emailer_campaigns/search
    GET  /v1/emailer_campaigns/{id}   POST /v1/emailer_campaigns/{id}/add_contact_ids
    POST /v1/emailer_steps            PUT /v1/emailer_touches/{id}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .crm import ACCOUNT_FIELDS, CONTACT_FIELDS, CrmRoutes
from .errors import ApolloError
from .records import new_email_account, new_template, new_touch, new_user
from .sequences import CAMPAIGN_SETTINGS, SequenceRoutes

# Resource names accepted by ``insert_native``.
RESOURCES = (
    "users",
    "email_accounts",
    "accounts",
    "contacts",
    "emailer_campaigns",
    "emailer_steps",
    "emailer_touches",
    "emailer_templates",
)

_CAMPAIGN_FIELDS = ("name", "permissions", "label_ids", "active", "user_id", *CAMPAIGN_SETTINGS)
_STEP_FIELDS = (
    "emailer_campaign_id",
    "position",
    "type",
    "wait_mode",
    "wait_time",
    "exact_datetime",
    "note",
    "priority",
)


class ApolloSimulator(CrmRoutes, SequenceRoutes):
    """Apollo's native API: accounts, contacts, users, email accounts and sequences."""

    def register_routes(self) -> None:
        self.register_crm_routes()
        self.register_sequence_routes()

    def insert_native(self, account: str, resource: str, document: Mapping[str, Any]) -> str:
        """Store a native object in ``account`` as a create would, and return its id.

        ``resource`` is one of ``RESOURCES``. The write fields of the resource go through
        the same checks and derivations as over HTTP. For example, ``present_raw_address``
        fills the address fields, and an email step gets a touch and a template. Any other
        native field of ``document`` is stored as given, so fixtures can set timestamps,
        metrics or ``contact_campaign_statuses``. An ``id`` of 24 hex digits replaces the
        generated one. The account is opened (and provisioned) first if it is new.
        Raises ``ValueError`` when the document is invalid.
        """
        if resource not in RESOURCES:
            raise ValueError(f"Unknown Apollo resource {resource!r}; expected one of {', '.join(RESOURCES)}")
        object_id = document.get("id")
        if object_id is not None and not _is_hex_id(object_id):
            raise ValueError(f"An Apollo id is 24 lowercase hex digits, got {object_id!r}")
        self.open_account(account)

        with self.store.lock:
            try:
                stored, write_fields = self._insert_by_resource(account, resource, document, object_id)
            except ApolloError as exc:
                raise ValueError(f"Cannot insert into {resource}: {exc.message}") from None
            extra = {key: value for key, value in document.items() if key not in write_fields and key != "id"}
            if extra:
                collection = self.docs(account, resource)
                collection.update(collection.find("id", stored["id"])[0], extra)
            return str(stored["id"])

    def _insert_by_resource(
        self, account: str, resource: str, document: Mapping[str, Any], object_id: str | None
    ) -> tuple[dict[str, Any], tuple[str, ...]]:
        """Create the object and return it with the names of the fields the create used."""
        if resource == "accounts":
            return self.create_account(account, document, object_id), ACCOUNT_FIELDS
        if resource == "contacts":
            return self.create_contact(account, document, object_id), CONTACT_FIELDS
        if resource == "emailer_campaigns":
            return self.create_campaign(account, document, object_id), _CAMPAIGN_FIELDS
        if resource == "emailer_steps":
            if object_id is not None:
                raise ApolloError(422, "emailer_steps take generated ids")
            return self.create_step(account, document)["emailer_step"], _STEP_FIELDS

        created = self.now_text()
        builders: dict[str, Callable[[str], dict[str, Any]]] = {
            "users": lambda new_id: new_user(object_id or new_id, created),
            "email_accounts": lambda new_id: new_email_account(object_id or new_id, created),
            "emailer_touches": lambda new_id: new_touch(object_id or new_id),
            "emailer_templates": lambda new_id: new_template(object_id or new_id, created),
        }
        return self.insert_doc(account, resource, builders[resource]), ()


def _is_hex_id(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 24 and all(char in "0123456789abcdef" for char in value)
