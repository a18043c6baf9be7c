"""Apollo sequence operations: emailer campaigns, their steps and contact enrolment.

Apollo has no sequence-state object of its own: enrolling a contact adds an entry to the
contact's ``contact_campaign_statuses``, and the states of a contact are read from it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...errors import BadRequestError, InternalServerError, NotFoundError, RemoteProviderError
from ..base import ListQuery, Page, Record, Written
from .client import APP_API, PUBLIC_API, expect_object, path_id
from .paging import ApolloBase
from .sequence_mappers import (
    from_native_campaign,
    from_native_contact_states,
    from_native_sequence_state,
    from_native_steps,
    now_iso,
    to_native_campaign,
    to_native_step,
    to_native_touch,
)


class SequenceOperations(ApolloBase):
    """The sequence, step and sequence-state operations of the Apollo adapter."""

    # Apollo campaigns carry no update time, so last_modified_at is the time of the read.
    now: Callable[[], str] = staticmethod(now_iso)

    def create_sequence(self, record: Record) -> Written:
        """Create an active campaign, then its steps one after another in the given order.

        Apollo cannot place steps at arbitrary positions, so each step is appended with
        ``order`` = its index + 1. A failing step leaves the campaign and earlier steps behind.
        """
        payload = self.client.send("POST", f"{APP_API}/emailer_campaigns", body=to_native_campaign(record))
        campaign = expect_object(payload, "emailer_campaign")
        steps = record.get("steps") or []
        for index, step in enumerate(steps):
            self.create_sequence_step(str(campaign["id"]), {**step, "order": index + 1})
        created = None if steps else from_native_campaign(campaign, self.now())
        return Written(str(campaign["id"]), created)

    def list_sequences(self, query: ListQuery) -> Page:
        now = self.now()
        return self.list_page(
            f"{PUBLIC_API}/emailer_campaigns/search",
            "emailer_campaigns",
            query,
            lambda item: from_native_campaign(item, now),
            remember=False,
        )

    def get_sequence(self, sequence_id: str) -> Record:
        payload = self.client.send("GET", f"{APP_API}/emailer_campaigns/{path_id(sequence_id)}")
        record = from_native_campaign(expect_object(payload, "emailer_campaign"), self.now())
        record["steps"] = from_native_steps(payload)
        return record

    def create_sequence_step(self, sequence_id: str, record: Record) -> Written:
        """Create a step; for an email step, also fill its touch with the template."""
        payload = self.client.send("POST", f"{APP_API}/emailer_steps", body=to_native_step(sequence_id, record))
        step = expect_object(payload, "emailer_step")
        touch = payload.get("emailer_touch")
        template = payload.get("emailer_template")
        if isinstance(touch, dict) and isinstance(template, dict):
            self.client.send(
                "PUT",
                f"{APP_API}/emailer_touches/{path_id(touch['id'])}",
                body=to_native_touch(touch, str(template["id"]), record),
            )
        return Written(str(step["id"]))

    def update_sequence_step(self, sequence_id: str, step_id: str, record: Record) -> None:
        """Change the subject and body of a step's template; other fields are ignored."""
        payload = self.client.send("GET", f"{APP_API}/emailer_campaigns/{path_id(sequence_id)}")
        touch = next(
            (item for item in payload.get("emailer_touches") or [] if item.get("emailer_step_id") == step_id), None
        )
        template = None
        if touch is not None:
            templates = payload.get("emailer_templates") or []
            template = next((item for item in templates if item.get("id") == touch.get("emailer_template_id")), None)
        if touch is None or template is None:
            raise NotFoundError(f"Unable to find sequence step touch/template {step_id} in Apollo")

        changes = record.get("template") or {}
        native_template: dict[str, Any] = {"id": template["id"]}
        for unified, native in (("body", "body_html"), ("subject", "subject")):
            if unified in changes:
                native_template[native] = changes[unified]
        self.client.send(
            "PUT",
            f"{APP_API}/emailer_touches/{path_id(touch['id'])}",
            body={"id": touch["id"], "emailer_template": native_template},
        )

    # Sequence states -------------------------------------------------------------------------

    def create_sequence_state(self, record: Record) -> Written:
        return self._enroll([record])[0]

    def batch_create_sequence_state(self, records: list[Record]) -> list[Written]:
        """Enrol several contacts in one call; Apollo adds all of them or none."""
        for field in ("sequence_id", "mailbox_id", "user_id"):
            if len({item.get(field) for item in records}) > 1:
                raise BadRequestError(
                    "Batch create sequence states only works when all records are for the same sequence, mailbox and user"
                )
        if not records:
            return []
        return self._enroll(records)

    def search_sequence_states(self, filter: Record, query: ListQuery) -> Page:
        """Return every campaign status of one contact; cursor and page size are not used."""
        contact_id = filter.get("contact_id")
        if not contact_id:
            raise BadRequestError("Contact ID is required for searching sequence states in Apollo")
        if filter.get("sequence_id") is not None:
            raise BadRequestError("Sequence ID is not supported for searching sequence states in Apollo")
        payload = self.client.send("GET", f"{PUBLIC_API}/contacts/{path_id(str(contact_id))}")
        records = from_native_contact_states(expect_object(payload, "contact"))
        return Page(records, None, None, len(records))

    def _enroll(self, records: list[Record]) -> list[Written]:
        """Add the records' contacts to their sequence and return each one's campaign status.

        Apollo leaves contacts that are already in the sequence out of its response, so their
        statuses are read from the contact instead.
        """
        first = records[0]
        mailbox_id = first.get("mailbox_id")
        if not mailbox_id:
            raise BadRequestError("Mailbox ID is required when creating apollo sequence states")
        sequence_id = str(first["sequence_id"])
        body: dict[str, Any] = {
            "contact_ids": [str(item["contact_id"]) for item in records],
            "emailer_campaign_id": sequence_id,
            "send_email_from_email_account_id": mailbox_id,
            # Enrol a contact even when it is active in another sequence.
            "sequence_active_in_other_campaigns": True,
        }
        if first.get("user_id") is not None:
            body["userId"] = first["user_id"]
        payload = self.client.send(
            "POST", f"{APP_API}/emailer_campaigns/{path_id(sequence_id)}/add_contact_ids", body=body
        )
        added = {
            str(item["id"]): item for item in payload.get("contacts") or [] if isinstance(item, dict) and "id" in item
        }

        written: list[Written] = []
        for item in records:
            contact_id = str(item["contact_id"])
            contact = added.get(contact_id) or self._enrolled_contact(contact_id)
            status = next(
                (
                    entry
                    for entry in contact.get("contact_campaign_statuses") or []
                    if entry.get("send_email_from_email_account_id") == mailbox_id
                    and entry.get("emailer_campaign_id") == sequence_id
                ),
                None,
            )
            if status is None:
                raise InternalServerError(f"Unable to add contact {contact_id} to sequence")
            written.append(Written(str(status["id"]), from_native_sequence_state(status, contact_id)))
        return written

    def _enrolled_contact(self, contact_id: str) -> dict[str, Any]:
        try:
            payload = self.client.send("GET", f"{APP_API}/contacts/{path_id(contact_id)}")
        except RemoteProviderError as exc:
            if exc.status == "404":
                raise NotFoundError(f"Unable to find contact {contact_id} in Apollo") from None
            raise
        contact = payload.get("contact")
        if not isinstance(contact, dict):
            raise NotFoundError(f"Unable to find contact {contact_id} in Apollo")
        return contact
