"""Schemas of the work queues: verification queue, inboxes, overdue clocks, one report's SLA."""

from __future__ import annotations

from datetime import UTC, datetime

from marshmallow import Schema, fields, validate

from api.schemas.base import InSchema, agency_ref, choice
from api.schemas.reports import CLASSIFICATIONS

MAX_LIMIT = 500  # projections.paging.MAX_LIMIT
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def moment(description: str) -> fields.AwareDateTime:
    """An ISO 8601 time with a zone, e.g. `2026-03-02T09:00:00+07:00`."""
    return fields.AwareDateTime(
        validate=validate.Range(min=EARLIEST, max=LATEST),
        metadata={"description": description},
    )


def cursor() -> fields.String:
    """The opaque `next_cursor` of the previous page."""
    return fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "`next_cursor` of the previous page"},
    )


def limit(default: int) -> fields.Integer:
    """Items per page."""
    return fields.Integer(load_default=default, validate=validate.Range(min=1, max=MAX_LIMIT))


class QueueArgs(InSchema):
    """Filters of the verification queue (by intake agency)."""

    agency = agency_ref(required=False, metadata={"description": "Intake agency"})
    hub = agency_ref(required=False, metadata={"description": "Intake agencies below this one"})
    classification = choice(CLASSIFICATIONS, required=False)
    cursor = cursor()
    limit = limit(50)


class InboxArgs(InSchema):
    """Whose inbox: an agency (default: the caller's) and optionally one of its units."""

    agency = agency_ref(required=False, metadata={"description": "Default: the caller's"})
    unit = agency_ref(required=False, metadata={"description": "One unit (OPD) of the agency"})
    classification = choice(CLASSIFICATIONS, required=False)
    cursor = cursor()
    limit = limit(50)


class OverdueArgs(InSchema):
    """The moment, and whose clocks (the agency each clock runs against)."""

    now = moment("Judge the clocks at this time (default: the server's now)")
    agency = agency_ref(required=False, metadata={"description": "Clocks of this agency"})
    hub = agency_ref(required=False, metadata={"description": "Clocks of agencies below it"})
    unit = agency_ref(required=False, metadata={"description": "Reports with this unit"})
    classification = choice(CLASSIFICATIONS, required=False)
    cursor = cursor()
    limit = limit(100)


class SlaArgs(InSchema):
    """The moment a report's clocks are judged at."""

    now = moment("Judge the clocks at this time (default: the server's now)")


class QueueItemOut(Schema):
    """A report awaiting verification (belum terverifikasi, or tunda)."""

    report_id = fields.String(required=True)
    version = fields.Integer(required=True)
    state = fields.String(required=True)
    classification = fields.String(required=True)
    privacy = fields.String(required=True)
    urgency = fields.String(required=True)
    intake_agency_id = fields.String(required=True)
    submitted_at = fields.DateTime(required=True)
    due_at = fields.DateTime(
        required=True, allow_none=True, metadata={"description": "null while on hold"}
    )
    awaiting_reporter = fields.Boolean(required=True)


class InboxItemOut(Schema):
    """A report in an agency's or unit's hands."""

    report_id = fields.String(required=True)
    version = fields.Integer(required=True)
    state = fields.String(required=True)
    classification = fields.String(required=True)
    privacy = fields.String(required=True)
    urgency = fields.String(required=True)
    agency_id = fields.String(required=True)
    unit_id = fields.String(required=True, allow_none=True)
    assigned_at = fields.DateTime(required=True)
    next_due_at = fields.DateTime(required=True, allow_none=True)
    awaiting_reporter = fields.Boolean(required=True)


class OverdueItemOut(Schema):
    """A running clock past its due time."""

    report_id = fields.String(required=True)
    clock = fields.String(required=True)
    agency_id = fields.String(required=True, allow_none=True)
    unit_id = fields.String(required=True, allow_none=True)
    state = fields.String(required=True)
    classification = fields.String(required=True)
    started_at = fields.DateTime(required=True)
    due_at = fields.DateTime(required=True)
    version = fields.Integer(required=True)


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """A page schema: `items` and `next_cursor` (null on the last page)."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "next_cursor": fields.String(required=True, allow_none=True),
        },
        name=name,
    )


QueuePageOut = page_of(QueueItemOut, "QueuePageOut")
InboxPageOut = page_of(InboxItemOut, "InboxPageOut")
OverduePageOut = page_of(OverdueItemOut, "OverduePageOut")


class ClockStatusOut(Schema):
    """One clock of a report and its status at `as_of`."""

    clock = fields.String(required=True)
    agency_id = fields.String(required=True, allow_none=True)
    started_at = fields.DateTime(required=True)
    due_at = fields.DateTime(required=True, allow_none=True)
    stopped_at = fields.DateTime(required=True, allow_none=True)
    outcome = fields.String(
        required=True, allow_none=True, metadata={"description": "met, late, void or fired"}
    )
    status = fields.String(
        required=True, metadata={"description": "running, overdue, paused, or the outcome"}
    )
    stamped = fields.Boolean(required=True)


class ReportSlaOut(Schema):
    """Every clock of one report (docs/projections.md, "Clocks")."""

    report_id = fields.String(required=True)
    version = fields.Integer(required=True)
    state = fields.String(required=True)
    classification = fields.String(required=True)
    handling_class = fields.String(required=True, allow_none=True)
    sla_policy = fields.String(required=True, allow_none=True)
    intake_agency_id = fields.String(required=True)
    agency_id = fields.String(required=True, allow_none=True)
    unit_id = fields.String(required=True, allow_none=True)
    submitted_at = fields.DateTime(required=True)
    as_of = fields.DateTime(required=True)
    clocks = fields.List(fields.Nested(ClockStatusOut), required=True)
