"""Native Apollo objects as the simulator stores and returns them.

Each ``new_<resource>`` function returns a complete native object with Apollo's defaults,
so that a create over HTTP and ``insert_native`` fill the same fields. Ids are 24 lowercase
hex digits, like Apollo's MongoDB object ids, derived from the account name, the resource
and the document number, so one account always gets the same ids in the same order.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

HEX_ID_LENGTH = 24

# Step types that Apollo gives an email touch and template when the step is created.
# The LinkedIn message and connect steps carry a message too, so they get one as well.
TOUCH_STEP_TYPES = frozenset({"auto_email", "manual_email", "linkedin_step_message", "linkedin_step_connect"})
STEP_TYPES = (
    "auto_email",
    "manual_email",
    "call",
    "action_item",
    "linkedin_step_message",
    "linkedin_step_connect",
    "linkedin_step_view_profile",
    "linkedin_step_interact_post",
)
WAIT_MODES = ("second", "minute", "hour", "day")
PERMISSIONS = ("team_can_use", "team_can_view", "private")
TOUCH_TYPES = ("reply_to_thread", "new_thread")

# The metric fields of an emailer campaign, in Apollo's order.
CAMPAIGN_COUNTERS = (
    "unique_scheduled",
    "unique_delivered",
    "unique_bounced",
    "unique_opened",
    "unique_hard_bounced",
    "unique_spam_blocked",
    "unique_replied",
    "unique_demoed",
    "unique_clicked",
    "unique_unsubscribed",
)
CAMPAIGN_RATES = (
    "bounce_rate",
    "hard_bounce_rate",
    "open_rate",
    "click_rate",
    "reply_rate",
    "spam_block_rate",
    "opt_out_rate",
    "demo_rate",
)
CONTACT_STATUS_KEYS = ("active", "failed", "paused", "finished", "bounced", "hard_bounced", "spam_blocked", "not_sent")

# Contact write fields that carry a phone number, and the type Apollo stores it under.
PHONE_FIELDS: Mapping[str, str] = {
    "mobile_phone": "mobile",
    "corporate_phone": "work_hq",
    "home_phone": "home",
    "other_phone": "other",
}

_POSTAL_CODE = re.compile(r"^(\d[\d -]{2,9}|[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2})$")
_TAG = re.compile(r"<[^>]+>")


def hex_id(account: str, resource: str, number: int) -> str:
    """Return the 24-hex-digit id of document ``number`` of ``resource`` in ``account``."""
    text = f"apollo\x1f{account}\x1f{resource}\x1f{number}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HEX_ID_LENGTH]


def timestamp(moment: datetime) -> str:
    """Format a time the way Apollo writes ``created_at``: ``2023-10-21T03:59:24.026Z``."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def offset_timestamp(moment: datetime) -> str:
    """Format a time the way Apollo writes ``exact_datetime``: ``2023-10-21T17:40:53.807+00:00``."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+00:00"


def parse_moment(text: str) -> datetime | None:
    """Parse an ISO 8601 date or date-time; a value without an offset is taken as UTC."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def parse_raw_address(raw: str | None) -> dict[str, str | None]:
    """Split ``present_raw_address`` into Apollo's address fields.

    Apollo geocodes the raw address. The simulator applies fixed rules instead: a first
    part that starts with a digit is the street, a part shaped like a postal code is the
    postal code, and the other parts are city, state and country in that order.
    ``"525 Brannan, San Francisco, CA, 94107, US"`` gives all five fields.
    """
    fields: dict[str, str | None] = dict.fromkeys(("street_address", "city", "state", "postal_code", "country"))
    parts = [part.strip() for part in (raw or "").split(",") if part.strip()]
    if parts and parts[0][0].isdigit() and not _POSTAL_CODE.match(parts[0]):
        fields["street_address"] = parts.pop(0)

    for position, part in enumerate(parts):
        if _POSTAL_CODE.match(part):
            fields["postal_code"] = parts.pop(position)
            break

    # NOTE: "San Francisco, US" reads US as the state, because the parts carry no labels.
    if len(parts) > 3:
        parts = [", ".join(parts[:-2]), parts[-2], parts[-1]]
    for key, part in zip(("city", "state", "country"), parts, strict=False):
        fields[key] = part
    return fields


def sanitize_phone(raw: str) -> str | None:
    """Return the E.164 form Apollo stores as ``sanitized_number``; ten digits get ``+1``."""
    digits = re.sub(r"\D", "", raw)
    if not digits:
        return None
    if not raw.strip().startswith("+") and len(digits) == 10:
        digits = "1" + digits
    return "+" + digits


def phone_entry(raw: str, phone_type: str, position: int) -> dict[str, Any]:
    return {
        "raw_number": raw,
        "sanitized_number": sanitize_phone(raw),
        "type": phone_type,
        "position": position,
        "status": "no_status",
        "dnc_status": None,
        "dnc_other_info": None,
    }


def html_to_text(html: str | None) -> str | None:
    """Return the text of an HTML body, as Apollo fills ``body_text`` from ``body_html``."""
    if html is None:
        return None
    return _TAG.sub("", html)


