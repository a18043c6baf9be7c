"""Native exchanges of the served simulators, checked against each vendor's OpenAPI document.

A realistic unified flow per provider (users, mailboxes, accounts, contacts, sequences with
steps, enrolments, paging and a few errors) runs through the unified app with the HTTP
transport to ``python -m providers_sim serve``, so the native requests are the adapters' own.
Every exchange is recorded and checked against the vendor's document, read at run time from
``../shared/provider-specs`` next to the repository:

* the endpoint (method and path) is documented;
* the response status is documented for it;
* a request body is documented, sent with a media type the document accepts, and valid;
* the response body validates against the documented schema;
* every field of a request or response is declared by its schema.

The documents are partial and sometimes wrong. ``KNOWN_DEVIATIONS`` lists each place where
the simulators and adapters follow the real API (or the reference service) instead, with
the reason. It is the only list of exceptions. A test fails on any finding that no entry
covers, and on any entry that no finding needs any more.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator, OAS31Validator
from starlette.testclient import TestClient

from conftest import API_KEY, BASE_PATH
from mock_server.app import create_app
from mock_server.providers import Provider
from mock_server.transport import HttpTransport
from providers_sim.native import NativeResponse
from tests.native_http.servers import SimulatorServers, http_settings, serving_simulators

SPECS = Path(__file__).resolve().parents[1].parent / "shared" / "provider-specs"
SPEC_FILES = {
    Provider.APOLLO: "apollo.openapi.json",
    Provider.OUTREACH: "outreach.openapi.json",
    Provider.SALESLOFT: "salesloft.openapi.json",
}
APOLLO_CAMPAIGN_EXAMPLE = "apollo-emailer-campaign-response.example.json"
# The part of a native path that a document's ``servers[0]`` already contains.
SERVER_PREFIXES = {Provider.APOLLO: ("/api",), Provider.OUTREACH: ("/api/v2",), Provider.SALESLOFT: ()}
# Salesloft documents its paths with a ``.json`` suffix that the adapters leave out.
PATH_SUFFIXES = {Provider.APOLLO: ("",), Provider.OUTREACH: ("",), Provider.SALESLOFT: ("", ".json")}
JSON_MEDIA_TYPES = ("application/json", "application/vnd.api+json", "*/*")
# A path segment that is a record id: digits (Outreach, Salesloft) or 24 hex digits (Apollo).
RECORD_ID = re.compile(r"/(?:\d+|[0-9a-f]{24})(?=/|$)")


@dataclass(frozen=True)
class Finding:
    """One place where a recorded exchange does not match the vendor's document.

    ``kind`` names the check (``endpoint``, ``status``, ``envelope``, ``schema``, ``null``,
    ``undeclared-field``; request checks start with ``request-``). ``where`` is a JSON
    pointer into the document, or ``METHOD /path`` for an endpoint the document lacks.
    """

    provider: Provider
    kind: str
    where: str
    detail: str

    def __str__(self) -> str:
        return f"{self.provider.value} {self.kind} {self.where}: {self.detail}"


@dataclass(frozen=True)
class Deviation:
    """A known difference between a vendor's document and the API the simulator imitates.

    ``where`` may hold ``*``, which stands for any text within one pointer segment.
    """

    provider: Provider
    kind: str
    where: str
    reason: str

    def covers(self, finding: Finding) -> bool:
        pattern = "^" + re.escape(self.where).replace(r"\*", "[^/]*") + "$"
        return (
            finding.provider is self.provider
            and finding.kind == self.kind
            and re.match(pattern, finding.where) is not None
        )


APOLLO, OUTREACH, SALESLOFT = Provider.APOLLO, Provider.OUTREACH, Provider.SALESLOFT
APOLLO_PUBLIC_API = (
    "Apollo's public API on api.apollo.io; the document covers only the app.apollo.io sequence endpoints"
)
OUTREACH_LINKS = "JSON:API resource objects carry links.self; the document leaves the links member out"
OUTREACH_PAGING = "JSON:API list documents carry links (first, prev, next) and meta.count; the adapters page with links.next and count with meta.count"
SALESLOFT_NULLS = "Salesloft sends null for empty fields; its document marks almost no field nullable"

KNOWN_DEVIATIONS: tuple[Deviation, ...] = (
    # Apollo
    Deviation(APOLLO, "endpoint", "POST /v1/accounts", APOLLO_PUBLIC_API),
    Deviation(APOLLO, "endpoint", "PUT /v1/accounts/{id}", APOLLO_PUBLIC_API),
    Deviation(APOLLO, "endpoint", "POST /v1/accounts/search", APOLLO_PUBLIC_API),
    Deviation(APOLLO, "endpoint", "POST /v1/contacts", APOLLO_PUBLIC_API),
    Deviation(APOLLO, "endpoint", "PUT /v1/contacts/{id}", APOLLO_PUBLIC_API),
    Deviation(APOLLO, "endpoint", "POST /v1/contacts/search", APOLLO_PUBLIC_API),
    Deviation(APOLLO, "endpoint", "GET /v1/users/search", APOLLO_PUBLIC_API),
    Deviation(APOLLO, "endpoint", "POST /v1/emailer_campaigns/search", APOLLO_PUBLIC_API),
    Deviation(
        APOLLO,
        "request-undeclared-field",
        "#/paths/*/*/requestBody/content/application~1json/schema/properties/api_key",
        "Apollo takes api_key in the JSON body of POST and PUT; the document's security scheme names only the query parameter",
    ),
    Deviation(
        APOLLO,
        "status",
        "#/paths/~1v1~1contacts~1{id}/get/responses/404",
        "an unknown contact id is a 404 with {error}; the document lists only 200",
    ),
    Deviation(
        APOLLO,
        "undeclared-field",
        "#/components/schemas/contact/properties/*",
        "the document's contact lists only its id and campaign fields; Apollo sends the whole contact "
        "(names, title, email, address, phone_numbers, owner and account ids, timestamps), which the contact mapper reads",
    ),
    Deviation(
        APOLLO,
        "undeclared-field",
        "#/components/schemas/contact/properties/contact_campaign_statuses/items/properties/*",
        "the sequence-state mapper reads status, added_by_user_id and added_at, which the document leaves out",
    ),
    Deviation(
        APOLLO,
        "undeclared-field",
        "#/components/schemas/email_account/properties/*",
        "the document's email_account is a placeholder with the unified mailbox's camelCase names (userId, isDisabled); "
        "Apollo sends user_id, email, active, default and last_synced_at",
    ),
    Deviation(
        APOLLO,
        "undeclared-field",
        "#/components/schemas/emailer_campaign/properties/*",
        "settings and counters of Apollo's own example campaign response that the document's schema leaves out",
    ),
    Deviation(
        APOLLO,
        "undeclared-field",
        "#/components/schemas/emailer_step/properties/ab_test_details",
        "a field of Apollo's own example campaign response that the document's schema leaves out",
    ),
    # Outreach
    Deviation(
        OUTREACH,
        "schema",
        "#/components/schemas/*Relationships/properties/*/oneOf",
        "each relationship is oneOf a data branch and a links branch that require nothing, so every relationship "
        "object matches both branches and oneOf can never pass",
    ),
    Deviation(
        OUTREACH,
        "request-schema",
        "#/components/schemas/*Relationships/properties/*/oneOf",
        "relationships in requests meet the same ambiguous oneOf as in responses",
    ),
    Deviation(
        OUTREACH,
        "request-undeclared-field",
        "#/components/schemas/prospectRelationships/properties/account/properties/data",
        "the adapters send a prospect's account id as a string, as the reference service did; the document types "
        "relationship ids as integers, so only the links branch of the oneOf matches and data counts as undeclared",
    ),
    Deviation(
        OUTREACH,
        "null",
        "#/components/schemas/*/properties/*/type",
        "Outreach sends null for attributes without a value; the document marks no attribute nullable",
    ),
    Deviation(
        OUTREACH,
        "request-null",
        "#/components/schemas/prospect/properties/*/type",
        "the adapters send null to clear an address attribute; the document marks no attribute nullable",
    ),
    Deviation(
        OUTREACH,
        "undeclared-field",
        "#/components/schemas/prospect/properties/emailContacts",
        "the typed email list that Outreach returns and the contact mapper requires; the document has only the "
        "write-side emails",
    ),
    Deviation(
        OUTREACH,
        "undeclared-field",
        "#/components/schemas/prospect/properties/bouncedCount",
        "the bounce counter the contact mapper reads; the document leaves it out",
    ),
    Deviation(OUTREACH, "undeclared-field", "#/components/schemas/*Response/properties/links", OUTREACH_LINKS),
    Deviation(
        OUTREACH,
        "undeclared-field",
        "#/paths/*/patch/responses/200/content/application~1vnd.api+json/schema/properties/data/properties/links",
        OUTREACH_LINKS,
    ),
    Deviation(
        OUTREACH,
        "undeclared-field",
        "#/paths/*/get/responses/200/content/application~1vnd.api+json/schema/properties/links",
        OUTREACH_PAGING,
    ),
    Deviation(
        OUTREACH,
        "undeclared-field",
        "#/paths/*/get/responses/200/content/application~1vnd.api+json/schema/properties/meta",
        OUTREACH_PAGING,
    ),
    Deviation(
        OUTREACH,
        "undeclared-field",
        "#/paths/~1sequenceStates/post/responses/422/content/application~1vnd.api+json/schema/properties/errors/items/properties/*",
        "JSON:API error objects carry code and source; the adapter recognises an existing enrolment by "
        "errors[0].code 'has already been in this sequence'",
    ),
    # Salesloft
    Deviation(
        SALESLOFT,
        "envelope",
        "#/paths/*/*/responses/200/content/*~1*/schema",
        "Salesloft wraps a record in {data} and a list in {data, metadata}; the document shows the bare record or array",
    ),
    Deviation(SALESLOFT, "null", "#/components/schemas/*/properties/*/*", SALESLOFT_NULLS),
    Deviation(
        SALESLOFT,
        "request-media-type",
        "#/paths/*/*/requestBody",
        "Salesloft takes JSON bodies, which the adapters send as the reference service did; the document lists only "
        "form encoding",
    ),
    Deviation(
        SALESLOFT,
        "request-body",
        "#/paths/~1v2~1cadence_memberships.json/post/requestBody",
        "the document takes cadence_id, person_id and user_id as query parameters; the reference service sent them "
        "as a JSON body, which Salesloft accepts",
    ),
    Deviation(
        SALESLOFT,
        "request-schema",
        "#/paths/~1v2~1accounts~1{id}.json/put/requestBody/content/application~1x-www-form-urlencoded/schema/required",
        "updates send only the changed fields, as the reference service did; the document requires name and domain "
        "on every update",
    ),
    Deviation(
        SALESLOFT,
        "request-schema",
        "#/components/schemas/Step/required",
        "cadence imports set enabled on email steps only, as the reference service did; the document requires it on "
        "every step",
    ),
    Deviation(
        SALESLOFT,
        "request-null",
        "#/components/schemas/CadenceSettings/properties/external_identifier/anyOf",
        "cadence imports send external_identifier null, as the reference service did; the document's anyOf takes "
        "no null",
    ),
    Deviation(
        SALESLOFT,
        "status",
        "#/paths/*/get/responses/404",
        "an unknown id is a 404 with {error}; the document lists only 200",
    ),
    Deviation(
        SALESLOFT,
        "status",
        "#/paths/~1v2~1cadence_memberships.json/post/responses/422",
        "a person already on the cadence is a 422 with {errors}; the document lists only 200",
    ),
    Deviation(
        SALESLOFT,
        "undeclared-field",
        "#/components/schemas/Step/properties/*",
        "the document describes /v2/steps with the cadence-import Step (enabled, name, type, type_settings); the "
        "listing returns step resources with id, cadence, day, step_number, display_name and timestamps",
    ),
)


# Recording -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exchange:
    """One native request the adapters sent over HTTP, and its response."""

    provider: Provider
    method: str
    path: str
    request_body: Any
    request_media_type: str | None
    response: NativeResponse


@dataclass
class Recorder:
    """Records every exchange of ``HttpTransport.request`` while its wrapper is installed."""

    roots: dict[str, Provider]
    exchanges: list[Exchange] = field(default_factory=list)

    def wrap(self, send: Callable[..., NativeResponse]) -> Callable[..., NativeResponse]:
        def recorded(transport: HttpTransport, method: str, url: str, **kwargs: Any) -> NativeResponse:
            response = send(transport, method, url, **kwargs)
            path = url if url.startswith("/") else "/" + url.split("://", 1)[1].split("/", 1)[1]
            media_type = next(
                (value for key, value in (kwargs.get("headers") or {}).items() if key.lower() == "content-type"), None
            )
            provider = self.roots[transport.base_url]
            self.exchanges.append(
                Exchange(provider, method, path.split("?")[0], kwargs.get("json"), media_type, response)
            )
            return response

        return recorded


# The flow ---------------------------------------------------------------------------------

FOUR_STEPS = [
    {
        "type": "manual_email",
        "interval_seconds": 0,
        "template": {"name": "Intro", "subject": "Hello", "body": "Hi there"},
    },
    {
        "type": "auto_email",
        "interval_seconds": 86400,
        "template": {"name": "Follow", "subject": "Again", "body": "Ping"},
    },
    {"type": "call", "interval_seconds": 172800, "task_note": "Call them"},
    {"type": "task", "interval_seconds": 0, "task_note": "Research"},
]


class Flow:
    """A realistic unified session of one customer of one provider."""

    def __init__(self, client: TestClient, provider: Provider) -> None:
        self.client = client
        self.provider = provider
        self.headers = {
            "x-api-key": API_KEY,
            "x-customer-id": f"spec-flow-{provider.value}",
            "x-provider-name": provider.value,
        }

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.client.request(method, BASE_PATH + path, headers=self.headers, **kwargs)
        assert response.status_code < 500 or response.status_code == 501, f"{method} {path}: {response.text}"
        return response.json() if response.content else None

    def create(self, path: str, record: dict[str, Any]) -> str:
        """Create a record and return its id; the flow cannot go on without it."""
        response = self.client.request("POST", BASE_PATH + path, headers=self.headers, json={"record": record})
        assert response.status_code == 201, f"{self.provider.value} POST {path}: {response.text}"
        return str(response.json()["record"]["id"])

    def walk(self, path: str, page_size: str) -> list[dict[str, Any]]:
        """Read a list through its cursors and return every record."""
        records: list[dict[str, Any]] = []
        params = {"page_size": page_size}
        for _ in range(20):
            body = self.call("GET", path, params=params)
            if not isinstance(body, dict) or "records" not in body:
                return records
            records.extend(body["records"])
            if not body["pagination"].get("next"):
                return records
            params = {"page_size": page_size, "cursor": body["pagination"]["next"]}
        return records

    def run(self) -> None:
        users = self.walk("/users", "1")
        if users:
            self.call("GET", f"/users/{users[0]['id']}", params={"include_raw_data": "true"})
        mailboxes = self.walk("/mailboxes", "1")
        if mailboxes:
            self.call("GET", f"/mailboxes/{mailboxes[0]['id']}")

        account_id = self.create(
            "/accounts", {"name": "Acme", "domain": "acme.example", "owner_id": users[0]["id"] if users else None}
        )
        self.call("POST", "/accounts", json={"record": {"name": "Globex", "domain": "globex.example"}})
        self.call("PATCH", f"/accounts/{account_id}", json={"record": {"name": "Acme Ltd"}})
        upsert_on = (
            {"name": "Acme Ltd"} if self.provider is Provider.APOLLO else {"name": "Acme Ltd", "domain": "acme.example"}
        )
        self.call(
            "POST",
            "/accounts/_upsert",
            json={"record": {"name": "Acme Ltd", "domain": "acme.example"}, "upsert_on": upsert_on},
        )
        self.call("POST", "/accounts/_search", json={"filter": {"name": "Globex"}})
        self.call("GET", f"/accounts/{account_id}")
        self.call("GET", "/accounts/999999")
        self.walk("/accounts", "1")

        contacts = []
        for first_name, email in (("Ada", "ada@example.com"), ("Grace", "grace@example.com")):
            record = {
                "first_name": first_name,
                "last_name": "Tester",
                "job_title": "Engineer",
                "address": {
                    "street_1": "1 Main St",
                    "street_2": None,
                    "city": "Springfield",
                    "state": "IL",
                    "postal_code": "62701",
                    "country": "US",
                },
                "email_addresses": [{"email_address": email, "email_address_type": "primary"}],
                "phone_numbers": [{"phone_number": "+15550100", "phone_number_type": "mobile"}],
                "account_id": account_id,
            }
            contacts.append(self.create("/contacts", record))
        self.call("PATCH", f"/contacts/{contacts[0]}", json={"record": {"first_name": "Augusta"}})
        self.call("GET", f"/contacts/{contacts[0]}", params={"include_raw_data": "true"})
        self.call("GET", "/contacts/999999")
        self.call("POST", "/contacts/_search", json={"filter": {"emails": ["ada@example.com", "grace@example.com"]}})
        self.walk("/contacts", "1")

        sequence = {"name": "Outbound", "type": "team", "steps": FOUR_STEPS}
        if self.provider is not Provider.SALESLOFT and users:
            sequence["owner_id"] = users[0]["id"]
        sequence_id = self.create("/sequences", sequence)
        extra_step = {
            "type": "manual_email",
            "interval_seconds": 86400,
            "order": 5,
            "template": {"name": "Last", "subject": "Bye", "body": "Bye"},
        }
        self.call("POST", f"/sequences/{sequence_id}/sequence_steps", json={"record": extra_step})
        fetched = self.call("GET", f"/sequences/{sequence_id}")
        step_id = (fetched.get("steps") or [{}])[0].get("id")
        if step_id:
            template = {"template": {"body": "Updated body", "subject": "Updated subject"}}
            self.call("PATCH", f"/sequences/{sequence_id}/sequence_steps/{step_id}", json={"record": template})
        self.walk("/sequences", "1")

        enrolment: dict[str, Any] = {"contact_id": contacts[0], "sequence_id": sequence_id}
        if mailboxes:
            enrolment["mailbox_id"] = mailboxes[0]["id"]
        state = self.call("POST", "/sequence_states", json={"record": enrolment})
        self.call("POST", "/sequence_states", json={"record": enrolment})
        if mailboxes:
            batch = [{**enrolment, "contact_id": contact} for contact in contacts]
            self.call("POST", "/sequence_states/_batch", json={"records": batch})
        if isinstance(state, dict) and "record" in state:
            self.call("GET", f"/sequence_states/{state['record']['id']}")
        self.call("POST", "/sequence_states/_search", json={"filter": {"contact_id": contacts[0]}})
        self.walk("/sequence_states", "1")


@pytest.fixture(scope="module")
def specs() -> dict[Provider, dict[str, Any]]:
    if not SPECS.is_dir():
        pytest.skip(f"The vendors' OpenAPI documents are not available at {SPECS}")
    return {provider: json.loads((SPECS / name).read_text(encoding="utf-8")) for provider, name in SPEC_FILES.items()}


@pytest.fixture(scope="module")
def exchanges(specs: dict[Provider, dict[str, Any]]) -> list[Exchange]:
    """Run the flow of every provider over HTTP and return the recorded native exchanges."""
    with serving_simulators() as servers, pytest.MonkeyPatch.context() as patch:
        recorder = Recorder({servers.root_url(provider): provider for provider in Provider})
        patch.setattr(HttpTransport, "request", recorder.wrap(HttpTransport.request))
        return run_flows(servers, recorder)


def run_flows(servers: SimulatorServers, recorder: Recorder) -> list[Exchange]:
    app = create_app(http_settings(servers))
    with app.test_client() as client:
        for provider in Provider:
            Flow(client, provider).run()
    app.app.config["SANDBOX"].close()
    return recorder.exchanges


# Checks ----------------------------------------------------------------------------------


def escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


def resolve(spec: dict[str, Any], pointer: str) -> Any:
    """Return the node of ``spec`` at a JSON pointer such as ``#/components/schemas/Person``."""
    node: Any = spec
    for part in pointer.removeprefix("#").split("/")[1:]:
        key = part.replace("~1", "/").replace("~0", "~")
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


