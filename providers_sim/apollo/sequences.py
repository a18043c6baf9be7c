"""Apollo's sequence routes: emailer campaigns, steps, touches and contact enrolment.

A campaign's content is spread over four resources. A step belongs to a campaign. When an
email step is created, it also gets one touch (how the email is sent) and one template (its
subject and body). Reading a campaign returns all four lists at once. Enrolment stores one
``contact_campaign_statuses`` entry on the contact per campaign it was added to.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..native import NativeRequest, NativeResponse
from .core import ApolloCore, request_body
from .errors import ApolloError
from .records import (
    PERMISSIONS,
    STEP_TYPES,
    TOUCH_STEP_TYPES,
    TOUCH_TYPES,
    WAIT_MODES,
    hex_id,
    html_to_text,
    new_campaign,
    new_step,
    new_template,
    new_touch,
    offset_timestamp,
    parse_moment,
)
from .search import matches_keywords, page_request, paginate

# Campaign settings a create may set besides name, permissions, owner, labels and state.
CAMPAIGN_SETTINGS = (
    "mark_finished_if_reply",
    "mark_finished_if_interested",
    "mark_paused_if_ooo",
    "mark_finished_if_click",
    "days_to_wait_before_mark_as_response",
    "max_emails_per_day",
    "folder_id",
    "cc_emails",
    "bcc_emails",
)


class SequenceRoutes(ApolloCore):
    """Handlers of the emailer campaign, step and touch endpoints."""

    def register_sequence_routes(self) -> None:
        self.route("POST", "/emailer_campaigns", self._post_campaign)
        self.route("POST", "/emailer_campaigns/search", self._search_campaigns)
        self.route("GET", "/emailer_campaigns/{object_id}", self._get_campaign)
        self.route("POST", "/emailer_campaigns/{object_id}/add_contact_ids", self._add_contact_ids)
        self.route("POST", "/emailer_steps", self._post_step)
        self.route("PUT", "/emailer_touches/{object_id}", self._put_touch)

    # Campaigns ---------------------------------------------------------------------------

    def create_campaign(self, account: str, fields: Mapping[str, Any], object_id: str | None = None) -> dict[str, Any]:
        """Store a new emailer campaign; it starts inactive unless ``active`` is true."""
        name = fields.get("name")
        if name is not None and not isinstance(name, str):
            raise ApolloError(422, f"name must be a string, got {name!r}")
        permissions = fields.get("permissions") or "team_can_use"
        if permissions not in PERMISSIONS:
            raise ApolloError(422, f"permissions must be one of {list(PERMISSIONS)}, got {permissions!r}")
        labels = fields.get("label_ids") or []
        if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
            raise ApolloError(422, f"label_ids must be a list of strings, got {labels!r}")
        active = fields.get("active", False)
        if not isinstance(active, bool):
            raise ApolloError(422, f"active must be true or false, got {active!r}")

        owner = fields.get("user_id")
        if owner is None:
            owner = self.default_user_id(account)
        elif not isinstance(owner, str) or self.find_doc(account, "users", owner) is None:
            raise ApolloError(422, f"User {owner!r} does not exist")

        settings = {key: fields[key] for key in CAMPAIGN_SETTINGS if key in fields}
        created = self.now_text()
        return self.insert_doc(
            account,
            "emailer_campaigns",
            lambda new_id: new_campaign(
                object_id or new_id,
                created,
                name=name,
                permissions=permissions,
                label_ids=labels,
                active=active,
                user_id=owner,
                emailer_schedule_id=hex_id(account, "emailer_schedules", 1),
                **settings,
            ),
        )

    def campaign_payload(self, account: str, campaign: dict[str, Any]) -> dict[str, Any]:
        """Return a campaign with its steps (by position), touches and templates."""
        steps = [doc for doc in self.all_docs(account, "emailer_steps") if doc["emailer_campaign_id"] == campaign["id"]]
        steps.sort(key=lambda step: step.get("position") or 0)
        step_ids = {step["id"] for step in steps}
        touches = [doc for doc in self.all_docs(account, "emailer_touches") if doc.get("emailer_step_id") in step_ids]
        template_ids = {touch.get("emailer_template_id") for touch in touches}
        templates = [doc for doc in self.all_docs(account, "emailer_templates") if doc["id"] in template_ids]
        return {
            "emailer_campaign": campaign,
            "emailer_steps": steps,
            "emailer_touches": touches,
            "emailer_templates": templates,
        }

    def _post_campaign(self, request: NativeRequest, account: str) -> NativeResponse:
        campaign = self.create_campaign(account, request_body(request))
        return NativeResponse(200, self.campaign_payload(account, campaign))

    def _get_campaign(self, request: NativeRequest, account: str, object_id: str) -> NativeResponse:
        _, campaign = self.require_doc(account, "emailer_campaigns", object_id)
        return NativeResponse(200, self.campaign_payload(account, campaign))

    def _search_campaigns(self, request: NativeRequest, account: str) -> NativeResponse:
        body = request_body(request)
        paging = page_request(body.get("page"), body.get("per_page"))
        query = body.get("q_name")
        if isinstance(query, str) and query:
            campaigns = self.all_docs(account, "emailer_campaigns")
            found = [doc for doc in campaigns if matches_keywords(query, [doc.get("name")])]
            chosen, pagination = paginate(found, paging)
        else:
            chosen, pagination = self.page_docs(account, "emailer_campaigns", paging)
        return NativeResponse(200, {"emailer_campaigns": chosen, "pagination": pagination})

    # Steps, touches and templates --------------------------------------------------------

    def create_step(self, account: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Store a step at ``position`` (default: last), moving later steps down by one.

        An email or LinkedIn message step also gets a new touch and an empty template.
        Returns ``{emailer_step, emailer_touch, emailer_template}``.
        """
        campaign_id = fields.get("emailer_campaign_id")
        if not isinstance(campaign_id, str):
            raise ApolloError(422, "emailer_campaign_id is required")
        found = self.find_doc(account, "emailer_campaigns", campaign_id)
        if found is None:
            raise ApolloError(422, f"Emailer campaign {campaign_id!r} does not exist")
        campaign_number, campaign = found
        step_type = fields.get("type")
        if step_type not in STEP_TYPES:
            raise ApolloError(422, f"type must be one of {list(STEP_TYPES)}, got {step_type!r}")
        wait_mode = fields.get("wait_mode")
        if wait_mode not in WAIT_MODES:
            raise ApolloError(422, f"wait_mode must be one of {list(WAIT_MODES)}, got {wait_mode!r}")
        wait_time = _whole_number(fields, "wait_time", 0)
        if wait_time < 0:
            raise ApolloError(422, f"wait_time must not be negative, got {wait_time}")
        exact = fields.get("exact_datetime")
        moment = parse_moment(exact) if isinstance(exact, str) else None
        if exact is not None and moment is None:
            raise ApolloError(422, f"exact_datetime must be an ISO 8601 date-time, got {exact!r}")
        for key in ("note", "priority"):
            if fields.get(key) is not None and not isinstance(fields[key], str):
                raise ApolloError(422, f"{key} must be a string, got {fields[key]!r}")

        steps = self.docs(account, "emailer_steps")
        siblings = [
            (number, doc)
            for number, doc in steps.page(None, max(1, len(steps)))
            if doc["emailer_campaign_id"] == campaign_id
        ]
        position = _whole_number(fields, "position", len(siblings) + 1)
        if not 1 <= position <= len(siblings) + 1:
            raise ApolloError(422, f"position must be between 1 and {len(siblings) + 1}, got {position}")
        for number, sibling in siblings:
            if (sibling.get("position") or 0) >= position:
                steps.update(number, {"position": sibling["position"] + 1})

        step = self.insert_doc(
            account,
            "emailer_steps",
            lambda new_id: new_step(
                new_id,
                emailer_campaign_id=campaign_id,
                position=position,
                type=step_type,
                wait_mode=wait_mode,
                wait_time=wait_time,
                exact_datetime=offset_timestamp(moment) if moment else None,
                note=fields.get("note"),
                priority=fields.get("priority"),
            ),
        )
        self.docs(account, "emailer_campaigns").update(
            campaign_number, {"num_steps": (campaign.get("num_steps") or 0) + 1}
        )

        touch = template = None
        if step_type in TOUCH_STEP_TYPES:
            created = self.now_text()
            template = self.insert_doc(
                account,
                "emailer_templates",
                lambda new_id: new_template(new_id, created, user_id=campaign.get("user_id")),
            )
            touch = self.insert_doc(
                account,
                "emailer_touches",
                lambda new_id: new_touch(new_id, emailer_step_id=step["id"], emailer_template_id=template["id"]),
            )
        return {"emailer_step": step, "emailer_touch": touch, "emailer_template": template}

    def _post_step(self, request: NativeRequest, account: str) -> NativeResponse:
        return NativeResponse(200, self.create_step(account, request_body(request)))

    def _put_touch(self, request: NativeRequest, account: str, object_id: str) -> NativeResponse:
        number, touch = self.require_doc(account, "emailer_touches", object_id)
        body = request_body(request)
        if body.get("id") not in (None, object_id):
            raise ApolloError(422, f"id {body['id']!r} does not match the touch {object_id!r} in the path")
        if body.get("emailer_step_id") not in (None, touch["emailer_step_id"]):
            raise ApolloError(422, f"emailer_step_id {body['emailer_step_id']!r} is not the step of this touch")
        changes: dict[str, Any] = {}
        if "type" in body:
            if body["type"] not in (*TOUCH_TYPES, None):
                raise ApolloError(422, f"type must be one of {list(TOUCH_TYPES)}, got {body['type']!r}")
            changes["type"] = body["type"]

        template_fields = body.get("emailer_template")
        if template_fields is not None:
            if not isinstance(template_fields, dict) or not isinstance(template_fields.get("id"), str):
                raise ApolloError(422, "emailer_template must be an object with an id")
            template_number, _ = self._existing_template(account, template_fields["id"])
            template_changes = {
                key: template_fields[key] for key in ("name", "subject", "body_html") if key in template_fields
            }
            if "body_html" in template_changes:
                template_changes["body_text"] = html_to_text(template_changes["body_html"])
            self.docs(account, "emailer_templates").update(template_number, template_changes)
            changes["emailer_template_id"] = template_fields["id"]

        updated = self.docs(account, "emailer_touches").update(number, changes)
        found = self.find_doc(account, "emailer_templates", updated.get("emailer_template_id") or "")
        updated["emailer_template"] = found[1] if found else None
        return NativeResponse(200, {"emailer_touch": updated})

    def _existing_template(self, account: str, template_id: str) -> tuple[int, dict[str, Any]]:
        found = self.find_doc(account, "emailer_templates", template_id)
        if found is None:
            raise ApolloError(422, f"Emailer template {template_id!r} does not exist")
        return found

    # Enrolment ---------------------------------------------------------------------------

    def _add_contact_ids(self, request: NativeRequest, account: str, object_id: str) -> NativeResponse:
        """Add contacts to a campaign, all or none.

        An unknown contact id rejects the whole call. A contact already in this campaign is
        skipped, and so is a contact active in another campaign unless
        ``sequence_active_in_other_campaigns`` is true. Only added contacts are returned.
        """
        campaign_number, campaign = self.require_doc(account, "emailer_campaigns", object_id)
        body = request_body(request)
        if body.get("emailer_campaign_id") not in (None, object_id):
            raise ApolloError(422, f"emailer_campaign_id {body['emailer_campaign_id']!r} does not match the path")
        contact_ids = body.get("contact_ids")
        if not isinstance(contact_ids, list) or not all(isinstance(item, str) for item in contact_ids):
            raise ApolloError(422, "contact_ids must be a list of contact ids")
        mailbox = body.get("send_email_from_email_account_id")
        if not isinstance(mailbox, str) or self.find_doc(account, "email_accounts", mailbox) is None:
            raise ApolloError(422, f"Email account {mailbox!r} does not exist")
        user_id = body.get("userId")
        if user_id is None:
            user_id = self.default_user_id(account)
        elif not isinstance(user_id, str) or self.find_doc(account, "users", user_id) is None:
            raise ApolloError(422, f"User {user_id!r} does not exist")
        override = body.get("sequence_active_in_other_campaigns") is True

        found = {
            contact_id: self.find_doc(account, "contacts", contact_id) for contact_id in dict.fromkeys(contact_ids)
        }
        missing = [contact_id for contact_id, hit in found.items() if hit is None]
        if missing:
            raise ApolloError(422, f"Contacts not found: {', '.join(missing)}")

        steps = self.campaign_payload(account, campaign)["emailer_steps"]
        state = "active" if campaign.get("active") else "paused"
        added: list[dict[str, Any]] = []
        counts = dict(campaign.get("contact_statuses") or {})
        for contact_id, hit in found.items():
            assert hit is not None
            number, contact = hit
            statuses = list(contact.get("contact_campaign_statuses") or [])
            if any(status.get("emailer_campaign_id") == object_id for status in statuses):
                continue
            if not override and any(status.get("status") == "active" for status in statuses):
                continue
            status = self._new_status(account, contact_id, object_id, mailbox, user_id, state, steps)
            statuses.append(status)
            campaign_ids = [*(contact.get("emailer_campaign_ids") or []), object_id]
            added.append(
                self.docs(account, "contacts").update(
                    number, {"contact_campaign_statuses": statuses, "emailer_campaign_ids": campaign_ids}
                )
            )
            counts[state] = counts.get(state, 0) + 1

        self.docs(account, "emailer_campaigns").update(campaign_number, {"contact_statuses": counts})
        return NativeResponse(200, {"contacts": added})

    def _new_status(
        self,
        account: str,
        contact_id: str,
        campaign_id: str,
        mailbox: str,
        user_id: str | None,
        state: str,
        steps: list[dict[str, Any]],
    ) -> dict[str, Any]:
        added_at = self.now_text()
        registered = self.insert_doc(
            account,
            "contact_campaign_statuses",
            lambda new_id: {"id": new_id, "contact_id": contact_id, "emailer_campaign_id": campaign_id},
        )
        return {
            "id": registered["id"],
            "emailer_campaign_id": campaign_id,
            "send_email_from_email_account_id": mailbox,
            "added_by_user_id": user_id,
            "status": state,
            "inactive_reason": None if state == "active" else "Sequence is not active",
            "current_step_id": steps[0]["id"] if steps else None,
            "current_step_position": 1 if steps else None,
            "added_at": added_at,
            "paused_at": None if state == "active" else added_at,
            "finished_at": None,
            "auto_unpause_at": None,
        }


def _whole_number(fields: Mapping[str, Any], key: str, default: int) -> int:
    value = fields.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ApolloError(422, f"{key} must be a whole number, got {value!r}")
    if isinstance(value, float) and not value.is_integer():
        raise ApolloError(422, f"{key} must be a whole number, got {value!r}")
    return int(value)
