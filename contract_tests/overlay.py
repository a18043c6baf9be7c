"""Test-only overlays on ``openapi.yaml`` for the Schemathesis runs.

The contract itself is never changed. A Schemathesis run reads a copy with these changes,
each of which narrows generated data to what a documented decision makes valid, or
declares an error response the reference service gave but the spec left out:

* ``x-provider-name`` is fixed to the provider under test, because any other provider
  name is a documented 404.
* ``page_size`` is a whole number within the range the sandbox accepts, because the
  spec types it as a free string while the sandbox rejects anything else with 400.
* ``cursor`` is empty in positive data, because a made-up cursor is a documented 400
  (except on ``searchAccounts``, which ignores its cursor).
* ``read_from_cache`` is false on searches, because cached search is a documented 501.
* the error responses every other operation declares are added to the operations that
  list only their success code (``_search``, ``_upsert``, the step PATCH), because those
  operations return the same validation and provider errors.
* a nullable enum lists ``null`` among its values, because the spec marks those fields
  nullable (Outreach reads email types back as null) and OpenAPI 3.0.3 only lets an enum
  take null when null is listed.
* creates link to the reads of the record they return, so that the stateful phase reads
  and updates real records.
* per provider, request fields follow the vendor's rules where the server rejects every
  request outside the narrowed schema with a 4xx (a required, non-empty mailbox for Apollo
  and Outreach; whole-day intervals and no dates, LinkedIn steps or template ids for
  Salesloft). Rules that JSON Schema cannot express exactly (at least one of name or
  domain) are handled in the runner's expected statuses instead.
"""

from __future__ import annotations

import copy
from typing import Any

from mock_server.app import load_spec

ERROR_STATUSES = ("400", "401", "403", "404", "409", "422", "499", "500", "501")
ERROR_RESPONSE_REFS = {
    "400": "badRequest",
    "401": "unauthorized",
    "403": "forbidden",
    "404": "notFound",
    "409": "conflict",
    "422": "unprocessableEntity",
    "499": "remoteProviderError",
    "500": "internalServerError",
    "501": "notImplemented",
}
PAGE_SIZE_PATTERNS = {
    1000: "^([1-9][0-9]{0,2}|1000)$",
    100: "^([1-9][0-9]?|100)$",
}


def _operations(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for item in spec["paths"].values():
        for _method, operation in item.items():
            if isinstance(operation, dict) and "operationId" in operation:
                found[operation["operationId"]] = operation
    return found


def _request_schema(operation: dict[str, Any]) -> dict[str, Any]:
    return operation["requestBody"]["content"]["application/json"]["schema"]  # type: ignore[no-any-return]


def overlay_for(provider: str) -> dict[str, Any]:
    """Return a copy of the spec narrowed for a Schemathesis run against ``provider``."""
    spec = copy.deepcopy(load_spec())
    parameters = spec["components"]["parameters"]
    parameters["x-provider-name"]["schema"] = {"type": "string", "enum": [provider]}
    parameters["page_size"]["schema"] = {"type": "string", "pattern": PAGE_SIZE_PATTERNS[1000]}
    parameters["remote_provider_page_size"]["schema"] = {"type": "string", "pattern": PAGE_SIZE_PATTERNS[100]}
    operations = _operations(spec)
    empty_cursor = {"name": "cursor", "in": "query", "schema": {"type": "string", "enum": [""]}}
    for operation_id, operation in operations.items():
        if operation_id != "searchAccounts":
            operation["parameters"] = [
                empty_cursor if parameter.get("$ref") == "#/components/parameters/cursor" else parameter
                for parameter in operation.get("parameters", [])
            ]

    for operation in operations.values():
        responses = operation["responses"]
        for status in ERROR_STATUSES:
            responses.setdefault(status, {"$ref": f"#/components/responses/{ERROR_RESPONSE_REFS[status]}"})

    for operation_id in ("searchContacts", "searchSequenceStates"):
        operation = operations[operation_id]
        operation["parameters"] = [
            {"name": "read_from_cache", "in": "query", "schema": {"type": "boolean", "enum": [False]}}
            if parameter.get("$ref") == "#/components/parameters/read_from_cache"
            else parameter
            for parameter in operation["parameters"]
        ]

    _list_null_in_nullable_enums(spec)
    _link_created_records(operations)
    VENDOR_RULES[provider](spec, operations)
    return spec


# Which operations read a record that a create returns, and the path parameter they take.
CREATED_RECORD_READERS = {
    "createAccount": [("getAccount", "account_id"), ("updateAccount", "account_id")],
    "upsertAccount": [("getAccount", "account_id"), ("updateAccount", "account_id")],
    "createContact": [("getContact", "contact_id"), ("updateContact", "contact_id")],
    "createSequence": [("getSequence", "sequence_id"), ("createSequenceStep", "sequence_id")],
    "createSequenceState": [("getSequenceState", "sequence_state_id")],
}


def _link_created_records(operations: dict[str, dict[str, Any]]) -> None:
    """Add OpenAPI links from each create to the reads of its record, for stateful runs."""
    for creator, readers in CREATED_RECORD_READERS.items():
        response = operations[creator]["responses"]["201"]
        response["links"] = {
            f"{reader}By{parameter.title().replace('_', '')}": {
                "operationId": reader,
                "parameters": {parameter: "$response.body#/record/id"},
            }
            for reader, parameter in readers
        }


def _list_null_in_nullable_enums(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("nullable") is True and isinstance(node.get("enum"), list) and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
        for value in node.values():
            _list_null_in_nullable_enums(value)
    elif isinstance(node, list):
        for value in node:
            _list_null_in_nullable_enums(value)


def _require_mailbox(spec: dict[str, Any]) -> None:
    # An empty mailbox id counts as missing, as it did in the reference service.
    state = spec["components"]["schemas"]["create_sequence_state"]
    state["required"] = sorted(set(state["required"]) | {"mailbox_id"})
    state["properties"]["mailbox_id"] = {**state["properties"]["mailbox_id"], "minLength": 1}


def _apollo(spec: dict[str, Any], operations: dict[str, dict[str, Any]]) -> None:
    # Apollo enrols with a mailbox, like Outreach.
    _require_mailbox(spec)


def _outreach(spec: dict[str, Any], operations: dict[str, dict[str, Any]]) -> None:
    _require_mailbox(spec)


def _salesloft(spec: dict[str, Any], operations: dict[str, dict[str, Any]]) -> None:
    # Salesloft steps: relative whole-day intervals, no dates, no LinkedIn, no template ids.
    step = spec["components"]["schemas"]["create_sequence_step"]
    step["properties"].pop("date", None)
    step["properties"]["interval_seconds"] = {"type": "integer", "multipleOf": 86400, "minimum": 0, "maximum": 8640000}
    step["properties"]["type"] = {**step["properties"]["type"], "enum": ["auto_email", "manual_email", "call", "task"]}
    template = step["properties"]["template"]
    step["properties"]["template"] = next(
        variant for variant in template["oneOf"] if "id" not in variant.get("properties", {})
    )


VENDOR_RULES = {"apollo": _apollo, "outreach": _outreach, "salesloft": _salesloft}