@cache
def _path_patterns(spec_id: int, paths: tuple[str, ...]) -> list[tuple[re.Pattern[str], str]]:
    patterns = []
    for template in paths:
        regex = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        patterns.append((re.compile(regex), template))
    # Literal paths before templated ones, so /v2/steps.json does not match /v2/steps/{id}.json.
    return sorted(patterns, key=lambda item: item[1].count("{"))


def documented_path(provider: Provider, spec: dict[str, Any], path: str) -> str | None:
    """Return the document's path template for a native path, or None."""
    candidates = [path]
    for prefix in SERVER_PREFIXES[provider]:
        if path.startswith(prefix + "/"):
            candidates.append(path[len(prefix) :])
    for candidate in candidates:
        bare = candidate.removesuffix(".json")
        for suffix in PATH_SUFFIXES[provider]:
            for regex, template in _path_patterns(id(spec), tuple(spec["paths"])):
                if regex.match(bare + suffix):
                    return template
    return None


_VALIDATORS: dict[tuple[int, str], Any] = {}


def validator_for_pointer(spec: dict[str, Any], pointer: str) -> Any:
    """Return a cached validator of the document's schema at ``pointer`` (OpenAPI 3.0 or 3.1 rules)."""
    key = (id(spec), pointer)
    if key not in _VALIDATORS:
        validator_class = OAS31Validator if str(spec.get("openapi", "")).startswith("3.1") else OAS30Validator
        _VALIDATORS[key] = validator_class({**spec, "$ref": pointer})
    return _VALIDATORS[key]


