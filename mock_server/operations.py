"""Handlers of the 25 unified operations, named after their operationIds.

Each handler follows the same steps: resolve the connection, read the validated query,
return a documented refusal from the vendor's capability table, call the adapter, keep the
managed-destination cache current, and shape the response envelope of the spec.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import flask

from providers_sim.memo import DerivedMemo

from .adapters.base import Adapter, ListQuery, Page, Record, Written, shares_bodies
from .adapters.capabilities import CAPABILITIES, OPERATION_IDS, Capabilities
from .connections import Connection, Sandbox
from .cursor import Cursor
from .errors import NotImplementedUnifiedError, UnauthorizedError
from .timestamps import parse_rfc3339

GETTERS: dict[str, tuple[str, str]] = {
    "account": ("getAccount", "get_account"),
    "contact": ("getContact", "get_contact"),
    "user": ("getUser", "get_user"),
    "mailbox": ("getMailbox", "get_mailbox"),
    "sequence": ("getSequence", "get_sequence"),
    "sequence_state": ("getSequenceState", "get_sequence_state"),
}


# Request helpers -------------------------------------------------------------------------


def sandbox() -> Sandbox:
    return flask.current_app.config["SANDBOX"]  # type: ignore[no-any-return]


def _context() -> tuple[Connection, Capabilities]:
    headers = flask.request.headers
    box = sandbox()
    application_id = box.application_for_key(headers.get("x-api-key", ""))
    if application_id is None:
        raise UnauthorizedError("Can't find application by api key")
    connection = box.connection(application_id, headers.get("x-customer-id", ""), headers.get("x-provider-name", ""))
    return connection, CAPABILITIES[connection.provider]


def _flag(name: str) -> bool:
    return flask.request.args.get(name, "false").lower() == "true"


def _list_query() -> ListQuery:
    args = flask.request.args
    page_size = args.get("page_size")
    cursor_text = args.get("cursor") or None
    modified_after = args.get("modified_after")
    return ListQuery(
        page_size=int(page_size) if page_size else None,
        cursor=Cursor.decode(cursor_text) if cursor_text else None,
        cursor_text=cursor_text,
        modified_after=parse_rfc3339(modified_after) if modified_after else None,
    )


def _body() -> dict[str, Any]:
    body = flask.request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


# Compact output without the circular-reference check: response bodies are trees.
_ENCODER = json.JSONEncoder(check_circular=False, separators=(",", ":"), ensure_ascii=False)

# The JSON text of record lists that adapters handed out again (see ``map_items``).
_ENCODED_RECORDS = DerivedMemo(64)


def _respond(body: Any, status: int = 200) -> flask.Response:
    return flask.Response(_ENCODER.encode(body).encode("utf-8"), status=status, mimetype="application/json")


def _shown(record: Record, include_raw: bool) -> Record:
    if include_raw:
        return record
    return {key: value for key, value in record.items() if key != "raw_data"}


def _refuse(capabilities: Capabilities, operation_id: str) -> None:
    refusal = capabilities.refusal(operation_id)
    if refusal is not None:
        raise refusal.error()


def _page_response(page: Page, include_raw: bool, connection: Connection | None = None) -> flask.Response:
    """Encode a page, remembering the records' JSON when ``connection`` may return the same list again."""

    def encode() -> str:
        return _ENCODER.encode([_shown(record, include_raw) for record in page.records])

    if connection is not None and shares_bodies(connection.adapter.transport):
        records = _ENCODED_RECORDS.derive(page.records, include_raw, encode)
    else:
        records = encode()
    text = f'{{"pagination":{_ENCODER.encode(page.pagination())},"records":{records}}}'
    return flask.Response(text.encode("utf-8"), status=200, mimetype="application/json")


def _created(written: Written) -> flask.Response:
    return _respond({"record": {"id": written.id}}, 201)


# Cache upkeep ----------------------------------------------------------------------------


