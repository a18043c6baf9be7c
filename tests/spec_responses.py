"""Validate unified API responses against the response schemas of ``openapi.yaml``."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from openapi_schema_validator import OAS30Validator

from mock_server.app import load_spec

HTTP_METHODS = ("get", "put", "post", "delete", "patch")


@lru_cache(maxsize=1)
def _spec() -> dict[str, Any]:
    return load_spec()


@lru_cache(maxsize=1)
def _operations() -> dict[str, tuple[str, str, dict[str, Any]]]:
    found = {}
    for path, item in _spec()["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                found[item[method]["operationId"]] = (method, path, item[method])
    return found


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        parts = node["$ref"].lstrip("#/").split("/")
        target: Any = _spec()
        for part in parts:
            target = target[part]
        node = target
    return node


def response_schema(operation_id: str, status: int) -> dict[str, Any] | None:
    """Return the JSON schema the spec declares for this status, or None if undeclared."""
    _method, _path, operation = _operations()[operation_id]
    responses = operation["responses"]
    declared = responses.get(str(status)) or responses.get("default")
    if declared is None:
        return None
    content = _resolve(declared).get("content", {})
    media = content.get("application/json")
    return media.get("schema") if media else {}


def _list_null_in_nullable_enums(node: Any) -> Any:
    """Return ``node`` with null added to every nullable enum.

    The spec marks such fields nullable (Outreach reads email types back as null), and
    under OpenAPI 3.0.3 an enum takes null only when null is listed.
    """
    if isinstance(node, dict):
        updated = {key: _list_null_in_nullable_enums(value) for key, value in node.items()}
        if updated.get("nullable") is True and isinstance(updated.get("enum"), list) and None not in updated["enum"]:
            updated["enum"] = [*updated["enum"], None]
        return updated
    if isinstance(node, list):
        return [_list_null_in_nullable_enums(value) for value in node]
    return node


@lru_cache(maxsize=1)
def _components() -> dict[str, Any]:
    return _list_null_in_nullable_enums(_spec()["components"])  # type: ignore[no-any-return]


def assert_conforms(operation_id: str, status: int, body: Any) -> None:
    """Fail unless ``status`` is declared for the operation and ``body`` matches its schema.

    Error statuses that the spec leaves out for an operation (its ``_search``/``_upsert``
    paths list only success) are checked against the common ``errors`` shape instead.
    """
    schema = response_schema(operation_id, status)
    if schema is None:
        assert status >= 400, f"{operation_id} answered undeclared status {status}"
        schema = {"type": "object", "properties": {"errors": {"$ref": "#/components/schemas/errors"}}, "required": ["errors"]}
    validator = OAS30Validator({**_list_null_in_nullable_enums(schema), "components": _components()})
    errors = sorted(validator.iter_errors(body), key=lambda error: list(error.absolute_path))
    assert not errors, f"{operation_id} {status} does not match the spec: " + "; ".join(
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}" for error in errors[:5]
    )


def operation_for(method: str, path: str) -> str:
    """Return the operationId that serves ``method path`` (path relative to the base path)."""
    for operation_id, (spec_method, template, _operation) in _operations().items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if spec_method == method.lower() and re.match(pattern, path):
            return operation_id
    raise KeyError(f"No operation for {method} {path}")
