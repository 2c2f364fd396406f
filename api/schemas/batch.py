"""Schemas of `POST /v1/actions:batch`: up to 100 actions in, one result per item out."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.schemas.actions import ACTIONS, ActionOut
from api.schemas.base import InSchema, ProblemSchema, choice
from ledger.usecases.batch import MAX_ITEMS

IDEMPOTENCY_KEY = r"^[\x21-\x7e]{1,128}$"  # as the Idempotency-Key header


class BatchItemIn(InSchema):
    """One action: the single-action endpoint's path, body and headers in one object."""

    report_id = fields.UUID(required=True)
    action = choice(list(ACTIONS), metadata={"description": "The name of an action endpoint"})
    args = fields.Dict(
        keys=fields.String(),
        load_default=dict,
        metadata={
            "description": "The body the action's own endpoint takes "
            '(e.g. `{"message": "..."}` for follow_up); checked per item'
        },
    )
    expected_version = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=1, max=999_999_999),
        metadata={"description": "If-Match: the report's version just before this item"},
    )
    idempotency_key = fields.String(
        allow_none=True,
        validate=validate.Regexp(IDEMPOTENCY_KEY),
        metadata={"description": "Idempotency-Key of this item; a replay writes nothing"},
    )


class BatchIn(InSchema):
    """The items, applied in order; the items of one report succeed or fail together."""

    items = fields.List(
        fields.Nested(BatchItemIn),
        required=True,
        validate=validate.Length(min=1, max=MAX_ITEMS),
        metadata={"description": f"1 to {MAX_ITEMS} actions"},
    )

    @validates_schema
    def _unique_keys(self, data: dict[str, Any], **_: Any) -> None:
        keys = [i["idempotency_key"] for i in data.get("items", []) if i.get("idempotency_key")]
        if len(keys) != len(set(keys)):
            raise ValidationError("idempotency keys must be unique within a batch", "items")


class BatchItemOut(Schema):
    """One item's outcome: the appended action, or a problem (RFC 9457); never both."""

    index = fields.Integer(required=True, metadata={"description": "Position in `items`"})
    status = fields.Integer(
        required=True, metadata={"description": "201 appended or replayed, else the problem's"}
    )
    replayed = fields.Boolean(required=True)
    result = fields.Nested(ActionOut, allow_none=True)
    problem = fields.Nested(ProblemSchema, allow_none=True)


class BatchOut(Schema):
    """Per-item outcomes in item order, and counts."""

    results = fields.List(fields.Nested(BatchItemOut), required=True)
    appended = fields.Integer(required=True, metadata={"description": "Items newly written"})
    replayed = fields.Integer(required=True, metadata={"description": "Items replayed"})
    failed = fields.Integer(required=True, metadata={"description": "Items not written"})
