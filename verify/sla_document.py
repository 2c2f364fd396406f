"""The compliance document: the JSON shape of compliance rows, compared by check 12.

`lapor-verify sla --json` prints one, and `--compare` reads the service's (a file, or the
answer of a URL); docs/verify.md describes the shape. It mirrors the service's compliance rows
(group_by, group, as_of, period, classification, figures) and states the log size they were
computed at (`tree_size`). Reading is strict (verify.fields): every figure must be present with
its type; unknown keys are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from verify import fields as f
from verify.errors import MalformedInput
from verify.sla import GROUP_BYS, Selection, SlaRow
from verify.sla_rules.figures import ClockFigure, Figures, Period
from verify.sla_rules.shares import BUCKETS

DOCUMENT_FORMAT = "lapor-compliance/v1"
CLOCK_FIGURES = ("verification", "first_follow_up", "completion")
COUNTS = ("received", "returns", "re_dispositions", "handling", "followed_up")
FIGURE_NAMES = (
    "received",
    *(f"buckets.{b}" for b in BUCKETS),
    *COUNTS[1:],
    "followed_up_share",
    "target_met",
    *(f"{c}.{n}" for c in CLOCK_FIGURES for n in ("met", "missed", "pending", "rate")),
)
"""Every figure of a row, by its path in the row's `figures` object."""

Value = int | float | bool | None
_MISSING = object()


@dataclass(frozen=True, slots=True)
class ServiceRow:
    """One row of the service's document, its figures flattened by FIGURE_NAMES."""

    index: int  # position in `rows`
    group_by: str
    group: str
    selection: Selection
    values: dict[str, Value]


def _clock(c: ClockFigure) -> dict[str, Value]:
    return {"met": c.met, "missed": c.missed, "pending": c.pending, "rate": c.rate}


def figures_to_dict(x: Figures) -> dict[str, Any]:
    """A group's figures as JSON-ready data."""
    return {
        **{name: getattr(x, name) for name in COUNTS},
        "buckets": {b: x.buckets[b] for b in BUCKETS},
        "followed_up_share": x.followed_up_share,
        "target_met": x.target_met,
        **{name: _clock(getattr(x, name)) for name in CLOCK_FIGURES},
    }


def period_to_dict(period: Period | None) -> dict[str, str] | None:
    """A period as {"first", "last"} ISO days, or None for every report day."""
    return None if period is None else {"first": str(period.first), "last": str(period.last)}


def row_to_dict(row: SlaRow) -> dict[str, Any]:
    """One row as JSON-ready data."""
    s = row.selection
    return {
        "group_by": row.group_by,
        "group": row.group,
        "as_of": s.as_of.isoformat(),
        "period": period_to_dict(s.period),
        "classification": s.classification,
        "figures": figures_to_dict(row.figures),
    }


def document(tree_size: int, rows: list[SlaRow]) -> dict[str, Any]:
    """The compliance document of rows computed at a log size."""
    return {
        "format": DOCUMENT_FORMAT,
        "tree_size": tree_size,
        "rows": [row_to_dict(r) for r in rows],
    }


def flat_figures(x: Figures) -> dict[str, Value]:
    """A group's figures by FIGURE_NAMES."""
    return _flatten(figures_to_dict(x))


def _flatten(figures: dict[str, Any]) -> dict[str, Value]:
    flat: dict[str, Value] = {}
    for name in FIGURE_NAMES:
        head, _, tail = name.partition(".")
        flat[name] = figures[head][tail] if tail else figures[head]
    return flat


def parse_document(raw: bytes, source: str) -> tuple[int, list[ServiceRow]]:
    """Read the service's document: its tree size and its rows (MalformedInput if malformed)."""
    try:
        data = f.load_object(raw, None)
        if data.get("format") != DOCUMENT_FORMAT:
            raise MalformedInput(f"format expected {DOCUMENT_FORMAT!r}, got {data.get('format')!r}")
        tree_size = f.integer(data, "tree_size", None)
        rows = data.get("rows")
        if not isinstance(rows, list):
            raise MalformedInput("rows must be a list")
        return tree_size, [_row(n, row) for n, row in enumerate(rows)]
    except MalformedInput as exc:
        raise MalformedInput(f"compliance document {source}: {exc.message}") from None


def _object(value: object, what: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise MalformedInput(f"{what} must be an object")
    return value


def _row(n: int, value: object) -> ServiceRow:
    where = f"rows[{n}]"
    row = _object(value, where)
    try:
        group_by = f.text(row, "group_by", None)
        if group_by not in GROUP_BYS:
            raise MalformedInput(f"group_by must be one of {', '.join(GROUP_BYS)}")
        as_of = datetime.fromisoformat(f.text(row, "as_of", None))
        if as_of.utcoffset() is None:
            raise MalformedInput("as_of must have a time zone")
        period = _period(row.get("period"))
        selection = Selection(as_of, period, f.optional_text(row, "classification", None))
        values = _values(_object(row.get("figures"), "figures"))
        return ServiceRow(n, group_by, f.text(row, "group", None), selection, values)
    except (MalformedInput, ValueError) as exc:
        message = exc.message if isinstance(exc, MalformedInput) else str(exc)
        raise MalformedInput(f"{where}: {message}") from None


def _period(value: object) -> Period | None:
    if value is None:
        return None
    period = _object(value, "period")
    first, last = (date.fromisoformat(f.text(period, k, None)) for k in ("first", "last"))
    return Period(first, last)


def _values(figures: dict[str, object]) -> dict[str, Value]:
    flat: dict[str, Value] = {}
    for name in FIGURE_NAMES:
        head, _, tail = name.partition(".")
        value = figures.get(head, _MISSING)
        if tail:
            inner = _object(value, f"figures.{head}")
            value = inner.get(tail, _MISSING)
            if head == "buckets" and set(inner) - set(BUCKETS):
                raise MalformedInput(f"unknown buckets {sorted(set(inner) - set(BUCKETS))}")
        if value is _MISSING:
            raise MalformedInput(f"figures.{name} is missing")
        flat[name] = _checked(name, value)
    return flat


def _checked(name: str, value: object) -> Value:
    """A figure of its type: counts are integers >= 0, shares and rates numbers or null."""
    if name == "target_met":
        if value is None or isinstance(value, bool):
            return value
    elif isinstance(value, bool):
        pass
    elif name.endswith(("_share", ".rate")):
        if value is None or isinstance(value, int | float):
            return value
    elif isinstance(value, int) and value >= 0:
        return value
    raise MalformedInput(f"figures.{name} has the wrong type or value: {value!r}")
