"""Checks that openapi.yaml is a valid, faithful and well-nested Unified Engagement API spec.

The spec was rebuilt by tools/rebuild_openapi.py from a whitespace-collapsed PyYAML dump
whose sequence step type table had lost its HTML markup. Loading openapi.yaml, dumping it
the same way and collapsing the whitespace reproduces that text, except inside the two
copies of the table description, where only the cell text can be compared.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

REPO_ROOT = Path(__file__).resolve().parents[1]
SPEC_PATH = REPO_ROOT / "openapi.yaml"
REBUILD_SCRIPT = REPO_ROOT / "tools" / "rebuild_openapi.py"
COLLAPSED_DIR = REPO_ROOT.parent / "shared" / "seed"
COLLAPSED_DUMP = COLLAPSED_DIR / "000_c81666541c2a34e8.txt"

# The table description runs from this phrase to the next property of the step schema.
TABLE_START = "See below for"
TABLE_END = " task_note:"

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

EXPECTED_OPERATION_IDS = [
    "createAccount",
    "listAccounts",
    "searchAccounts",
    "getAccount",
    "updateAccount",
    "upsertAccount",
    "createContact",
    "listContacts",
    "searchContacts",
    "getContact",
    "updateContact",
    "listUsers",
    "getUser",
    "listMailboxes",
    "getMailbox",
    "createSequence",
    "listSequences",
    "getSequence",
    "createSequenceStep",
    "updateSequenceStep",
    "createSequenceState",
    "listSequenceStates",
    "searchSequenceStates",
    "batchCreateSequenceState",
    "getSequenceState",
]

# Schema Object fields of OpenAPI 3.0.3: the JSON Schema subset plus the OpenAPI additions.
SCHEMA_KEYWORDS = {
    "title",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxProperties",
    "minProperties",
    "required",
    "enum",
    "type",
    "allOf",
    "oneOf",
    "anyOf",
    "not",
    "items",
    "properties",
    "additionalProperties",
    "description",
    "format",
    "default",
    "nullable",
    "discriminator",
    "readOnly",
    "writeOnly",
    "xml",
    "externalDocs",
    "example",
    "deprecated",
    "$ref",
}
PARAMETER_FIELDS = {
    "name",
    "in",
    "description",
    "required",
    "deprecated",
    "allowEmptyValue",
    "style",
    "explode",
    "allowReserved",
    "schema",
    "example",
    "examples",
    "content",
}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def collapsed_dump() -> str:
    if not COLLAPSED_DIR.is_dir():
        pytest.skip(f"{COLLAPSED_DIR} is absent, so the collapsed dump the spec was rebuilt from cannot be read")
    return COLLAPSED_DUMP.read_text(encoding="utf-8")


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def split_table_descriptions(text: str) -> tuple[list[str], list[str]]:
    """Split collapsed text into the parts outside the table descriptions and those inside."""
    outside, tables = [], []
    position = 0
    while (start := text.find(TABLE_START, position)) >= 0:
        end = text.index(TABLE_END, start)
        outside.append(text[position:start])
        tables.append(text[start:end])
        position = end
    outside.append(text[position:])
    return outside, tables


def table_text(region: str) -> str:
    """Return the words of a table description run together.

    YAML escapes (`\\n`, and `\\ ` where a line was folded), pipes and delimiter cells are
    dropped, and so are the spaces, because the stripped markup ran the cells together.
    """
    text = re.sub(r"\\[n ]", " ", region)
    text = re.sub(r"(?<!\S):?-{3,}:?(?!\S)", " ", text)
    return re.sub(r"\s+", "", text.replace("|", " "))


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, path_item in spec["paths"].items():
        for method, operation in path_item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def walk(node: Any, location: str = "#") -> Iterator[tuple[str, Any]]:
    yield location, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, f"{location}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{location}/{index}")


def resolve_pointer(spec: dict[str, Any], ref: str) -> Any:
    node: Any = spec
    for token in ref.removeprefix("#/").split("/"):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


def schemas_in(schema: Any, location: str) -> Iterator[tuple[str, Any]]:
    """Yield a schema and every subschema below it, not entering examples or defaults."""
    yield location, schema
    if not isinstance(schema, dict):
        return
    for name, subschema in (schema.get("properties") or {}).items():
        yield from schemas_in(subschema, f"{location}/properties/{name}")
    for keyword in ("items", "not", "additionalProperties"):
        if isinstance(schema.get(keyword), dict):
            yield from schemas_in(schema[keyword], f"{location}/{keyword}")
    for keyword in ("allOf", "oneOf", "anyOf"):
        for index, subschema in enumerate(schema.get(keyword) or []):
            yield from schemas_in(subschema, f"{location}/{keyword}/{index}")


def media_type_schemas(holder: dict[str, Any], location: str) -> Iterator[tuple[str, Any]]:
    """Yield the schemas of a request body or response, and below them."""
    for media_type, media in (holder.get("content") or {}).items():
        if "schema" in media:
            yield from schemas_in(media["schema"], f"{location}/content/{media_type}/schema")


def all_schemas(spec: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Yield every schema of the spec: components, parameters, request bodies and responses."""
    components = spec["components"]
    for name, schema in components["schemas"].items():
        yield from schemas_in(schema, f"#/components/schemas/{name}")
    for name, parameter in components["parameters"].items():
        yield from schemas_in(parameter["schema"], f"#/components/parameters/{name}/schema")
    for name, response in components["responses"].items():
        yield from media_type_schemas(response, f"#/components/responses/{name}")

    for path, path_item in spec["paths"].items():
        for index, parameter in enumerate(path_item.get("parameters", [])):
            if "schema" in parameter:
                yield from schemas_in(parameter["schema"], f"{path}/parameters/{index}/schema")
    for path, method, operation in operations(spec):
        location = f"{path} {method}"
        for index, parameter in enumerate(operation.get("parameters", [])):
            if "schema" in parameter:
                yield from schemas_in(parameter["schema"], f"{location}/parameters/{index}/schema")
        if "requestBody" in operation:
            yield from media_type_schemas(operation["requestBody"], f"{location}/requestBody")
        for status, response in operation["responses"].items():
            yield from media_type_schemas(response, f"{location}/responses/{status}")


