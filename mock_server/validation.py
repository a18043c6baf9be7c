"""Request validation with spec-shaped ``VALIDATION_ERROR`` responses.

Connexion validates parameters and bodies against ``openapi.yaml``; the validators here
replace its defaults so that every failure is a ``ValidationError`` whose
``meta.source.pointer`` names the offending value (``/query/page_size``,
``/body/record/name``). Query parameters follow stricter rules than the spec's types:

* an unknown or repeated query parameter is rejected;
* ``page_size`` is a whole number from 1 to the maximum in the parameter's description
  (1000, or 100 where the spec says ``(Max: 100)``);
* booleans are ``true`` or ``false`` in any letter case;
* date-times are RFC 3339 with an offset or ``Z``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from connexion.lifecycle import ConnexionRequest
from connexion.validators import JSONRequestBodyValidator, ParameterValidator
from jsonschema import Draft4Validator
from jsonschema import ValidationError as SchemaError
from jsonschema.exceptions import best_match

from providers_sim.jsonsafe import UnsafeJSONError, parse_json
from providers_sim.memo import Memo

from .errors import ValidationError
from .timestamps import parse_rfc3339

_PATH_VALIDATORS: Memo[tuple[dict[str, Any], Draft4Validator]] = Memo(256)
_MAX_PATTERN = re.compile(r"\(Max: (\d+)\)")
_WHOLE_NUMBER = re.compile(r"^[0-9]+$")


def _pointer(location: str, path: Any) -> str:
    parts = [location, *(str(part).replace("~", "~0").replace("/", "~1") for part in path)]
    return "/" + "/".join(parts)


class StrictParameterValidator(ParameterValidator):
    """Validates query, path and header parameters with the rules in the module docstring."""

    def validate_request(self, request: ConnexionRequest) -> None:
        raw_query = parse_qsl(request.scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        declared = {param["name"]: param for param in self.parameters.get("query", [])}
        seen: set[str] = set()
        for name, value in raw_query:
            if name not in declared:
                accepted = ", ".join(sorted(declared)) or "none"
                raise ValidationError(
                    f"Unknown query parameter {name!r}",
                    detail=f"Query parameter {name!r} is not defined for this operation. Accepted: {accepted}.",
                    pointer=f"/query/{name}",
                )
            if name in seen:
                raise ValidationError(
                    f"Query parameter {name!r} is repeated",
                    detail=f"Query parameter {name!r} was given more than once; send it once.",
                    pointer=f"/query/{name}",
                )
            seen.add(name)
            _check_query_value(declared[name], value)

        for param in self.parameters.get("path", []):
            value = request.path_params.get(param["name"].replace("-", "_"))
            error = self._path_error(param, value)
            if error:
                raise ValidationError(
                    f"Invalid path parameter {param['name']!r}", detail=error, pointer=f"/path/{param['name']}"
                )

    def _path_error(self, param: dict[str, Any], value: Any) -> str | None:
        """Validate one path value against its schema, with a schema validator built once per parameter."""
        if value is None:
            return f"Missing path parameter {param['name']!r}" if param.get("required") else None
        # Connexion builds this class for every request, so the schema validators are kept
        # outside it, per parameter object of the loaded spec.
        entry = _PATH_VALIDATORS.get(id(param))
        if entry is None or entry[0] is not param:
            schema = param.get("schema", param)
            entry = (param, Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER))
            _PATH_VALIDATORS.put(id(param), entry)
        error = best_match(entry[1].iter_errors(value))
        return str(error) if error is not None else None


def _check_query_value(param: dict[str, Any], value: str) -> None:
    name = param["name"]
    schema = param.get("schema", {})
    pointer = f"/query/{name}"
    if name == "page_size":
        match = _MAX_PATTERN.search(param.get("description", ""))
        maximum = int(match.group(1)) if match else 1000
        if not _WHOLE_NUMBER.match(value) or not 1 <= int(value) <= maximum:
            raise ValidationError(
                f"Invalid page_size {value!r}",
                detail=f"page_size must be a whole number from 1 to {maximum}; got {value!r}.",
                pointer=pointer,
            )
        return
    if schema.get("type") == "boolean":
        if value.lower() not in ("true", "false"):
            raise ValidationError(
                f"Invalid boolean {name} {value!r}",
                detail=f"{name} must be true or false (any letter case); got {value!r}.",
                pointer=pointer,
            )
        return
    if schema.get("format") == "date-time":
        if parse_rfc3339(value) is None:
            raise ValidationError(
                f"Invalid date-time {name} {value!r}",
                detail=(
                    f"{name} must be an RFC 3339 date-time with a time zone offset or Z, "
                    f"such as 2023-02-23T00:00:00Z; got {value!r}."
                ),
                pointer=pointer,
            )


class PointerJSONBodyValidator(JSONRequestBodyValidator):
    """Validates JSON bodies and names the failing field in ``meta.source.pointer``."""

    async def _parse(self, stream: Any, scope: Any) -> Any:
        data = b"".join([message async for message in stream])
        if not data:
            return None
        try:
            return parse_json(data.decode(self._encoding))
        except (UnicodeDecodeError, UnsafeJSONError) as exc:
            raise ValidationError(
                "Request body is not valid JSON",
                detail=f"The request body could not be parsed as strict JSON: {exc}.",
                pointer="/body",
            ) from None

    def _validate(self, body: Any) -> dict | None:
        if not self._nullable and body is None:
            raise ValidationError(
                "Request body is required",
                detail="This operation needs a JSON request body.",
                pointer="/body",
            )
        try:
            return self._validator.validate(body)
        except SchemaError as exc:
            error = _most_relevant(exc)
            path = list(error.absolute_path)
            if error.validator == "required" and isinstance(error.validator_value, list):
                missing = _missing_property(error)
                if missing is not None:
                    path.append(missing)
            pointer = _pointer("body", path)
            raise ValidationError(
                f"Invalid request body at {pointer}",
                detail=f"{pointer}: {error.message}",
                pointer=pointer,
            ) from None


def _most_relevant(error: SchemaError) -> SchemaError:
    from jsonschema.exceptions import best_match

    if error.context:
        return best_match(error.context) or error
    return error


def _missing_property(error: SchemaError) -> str | None:
    match = re.match(r"^'(.+)' is a required property$", error.message)
    return match.group(1) if match else None
