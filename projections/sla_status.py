"""The SLA status of one report: every clock, its due time and its status at a moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from projections.paging import make
from projections.rules.clocks import CLOCKS, ClockState, status_at
from projections.runner import Projections
from projections.times import time_of


class UnknownReport(LookupError):
    """The projection has no report with this id (yet)."""


@dataclass(frozen=True)
class ClockStatus:
    """One clock of a report and its status at `as_of`."""

    clock: str
    agency_id: str | None
    started_at: datetime
    due_at: datetime | None
    stopped_at: datetime | None
    outcome: str | None
    status: str
    stamped: bool


@dataclass(frozen=True)
class ReportSla:
    """The SLA status of every clock of one report."""

    report_id: str
    version: int
    state: str
    classification: str
    handling_class: str | None
    sla_policy: str | None
    intake_agency_id: str
    agency_id: str | None
    unit_id: str | None
    submitted_at: datetime
    as_of: datetime
    clocks: list[ClockStatus]


def report_sla(p: Projections, report_id: str, *, now: datetime | None = None) -> ReportSla:
    """The state of every clock of one report at `now` (default: the current time)."""
    as_of = now or datetime.now(UTC)
    with p.reading() as tx:
        found = tx.rows(tx.sql.report, {"report_id": str(report_id)})
        clocks = tx.rows(tx.sql.report_clocks, {"report_id": str(report_id)})
    if not found:
        raise UnknownReport(f"report {report_id} is not in the projection")
    r = found[0]
    order = {name: n for n, name in enumerate(CLOCKS)}
    times = {"started_at": "started_us", "due_at": "due_us", "stopped_at": "stopped_us"}
    statuses = []
    for c in sorted(clocks, key=lambda c: order.get(c["clock"], len(order))):
        state = ClockState(
            c["clock"],
            c["agency_id"],
            time_of(c["started_us"]),
            time_of(c["due_us"]),
            time_of(c["stopped_us"]),
            c["outcome"],
            bool(c["stamped"]),
        )
        status = status_at(state, as_of)
        statuses.append(make(ClockStatus, {**c, "status": status}, times=times, flags=("stamped",)))
    return make(
        ReportSla, {**r, "as_of": as_of, "clocks": statuses}, times={"submitted_at": "submitted_us"}
    )
