"""The HTTP transport gives the same unified responses as the in-process transport.

Hypothesis generates sequences of unified operations from a small vocabulary, so that
searches and upserts meet records created earlier in the sequence. Each sequence runs
through two apps, each with its own in-process Connexion test client: one whose adapters
call the simulators in the same process, and one whose adapters reach the served simulators
over HTTP. Both runs use the same new ``x-customer-id``, so each starts from the same fresh
vendor account (the baseline is derived from the account name) and record ids match.

Before comparing, the responses are normalised where the transports cannot agree: times
(records are written at different moments), error ``id``s (a new uuid4 per error), hosts
(``https://api.outreach.io`` in process, ``http://127.0.0.1:PORT`` over HTTP) and cursors,
which are decoded so that the host inside an Outreach cursor can be removed.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from conftest import API_KEY, BASE_PATH
from mock_server.app import create_app
from mock_server.providers import Provider
from mock_server.settings import Settings

from .servers import SimulatorServers, http_settings, serving_simulators

MAX_EXAMPLES = 60
MAX_STEPS = 12
# Pages followed through ``pagination.next`` after the first page of a list.
MAX_PAGES = 6

NAMES = ["Acme", "acme", "Acme & Sons", "Globex", "Ünïcode Ltd"]
DOMAINS = ["acme.example", "ACME.example", "globex.example"]
FIRST_NAMES = ["Ada", "Grace", "Émile"]
EMAILS = ["ada@example.com", "ADA@example.com", "grace+tag@example.com", "bob@example.org"]
PHONES = [None, "+1 555 0100"]
# Ids that name no record; the space checks that both transports escape path segments alike.
UNKNOWN_IDS = ["999999", "12 3", "0"]
PAGE_SIZES = ["1", "2", "3", "100"]
MODIFIED_AFTER = [None, "2000-01-01T00:00:00Z", "2999-01-01T00:00:00Z"]
LISTED_OBJECTS = ["accounts", "contacts", "users", "mailboxes", "sequences", "sequence_states"]

TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")
HOST = re.compile(
    r"https?://(?:127\.0\.0\.1:\d+|api\.outreach\.io|api\.salesloft\.com|api\.apollo\.io|app\.apollo\.io)"
)


# Running steps -------------------------------------------------------------------------


@dataclass(frozen=True)
class Observation:
    """One unified response, labelled with the request that produced it."""

    label: str
    status: int
    body: Any


@dataclass
class Session:
    """One customer of one provider on one app, and the ids its steps created."""

    client: TestClient
    provider: Provider
    customer: str
    created: dict[str, list[str]] = field(default_factory=dict)
    observations: list[Observation] = field(default_factory=list)

    def call(self, method: str, path: str, *, params: dict[str, str] | None = None, json: Any = None) -> Any:
        """Send one unified request, record its response and return the JSON body."""
        headers = {"x-api-key": API_KEY, "x-customer-id": self.customer, "x-provider-name": self.provider.value}
        response = self.client.request(method, BASE_PATH + path, params=params, json=json, headers=headers)
        body = response.json() if response.content else None
        # An Outreach cursor contains the native URL, so the label leaves cursors out; the
        # response bodies compare them decoded.
        label_params = {key: "<cursor>" if key == "cursor" else value for key, value in (params or {}).items()}
        label = f"{method} {path}"
        if params:
            label += f" {label_params}"
        if json is not None:
            label += f" {json}"
        self.observations.append(Observation(label, response.status_code, body))
        return body

    def remember(self, kind: str, body: Any) -> None:
        if isinstance(body, dict) and isinstance(body.get("record"), dict) and "id" in body["record"]:
            self.created.setdefault(kind, []).append(str(body["record"]["id"]))

    def resolve(self, kind: str, ref: int | None, unknown: str) -> str:
        """Return the id of an earlier created record, or ``unknown`` when there is none to pick."""
        ids = self.created.get(kind, [])
        if ref is None or not ids:
            return unknown
        return ids[ref % len(ids)]

    def first_record_id(self, path: str) -> str | None:
        body = self.call("GET", path, params={"page_size": "1"})
        records = body.get("records") if isinstance(body, dict) else None
        return str(records[0]["id"]) if records else None


@dataclass(frozen=True)
class CreateAccount:
    name: str
    domain: str

    def run(self, session: Session) -> None:
        body = session.call("POST", "/accounts", json={"record": {"name": self.name, "domain": self.domain}})
        session.remember("account", body)


@dataclass(frozen=True)
class UpsertAccount:
    name: str
    domain: str
    upsert_on: tuple[str, ...]

    def run(self, session: Session) -> None:
        record = {"name": self.name, "domain": self.domain}
        upsert_on = {key: record[key] for key in self.upsert_on}
        body = session.call("POST", "/accounts/_upsert", json={"record": record, "upsert_on": upsert_on})
        session.remember("account", body)


@dataclass(frozen=True)
class UpdateAccount:
    ref: int | None
    name: str
    unknown: str

    def run(self, session: Session) -> None:
        account_id = session.resolve("account", self.ref, self.unknown)
        session.call("PATCH", f"/accounts/{account_id}", json={"record": {"name": self.name}})


@dataclass(frozen=True)
class SearchAccounts:
    name: str | None
    domain: str | None

    def run(self, session: Session) -> None:
        search_filter = {
            key: value for key, value in (("name", self.name), ("domain", self.domain)) if value is not None
        }
        session.call("POST", "/accounts/_search", json={"filter": search_filter})


@dataclass(frozen=True)
class GetAccount:
    ref: int | None
    unknown: str
    include_raw: bool

    def run(self, session: Session) -> None:
        account_id = session.resolve("account", self.ref, self.unknown)
        session.call("GET", f"/accounts/{account_id}", params=_raw_flag(self.include_raw))


@dataclass(frozen=True)
class CreateContact:
    first_name: str
    email: str
    phone: str | None

    def run(self, session: Session) -> None:
        record: dict[str, Any] = {
            "first_name": self.first_name,
            "last_name": "Tester",
            "email_addresses": [{"email_address": self.email, "email_address_type": "primary"}],
        }
        if self.phone is not None:
            record["phone_numbers"] = [{"phone_number": self.phone, "phone_number_type": "mobile"}]
        session.remember("contact", session.call("POST", "/contacts", json={"record": record}))


@dataclass(frozen=True)
class UpdateContact:
    ref: int | None
    first_name: str
    unknown: str

    def run(self, session: Session) -> None:
        contact_id = session.resolve("contact", self.ref, self.unknown)
        session.call("PATCH", f"/contacts/{contact_id}", json={"record": {"first_name": self.first_name}})


@dataclass(frozen=True)
class SearchContacts:
    emails: tuple[str, ...]
    page_size: str | None

    def run(self, session: Session) -> None:
        params = {"page_size": self.page_size} if self.page_size else None
        session.call("POST", "/contacts/_search", params=params, json={"filter": {"emails": list(self.emails)}})


@dataclass(frozen=True)
class GetContact:
    ref: int | None
    unknown: str
    include_raw: bool

    def run(self, session: Session) -> None:
        contact_id = session.resolve("contact", self.ref, self.unknown)
        session.call("GET", f"/contacts/{contact_id}", params=_raw_flag(self.include_raw))


@dataclass(frozen=True)
class CreateSequence:
    name: str
    share_type: str
    with_steps: bool

    def run(self, session: Session) -> None:
        steps = []
        if self.with_steps:
            steps = [
                {
                    "type": "manual_email",
                    "interval_seconds": 0,
                    "template": {"name": "Intro", "subject": "Hi", "body": "Hello"},
                },
                {"type": "call", "interval_seconds": 86400, "task_note": "Call"},
            ]
        record = {"name": self.name, "type": self.share_type, "steps": steps}
        session.remember("sequence", session.call("POST", "/sequences", json={"record": record}))


@dataclass(frozen=True)
class AddStep:
    sequence_ref: int | None
    step_type: str
    interval_seconds: int

    def run(self, session: Session) -> None:
        sequence_id = session.resolve("sequence", self.sequence_ref, UNKNOWN_IDS[0])
        record: dict[str, Any] = {"type": self.step_type, "interval_seconds": self.interval_seconds, "order": 1}
        if self.step_type.endswith("email"):
            record["template"] = {"name": "Step", "subject": "Subject", "body": "Body"}
        else:
            record["task_note"] = "Note"
        session.call("POST", f"/sequences/{sequence_id}/sequence_steps", json={"record": record})


@dataclass(frozen=True)
class BatchEnrol:
    contact_refs: tuple[int, ...]
    sequence_ref: int

    def run(self, session: Session) -> None:
        sequence_id = session.resolve("sequence", self.sequence_ref, UNKNOWN_IDS[0])
        mailbox = session.first_record_id("/mailboxes") if session.provider is not Provider.SALESLOFT else None
        records = []
        for ref in self.contact_refs:
            record = {"contact_id": session.resolve("contact", ref, UNKNOWN_IDS[0]), "sequence_id": sequence_id}
            if mailbox is not None:
                record["mailbox_id"] = mailbox
            records.append(record)
        session.call("POST", "/sequence_states/_batch", json={"records": records})


@dataclass(frozen=True)
class GetSequence:
    ref: int | None
    unknown: str

    def run(self, session: Session) -> None:
        session.call("GET", f"/sequences/{session.resolve('sequence', self.ref, self.unknown)}")


@dataclass(frozen=True)
class Enrol:
    contact_ref: int | None
    sequence_ref: int | None

    def run(self, session: Session) -> None:
        record = {
            "contact_id": session.resolve("contact", self.contact_ref, UNKNOWN_IDS[0]),
            "sequence_id": session.resolve("sequence", self.sequence_ref, UNKNOWN_IDS[0]),
        }
        if session.provider is not Provider.SALESLOFT:
            mailbox = session.first_record_id("/mailboxes")
            if mailbox is not None:
                record["mailbox_id"] = mailbox
        session.remember("sequence_state", session.call("POST", "/sequence_states", json={"record": record}))


@dataclass(frozen=True)
class SearchSequenceStates:
    contact_ref: int | None
    sequence_ref: int | None

    def run(self, session: Session) -> None:
        search_filter = {}
        if self.contact_ref is not None:
            search_filter["contact_id"] = session.resolve("contact", self.contact_ref, UNKNOWN_IDS[0])
        if self.sequence_ref is not None:
            search_filter["sequence_id"] = session.resolve("sequence", self.sequence_ref, UNKNOWN_IDS[0])
        session.call("POST", "/sequence_states/_search", json={"filter": search_filter})


@dataclass(frozen=True)
class GetFirstUser:
    def run(self, session: Session) -> None:
        user_id = session.first_record_id("/users")
        session.call("GET", f"/users/{user_id or UNKNOWN_IDS[0]}")


@dataclass(frozen=True)
class ListAll:
    """Read a list page by page through ``pagination.next``, then one page back."""

    listed: str
    page_size: str
    cached: bool
    modified_after: str | None
    include_raw: bool

    def run(self, session: Session) -> None:
        params = {"page_size": self.page_size, **_raw_flag(self.include_raw)}
        if self.cached:
            params["read_from_cache"] = "true"
        if self.modified_after is not None:
            params["modified_after"] = self.modified_after
        body = session.call("GET", f"/{self.listed}", params=params)
        previous = None
        for _ in range(MAX_PAGES):
            pagination = body.get("pagination") if isinstance(body, dict) else None
            if not pagination or not pagination.get("next"):
                break
            previous = pagination.get("previous")
            body = session.call("GET", f"/{self.listed}", params={**params, "cursor": pagination["next"]})
        if previous:
            session.call("GET", f"/{self.listed}", params={**params, "cursor": previous})


@dataclass(frozen=True)
class ListEverything:
    """Read every list of the unified API through its cursors, uncached or cached."""

    page_size: str
    cached: bool

    def run(self, session: Session) -> None:
        for listed in LISTED_OBJECTS:
            ListAll(listed, self.page_size, self.cached, None, False).run(session)


def _raw_flag(include_raw: bool) -> dict[str, str]:
    return {"include_raw_data": "true"} if include_raw else {}


# Strategies ----------------------------------------------------------------------------

refs = st.one_of(st.none(), st.integers(min_value=0, max_value=3))
unknown_ids = st.sampled_from(UNKNOWN_IDS)
names = st.sampled_from(NAMES)
optional_names = st.one_of(st.none(), names)
domains = st.sampled_from(DOMAINS)
emails = st.sampled_from(EMAILS)

indexes = st.integers(min_value=0, max_value=3)
list_all = st.builds(
    ListAll,
    st.sampled_from(LISTED_OBJECTS),
    st.sampled_from(PAGE_SIZES),
    st.booleans(),
    st.sampled_from(MODIFIED_AFTER),
    st.booleans(),
)
# Every example starts with a few writes, so that the steps after them meet existing records.
writes = st.one_of(
    st.builds(CreateAccount, names, domains),
    st.builds(CreateContact, st.sampled_from(FIRST_NAMES), emails, st.sampled_from(PHONES)),
    st.builds(CreateSequence, names, st.sampled_from(["team", "private"]), st.booleans()),
)
actions = st.one_of(
    writes,
    list_all,
    st.builds(Enrol, indexes, indexes),
    st.builds(BatchEnrol, st.lists(indexes, max_size=3).map(tuple), indexes),
    st.builds(
        AddStep,
        indexes,
        st.sampled_from(["manual_email", "auto_email", "call", "task"]),
        st.sampled_from([0, 86400, 3600]),
    ),
    st.builds(UpsertAccount, names, domains, st.sampled_from([("name",), ("domain",), ("name", "domain")])),
    st.builds(UpdateAccount, refs, names, unknown_ids),
    st.builds(UpdateContact, refs, st.sampled_from(FIRST_NAMES), unknown_ids),
    st.builds(SearchAccounts, optional_names, st.one_of(st.none(), domains)),
    st.builds(SearchContacts, st.lists(emails, max_size=3).map(tuple), st.sampled_from([None, "1", "2"])),
    st.builds(SearchSequenceStates, refs, refs),
    st.builds(GetAccount, refs, unknown_ids, st.booleans()),
    st.builds(GetContact, refs, unknown_ids, st.booleans()),
    st.builds(GetSequence, refs, unknown_ids),
    st.builds(GetFirstUser),
)
# Each example ends by reading every list, so that paging is compared after every sequence.
sequences = st.builds(
    lambda setup, rest, final: [*setup, *rest, final],
    st.lists(writes, min_size=2, max_size=5),
    st.lists(actions, min_size=2, max_size=MAX_STEPS),
    st.builds(ListEverything, st.sampled_from(PAGE_SIZES), st.booleans()),
)


# Normalisation -------------------------------------------------------------------------


def normalise(value: Any) -> Any:
    """Replace what the two transports cannot share: times, hosts, error ids and cursor encodings.

    In ``{"errors": [{"id": "<uuid>", ...}]}`` every ``id`` becomes ``"<error id>"``, and
    ``pagination.next`` becomes its decoded ``{"id", "reverse"}`` with hosts replaced.
    """
    if isinstance(value, dict):
        shown = {key: normalise(item) for key, item in value.items()}
        if isinstance(value.get("errors"), list):
            shown["errors"] = [
                {**item, "id": "<error id>"} if isinstance(item, dict) and "id" in item else item
                for item in shown["errors"]
            ]
        if isinstance(value.get("pagination"), dict):
            shown["pagination"] = {
                key: normalise(decode_cursor(item)) if key in ("next", "previous") else item
                for key, item in value["pagination"].items()
            }
        return shown
    if isinstance(value, list):
        return [normalise(item) for item in value]
    if isinstance(value, str):
        return HOST.sub("<host>", TIMESTAMP.sub("<time>", value))
    return value


def decode_cursor(cursor: Any) -> Any:
    """Return the JSON inside a unified cursor (base64url without padding), or the value as is."""
    if not isinstance(cursor, str):
        return cursor
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        return cursor


def run_steps(client: TestClient, provider: Provider, customer: str, sequence: list[Any]) -> list[Observation]:
    session = Session(client, provider, customer)
    for step in sequence:
        step.run(session)
    return session.observations


# Test ----------------------------------------------------------------------------------


@dataclass
class Apps:
    """The same sandbox twice: adapters on in-process simulators, and on served ones."""

    local: TestClient
    remote: TestClient


@pytest.fixture(scope="module")
def apps() -> Iterator[Apps]:
    with serving_simulators() as servers:
        yield from _apps(servers)


def _apps(servers: SimulatorServers) -> Iterator[Apps]:
    local_app = create_app(Settings())
    remote_app = create_app(http_settings(servers))
    with local_app.test_client() as local, remote_app.test_client() as remote:
        yield Apps(local, remote)
    remote_app.app.config["SANDBOX"].close()
    local_app.app.config["SANDBOX"].close()


def test_normalise_strips_host_from_outreach_cursor() -> None:
    local = base64.urlsafe_b64encode(b'{"id":"https://api.outreach.io/api/v2/users?page[after]=1","reverse":false}')
    remote = base64.urlsafe_b64encode(b'{"id":"http://127.0.0.1:4001/api/v2/users?page[after]=1","reverse":false}')
    as_body = lambda cursor: {"pagination": {"next": cursor.decode().rstrip("="), "previous": None}}  # noqa: E731

    assert normalise(as_body(local)) == normalise(as_body(remote))
    assert normalise(as_body(local))["pagination"]["next"] == {
        "id": "<host>/api/v2/users?page[after]=1",
        "reverse": False,
    }


def test_normalise_keeps_other_differences() -> None:
    local = {"errors": [{"id": "a", "title": "Not found", "status": "404"}]}
    remote = {"errors": [{"id": "b", "title": "Not found", "status": "499"}]}

    assert normalise(local) != normalise(remote)
    assert normalise({"created_at": "2024-01-02T03:04:05.000Z"}) == normalise(
        {"created_at": "2025-06-07T08:09:10.123456+00:00"}
    )


@pytest.mark.parametrize("provider", list(Provider), ids=str)
def test_http_and_in_process_transports_agree(apps: Apps, provider: Provider) -> None:
    customers = itertools.count(1)
    run_id = f"agree-{provider.value}"

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(sequence=sequences)
    def check(sequence: list[Any]) -> None:
        customer = f"{run_id}-{next(customers)}"
        local = run_steps(apps.local, provider, customer, sequence)
        remote = run_steps(apps.remote, provider, customer, sequence)

        assert [item.label for item in remote] == [item.label for item in local]
        for in_process, over_http in zip(local, remote, strict=True):
            assert (over_http.status, normalise(over_http.body)) == (in_process.status, normalise(in_process.body)), (
                in_process.label
            )

    check()