def schema_errors(spec: dict[str, Any], pointer: str, instance: Any) -> Iterator[tuple[str, str, Any]]:
    """Yield ``(schema pointer, message, failing value)`` for each validation error.

    The pointer names the schema of the failing value inside the document (after every
    ``$ref``) and ends with the keyword that failed, such as ``.../properties/title/type``.
    """
    for error in validator_for_pointer(spec, pointer).iter_errors(instance):
        location = schema_at(spec, pointer, list(error.absolute_path))
        yield f"{location}/{error.validator}", error.message, error.instance


def schema_at(spec: dict[str, Any], pointer: str, instance_path: list[Any]) -> str:
    """Return the pointer of the schema that describes the value at ``instance_path``."""
    location = declared_owner(spec, pointer)
    for part in instance_path:
        if isinstance(part, int):
            location = f"{location}/items"
        else:
            location = _declared_properties(spec, location).get(part, f"{location}/properties/{escape(part)}")
        location = declared_owner(spec, location)
    return location


def undeclared_fields(spec: dict[str, Any], pointer: str, instance: Any) -> Iterator[str]:
    """Yield ``<object schema pointer>/properties/<key>`` for keys the schema does not declare.

    An object schema without ``properties`` is free-form and declares everything. Keys of
    ``allOf`` branches count as declared, and so do those of the ``oneOf``/``anyOf``
    branches that the value validates against.
    """
    pointer, node = _follow(spec, pointer)
    if isinstance(instance, list):
        if isinstance(node.get("items"), dict):
            for item in instance:
                yield from undeclared_fields(spec, f"{pointer}/items", item)
        return
    if not isinstance(instance, dict):
        return
    declared = _declared_properties(spec, pointer, instance)
    if not declared:
        return
    for key, value in instance.items():
        if key not in declared:
            yield f"{pointer}/properties/{escape(key)}"
        else:
            yield from undeclared_fields(spec, declared[key], value)


