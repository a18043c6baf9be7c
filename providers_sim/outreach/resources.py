"""The Outreach resources the simulator serves, declared as data.

Each ``ResourceSpec`` names the JSON:API type, the to-one relationships and the resources
they point at, the filters a list accepts, the attributes the server owns (read-only), the
defaults of a new record and the attribute types it checks. The names of ``RESOURCES``
are the path segments under ``/api/v2`` and the names ``insert_native`` accepts.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

PAGE_SIZE_DEFAULT = 50
PAGE_SIZE_MAX = 1000

STEP_TYPES = frozenset({"auto_email", "manual_email", "call", "task", "linkedin_send_message"})
SHARE_TYPES = frozenset({"private", "read_only", "shared"})
# Outreach gives a step without an interval or a date a delay of one week.
DEFAULT_STEP_INTERVAL = 7 * 24 * 3600

PHONE_ATTRIBUTES = ("mobilePhones", "homePhones", "workPhones", "otherPhones", "voipPhones")
ADDRESS_ATTRIBUTES = (
    "addressStreet",
    "addressStreet2",
    "addressCity",
    "addressState",
    "addressZip",
    "addressCountry",
)
SEQUENCE_COUNTERS = (
    "bounceCount",
    "clickCount",
    "deliverCount",
    "failureCount",
    "negativeReplyCount",
    "neutralReplyCount",
    "numContactedProspects",
    "numRepliedProspects",
    "openCount",
    "optOutCount",
    "positiveReplyCount",
    "replyCount",
    "scheduleCount",
)
PROSPECT_COUNTERS = ("openCount", "clickCount", "replyCount", "bouncedCount")
TIMESTAMPS = ("createdAt", "updatedAt")


class FilterKind(StrEnum):
    """The way a ``filter[...]`` value is parsed and matched."""

    TEXT = "text"  # the whole value, compared exactly
    EMAILS = "emails"  # comma-separated addresses; a record matches any of them, ignoring case
    IDS = "ids"  # comma-separated integer ids of a related record
    RANGE = "range"  # ``<from>..<to>`` timestamps, either side may be ``inf``


@dataclass(frozen=True)
class Filter:
    """One accepted ``filter[...]`` key of a list and the index that finds its matches."""

    kind: FilterKind
    index_key: Callable[[Mapping[str, Any]], Iterable[Hashable]] | None = None


@dataclass(frozen=True)
class Relationship:
    """A to-one relationship: its name, the JSON:API type and the resource it points at."""

    name: str
    type: str
    resource: str


@dataclass(frozen=True)
class ResourceSpec:
    """One Outreach resource as the simulator serves it."""

    name: str
    type: str
    methods: frozenset[str]
    relationships: tuple[Relationship, ...] = ()
    filters: Mapping[str, Filter] = field(default_factory=dict)
    read_only: frozenset[str] = frozenset()
    defaults: Mapping[str, Any] = field(default_factory=dict)
    required_attributes: tuple[str, ...] = ()
    required_relationships: tuple[str, ...] = ()
    integer_attributes: frozenset[str] = frozenset()
    boolean_attributes: frozenset[str] = frozenset()
    string_list_attributes: frozenset[str] = frozenset()
    max_lengths: Mapping[str, int] = field(default_factory=dict)

    def relationship(self, name: str) -> Relationship | None:
        for relationship in self.relationships:
            if relationship.name == name:
                return relationship
        return None

    def indexes(self) -> dict[str, Callable[[Mapping[str, Any]], Iterable[Hashable]]]:
        """Return the Collection indexes that the filters of this resource need."""
        return {key: spec.index_key for key, spec in self.filters.items() if spec.index_key is not None}


def _attribute_key(name: str) -> Callable[[Mapping[str, Any]], list[Hashable]]:
    def key(document: Mapping[str, Any]) -> list[Hashable]:
        value = document.get("attributes", {}).get(name)
        return [value] if isinstance(value, str) else []

    return key


def _email_key(document: Mapping[str, Any]) -> list[Hashable]:
    emails = document.get("attributes", {}).get("emails") or []
    return [email.lower() for email in emails if isinstance(email, str)]


def _related_id_key(relationship: str) -> Callable[[Mapping[str, Any]], list[Hashable]]:
    def key(document: Mapping[str, Any]) -> list[Hashable]:
        data = (document.get("relationships", {}).get(relationship) or {}).get("data")
        return [data["id"]] if isinstance(data, dict) and isinstance(data.get("id"), int) else []

    return key


UPDATED_AT = Filter(FilterKind.RANGE)


def _filters(**extra: Filter) -> Mapping[str, Filter]:
    return MappingProxyType({"updatedAt": UPDATED_AT, **extra})


def _related(relationship: str) -> Filter:
    return Filter(FilterKind.IDS, _related_id_key(relationship))


_READ_WRITE = frozenset({"list", "get", "create", "update"})
_READ_CREATE = frozenset({"list", "get", "create"})
_READ = frozenset({"list", "get"})

PROSPECTS = ResourceSpec(
    name="prospects",
    type="prospect",
    methods=_READ_WRITE,
    relationships=(Relationship("account", "account", "accounts"), Relationship("owner", "user", "users")),
    filters=_filters(emails=Filter(FilterKind.EMAILS, _email_key)),
    read_only=frozenset({*TIMESTAMPS, *PROSPECT_COUNTERS, "emailContacts", "name"}),
    defaults=MappingProxyType(
        {
            "firstName": None,
            "lastName": None,
            "title": None,
            **{name: None for name in ADDRESS_ATTRIBUTES},
            "emails": [],
            **{name: [] for name in PHONE_ATTRIBUTES},
            "tags": [],
            **{name: 0 for name in PROSPECT_COUNTERS},
        }
    ),
    string_list_attributes=frozenset({"emails", "tags", *PHONE_ATTRIBUTES}),
    max_lengths=MappingProxyType({"firstName": 255, "lastName": 255, "title": 255}),
)

ACCOUNTS = ResourceSpec(
    name="accounts",
    type="account",
    methods=_READ_WRITE,
    relationships=(Relationship("owner", "user", "users"),),
    filters=_filters(
        name=Filter(FilterKind.TEXT, _attribute_key("name")), domain=Filter(FilterKind.TEXT, _attribute_key("domain"))
    ),
    read_only=frozenset(TIMESTAMPS),
    defaults=MappingProxyType({"name": None, "domain": None, "tags": []}),
    string_list_attributes=frozenset({"tags"}),
    max_lengths=MappingProxyType({"name": 255, "domain": 255}),
)

USERS = ResourceSpec(
    name="users",
    type="user",
    methods=_READ,
    filters=_filters(),
    read_only=frozenset({*TIMESTAMPS, "name"}),
    defaults=MappingProxyType({"firstName": None, "lastName": None, "email": None, "locked": False}),
)

MAILBOXES = ResourceSpec(
    name="mailboxes",
    type="mailbox",
    methods=_READ,
    relationships=(Relationship("user", "user", "users"),),
    filters=_filters(),
    read_only=frozenset({*TIMESTAMPS, "userId"}),
    defaults=MappingProxyType({"email": None, "sendDisabled": False}),
)

SEQUENCES = ResourceSpec(
    name="sequences",
    type="sequence",
    methods=_READ_CREATE,
    relationships=(Relationship("owner", "user", "users"),),
    filters=_filters(),
    read_only=frozenset({*TIMESTAMPS, *SEQUENCE_COUNTERS, "sequenceStepCount", "enabled", "locked"}),
    defaults=MappingProxyType(
        {
            "name": None,
            "description": None,
            "enabled": False,
            "locked": False,
            "shareType": "shared",
            "sequenceType": "interval",
            "tags": [],
            "sequenceStepCount": 0,
            **{name: 0 for name in SEQUENCE_COUNTERS},
        }
    ),
    required_attributes=("name",),
    string_list_attributes=frozenset({"tags"}),
    max_lengths=MappingProxyType({"name": 255}),
)

SEQUENCE_STEPS = ResourceSpec(
    name="sequenceSteps",
    type="sequenceStep",
    methods=_READ_CREATE,
    relationships=(Relationship("sequence", "sequence", "sequences"),),
    filters=_filters(**{"sequence.id": _related("sequence")}),
    read_only=frozenset({*TIMESTAMPS, "displayName"}),
    defaults=MappingProxyType({"date": None, "taskNote": None}),
    required_attributes=("stepType",),
    required_relationships=("sequence",),
    integer_attributes=frozenset({"interval", "order"}),
)

SEQUENCE_TEMPLATES = ResourceSpec(
    name="sequenceTemplates",
    type="sequenceTemplate",
    methods=_READ_CREATE,
    relationships=(
        Relationship("sequenceStep", "sequenceStep", "sequenceSteps"),
        Relationship("template", "template", "templates"),
    ),
    filters=_filters(**{"sequenceStep.id": _related("sequenceStep")}),
    read_only=frozenset(TIMESTAMPS),
    defaults=MappingProxyType({"isReply": False}),
    required_relationships=("sequenceStep", "template"),
    boolean_attributes=frozenset({"isReply"}),
)

TEMPLATES = ResourceSpec(
    name="templates",
    type="template",
    methods=_READ_WRITE,
    relationships=(Relationship("owner", "user", "users"),),
    filters=_filters(),
    read_only=frozenset({*TIMESTAMPS, "bodyText"}),
    defaults=MappingProxyType(
        {
            "name": None,
            "subject": None,
            "bodyHtml": "",
            "toRecipients": [],
            "ccRecipients": [],
            "bccRecipients": [],
            "archived": False,
        }
    ),
    string_list_attributes=frozenset({"toRecipients", "ccRecipients", "bccRecipients"}),
    max_lengths=MappingProxyType({"name": 225}),
)

SEQUENCE_STATES = ResourceSpec(
    name="sequenceStates",
    type="sequenceState",
    methods=_READ_CREATE,
    relationships=(
        Relationship("prospect", "prospect", "prospects"),
        Relationship("sequence", "sequence", "sequences"),
        Relationship("mailbox", "mailbox", "mailboxes"),
        Relationship("creator", "user", "users"),
    ),
    filters=_filters(**{"prospect.id": _related("prospect"), "sequence.id": _related("sequence")}),
    read_only=frozenset({*TIMESTAMPS, "state"}),
    defaults=MappingProxyType({"state": "active"}),
    required_relationships=("prospect", "sequence", "mailbox"),
)

RESOURCES: Mapping[str, ResourceSpec] = MappingProxyType(
    {
        spec.name: spec
        for spec in (
            PROSPECTS,
            ACCOUNTS,
            USERS,
            MAILBOXES,
            SEQUENCES,
            SEQUENCE_STEPS,
            SEQUENCE_TEMPLATES,
            TEMPLATES,
            SEQUENCE_STATES,
        )
    }
)
