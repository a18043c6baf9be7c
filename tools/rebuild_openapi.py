"""Rebuild openapi.yaml from a whitespace-collapsed YAML dump of the spec.

The input is the spec as `yaml.safe_dump(spec, sort_keys=False, width=80)` writes it, with
every run of whitespace collapsed to one space. One double-quoted description (the type of
a sequence step) also lost the HTML markup of its table: only the cell text is left, one
table row per line.

Collapsing loses the indentation, so the nesting is recovered from OpenAPI 3.0 itself.
Each object type declares its fixed fields and the kind of value each one holds, and a
key that the innermost open object cannot take closes that object. Where several open
objects could take a key, `Parser.choose_by_rules` and `Parser.choose_in_example` decide,
and `--explain` prints every such decision.

Usage: python tools/rebuild_openapi.py [--explain] COLLAPSED_SPEC [OUTPUT]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

KEY, DASH, SCALAR, EMPTY = "key", "dash", "scalar", "empty"


class ParseError(ValueError):
    """Raised when the token stream does not fit any OpenAPI nesting."""


# --- Tokens ----------------------------------------------------------------------------


@dataclass
class Token:
    kind: str
    value: Any
    offset: int
    quote: str = ""  # "'" or '"' for a quoted scalar or key, "" for a plain one
    raw: str = ""  # undecoded text of a double-quoted scalar


def tokenize(text: str) -> list[Token]:
    """Split collapsed block YAML into keys, sequence dashes, scalars and empty collections."""
    tokens: list[Token] = []
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return tokens

        if text[pos] in "'\"":
            end = _quoted_end(text, pos)
            raw = text[pos + 1 : end - 1]
            quote = text[pos]
            value = raw.replace("''", "'") if quote == "'" else None
            # A line break left inside a double-quoted scalar marks the stripped table. The
            # parser rebuilds that description from `raw` once it has read the step types.
            if quote == '"' and "\n" not in raw:
                value = decode_double_quoted(raw)
            if _is_key_end(text, end):
                tokens.append(Token(KEY, value, pos, quote))
                pos = end + 1
            else:
                tokens.append(Token(SCALAR, value, pos, quote, raw))
                pos = end
            continue

        if text.startswith("- ", pos):
            tokens.append(Token(DASH, None, pos))
            pos += 1
            continue

        end = _word_end(text, pos)
        word = text[pos:end]
        if word in ("[]", "{}"):
            tokens.append(Token(EMPTY, yaml.safe_load(word), pos))
        elif word.endswith(":"):
            tokens.append(Token(KEY, yaml.safe_load(word[:-1]), pos))
        else:
            end = _plain_end(text, end)
            tokens.append(Token(SCALAR, yaml.safe_load(text[pos:end]), pos))
        pos = end


def _quoted_end(text: str, start: int) -> int:
    """Return the offset just past the closing quote of the scalar opened at `start`."""
    quote = text[start]
    pos = start + 1
    while pos < len(text):
        if quote == '"' and text[pos] == "\\":
            pos += 2
        elif text[pos] == quote:
            if quote == "'" and text.startswith("''", pos):
                pos += 2
            else:
                return pos + 1
        else:
            pos += 1
    raise ParseError(f"unterminated {quote}-quoted scalar at offset {start}")


def _is_key_end(text: str, pos: int) -> bool:
    return text.startswith(":", pos) and (pos + 1 == len(text) or text[pos + 1] == " ")


def _word_end(text: str, pos: int) -> int:
    end = text.find(" ", pos)
    return len(text) if end < 0 else end


def _plain_end(text: str, end: int) -> int:
    """Extend a plain scalar over the following words up to the next key or dash.

    A plain scalar never contains ": ", so any word ending in a colon starts a key.

    NOTE: PyYAML may write a plain scalar with " - " inside it, which this split would read
    as a sequence dash. The input has none: the faithfulness test would show such a split.
    """
    while end < len(text):
        start = end + 1
        next_end = _word_end(text, start)
        word = text[start:next_end]
        if word == "-" or word.endswith(":"):
            break
        if word and word[0] in "'\"" and _is_key_end(text, _quoted_end(text, start)):
            break
        end = next_end
    return end


# --- Scalars ---------------------------------------------------------------------------


def decode_double_quoted(raw: str) -> str:
    """Decode a collapsed double-quoted scalar.

    PyYAML folds a long double-quoted line by ending it with a backslash, and escapes a
    space that would start the next line. After collapsing, a fold reads `\\ ` and an
    escaped space right after it reads `\\ ` too: `to\\ \\ read` is "to read".
    """
    parts = []
    after_fold = False
    pos = 0
    while pos < len(raw):
        if raw.startswith("\\ ", pos):
            parts.append("\\ " if after_fold else "\\\n")
            after_fold = not after_fold
            pos += 2
        elif raw[pos] == "\\":
            parts.append(raw[pos : pos + 2])
            after_fold = False
            pos += 2
        else:
            parts.append(raw[pos])
            after_fold = False
            pos += 1
    return yaml.safe_load('"' + "".join(parts) + '"')


def restore_markdown_breaks(text: str) -> str:
    """Put back the line breaks that markdown blocks need in a collapsed description.

    Headings, code fences, admonitions (`:::name` ... `:::`) and table rows get their own
    lines, with a blank line around each block. Every other break stays a single space. A
    trailing space marks a description that ended with a line break.
    """
    words = text.split(" ")
    breaks = [" "] * (len(words) - 1)

    def set_break(index: int, line_break: str) -> None:
        if 0 <= index < len(breaks) and line_break.count("\n") > breaks[index].count("\n"):
            breaks[index] = line_break

    fence_open = False
    for index, word in enumerate(words):
        if word.startswith("```") or word.startswith(":::"):
            set_break(index - 1, "\n" if fence_open else "\n\n")
            set_break(index, "\n\n" if fence_open else "\n")
            fence_open = not fence_open
        elif not fence_open and re.fullmatch(r"#{1,6}", word):
            set_break(index - 1, "\n\n")
            set_break(index + _heading_length(words[index + 1 :]), "\n\n")

    for start, end, row_ends in _markdown_tables(words):
        set_break(start - 1, "\n\n")
        for row_end in row_ends:
            set_break(row_end, "\n")
        set_break(end, "\n\n")

    if words[-1] == "":
        breaks[-1] = "\n"
    return "".join(word + line_break for word, line_break in zip(words, breaks + [""], strict=True))


def _heading_length(words: list[str]) -> int:
    """Count the words of a heading title in a collapsed text.

    The title is the run of capitalised words, except that a capitalised word followed by
    a lower-case one starts the next sentence: "Introduction Welcome to" has a one-word
    title, "Base API URL ```" a three-word one.
    """
    length = 0
    while length < len(words) and words[length][:1].isupper():
        length += 1
    if 1 < length < len(words) and words[length][:1].islower():
        length -= 1
    return length


def _markdown_tables(words: list[str]) -> list[tuple[int, int, list[int]]]:
    """Find pipe tables as (first word, last word, last word of each row).

    The delimiter row (`| --- | --- |`) gives the column count, which fixes where each
    row ends: a row is a pipe followed by one cell and one pipe per column.
    """
    tables = []
    for index in range(1, len(words) - 2):
        if words[index - 1] != "|" or words[index] != "|" or not _is_delimiter(words[index + 1]):
            continue
        columns = 0
        end = index
        while end + 2 < len(words) and _is_delimiter(words[end + 1]) and words[end + 2] == "|":
            columns += 1
            end += 2
        start = _row_start(words, index - 1, columns)
        row_ends = [index - 1, end]
        while end + 1 < len(words) and words[end + 1] == "|":
            end = _row_end(words, end + 1, columns)
            row_ends.append(end)
        tables.append((start, end, row_ends))
    return tables


def _is_delimiter(word: str) -> bool:
    return re.fullmatch(r":?-{3,}:?", word) is not None


def _row_start(words: list[str], last_pipe: int, columns: int) -> int:
    index = last_pipe
    for _ in range(columns):
        index -= 1
        while words[index] != "|":
            index -= 1
    return index


def _row_end(words: list[str], first_pipe: int, columns: int) -> int:
    index = first_pipe
    for _ in range(columns):
        index += 1
        while words[index] != "|":
            index += 1
    return index


def rebuild_table_description(raw: str, step_types: list[str]) -> str:
    """Rebuild the sequence step `type` description around its stripped HTML table.

    `raw` is the double-quoted scalar as it is after the markup was removed: the text
    and the whitespace left by the markup, then one line per table row holding the row's
    cell texts run together. The step types (the schema's `enum`) are the header cells
    after the first one, which lets each row be split into the same number of cells. The
    table is written as a markdown pipe table, indented by two spaces like the HTML block
    it replaces. The indent also keeps a line break followed by a space in the value, so
    PyYAML still dumps it double-quoted and the text before the table keeps its form.
    """
    text, *rows, tail = raw.split("\n")
    intro = decode_double_quoted(text)
    if not intro.strip().endswith(":"):
        raise ParseError(f"expected the text before the table to end in a colon: {intro!r}")

    cells = [_split_cells(decode_double_quoted(row), step_types) for row in rows]
    if cells[0][1:] != step_types:
        raise ParseError(f"table header {cells[0]!r} does not list the step types {step_types!r}")
    for row in cells:
        if len(row) != len(cells[0]):
            raise ParseError(f"table row {row!r} does not have {len(cells[0])} cells")

    lines = [_table_line(cells[0]), _table_line(["---"] * len(cells[0]))]
    lines += [_table_line(row) for row in cells[1:]]
    return intro.rstrip() + "\n\n" + "\n".join("  " + line for line in lines) + decode_double_quoted(tail)


def _split_cells(row: str, step_types: list[str]) -> list[str]:
    """Split cell texts that were run together: "Apolloauto_emailcallaction_item...".

    A cell is a step type, a parenthesised phrase, or a run of text that ends where a step
    type, a capital letter or an opening parenthesis begins.
    """
    known = sorted(step_types, key=len, reverse=True)
    cells = []
    while row:
        match = next((name for name in known if row.startswith(name)), None)
        if match is None and row.startswith("("):
            match = row[: row.index(")") + 1]
        if match is None:
            end = 1
            while end < len(row) and not (
                row[end].isupper() or row[end] == "(" or any(row.startswith(name, end) for name in known)
            ):
                end += 1
            match = row[:end]
        cells.append(match)
        row = row[len(match) :]
    return cells


def _table_line(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


# --- OpenAPI 3.0 object model ------------------------------------------------------------

# A value kind is SCALAR, ANY (an example: any shape), "seq:<item kind>", "schemaOrBool",
# an object kind from FIELDS, or a name map from NAME_MAPS.
ANY = "any"

SCHEMA_FIELDS: dict[str, str] = {
    **dict.fromkeys(
        "title multipleOf maximum exclusiveMaximum minimum exclusiveMinimum maxLength "
        "minLength pattern maxItems minItems uniqueItems maxProperties minProperties type "
        "description format nullable readOnly writeOnly deprecated $ref".split(),
        SCALAR,
    ),
    "required": "seq:scalar",
    "enum": "seq:scalar",
    "allOf": "seq:schema",
    "oneOf": "seq:schema",
    "anyOf": "seq:schema",
    "not": "schema",
    "items": "schema",
    "properties": "properties",
    "additionalProperties": "schemaOrBool",
    "default": ANY,
    "example": ANY,
    "discriminator": "discriminator",
    "xml": "xml",
    "externalDocs": "externalDocs",
}

OPERATION_FIELDS: dict[str, str] = {
    "tags": "seq:scalar",
    "summary": SCALAR,
    "description": SCALAR,
    "externalDocs": "externalDocs",
    "operationId": SCALAR,
    "parameters": "seq:parameter",
    "requestBody": "requestBody",
    "responses": "responses",
    "callbacks": "callbackMap",
    "deprecated": SCALAR,
    "security": "seq:securityRequirement",
    "servers": "seq:server",
}

DOCUMENT_FIELDS: dict[str, str] = {
    "openapi": SCALAR,
    "info": "info",
    "servers": "seq:server",
    "paths": "paths",
    "components": "components",
    "security": "seq:securityRequirement",
    "tags": "seq:tag",
    "externalDocs": "externalDocs",
}

HTTP_METHODS = "get put post delete options head patch trace".split()

FIELDS: dict[str, dict[str, str]] = {
    "document": DOCUMENT_FIELDS,
    "info": {
        **dict.fromkeys(["title", "description", "termsOfService", "version"], SCALAR),
        "contact": "contact",
        "license": "license",
    },
    "contact": dict.fromkeys(["name", "url", "email"], SCALAR),
    "license": dict.fromkeys(["name", "url"], SCALAR),
    "server": {"url": SCALAR, "description": SCALAR, "variables": "serverVariableMap"},
    "serverVariable": {"enum": "seq:scalar", "default": SCALAR, "description": SCALAR},
    "tag": {"name": SCALAR, "description": SCALAR, "externalDocs": "externalDocs"},
    "externalDocs": dict.fromkeys(["description", "url"], SCALAR),
    "pathItem": {
        **dict.fromkeys(["$ref", "summary", "description"], SCALAR),
        **dict.fromkeys(HTTP_METHODS, "operation"),
        "servers": "seq:server",
        "parameters": "seq:parameter",
    },
    "operation": OPERATION_FIELDS,
    "parameter": {
        **dict.fromkeys(
            "$ref name in description required deprecated allowEmptyValue style explode allowReserved".split(),
            SCALAR,
        ),
        "schema": "schema",
        "example": ANY,
        "examples": "exampleMap",
        "content": "content",
    },
    "header": {
        **dict.fromkeys("$ref description required deprecated style explode".split(), SCALAR),
        "schema": "schema",
        "example": ANY,
        "examples": "exampleMap",
        "content": "content",
    },
    "requestBody": {"$ref": SCALAR, "description": SCALAR, "content": "content", "required": SCALAR},
    "mediaType": {"schema": "schema", "example": ANY, "examples": "exampleMap", "encoding": "encodingMap"},
    "encoding": {
        **dict.fromkeys("contentType style explode allowReserved".split(), SCALAR),
        "headers": "headerMap",
    },
    "response": {
        "$ref": SCALAR,
        "description": SCALAR,
        "headers": "headerMap",
        "content": "content",
        "links": "linkMap",
    },
    "exampleObject": {
        **dict.fromkeys(["$ref", "summary", "description", "externalValue"], SCALAR),
        "value": ANY,
    },
    "link": {
        **dict.fromkeys("$ref operationRef operationId description".split(), SCALAR),
        "parameters": ANY,
        "requestBody": ANY,
        "server": "server",
    },
    "components": {
        "schemas": "schemaMap",
        "responses": "responseMap",
        "parameters": "parameterMap",
        "examples": "exampleMap",
        "requestBodies": "requestBodyMap",
        "headers": "headerMap",
        "securitySchemes": "securitySchemeMap",
        "links": "linkMap",
        "callbacks": "callbackMap",
    },
    "securityScheme": {
        **dict.fromkeys("type description name in scheme bearerFormat openIdConnectUrl".split(), SCALAR),
        "flows": ANY,
    },
    "schema": SCHEMA_FIELDS,
    "discriminator": {"propertyName": SCALAR, "mapping": ANY},
    "xml": dict.fromkeys("name namespace prefix attribute wrapped".split(), SCALAR),
}


def _any_name(name: object) -> bool:
    return isinstance(name, str)


def _is_status_code(name: object) -> bool:
    return isinstance(name, str) and re.fullmatch(r"[1-5](\d\d|XX)|default", name) is not None


def _is_security_scheme_name(name: object) -> bool:
    # A security requirement maps scheme names to scope lists, so a key that the enclosing
    # Operation or document takes as a fixed field ends the requirement.
    return isinstance(name, str) and name not in OPERATION_FIELDS and name not in DOCUMENT_FIELDS


NAME_MAPS: dict[str, tuple[str, Callable[[object], bool]]] = {
    "paths": ("pathItem", lambda name: isinstance(name, str) and name.startswith("/")),
    "responses": ("response", _is_status_code),
    "content": ("mediaType", lambda name: isinstance(name, str) and "/" in name),
    "properties": ("schema", _any_name),
    "schemaMap": ("schema", _any_name),
    "responseMap": ("response", _any_name),
    "parameterMap": ("parameter", _any_name),
    "exampleMap": ("exampleObject", _any_name),
    "requestBodyMap": ("requestBody", _any_name),
    "headerMap": ("header", _any_name),
    "securitySchemeMap": ("securityScheme", _any_name),
    "linkMap": ("link", _any_name),
    "callbackMap": ("callback", _any_name),
    "callback": ("pathItem", _any_name),
    "encodingMap": ("encoding", _any_name),
    "serverVariableMap": ("serverVariable", _any_name),
    "securityRequirement": ("seq:scalar", _is_security_scheme_name),
}

# The components map that contains each object kind, as named in a `$ref`.
COMPONENT_SECTIONS = {
    "schemaMap": "schemas",
    "responseMap": "responses",
    "parameterMap": "parameters",
    "exampleMap": "examples",
    "requestBodyMap": "requestBodies",
    "headerMap": "headers",
    "securitySchemeMap": "securitySchemes",
    "linkMap": "links",
    "callbackMap": "callbacks",
}
REF_SECTIONS = {
    "schema": "schemas",
    "response": "responses",
    "parameter": "parameters",
    "exampleObject": "examples",
    "requestBody": "requestBodies",
    "header": "headers",
    "securityScheme": "securitySchemes",
    "link": "links",
    "callback": "callbacks",
}

# Keys that name the parts of an HTTP message in a free-form example: each closes a
# mapping opened by the other, because a message's body and headers are siblings.
HTTP_MESSAGE_PARTS = {"headers": "body", "body": "headers"}


# --- Parser ----------------------------------------------------------------------------


@dataclass(eq=False)
class Frame:
    """An open mapping or sequence, with the OpenAPI kind of its content."""

    kind: str  # object kind or name map, "seq" for a sequence, or "example" inside examples
    value: dict | list
    path: str
    item: str = ""  # value kind of the items of a sequence
    key: object = None  # key of this collection in its parent mapping
    guide: dict | None = None  # schema that an example, or the examples below, exemplify
    fresh: bool = True  # no key or item read into it yet

    @property
    def mapping(self) -> dict:
        if not isinstance(self.value, dict):
            raise ParseError(f"{self.path or '/'} is a sequence, not a mapping")
        return self.value


class Parser:
    """Rebuild the nesting of a token stream, guided by the OpenAPI object model."""

    def __init__(
        self,
        tokens: list[Token],
        component_schemas: dict[str, Any] | None = None,
        explain: Callable[[str], None] | None = None,
    ) -> None:
        self.tokens = tokens
        self.component_schemas = component_schemas or {}
        self.explain = explain
        self.references = {
            token.value
            for index, token in enumerate(tokens[1:], start=1)
            if tokens[index - 1].kind == KEY and tokens[index - 1].value == "$ref"
        }
        self.stack: list[Frame] = []

    def parse(self) -> dict[str, Any]:
        document: dict[str, Any] = {}
        self.stack = [Frame("document", document, "")]
        index = 0
        while index < len(self.tokens):
            token = self.tokens[index]
            if token.kind == KEY:
                frame = self.choose_mapping(index)
                self.close_above(frame)
                index = self.read_value(frame, token.value, index + 1)
            elif token.kind == DASH:
                frame = self.choose_sequence(index)
                self.close_above(frame)
                index = self.read_item(frame, index + 1)
            else:
                raise ParseError(f"scalar without a key or dash at offset {token.offset}: {token.value!r}")
        return document

    # Reading values.

    def read_value(self, frame: Frame, key: object, index: int) -> int:
        """Store the value of `key` in `frame`; open a collection for a nested one."""
        frame.fresh = False
        kind = self.value_kind(frame, key)
        token = self.token(index)
        path = f"{frame.path}/{key}"
        if token.kind == SCALAR:
            frame.mapping[key] = self.scalar_value(frame, key, token)
            return index + 1
        if token.kind == EMPTY:
            frame.mapping[key] = token.value
            return index + 1

        guide = self.child_guide(frame, key)
        if kind == "schemaOrBool":
            kind = "schema"
        container: dict | list = {} if token.kind == KEY else []
        frame.mapping[key] = container
        if kind == ANY:
            self.stack.append(Frame("example", container, path, key=key, guide=guide))
        elif token.kind == KEY:
            self.stack.append(Frame(kind, container, path, key=key, guide=guide))
        else:
            self.stack.append(Frame("seq", container, path, item=kind.removeprefix("seq:"), key=key, guide=guide))
        return index

    def read_item(self, frame: Frame, index: int) -> int:
        """Append the item that follows a dash to the sequence `frame`."""
        frame.fresh = False
        assert isinstance(frame.value, list)
        token = self.token(index)
        if token.kind in (SCALAR, EMPTY):
            frame.value.append(token.value)
            return index + 1

        path = f"{frame.path}/{len(frame.value)}"
        container: dict | list = {} if token.kind == KEY else []
        frame.value.append(container)
        guide = None
        if frame.kind == "example":
            guide = self.resolve(frame.guide)
            # An example list given for an object schema exemplifies the object in each item.
            guide = self.resolve(guide.get("items", guide)) if guide else None
        if frame.kind == "example":
            self.stack.append(Frame("example", container, path, guide=guide))
        elif token.kind == KEY:
            self.stack.append(Frame(frame.item, container, path))
        else:
            raise ParseError(f"nested sequence in {frame.path} at offset {token.offset}")
        return index

    def scalar_value(self, frame: Frame, key: object, token: Token) -> Any:
        if token.quote == '"' and "\n" in token.raw:
            return rebuild_table_description(token.raw, frame.mapping.get("enum", []))
        if key == "description" and token.quote == "'" and frame.kind != "example":
            return restore_markdown_breaks(token.value)
        return token.value

    def value_kind(self, frame: Frame, key: object) -> str:
        if frame.kind == "example":
            return ANY
        if frame.kind in NAME_MAPS:
            return NAME_MAPS[frame.kind][0]
        assert isinstance(key, str), "fixed fields have string names"
        return FIELDS[frame.kind][key]

    def child_guide(self, frame: Frame, key: object) -> dict | None:
        """Return the schema that the value of `key` exemplifies, if it is an example."""
        if frame.kind == "schema" and key == "example":
            return frame.mapping
        if frame.kind in ("mediaType", "parameter", "header") and key in ("example", "examples"):
            return frame.mapping.get("schema")
        if frame.kind == "exampleMap" or (frame.kind == "exampleObject" and key == "value"):
            return frame.guide
        if frame.kind == "example":
            properties = (self.resolve(frame.guide) or {}).get("properties", {})
            return self.resolve(properties.get(key))
        return None

    def resolve(self, schema: Any) -> dict | None:
        if not isinstance(schema, dict):
            return None
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            return self.resolve(self.component_schemas.get(ref.rsplit("/", 1)[1]))
        return schema

    # Choosing where a key or dash belongs.

    def choose_mapping(self, index: int) -> Frame:
        key = self.tokens[index].value
        top = self.stack[-1]
        if top.fresh and isinstance(top.value, dict):
            if not self.accepts(top, key, index + 1):
                raise ParseError(f"{top.kind} at {top.path or '/'} cannot start with key {key!r}")
            return top

        candidates = [frame for frame in reversed(self.stack) if self.accepts(frame, key, index + 1)]
        if not candidates:
            raise ParseError(f"no open object takes key {key!r} at offset {self.tokens[index].offset}")
        if top.kind == "example":
            chosen, rule = self.choose_in_example(key, index, candidates)
        else:
            chosen, rule = self.choose_by_rules(key, index, candidates)
        if self.explain and len(candidates) > 1:
            others = ", ".join(frame.path or "/" for frame in candidates if frame is not chosen)
            self.explain(f"{key!r} -> {chosen.path or '/'} ({rule}); also open: {others}")
        return chosen

    def choose_by_rules(self, key: object, index: int, candidates: list[Frame]) -> tuple[Frame, str]:
        value = self.token(index + 1)
        for frame in candidates:
            section = COMPONENT_SECTIONS.get(frame.kind)
            if section and f"#/components/{section}/{key}" in self.references:
                if not self.is_self_reference(section, key, index + 1):
                    return frame, f"referenced as a component of {section}"

        if key == "required" and value.kind == DASH:
            names = self.scalar_items(index + 1)
            for frame in candidates:
                if frame.kind == "schema" and names <= set(frame.mapping.get("properties", {})):
                    return frame, "innermost schema that declares the required properties"

        innermost = candidates[0]
        parent = self.parent_of(innermost)
        if key == "example":
            if innermost.kind == "schema" and parent in candidates and parent.kind == "mediaType":
                return parent, "an example after the top schema of a media type belongs to the media type"
            for frame in candidates:
                if frame.kind != "schema" or self.example_fits_type(frame.mapping, value):
                    return frame, "innermost object whose type fits the example"

        if key == "description":
            for frame in candidates:
                if frame.kind == "parameter":
                    return frame, "a parameter describes itself, not its schema"
            if innermost.key == "items" and parent in candidates and parent.kind == "schema":
                # Every other array schema in the spec carries its description on the array.
                return parent, "a description after the items schema describes the array"

        return candidates[0], "innermost"

    def choose_in_example(self, key: object, index: int, candidates: list[Frame]) -> tuple[Frame, str]:
        """Decide where a key goes while a free-form example value is open."""
        examples = []
        for frame in reversed(self.stack):
            if frame.kind != "example":
                break
            examples.append(frame)

        for frame in examples:
            properties = (self.resolve(frame.guide) or {}).get("properties", {})
            if frame in candidates and key in properties:
                return frame, "example level whose schema declares the key"

        outside = [frame for frame in candidates if frame.kind != "example"]
        if outside:
            chosen, rule = self.choose_by_rules(key, index, outside)
            return chosen, f"ends the example: {rule}"

        sibling = HTTP_MESSAGE_PARTS.get(key) if isinstance(key, str) else None
        for frame, parent in zip(examples, examples[1:], strict=False):
            if sibling is not None and frame.key == sibling and parent in candidates:
                return parent, "body and headers of an HTTP message are siblings"

        for frame in examples:
            if frame in candidates and not self.is_complete(frame):
                return frame, "innermost example level that lacks some declared property"
        return next(frame for frame in examples if frame in candidates), "innermost example level"

    def choose_sequence(self, index: int) -> Frame:
        top = self.stack[-1]
        for frame in reversed(self.stack):
            if isinstance(frame.value, list) and self.item_fits(frame, index + 1):
                return frame
            if frame is top and top.fresh:
                break
        raise ParseError(f"no open sequence takes the item at offset {self.tokens[index].offset}")

    def item_fits(self, frame: Frame, index: int) -> bool:
        return frame.kind == "example" or self.value_fits(frame.item, index)

    def accepts(self, frame: Frame, key: object, index: int) -> bool:
        """Tell whether `frame` can take `key` with the value that starts at `index`."""
        if not isinstance(frame.value, dict) or key in frame.value:
            return False
        if frame.kind == "example":
            return True
        if "$ref" in frame.value or (key == "$ref" and frame.value):
            return False
        return self.key_fits(frame.kind, key, index)

    def key_fits(self, kind: str, key: object, index: int) -> bool:
        if kind in NAME_MAPS:
            child, name_fits = NAME_MAPS[kind]
            return name_fits(key) and self.value_fits(child, index)
        fields = FIELDS.get(kind, {})
        if key not in fields:
            return False
        if key == "$ref" and kind in REF_SECTIONS:
            target = self.token(index).value
            return isinstance(target, str) and target.startswith(f"#/components/{REF_SECTIONS[kind]}/")
        return self.value_fits(fields[key], index)

    def value_fits(self, kind: str, index: int) -> bool:
        """Tell whether the value at `index` can be of `kind`, following first keys down."""
        token = self.token(index)
        if kind == ANY:
            return True
        if kind == SCALAR:
            return token.kind == SCALAR
        if kind.startswith("seq:"):
            return token.kind == DASH or (token.kind == EMPTY and token.value == [])
        if kind == "schemaOrBool" and token.kind == SCALAR:
            return isinstance(token.value, bool)
        if kind == "schemaOrBool":
            kind = "schema"
        if token.kind == EMPTY:
            return token.value == {}
        return token.kind == KEY and self.key_fits(kind, token.value, index + 1)

    # Look-ahead helpers.

    def token(self, index: int) -> Token:
        if index >= len(self.tokens):
            raise ParseError("unexpected end of input")
        return self.tokens[index]

    def scalar_items(self, index: int) -> set[object]:
        """Collect the scalar items of the sequence whose first dash is at `index`."""
        names = set()
        while (
            index + 1 < len(self.tokens) and self.tokens[index].kind == DASH and self.tokens[index + 1].kind == SCALAR
        ):
            names.add(self.tokens[index + 1].value)
            index += 2
        return names

    def is_self_reference(self, section: str, key: object, index: int) -> bool:
        """Tell whether the value at `index` is only a `$ref` to the component `key` itself.

        A property such as `address: {$ref: '#/components/schemas/address'}` is never the
        definition of that component, which would refer to itself.
        """
        token = self.token(index)
        return (
            token.kind == KEY
            and token.value == "$ref"
            and self.token(index + 1).value == f"#/components/{section}/{key}"
        )

    def is_complete(self, frame: Frame) -> bool:
        properties = (self.resolve(frame.guide) or {}).get("properties", {})
        return bool(properties) and all(name in frame.value for name in properties)

    @staticmethod
    def example_fits_type(schema: dict, value: Token) -> bool:
        declared = schema.get("type")
        if value.kind == DASH or (value.kind == EMPTY and value.value == []):
            return declared == "array"
        if value.kind == KEY or value.kind == EMPTY:
            return declared in ("object", None)
        return declared not in ("array", "object")

    def parent_of(self, frame: Frame) -> Frame | None:
        position = self.stack.index(frame)
        return self.stack[position - 1] if position > 0 else None

    def close_above(self, frame: Frame) -> None:
        while self.stack[-1] is not frame:
            self.stack.pop()


# --- Entry points ----------------------------------------------------------------------


def rebuild(collapsed: str, explain: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Rebuild the spec from its collapsed dump.

    The first pass reads the component schemas, which the second pass uses to nest the
    free-form example values by the properties that their schemas declare.
    """
    tokens = tokenize(collapsed)
    first = Parser(tokens).parse()
    schemas = first.get("components", {}).get("schemas", {})
    spec = Parser(tokens, schemas, explain).parse()
    if spec.get("components", {}).get("schemas") != schemas:
        raise ParseError("the component schemas changed between the two passes")
    return spec


class _BlockDumper(yaml.SafeDumper):
    """A safe dumper that writes multi-line strings as literal blocks where YAML allows it."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _represent_str)


def dump(spec: dict[str, Any]) -> str:
    text = yaml.dump(spec, Dumper=_BlockDumper, sort_keys=False, width=80, allow_unicode=True)
    if yaml.safe_load(text) != spec:
        raise RuntimeError("the written YAML does not load back to the rebuilt spec")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("collapsed_spec", type=Path, help="the collapsed YAML dump to read")
    parser.add_argument(
        "output", type=Path, nargs="?", default=Path("openapi.yaml"), help="where to write the spec (openapi.yaml)"
    )
    parser.add_argument("--explain", action="store_true", help="print each nesting decision among several open objects")
    args = parser.parse_args(argv)

    explain = (lambda line: print(line, file=sys.stderr)) if args.explain else None
    spec = rebuild(args.collapsed_spec.read_text(encoding="utf-8"), explain)
    args.output.write_text(dump(spec), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