def _follow(spec: dict[str, Any], pointer: str) -> tuple[str, dict[str, Any]]:
    node = resolve(spec, pointer)
    while isinstance(node, dict) and "$ref" in node:
        pointer = node["$ref"]
        node = resolve(spec, pointer)
    return pointer, node if isinstance(node, dict) else {}


def declared_owner(spec: dict[str, Any], pointer: str) -> str:
    """Return the pointer that ``pointer`` leads to after every ``$ref``."""
    return _follow(spec, pointer)[0]


def _declared_properties(spec: dict[str, Any], pointer: str, instance: Any = None) -> dict[str, str]:
    """Return each declared property name with the pointer of its schema.

    With ``instance``, only the ``oneOf``/``anyOf`` branches it matches are read.
    """
    pointer, node = _follow(spec, pointer)
    declared = {key: f"{pointer}/properties/{escape(key)}" for key in node.get("properties") or {}}
    for combinator in ("allOf", "oneOf", "anyOf"):
        for index, _branch in enumerate(node.get(combinator) or []):
            branch = f"{pointer}/{combinator}/{index}"
            if combinator != "allOf" and instance is not None and not _matches(spec, branch, instance):
                continue
            for key, location in _declared_properties(spec, branch, instance).items():
                declared.setdefault(key, location)
    return declared


