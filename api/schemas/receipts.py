"""Schemas of the whistleblower's receipt endpoints (the receipt travels in the body only)."""

from __future__ import annotations

from marshmallow import Schema, fields

from api.schemas.base import InSchema, text


class ReceiptIn(InSchema):
    """A receipt as printed (`ABCDE-FGHIJ-…`); case, spaces and dashes do not matter."""

    receipt = text(64)


class ReceiptRespondIn(ReceiptIn):
    """The whistleblower's answer to a question or a follow-up."""

    message = text(5_000)


class TimelineItemOut(Schema):
    """One step as the whistleblower sees it: a date, a role, an agency name."""

    date = fields.Date(required=True)
    event = fields.String(required=True)
    state = fields.String(required=True)
    by_role = fields.String(allow_none=True)
    by_agency = fields.String(allow_none=True)
    details = fields.Dict(required=True)


class ReceiptStatusOut(Schema):
    """The report's own timeline."""

    report_id = fields.UUID(required=True)
    state = fields.String(required=True)
    classification = fields.String(required=True)
    awaiting_reporter = fields.Boolean(required=True)
    timeline = fields.List(fields.Nested(TimelineItemOut), required=True)
    tlog_proof = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "c2sp.org/tlog-proof@v1: save it as a .tlog-proof file"},
    )
    tlog_proof_version = fields.Integer(
        required=True, allow_none=True, metadata={"description": "The version it proves"}
    )


class ReceiptAnswerOut(Schema):
    """The answer was recorded."""

    report_id = fields.UUID(required=True)
    state = fields.String(required=True)
    date = fields.Date(required=True)