def new_user(user_id: str, created_at: str, **fields: Any) -> dict[str, Any]:
    first = fields.get("first_name")
    last = fields.get("last_name")
    user: dict[str, Any] = {
        "id": user_id,
        "first_name": first,
        "last_name": last,
        "name": " ".join(part for part in (first, last) if part) or None,
        "email": None,
        "title": None,
        "created_at": created_at,
        "credit_limit": 10000,
        "deleted": False,
        "team_id": None,
    }
    user.update(fields)
    return user


def new_email_account(account_id: str, created_at: str, **fields: Any) -> dict[str, Any]:
    email_account: dict[str, Any] = {
        "id": account_id,
        "user_id": None,
        "email": None,
        "type": "gmail",
        "active": True,
        "default": False,
        "provider_display_name": "Gmail",
        "last_synced_at": created_at,
        "created_at": created_at,
        "max_outbound_emails_per_day": 200,
    }
    email_account.update(fields)
    return email_account


def new_account(account_id: str, created_at: str, **fields: Any) -> dict[str, Any]:
    account: dict[str, Any] = {
        "id": account_id,
        "name": None,
        "website_url": None,
        "domain": None,
        "phone": None,
        "owner_id": None,
        "creator_id": None,
        "organization_id": None,
        "source": "api",
        "original_source": "api",
        "label_ids": [],
        "typed_custom_fields": {},
        "created_at": created_at,
    }
    account.update(fields)
    return account


def new_contact(contact_id: str, created_at: str, **fields: Any) -> dict[str, Any]:
    contact: dict[str, Any] = {
        "id": contact_id,
        "first_name": None,
        "last_name": None,
        "name": None,
        "title": None,
        "email": None,
        "email_status": None,
        "organization_name": None,
        "account_id": None,
        "owner_id": None,
        "creator_id": None,
        "present_raw_address": None,
        "street_address": None,
        "city": None,
        "state": None,
        "postal_code": None,
        "country": None,
        "phone_numbers": [],
        "contact_campaign_statuses": [],
        "emailer_campaign_ids": [],
        "label_ids": [],
        "typed_custom_fields": {},
        "source": "api",
        "original_source": "api",
        "created_at": created_at,
        "updated_at": created_at,
    }
    contact.update(fields)
    contact["name"] = " ".join(part for part in (contact["first_name"], contact["last_name"]) if part) or None
    return contact


def new_campaign(campaign_id: str, created_at: str, **fields: Any) -> dict[str, Any]:
    campaign: dict[str, Any] = {
        "id": campaign_id,
        "name": None,
        "archived": False,
        "created_at": created_at,
        "emailer_schedule_id": None,
        "max_emails_per_day": None,
        "user_id": None,
        "label_ids": [],
        "active": False,
        "permissions": "team_can_use",
        "mark_finished_if_reply": True,
        "mark_finished_if_interested": True,
        "mark_paused_if_ooo": True,
        "mark_finished_if_click": False,
        "days_to_wait_before_mark_as_response": 5,
        "last_used_at": None,
        "folder_id": None,
        "creation_type": "new",
        "num_steps": 0,
    }
    campaign.update(dict.fromkeys(CAMPAIGN_COUNTERS, 0))
    campaign.update(dict.fromkeys(CAMPAIGN_RATES, 0.0))
    campaign["loaded_stats"] = True
    campaign["contact_statuses"] = dict.fromkeys(CONTACT_STATUS_KEYS, 0)
    campaign["cc_emails"] = ""
    campaign["bcc_emails"] = ""
    campaign.update(fields)
    return campaign


def new_step(step_id: str, **fields: Any) -> dict[str, Any]:
    step: dict[str, Any] = {
        "id": step_id,
        "emailer_campaign_id": None,
        "position": 1,
        "wait_time": 0,
        "type": "auto_email",
        "wait_mode": "second",
        "note": None,
        "max_emails_per_day": None,
        "exact_datetime": None,
        "priority": None,
        "auto_skip_in_x_days": None,
        "counts": dict.fromkeys(
            ("active", "paused", "finished", "bounced", "spam_blocked", "hard_bounced", "not_sent"), 0
        ),
        "ab_test_details": {},
    }
    step.update(fields)
    return step


def new_touch(touch_id: str, **fields: Any) -> dict[str, Any]:
    touch: dict[str, Any] = {
        "id": touch_id,
        "emailer_step_id": None,
        "emailer_template_id": None,
        "status": "to_be_reviewed",
        "type": "new_thread",
        "include_signature": True,
        "has_personalized_opener": None,
        "personalized_opener_fallback_option": "send_without_opener",
        "generic_personalized_opener": None,
    }
    touch.update(
        dict.fromkeys(("unique_scheduled", "unique_delivered", "unique_bounced", "unique_opened", "unique_replied"), 0)
    )
    touch.update(fields)
    return touch


def new_template(template_id: str, created_at: str, **fields: Any) -> dict[str, Any]:
    template: dict[str, Any] = {
        "id": template_id,
        "name": None,
        "user_id": None,
        "subject": None,
        "archived": False,
        "created_at": created_at,
        "global": False,
        "body_text": "",
        "folder_id": None,
        "body_html": "",
        "creation_type": "manual",
        "label_ids": [],
        "prompt_id": None,
    }
    template.update(fields)
    return template
