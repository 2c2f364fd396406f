"""Queries for the figures: compliance per agency, per hub and nationally; daily volumes.

The SQL adds up the stored shares and clocks; what each row means is defined once, in
`projections.rules` (and docs/projections.md), whose pure functions give the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

from projections.daily import AUTO_CLOSED, KINDS, RESOLVED, parse_day
from projections.rules.figures import FIGURE_OF_CLOCK, NATIONAL, Figures, Period
from projections.runner import Projections
from projections.times import us

GroupBy = Literal["agency", "hub", "national"]
_ALL_DAYS = ("0000-01-01", "9999-12-31")


@dataclass(frozen=True)
class ComplianceRow:
    """The figures of one group: an agency, a hub (its agencies added up) or the nation."""

    group_by: str
    group: str
    as_of: datetime
    period: Period | None
    classification: str | None
    figures: Figures


@dataclass(frozen=True)
class DailyStats:
    """What happened on one day (WIB), and how many of that day's reports are resolved."""

    day: date
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def submitted(self) -> int:
        """Reports submitted that day."""
        return self.counts.get("submitted", 0)

    @property
    def resolved(self) -> int:
        """Reports submitted that day that are completed now."""
        return self.counts.get(RESOLVED, 0)

    @property
    def resolution_rate(self) -> float | None:
        """Share of that day's reports that are completed now."""
        return None if self.submitted == 0 else self.resolved / self.submitted


def _days(period: Period | None) -> dict[str, str]:
    if period is None:
        return {"first": _ALL_DAYS[0], "last": _ALL_DAYS[1]}
    return {"first": period.first.isoformat(), "last": period.last.isoformat()}


def _add_shares(groups: dict[str, Figures], rows: Iterable[dict[str, Any]]) -> None:
    for row in rows:
        figures = groups.setdefault(row.get("agency_id") or NATIONAL, Figures())
        n = int(row["n"])
        figures.received += n
        figures.buckets[row["bucket"]] += n
        figures.returns += int(row["returns"])
        figures.re_dispositions += int(row["redispositions"])
        figures.handling += int(row["handling"])
        figures.followed_up += int(row["followed_up"])


def _add_clocks(groups: dict[str, Figures], rows: Iterable[dict[str, Any]], national: bool) -> None:
    for row in rows:
        key = NATIONAL if national else row["agency_id"] or NATIONAL
        figure = getattr(groups.setdefault(key, Figures()), FIGURE_OF_CLOCK[row["clock"]])
        figure.met += int(row["met"])
        figure.missed += int(row["missed"])
        figure.pending += int(row["pending"])


@dataclass(frozen=True)
class ComplianceAt:
    """Compliance rows and the position of the `reports` view they were computed at."""

    rows: list[ComplianceRow]
    position: int  # notification id of the last event applied (0: none yet)


def compliance(
    p: Projections,
    *,
    group_by: GroupBy = "agency",
    period: Period | None = None,
    classification: str | None = None,
    agency: str | None = None,
    hub: str | None = None,
    as_of: datetime | None = None,
) -> list[ComplianceRow]:
    """Compliance figures per agency, per hub or nationally, for reports submitted in period."""
    return compliance_at(
        p,
        group_by=group_by,
        period=period,
        classification=classification,
        agency=agency,
        hub=hub,
        as_of=as_of,
    ).rows


def compliance_at(
    p: Projections,
    *,
    group_by: GroupBy = "agency",
    period: Period | None = None,
    classification: str | None = None,
    agency: str | None = None,
    hub: str | None = None,
    as_of: datetime | None = None,
) -> ComplianceAt:
    """`compliance`, with the view's position read in the same snapshot as the figures."""
    if group_by not in ("agency", "hub", "national"):
        raise ValueError(f"group_by must be agency, hub or national, got {group_by!r}")
    moment = as_of or datetime.now(UTC)
    params = {**_days(period), "classification": classification, "as_of_us": us(moment)}
    national = group_by == "national"
    groups: dict[str, Figures] = {}
    with p.reading() as tx:
        position = p.views["reports"].position_in(tx.cursor) or 0
        shares = tx.rows(tx.sql.national_shares if national else tx.sql.agency_shares, params)
        _add_shares(groups, shares)
        _add_clocks(groups, tx.rows(tx.sql.clock_figures, params), national)
    if national:
        chosen = {NATIONAL: groups.get(NATIONAL, Figures())}
    elif group_by == "agency":
        within = None if hub is None else {a.id for a in p.registry.descendants(hub)}
        chosen = {
            k: v
            for k, v in sorted(groups.items())
            if (agency is None or k == agency) and (within is None or k in within)
        }
    else:
        hubs = [hub] if hub is not None else [a.id for a in p.registry.all() if a.is_hub]
        chosen = {}
        for h in hubs:
            total = Figures()
            for member in p.registry.descendants(h):
                if member.id in groups:
                    total.merge(groups[member.id])
            chosen[h] = total
    rows = [
        ComplianceRow(group_by, key, moment, period, classification, figures)
        for key, figures in chosen.items()
    ]
    return ComplianceAt(rows, position)


def daily_stats(
    p: Projections, *, period: Period | None = None, classification: str | None = None
) -> list[DailyStats]:
    """Per day: actions of each kind and the resolution of that day's reports."""
    with p.reading() as tx:
        rows = tx.rows(tx.sql.daily, {**_days(period), "classification": classification})
    days: dict[str, dict[str, int]] = {}
    for row in rows:
        days.setdefault(row["day"], dict.fromkeys([*KINDS.values(), AUTO_CLOSED, RESOLVED], 0))
        days[row["day"]][row["kind"]] = int(row["n"])
    return [DailyStats(parse_day(day), counts) for day, counts in sorted(days.items())]
