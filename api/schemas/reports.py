"""Schemas of reports: submission, the report view, its history and the list."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.schemas.base import InSchema, agency_ref, choice, text, text_list
from ledger.domain import Channel, Classification, Privacy, State, Urgency

CLASSIFICATIONS = [c.value for c in Classification]
PRIVACY = [p.value for p in Privacy]
URGENCIES = [u.value for u in Urgency]
CHANNELS = [c.value for c in Channel]
STATES = [s.value for s in State]


class ReporterIn(InSchema):
    """Who the reporter is; sealed on storage, shown only as docs/api.md allows."""

    name = text(200, required=False)
    email = text(254, required=False)
    phone = text(50, required=False)
    address = text(500, required=False)


class SubmitIn(InSchema):
    """A new report (laporan): pengaduan, aspirasi, permintaan informasi or WBS."""

    classification = choice(CLASSIFICATIONS)
    privacy = choice(PRIVACY, metadata={"description": "WBS reports must be rahasia"})
    urgency = choice(URGENCIES, required=False)
    channel = choice(CHANNELS, required=False)
    target_agency_id = agency_ref(required=False)
    category = text(100, required=False)
    title = text(200)
    body = text(10_000)
    reporter = fields.Nested(ReporterIn, allow_none=True)
    attachments = text_list(10, 200, metadata={"description": "Attachment references"})


class SubmitOut(Schema):
    """The recorded report; `receipt` is shown this once and never again."""

    report_id = fields.UUID(required=True)
    version = fields.Integer(required=True)
    state = fields.String(required=True)
    leaf_index = fields.Integer(required=True)
    entry_hash = fields.String(required=True)
    receipt = fields.String(required=True, allow_none=True)
    tlog_proof = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "With a receipt: c2sp.org/tlog-proof@v1 of the submission"},
    )
    tlog_proof_help = fields.String(
        required=True, allow_none=True, metadata={"description": "How to keep or get the proof"}
    )


class ReportHeaderOut(Schema):
    """The clear header of a report."""

    report_id = fields.UUID(required=True)
    version = fields.Integer(required=True)
    state = fields.String(required=True)
    classification = fields.String(required=True)
    privacy = fields.String(required=True)
    urgency = fields.String(required=True)
    channel = fields.String(required=True)
    target_agency_id = fields.String(allow_none=True)
    category = fields.String(allow_none=True)
    agency_id = fields.String(allow_none=True)
    unit_id = fields.String(allow_none=True)
    handling_class = fields.String(allow_none=True)
    sla_policy = fields.String(allow_none=True)
    sla_policy_version = fields.Integer(allow_none=True)
    deadlines = fields.Dict(keys=fields.String(), values=fields.DateTime())
    submitted_at = fields.DateTime(required=True)
    verified_at = fields.DateTime(allow_none=True)
    dispositioned_at = fields.DateTime(allow_none=True)
    first_follow_up_at = fields.DateTime(allow_none=True)
    last_follow_up_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    objection_deadline = fields.DateTime(allow_none=True)
    archive_reason = fields.String(allow_none=True)
    awaiting_reporter = fields.Boolean(required=True)
    dispositions = fields.Integer(required=True)
    not_authority_returns = fields.Integer(required=True)
    returned_by = fields.List(fields.String())
    reopens = fields.Integer(required=True)
    erased = fields.Boolean(required=True)


class SealedReportOut(Schema):
    """Sealed fields of the report, present only when disclosed."""

    title = fields.String()
    body = fields.String()
    reporter = fields.Dict()
    attachments = fields.List(fields.String())


class ReportOut(Schema):
    """A report for its reader."""

    header = fields.Nested(ReportHeaderOut, required=True)
    sealed = fields.Nested(SealedReportOut, required=True)
    withheld = fields.List(fields.String(), required=True)
    purpose = fields.String(allow_none=True)


class EntryOut(Schema):
    """One entry of a report's hash chain."""

    leaf_index = fields.Integer(required=True)
    stream_version = fields.Integer(required=True)
    event_type = fields.String(required=True)
    topic = fields.String(required=True)
    recorded_at = fields.DateTime(required=True)
    prev_hash = fields.String(required=True)
    entry_hash = fields.String(required=True)
    header = fields.Dict(required=True)
    sealed = fields.Dict(required=True)
    withheld = fields.List(fields.String(), required=True)


class HistoryOut(Schema):
    """A report's whole history, oldest entry first."""

    report_id = fields.UUID(required=True)
    version = fields.Integer(required=True)
    purpose = fields.String(allow_none=True)
    entries = fields.List(fields.Nested(EntryOut), required=True)


class ReportListArgs(InSchema):
    """Filters and cursor of the report list (only filters the ledger can answer)."""

    classification = choice(CLASSIFICATIONS, required=False)
    state = choice(STATES, required=False)
    agency_id = agency_ref(required=False, metadata={"description": "Handling agency or unit"})
    cursor = fields.Integer(
        validate=validate.Range(min=0, max=2**62),
        metadata={"description": "`next_cursor` of the previous page"},
    )
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))


class SummaryOut(Schema):
    """A line of the report list."""

    report_id = fields.UUID(required=True)
    leaf_index = fields.Integer(required=True)
    version = fields.Integer(required=True)
    state = fields.String(required=True)
    classification = fields.String(required=True)
    privacy = fields.String(required=True)
    urgency = fields.String(required=True)
    agency_id = fields.String(allow_none=True)
    unit_id = fields.String(allow_none=True)
    target_agency_id = fields.String(allow_none=True)
    submitted_at = fields.DateTime(required=True)
    awaiting_reporter = fields.Boolean(required=True)


class ReportPageOut(Schema):
    """A page of the list; `next_cursor` is null at the end."""

    items = fields.List(fields.Nested(SummaryOut), required=True)
    next_cursor = fields.Integer(required=True, allow_none=True)
