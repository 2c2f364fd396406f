"""Schemas of the figures: compliance (JSON or CSV) and daily volumes.

The compliance JSON is the compliance document of docs/verify.md (`lapor-compliance/v1`), so
`lapor-verify sla BUNDLE --compare URL` checks it figure by figure (check 12).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields

from api.schemas.base import InSchema, agency_ref, choice
from api.schemas.queues import moment
from api.schemas.reports import CLASSIFICATIONS
from projections.rules.shares import BUCKETS

DOCUMENT_FORMAT = "lapor-compliance/v1"
COUNTS = ("received", "returns", "re_dispositions", "handling", "followed_up")
CLOCK_FIGURES = ("verification", "first_follow_up", "completion")
_DAY_OR_YEAR = r"\d{4}(-\d{2}-\d{2})?"
PERIOD = re.compile(rf"^{_DAY_OR_YEAR}(\.\.{_DAY_OR_YEAR})?$")


def _day(text: str, end: bool) -> date:
    if len(text) == 4:
        return date(int(text), 12, 31) if end else date(int(text), 1, 1)
    return date.fromisoformat(text)


class PeriodField(fields.String):
    """`YYYY`, `YYYY-MM-DD`, or `FROM..TO` of those: report days (WIB), both ends included."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not PERIOD.match(text):
            raise ValidationError("Expected YYYY, YYYY-MM-DD or FROM..TO of those.")
        first, _, last = text.partition("..")
        try:
            days = (_day(first, False), _day(last or first, True))
        except ValueError as e:
            raise ValidationError(f"Not a day: {e}.") from None
        if days[0] > days[1]:
            raise ValidationError("FROM is after TO.")
        return days


def period() -> PeriodField:
    """The report days to count."""
    return PeriodField(
        metadata={
            "description": "Report days (WIB): YYYY, YYYY-MM-DD or FROM..TO (days or years)",
            "pattern": PERIOD.pattern,
            "example": "2026-01-01..2026-03-31",
        }
    )


class ComplianceArgs(InSchema):
    """Which groups, which reports (period, classification) and when the clocks are judged."""

    group_by = choice(["agency", "hub", "national"], required=False, load_default="agency")
    period = period()
    classification = choice(CLASSIFICATIONS, required=False)
    agency = agency_ref(required=False, metadata={"description": "Only this agency's row"})
    hub = agency_ref(required=False, metadata={"description": "Only agencies (or hubs) below it"})
    as_of = moment("Judge the clocks at this time (default: the server's now)")
    format = choice(
        ["json", "csv"], required=False, metadata={"description": "Overrides the Accept header"}
    )


class DailyArgs(InSchema):
    """Which report days and classification."""

    period = period()
    classification = choice(CLASSIFICATIONS, required=False)


class PeriodOut(Schema):
    """Report days, both included."""

    first = fields.Date(required=True)
    last = fields.Date(required=True)


class ClockFigureOut(Schema):
    """Stamped clocks of one kind: met, missed (late or overdue), pending; rate = met/decided."""

    met = fields.Integer(required=True)
    missed = fields.Integer(required=True)
    pending = fields.Integer(required=True)
    rate = fields.Float(required=True, allow_none=True)


BucketsOut = Schema.from_dict(
    {name: fields.Integer(required=True) for name in BUCKETS}, name="BucketsOut"
)


class FiguresOut(Schema):
    """The figures of one group (docs/projections.md, "Compliance figures")."""

    received = fields.Integer(required=True)
    buckets = fields.Nested(BucketsOut, required=True)
    returns = fields.Integer(required=True)
    re_dispositions = fields.Integer(required=True)
    handling = fields.Integer(required=True)
    followed_up = fields.Integer(required=True)
    followed_up_share = fields.Float(required=True, allow_none=True)
    target_met = fields.Boolean(
        required=True, allow_none=True, metadata={"description": "followed_up_share >= 0.9"}
    )
    verification = fields.Nested(ClockFigureOut, required=True)
    first_follow_up = fields.Nested(ClockFigureOut, required=True)
    completion = fields.Nested(ClockFigureOut, required=True)


class ComplianceRowOut(Schema):
    """One group's figures and the selection they count."""

    group_by = fields.String(required=True)
    group = fields.String(required=True)
    as_of = fields.DateTime(required=True)
    period = fields.Nested(PeriodOut, required=True, allow_none=True)
    classification = fields.String(required=True, allow_none=True)
    figures = fields.Nested(FiguresOut, required=True)


class ComplianceOut(Schema):
    """The compliance document (docs/verify.md): rows, and the log size they were computed at."""

    format = fields.Constant(DOCUMENT_FORMAT, required=True)
    tree_size = fields.Integer(
        required=True, metadata={"description": "Log entries the figures cover"}
    )
    position = fields.Integer(
        required=True, metadata={"description": "The projection's notification id"}
    )
    as_of = fields.DateTime(required=True)
    rows = fields.List(fields.Nested(ComplianceRowOut), required=True)


class DayOut(Schema):
    """What happened on one day (WIB) nationally, and how many of its reports are resolved."""

    day = fields.Date(required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    submitted = fields.Integer(required=True)
    resolved = fields.Integer(required=True)
    resolution_rate = fields.Float(required=True, allow_none=True)


class DailyOut(Schema):
    """Daily volumes, oldest day first."""

    days = fields.List(fields.Nested(DayOut), required=True)


FIGURE_COLUMNS = (
    COUNTS[0],
    *(f"buckets.{b}" for b in BUCKETS),
    *COUNTS[1:],
    "followed_up_share",
    "target_met",
    *(f"{c}.{n}" for c in CLOCK_FIGURES for n in ("met", "missed", "pending", "rate")),
)
CSV_COLUMNS = (
    "group_by",
    "group",
    "as_of",
    "tree_size",
    "period_first",
    "period_last",
    "classification",
    *FIGURE_COLUMNS,
)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def compliance_csv(document: dict[str, Any]) -> str:
    """The rows of a dumped compliance document as CSV, one line per group."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in document["rows"]:
        figures, period = row["figures"], row["period"] or {}
        values = [row["group_by"], row["group"], row["as_of"], document["tree_size"]]
        values += [period.get("first"), period.get("last"), row["classification"]]
        for name in FIGURE_COLUMNS:
            head, _, tail = name.partition(".")
            values.append(figures[head][tail] if tail else figures[head])
        writer.writerow([_cell(v) for v in values])
    return out.getvalue()
