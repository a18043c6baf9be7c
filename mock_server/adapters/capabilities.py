"""What each vendor supports behind the unified API, declared once.

The operation layer reads these tables to return the documented refusals before any native
call. The adapters read the filters and page rules, and the tests check every operation of
every provider against them. Each entry imitates the reference service (Supaglue 0.25.7).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ..errors import BadRequestError, NotImplementedUnifiedError, UnifiedError
from ..providers import Provider

OPERATION_IDS: tuple[str, ...] = (
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
)

LIST_OPERATIONS: Mapping[str, str] = MappingProxyType(
    {
        "listAccounts": "account",
        "listContacts": "contact",
        "listUsers": "user",
        "listMailboxes": "mailbox",
        "listSequences": "sequence",
        "listSequenceStates": "sequence_state",
    }
)


@dataclass(frozen=True)
class Refusal:
    """A documented error returned instead of a native call: 400 BAD_REQUEST or 501."""

    status: int
    message: str

    def error(self) -> UnifiedError:
        if self.status == 501:
            return NotImplementedUnifiedError(self.message)
        return BadRequestError(self.message)


NOT_IMPLEMENTED = Refusal(501, "Not implemented")


@dataclass(frozen=True)
class Capabilities:
    """One vendor's declared behaviour behind the unified API."""

    provider: Provider
    imitates: str
    refusals: Mapping[str, Refusal]
    account_search_filters: frozenset[str]
    account_upsert_fields: frozenset[str]
    sequence_state_search_filters: frozenset[str]
    list_page_cap: int | None
    list_page_size_ignored: bool
    default_page_size: int
    list_refuses_modified_after: Refusal | None
    id_format: str
    required_fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def supports(self, operation_id: str) -> bool:
        return operation_id not in self.refusals

    def refusal(self, operation_id: str) -> Refusal | None:
        if operation_id not in OPERATION_IDS:
            raise KeyError(f"Unknown operationId {operation_id!r}")
        return self.refusals.get(operation_id)


APOLLO = Capabilities(
    provider=Provider.APOLLO,
    imitates="Apollo REST API v1 (api.apollo.io, app.apollo.io/api)",
    refusals=MappingProxyType(
        {
            "getAccount": Refusal(400, "Get operation not supported for common object account in Apollo"),
            "getUser": Refusal(400, "Get operation not supported for common object user in Apollo"),
            "getMailbox": Refusal(400, "Get operation not supported for common object mailbox in Apollo"),
            "listSequenceStates": Refusal(
                400,
                "Uncached list operation not supported for common object sequence_state in Apollo. List contacts instead.",
            ),
            "getSequenceState": Refusal(
                400, "Get operation not supported for common object sequence_state in Apollo"
            ),
        }
    ),
    account_search_filters=frozenset({"name"}),
    account_upsert_fields=frozenset({"name"}),
    sequence_state_search_filters=frozenset({"contact_id"}),
    list_page_cap=100,
    list_page_size_ignored=False,
    default_page_size=10,
    list_refuses_modified_after=Refusal(400, "Modified after is not supported when listing common objects in Apollo"),
    id_format="hex24",
    required_fields=MappingProxyType(
        {"createSequenceState": ("contact_id", "sequence_id", "mailbox_id"), "upsertAccount": ("name",)}
    ),
)

OUTREACH = Capabilities(
    provider=Provider.OUTREACH,
    imitates="Outreach REST API v2 (JSON:API, api.outreach.io/api/v2)",
    refusals=MappingProxyType({"batchCreateSequenceState": NOT_IMPLEMENTED}),
    account_search_filters=frozenset({"name", "domain"}),
    account_upsert_fields=frozenset({"name", "domain"}),
    sequence_state_search_filters=frozenset({"contact_id", "sequence_id"}),
    list_page_cap=1000,
    list_page_size_ignored=False,
    default_page_size=10,
    list_refuses_modified_after=None,
    id_format="integer",
    required_fields=MappingProxyType({"createSequenceState": ("contact_id", "sequence_id", "mailbox_id")}),
)

SALESLOFT = Capabilities(
    provider=Provider.SALESLOFT,
    imitates="Salesloft REST API v2 (api.salesloft.com/v2)",
    refusals=MappingProxyType(
        {
            "listMailboxes": Refusal(400, "Common object mailbox not supported for salesloft"),
            "getMailbox": Refusal(400, "Common object mailbox not supported for Salesloft"),
            "updateSequenceStep": Refusal(400, "Update not supported for common object sequence_step"),
            "batchCreateSequenceState": NOT_IMPLEMENTED,
        }
    ),
    account_search_filters=frozenset({"name", "domain"}),
    account_upsert_fields=frozenset({"name", "domain"}),
    sequence_state_search_filters=frozenset({"contact_id", "sequence_id"}),
    list_page_cap=100,
    list_page_size_ignored=True,
    default_page_size=25,
    list_refuses_modified_after=None,
    id_format="integer",
    required_fields=MappingProxyType({"createSequenceState": ("contact_id", "sequence_id")}),
)

CAPABILITIES: Mapping[Provider, Capabilities] = MappingProxyType(
    {Provider.APOLLO: APOLLO, Provider.OUTREACH: OUTREACH, Provider.SALESLOFT: SALESLOFT}
)