def _matches(spec: dict[str, Any], pointer: str, instance: Any) -> bool:
    return bool(validator_for_pointer(spec, pointer).is_valid(instance))


def response_pointer(spec: dict[str, Any], operation: str, status: int, media_type: str) -> str | None:
    responses = resolve(spec, operation).get("responses") or {}
    if str(status) in responses:
        key = str(status)
    elif "default" in responses:
        key = "default"
    else:
        return None
    content = (_follow(spec, f"{operation}/responses/{key}")[1]).get("content") or {}
    for candidate in (media_type, "application/json", "application/vnd.api+json", "*/*"):
        if candidate in content and "schema" in content[candidate]:
            return f"{operation}/responses/{key}/content/{escape(candidate)}/schema"
    return None


def check_exchange(spec: dict[str, Any], exchange: Exchange) -> Iterator[Finding]:
    """Yield every difference between one exchange and the vendor's document."""
    provider = exchange.provider

    def finding(kind: str, where: str, detail: str) -> Finding:
        return Finding(provider, kind, where, detail)

    template = documented_path(provider, spec, exchange.path)
    method = exchange.method.lower()
    if template is None or method not in spec["paths"][template]:
        yield finding("endpoint", f"{exchange.method} {RECORD_ID.sub('/{id}', exchange.path)}", "not in the document")
        return
    operation = f"#/paths/{escape(template)}/{method}"

    if exchange.request_body is not None:
        yield from check_request(spec, operation, exchange, finding)

    response = exchange.response
    responses = resolve(spec, operation).get("responses") or {}
    if str(response.status) not in responses and "default" not in responses:
        yield finding("status", f"{operation}/responses/{response.status}", f"documented: {sorted(responses)}")
        return
    pointer = response_pointer(spec, operation, response.status, response.content_type)
    if pointer is None or not isinstance(response.body, (dict, list)):
        return
    body = response.body
    if isinstance(body, dict) and "data" in body and "data" not in _declared_properties(spec, pointer):
        yield finding(
            "envelope", pointer, f"the body is {{{', '.join(sorted(body))}}}; the document describes its data"
        )
        body = body["data"]
    yield from body_findings(spec, pointer, body, finding)


