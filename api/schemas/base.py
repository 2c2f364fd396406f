"""Building blocks of the schemas: strict inputs, bounded strings and lists, headers, problems."""

from __future__ import annotations

import math
import re
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

AGENCY_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)*$")
NOT_BLANK = r"^\s*\S"  # at least one visible character (the domain refuses blank text)


def _encodable(value: str) -> None:
    """Refuse strings that are not valid Unicode text (lone surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError("Not valid Unicode text.") from None


def text(max_length: int, *, required: bool = True, **kwargs: Any) -> fields.String:
    """A required (or optional, then nullable) non-blank string of bounded length."""
    return fields.String(
        required=required,
        allow_none=not required,
        validate=[
            validate.Length(min=1, max=max_length),
            validate.Regexp(NOT_BLANK, error="Must not be blank."),
            _encodable,
        ],
        **kwargs,
    )


def choice(values: list[str], *, required: bool = True, **kwargs: Any) -> fields.String:
    """One of a fixed set of strings."""
    return fields.String(required=required, validate=validate.OneOf(values), **kwargs)


def agency_ref(*, required: bool = True, **kwargs: Any) -> fields.String:
    """An agency id of the registry, e.g. `kota-serang.dinkes`."""
    return fields.String(
        required=required,
        allow_none=not required,
        validate=[validate.Length(min=1, max=100), validate.Regexp(AGENCY_ID)],
        **kwargs,
    )


def text_list(max_items: int, max_length: int, **kwargs: Any) -> fields.List:
    """A bounded list of bounded strings."""
    return fields.List(text(max_length), validate=validate.Length(max=max_items), **kwargs)


class InSchema(Schema):
    """Request bodies and query strings: unknown fields are refused."""

    class Meta:
        unknown = RAISE


class HeaderSchema(Schema):
    """Request headers: every other header passes untouched."""

    class Meta:
        unknown = EXCLUDE


class PurposeHeaders(HeaderSchema):
    """`X-Purpose`: why sealed content is asked for (required to see any)."""

    purpose = fields.String(
        data_key="X-Purpose",
        validate=[validate.Length(min=1, max=200), validate.Regexp(r"^[\x20-\x7e]+$")],
        metadata={"description": "handling | audit | investigation, optionally ': reference'"},
    )


class ActionHeaders(HeaderSchema):
    """`If-Match` (the report version read) and `Idempotency-Key` (a retry-safe request id)."""

    if_match = fields.String(
        data_key="If-Match",
        validate=validate.Regexp(r'^(\*|(W/)?"?[0-9]{1,9}"?)$'),
        metadata={"description": 'The version read, e.g. "3" (the ETag of the report)'},
    )
    idempotency_key = fields.String(
        data_key="Idempotency-Key",
        validate=validate.Regexp(r"^[\x21-\x7e]{1,128}$"),
        metadata={"description": "Unique per intended action; a retry sends the same key"},
    )
    prefer = fields.String(
        data_key="Prefer",
        validate=validate.Regexp(r"^[\x20-\x7e]{1,200}$"),
        metadata={
            "description": "`wait-for-checkpoint` (optionally `, wait=N` seconds): answer once "
            "a signed checkpoint covers the new entry (201), or 202 when the wait runs out"
        },
    )


def expected_version(if_match: str | None) -> int | None:
    """The version in an `If-Match` value; None for absent or `*`."""
    if if_match is None or if_match == "*":
        return None
    return int(if_match.removeprefix("W/").strip('"'))


def checkpoint_wait(prefer: str | None) -> float | None:
    """Seconds to wait for a checkpoint (RFC 7240 `Prefer`); None if not asked, inf if no `wait`."""
    asked = {}
    for preference in (prefer or "").split(","):
        name, _, value = preference.partition(";")[0].partition("=")
        asked[name.strip().lower()] = value.strip().strip('"')
    if "wait-for-checkpoint" not in asked:
        return None
    try:
        return max(0.0, float(asked.get("wait", "inf")))
    except ValueError:  # an unreadable `wait` is ignored (RFC 7240): the longest wait applies
        return math.inf


class ProblemSchema(Schema):
    """RFC 9457 problem details: the one shape of every error."""

    type = fields.String(required=True, metadata={"example": "about:blank"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    instance = fields.String()
    errors = fields.Dict(metadata={"description": "Validation errors by location and field"})
