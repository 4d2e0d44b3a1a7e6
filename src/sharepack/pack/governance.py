"""The pack's `metadata`: its name and workspace, and the governance fields of the share packs
our users already hold (who asked, who approved, which ticket), validated as that format does.

Their format requires the governance fields; here they are optional, so that a pack written for
sharepack alone stays valid. When given they travel: the ticket and requestor as tags on the
pipelines and jobs the pack creates, all of them in the plan's header, and `approver_status`
gates `apply`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from sharepack.pack.model_base import SpecModel, Text, upper_choice
from sharepack.pack.names import TAG_VALUE_MAX, email_problem

ApproverStatus = Literal["approved", "declined", "request_more_info", "pending"]
Strategy = Literal["NEW", "UPDATE", "DELETE"]
Region = Literal["AM", "EMEA"]
APPROVED = "approved"
# The fields said in the plan's header, in this order, when the pack gives them.
HEADER_FIELDS = (
    "requestor",
    "business_line",
    "delta_share_region",
    "configurator",
    "approver",
    "executive_team",
    "approver_status",
    "servicenow",
    "contact_email",
    "project_name",
    "version",
    "last_updated",
    "client",
    "strategy",
)
# Tags the pack's governance puts on every pipeline and job (keys are sharepack's own).
TICKET_TAG = "sharepack_ticket"
REQUESTOR_TAG = "sharepack_requestor"
# An AD group name as directories allow it: letters, digits, spaces and a few separators.
_AD_GROUP = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.&()'-]{0,255}\Z")
_TAG_UNSAFE = re.compile(r"[^\w .:+=@/-]+")
_TICKET = re.compile(r"\b([A-Z]{2,6}\d{5,})\b")


def _lower_choice(*choices: str) -> BeforeValidator:
    def lower(value: Any) -> Any:
        return value.lower() if isinstance(value, str) and value.lower() in choices else value

    return BeforeValidator(lower)


def _joined(value: Any) -> Any:
    # Their YAML writes people as "a@x.com, b@x.com"; a YAML list means the same.
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ", ".join(value)
    return value


People = Annotated[str, BeforeValidator(_joined, json_schema_input_type=str | list[str])]


def people_problem(value: str, *, emails_only: bool = False) -> str | None:
    """Each comma-separated entry an e-mail (or an AD group name, unless `emails_only`)."""
    entries = [entry.strip() for entry in value.split(",")]
    if not any(entries):
        return "expected an e-mail or AD group name, got nothing"
    for entry in entries:
        if not entry:
            return f"{value!r} has an empty entry between commas"
        if "@" in entry or emails_only:
            problem = email_problem(entry)
            if problem:
                return problem
        elif not _AD_GROUP.match(entry):
            return f"{entry!r} is neither an e-mail nor an AD group name"
    return None


class Metadata(SpecModel):
    """About the pack itself, and the governance fields of the share-pack format users hold."""

    name: str | None = Field(
        None,
        description="The pack's name, carried by everything it creates in the `sharepack_pack` tag. "
        "Default: the file name without its extension.",
    )
    workspace_url: str | None = Field(
        None,
        description="The workspace to deploy to when no --host, --profile, target or DATABRICKS_HOST "
        "says otherwise (https://...); `local` is the embedded emulator.",
    )
    owner: str | None = Field(None, description="Who owns the pack (a team or an email). Free text.")
    description: str | None = Field(None, description="What the pack is for. Free text.")
    requestor: People | None = Field(
        None,
        description="Who asked for the pack: e-mails or AD group names, comma-separated. "
        "Tagged on pipelines and jobs as `sharepack_requestor`.",
    )
    business_line: str | None = Field(None, description="The business line the data belongs to.")
    delta_share_region: Annotated[Region, upper_choice("AM", "EMEA")] | None = Field(
        None, description="AM or EMEA."
    )
    configurator: People | None = Field(
        None, description="Who wrote the pack: e-mails or AD group names, comma-separated."
    )
    approver: People | None = Field(
        None, description="Who approves it: e-mails or AD group names, comma-separated."
    )
    executive_team: People | None = Field(
        None, description="The accountable executives: e-mails or AD group names, comma-separated."
    )
    approver_status: Annotated[ApproverStatus, _lower_choice(*ApproverStatus.__args__)] | None = Field(
        None,
        description="approved, declined, request_more_info or pending. Anything but approved: plan "
        "says so first and apply sends nothing (unless --ignore-approval).",
    )
    servicenow: Text | None = Field(
        None,
        description="The ServiceNow ticket (number or link). Tagged on pipelines and jobs as "
        "`sharepack_ticket`.",
    )
    contact_email: People | None = Field(None, description="Who to contact: e-mails, comma-separated.")
    project_name: str | None = Field(None, description="The project the pack serves.")
    version: Text | None = Field(None, description="The pack's version. Free text.")
    last_updated: Text | None = Field(None, description="When the pack was last changed. Free text.")
    client: str | None = Field(None, description="The client the data is for. Free text.")
    strategy: Annotated[Strategy, upper_choice("NEW", "UPDATE", "DELETE")] | None = Field(
        None,
        description="NEW (default) and UPDATE make the workspace match the pack; UPDATE refuses to "
        "create what does not exist yet; DELETE plans the pack's destruction (as `destroy`).",
    )


def governance_header(metadata: Metadata | None) -> dict[str, str]:
    """The governance fields the pack gives, in header order (empty: the plan is as before)."""
    if metadata is None:
        return {}
    return {key: str(getattr(metadata, key)) for key in HEADER_FIELDS if getattr(metadata, key) is not None}


def governance_tags(metadata: Metadata | None) -> dict[str, str]:
    """The ticket and requestor as tag values Databricks accepts on every cloud.

    A ticket given as a link becomes its number (RITM0012345); anything a tag value may not hold
    (commas, `?`, `&`) becomes a space, and the value is cut to the length tags allow."""
    if metadata is None:
        return {}
    tags: dict[str, str] = {}
    if metadata.servicenow is not None:
        found = _TICKET.search(metadata.servicenow)
        tags[TICKET_TAG] = _tag_value(found.group(1) if found else metadata.servicenow)
    if metadata.requestor is not None:
        tags[REQUESTOR_TAG] = _tag_value(metadata.requestor)
    return {key: value for key, value in tags.items() if value}


def _tag_value(text: str) -> str:
    return " ".join(_TAG_UNSAFE.sub(" ", text).split())[:TAG_VALUE_MAX]