def check_request(
    spec: dict[str, Any], operation: str, exchange: Exchange, finding: Callable[[str, str, str], Finding]
) -> Iterator[Finding]:
    """Check a JSON request body: its media type, then its value against the documented schema."""
    if "requestBody" not in resolve(spec, operation):
        yield finding("request-body", f"{operation}/requestBody", "a body was sent; the document declares none")
        return
    content = _follow(spec, f"{operation}/requestBody")[1].get("content") or {}
    json_types = [media for media in content if media in JSON_MEDIA_TYPES]
    if not json_types:
        sent = exchange.request_media_type or "JSON"
        yield finding(
            "request-media-type", f"{operation}/requestBody", f"{sent} sent; the document accepts {sorted(content)}"
        )
    chosen = (json_types or sorted(content) or [None])[0]
    if chosen is None or "schema" not in content[chosen]:
        return
    pointer = f"{operation}/requestBody/content/{escape(chosen)}/schema"
    for item in body_findings(spec, pointer, exchange.request_body, finding):
        yield Finding(item.provider, f"request-{item.kind}", item.where, item.detail)


def body_findings(
    spec: dict[str, Any], pointer: str, body: Any, finding: Callable[[str, str, str], Finding]
) -> Iterator[Finding]:
    """Yield the schema errors of a body and the fields that its schema does not declare."""
    for location, message, value in schema_errors(spec, pointer, body):
        yield finding("null" if value is None else "schema", location, message[:200])
    for location in undeclared_fields(spec, pointer, body):
        yield finding("undeclared-field", location, "sent but not declared")