def _refresh(connection: Connection, capabilities: Capabilities, object_name: str, record_id: str, record: Record | None) -> None:
    """Put the new version of a written record into the cache (reading it back if needed)."""
    cache = connection.cache
    if not cache.is_synced(object_name):
        return
    if record is None:
        operation_id, method = GETTERS[object_name]
        if not capabilities.supports(operation_id):
            cache.mark_stale(object_name)
            return
        record = getattr(connection.adapter, method)(record_id)
    if object_name == "sequence":
        record = {key: value for key, value in record.items() if key != "steps"}
    cache.refresh(object_name, record)


# Generic shapes --------------------------------------------------------------------------


def _list(operation_id: str, object_name: str, call: Callable[[Adapter, ListQuery], Page]) -> flask.Response:
    connection, capabilities = _context()
    query = _list_query()
    include_raw = _flag("include_raw_data")
    if _flag("read_from_cache"):
        page = connection.cache.page(
            object_name, connection.customer_id, query.page_size, query.cursor, query.cursor_text, query.modified_after
        )
        return _page_response(page, include_raw)
    if query.modified_after is not None and capabilities.list_refuses_modified_after is not None:
        raise capabilities.list_refuses_modified_after.error()
    _refuse(capabilities, operation_id)
    return _page_response(call(connection.adapter, query), include_raw, connection)


def _get(operation_id: str, call: Callable[[Adapter], Record]) -> flask.Response:
    connection, capabilities = _context()
    _refuse(capabilities, operation_id)
    return _respond(_shown(call(connection.adapter), _flag("include_raw_data")))


def _create(operation_id: str, object_name: str, call: Callable[[Adapter, Record], Written]) -> flask.Response:
    connection, capabilities = _context()
    _refuse(capabilities, operation_id)
    record = _body().get("record") or {}
    with connection.lock:
        written = call(connection.adapter, record)
        _refresh(connection, capabilities, object_name, written.id, written.record)
    return _created(written)


def _update(operation_id: str, object_name: str, record_id: str, call: Callable[[Adapter, Record], Record | None]) -> flask.Response:
    connection, capabilities = _context()
    _refuse(capabilities, operation_id)
    record = _body().get("record") or {}
    with connection.lock:
        updated = call(connection.adapter, record)
        _refresh(connection, capabilities, object_name, record_id, updated)
    return _respond({})


# Accounts --------------------------------------------------------------------------------


def createAccount(**_: Any) -> flask.Response:
    return _create("createAccount", "account", lambda adapter, record: adapter.create_account(record))


def listAccounts(**_: Any) -> flask.Response:
    return _list("listAccounts", "account", lambda adapter, query: adapter.list_accounts(query))


def searchAccounts(**_: Any) -> flask.Response:
    connection, capabilities = _context()
    _refuse(capabilities, "searchAccounts")
    page = connection.adapter.search_accounts(_body().get("filter") or {})
    return _page_response(page, _flag("include_raw_data"), connection)


def getAccount(account_id: str, **_: Any) -> flask.Response:
    return _get("getAccount", lambda adapter: adapter.get_account(account_id))


def updateAccount(account_id: str, **_: Any) -> flask.Response:
    return _update("updateAccount", "account", account_id, lambda adapter, record: adapter.update_account(account_id, record))


def upsertAccount(**_: Any) -> flask.Response:
    connection, capabilities = _context()
    _refuse(capabilities, "upsertAccount")
    body = _body()
    with connection.lock:
        written = connection.adapter.upsert_account(body.get("record") or {}, body.get("upsert_on") or {})
        _refresh(connection, capabilities, "account", written.id, written.record)
    return _created(written)


# Contacts --------------------------------------------------------------------------------


def createContact(**_: Any) -> flask.Response:
    return _create("createContact", "contact", lambda adapter, record: adapter.create_contact(record))


def listContacts(**_: Any) -> flask.Response:
    return _list("listContacts", "contact", lambda adapter, query: adapter.list_contacts(query))


def searchContacts(**_: Any) -> flask.Response:
    return _search("searchContacts", "contacts", lambda adapter, filter, query: adapter.search_contacts(filter, query))


def getContact(contact_id: str, **_: Any) -> flask.Response:
    return _get("getContact", lambda adapter: adapter.get_contact(contact_id))