def load_rebuild_script() -> Any:
    module_spec = importlib.util.spec_from_file_location("rebuild_openapi", REBUILD_SCRIPT)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    # Dataclasses look their module up in sys.modules while the class body runs.
    sys.modules[module_spec.name] = module
    module_spec.loader.exec_module(module)
    return module


def test_spec_validates_as_openapi_30(spec: dict[str, Any]) -> None:
    assert spec["openapi"] == "3.0.3"
    validate(spec)


def test_spec_counts(spec: dict[str, Any]) -> None:
    assert len(spec["paths"]) == 19
    assert len(list(operations(spec))) == 25
    assert len(spec["components"]["schemas"]) == 21
    assert len(spec["components"]["parameters"]) == 12
    assert len(spec["components"]["responses"]) == 9


def test_operation_ids_in_document_order(spec: dict[str, Any]) -> None:
    assert [operation["operationId"] for _, _, operation in operations(spec)] == EXPECTED_OPERATION_IDS


def test_dump_reproduces_collapsed_source(spec: dict[str, Any], collapsed_dump: str) -> None:
    dumped = collapse(yaml.safe_dump(spec, sort_keys=False, width=80))
    outside, tables = split_table_descriptions(dumped)
    source_outside, source_tables = split_table_descriptions(collapse(collapsed_dump))

    assert len(tables) == len(source_tables) == 2
    assert outside == source_outside
    for table, source_table in zip(tables, source_tables, strict=True):
        assert table_text(table) == table_text(source_table)


def test_rebuild_script_reproduces_spec(spec: dict[str, Any], collapsed_dump: str) -> None:
    rebuild_openapi = load_rebuild_script()

    assert rebuild_openapi.rebuild(collapsed_dump) == spec


@pytest.mark.parametrize("schema_name", ["sequence_step", "create_sequence_step"])
def test_step_type_table_is_markdown(spec: dict[str, Any], schema_name: str) -> None:
    step_type = spec["components"]["schemas"][schema_name]["properties"]["type"]
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in step_type["description"].splitlines()
        if line.strip().startswith("|")
    ]

    assert rows[0] == ["Provider", *step_type["enum"]]
    assert all(re.fullmatch(r"-{3,}", cell) for cell in rows[1])
    assert [row[0] for row in rows[2:]] == ["Apollo", "Outreach", "Salesloft"]
    assert all(len(row) == len(rows[0]) for row in rows)


def test_every_ref_resolves(spec: dict[str, Any]) -> None:
    refs = [(location, node["$ref"]) for location, node in walk(spec) if isinstance(node, dict) and "$ref" in node]

    assert refs
    for location, ref in refs:
        assert ref.startswith("#/"), f"{location}: {ref!r} is not a local reference"
        resolve_pointer(spec, ref)


def test_references_have_no_siblings(spec: dict[str, Any]) -> None:
    for location, node in walk(spec):
        if isinstance(node, dict) and "$ref" in node:
            assert list(node) == ["$ref"], f"{location} has keys {list(node)} beside $ref"


def test_parameters_are_parameter_objects_or_refs(spec: dict[str, Any]) -> None:
    parameter_lists = [(path, path_item.get("parameters", [])) for path, path_item in spec["paths"].items()]
    parameter_lists += [(f"{path} {method}", operation["parameters"]) for path, method, operation in operations(spec)]
    parameter_lists.append(("components", list(spec["components"]["parameters"].values())))

    for location, parameters in parameter_lists:
        assert isinstance(parameters, list), f"{location}: parameters is not a list"
        for parameter in parameters:
            assert isinstance(parameter, dict), f"{location}: {parameter!r} is not a mapping"
            if "$ref" in parameter:
                assert parameter["$ref"].startswith("#/components/parameters/")
                continue
            assert set(parameter) <= PARAMETER_FIELDS, f"{location}: {sorted(set(parameter) - PARAMETER_FIELDS)}"
            assert {"name", "in", "schema"} <= set(parameter), f"{location}: {parameter!r}"
            assert parameter["in"] in {"query", "header", "path", "cookie"}


def test_schemas_use_schema_keywords_only(spec: dict[str, Any]) -> None:
    for location, schema in all_schemas(spec):
        assert isinstance(schema, dict), f"{location} is not a mapping"
        assert set(schema) <= SCHEMA_KEYWORDS, f"{location}: {sorted(set(schema) - SCHEMA_KEYWORDS)}"


def test_required_names_declared_properties(spec: dict[str, Any]) -> None:
    for location, schema in all_schemas(spec):
        if "required" in schema:
            assert isinstance(schema["required"], list), f"{location}: required is not a list"
            assert set(schema["required"]) <= set(schema.get("properties", {})), location


def test_scalar_keywords_have_scalar_values(spec: dict[str, Any]) -> None:
    for location, schema in all_schemas(spec):
        for keyword in ("type", "format", "description", "nullable", "deprecated"):
            if keyword in schema:
                assert isinstance(schema[keyword], str | bool), f"{location}/{keyword}: {schema[keyword]!r}"