@pytest.fixture(scope="module")
def findings(specs: dict[Provider, dict[str, Any]], exchanges: list[Exchange]) -> list[Finding]:
    found: dict[tuple[Provider, str, str], Finding] = {}
    for exchange in exchanges:
        for item in check_exchange(specs[exchange.provider], exchange):
            found.setdefault((item.provider, item.kind, item.where), item)
    return list(found.values())


def test_flow_reaches_every_provider(exchanges: list[Exchange]) -> None:
    for provider in Provider:
        assert len([item for item in exchanges if item.provider is provider]) >= 20, provider


def test_every_finding_is_a_known_deviation(findings: list[Finding]) -> None:
    unexplained = [str(item) for item in findings if not any(known.covers(item) for known in KNOWN_DEVIATIONS)]
    assert not unexplained, "\n".join(sorted(unexplained))


@pytest.mark.parametrize(
    "known", KNOWN_DEVIATIONS, ids=lambda known: f"{known.provider.value}-{known.kind}-{known.where}"
)
def test_known_deviation_is_still_needed(findings: list[Finding], known: Deviation) -> None:
    assert any(known.covers(item) for item in findings), f"no exchange needs this entry any more; remove it: {known}"


def test_undeclared_campaign_fields_are_in_apollos_example(findings: list[Finding]) -> None:
    example_path = SPECS / APOLLO_CAMPAIGN_EXAMPLE
    if not example_path.exists():
        pytest.skip(f"Apollo's example campaign response is not available at {example_path}")
    example = json.loads(example_path.read_text(encoding="utf-8"))
    example_keys = {
        "emailer_campaign": set(example["emailer_campaign"]),
        "emailer_step": {key for step in example["emailer_steps"] for key in step},
    }

    for item in findings:
        match = re.fullmatch(r"#/components/schemas/(emailer_campaign|emailer_step)/properties/([^/]+)", item.where)
        if item.provider is Provider.APOLLO and item.kind == "undeclared-field" and match:
            assert match.group(2) in example_keys[match.group(1)], str(item)


def test_deviation_pattern_stays_within_one_segment() -> None:
    known = Deviation(Provider.APOLLO, "undeclared-field", "#/components/schemas/contact/properties/*", "")
    direct = Finding(Provider.APOLLO, "undeclared-field", "#/components/schemas/contact/properties/title", "")
    nested = Finding(
        Provider.APOLLO, "undeclared-field", "#/components/schemas/contact/properties/a/items/properties/b", ""
    )

    assert known.covers(direct)
    assert not known.covers(nested)