def updateContact(contact_id: str, **_: Any) -> flask.Response:
    return _update("updateContact", "contact", contact_id, lambda adapter, record: adapter.update_contact(contact_id, record))


def _search(operation_id: str, noun: str, call: Callable[[Adapter, Record, ListQuery], Page]) -> flask.Response:
    connection, capabilities = _context()
    query = _list_query()
    if _flag("read_from_cache"):
        # The reference service used the contacts message for both searches.
        raise NotImplementedUnifiedError("Cached search not yet implemented for engagement contacts.")
    _refuse(capabilities, operation_id)
    page = call(connection.adapter, _body().get("filter") or {}, query)
    return _page_response(page, _flag("include_raw_data"), connection)


# Users and mailboxes ---------------------------------------------------------------------


def listUsers(**_: Any) -> flask.Response:
    return _list("listUsers", "user", lambda adapter, query: adapter.list_users(query))


def getUser(user_id: str, **_: Any) -> flask.Response:
    return _get("getUser", lambda adapter: adapter.get_user(user_id))


def listMailboxes(**_: Any) -> flask.Response:
    return _list("listMailboxes", "mailbox", lambda adapter, query: adapter.list_mailboxes(query))


def getMailbox(mailbox_id: str, **_: Any) -> flask.Response:
    return _get("getMailbox", lambda adapter: adapter.get_mailbox(mailbox_id))


# Sequences and steps ---------------------------------------------------------------------


def createSequence(**_: Any) -> flask.Response:
    return _create("createSequence", "sequence", lambda adapter, record: adapter.create_sequence(record))


def listSequences(**_: Any) -> flask.Response:
    return _list("listSequences", "sequence", lambda adapter, query: adapter.list_sequences(query))


def getSequence(sequence_id: str, **_: Any) -> flask.Response:
    return _get("getSequence", lambda adapter: adapter.get_sequence(sequence_id))


def createSequenceStep(sequence_id: str, **_: Any) -> flask.Response:
    connection, capabilities = _context()
    _refuse(capabilities, "createSequenceStep")
    record = _body().get("record") or {}
    with connection.lock:
        written = connection.adapter.create_sequence_step(sequence_id, record)
        _refresh(connection, capabilities, "sequence", sequence_id, None)
    return _created(written)


def updateSequenceStep(sequence_id: str, sequence_step_id: str, **_: Any) -> flask.Response:
    connection, capabilities = _context()
    _refuse(capabilities, "updateSequenceStep")
    record = _body().get("record") or {}
    with connection.lock:
        connection.adapter.update_sequence_step(sequence_id, sequence_step_id, record)
        _refresh(connection, capabilities, "sequence", sequence_id, None)
    return _respond({})


# Sequence states -------------------------------------------------------------------------


def createSequenceState(**_: Any) -> flask.Response:
    return _create("createSequenceState", "sequence_state", lambda adapter, record: adapter.create_sequence_state(record))


def listSequenceStates(**_: Any) -> flask.Response:
    return _list("listSequenceStates", "sequence_state", lambda adapter, query: adapter.list_sequence_states(query))


def searchSequenceStates(**_: Any) -> flask.Response:
    return _search(
        "searchSequenceStates", "sequence states", lambda adapter, filter, query: adapter.search_sequence_states(filter, query)
    )


def batchCreateSequenceState(**_: Any) -> flask.Response:
    connection, capabilities = _context()
    _refuse(capabilities, "batchCreateSequenceState")
    records = _body().get("records") or []
    with connection.lock:
        written = connection.adapter.batch_create_sequence_state(records)
        for item in written:
            _refresh(connection, capabilities, "sequence_state", item.id, item.record)
    return _respond({"records": [{"id": item.id} for item in written]}, 201)


def getSequenceState(sequence_state_id: str, **_: Any) -> flask.Response:
    return _get("getSequenceState", lambda adapter: adapter.get_sequence_state(sequence_state_id))


HANDLERS: dict[str, Callable[..., flask.Response]] = {operation_id: globals()[operation_id] for operation_id in OPERATION_IDS}
