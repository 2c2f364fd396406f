"""Timers: processes that append events, so that what they do is in the log too.

`run_timers(app, now)` auto-closes reports 10 silent working days after their last follow-up
(`Report.complete(auto=True)` by the system actor) and records one overdue notice
(`Report.annotate` by the system actor) per overdue clock and due time. Candidates come from
the `reports` projection; each is re-checked on the report itself before anything is written,
and what was already done is not done again, so running twice appends nothing new.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ledger.application import LedgerApplication
from ledger.deadlines import AUTO_CLOSE_NOTE, DeadlineStamper
from ledger.domain import Actor, Report, Role, VersionConflict
from projections.follower import caught_up
from projections.lists import overdue
from projections.runner import Projections
from projections.times import us

SYSTEM = Actor("lapor-ledger/timers", Role.SYSTEM, None)
NOTICE = "overdue-notice/v1"
_NOTICE_PATTERN = re.compile(rf"^{re.escape(NOTICE)} clock=(\S+) due=(\S+)")


@dataclass(frozen=True)
class TimerAction:
    """One event a timer appended."""

    report_id: UUID
    kind: str  # auto_close or overdue_notice
    clock: str
    due_at: datetime
    version: int


def notice_text(clock: str, due: datetime) -> str:
    """The note of an overdue notice; its first words are machine-readable."""
    return f"{NOTICE} clock={clock} due={due.isoformat()} - tenggat terlewati (deadline passed)"


def notices_on(app: LedgerApplication, report_id: UUID) -> set[tuple[str, str]]:
    """The (clock, due) pairs already noticed on a report, read from the stored clear header."""
    found = set()
    for entry in app.history(report_id):
        if entry.event_type is None or not entry.event_type.endswith(".Annotated"):
            continue
        stored = json.loads(entry.payload or b"{}")
        match = _NOTICE_PATTERN.match(str(stored.get("note", "")))
        if stored.get("actor", {}).get("role") == Role.SYSTEM.value and match:
            found.add((match[1], match[2]))
    return found


def _close(report: Report, at: datetime, objection: datetime) -> Callable[[Report], None]:
    def close(r: Report) -> None:
        r.complete(SYSTEM, at, summary=AUTO_CLOSE_NOTE, objection_deadline=objection, auto=True)

    return close


def _notify(at: datetime, note: str) -> Callable[[Report], None]:
    def notify(r: Report) -> None:
        r.annotate(SYSTEM, at, note=note)

    return notify


def _auto_close(
    app: LedgerApplication, p: Projections, stamper: DeadlineStamper, now: datetime
) -> list[TimerAction]:
    with p.reading() as tx:
        rows = tx.rows(tx.sql.open_auto_close, {"now_us": us(now)})
    done = []
    for row in rows:
        rid = UUID(row["report_id"])
        report = app.get_report(rid)  # the projection proposes, the report decides
        if report.state != "in_follow_up" or report.last_follow_up_at is None:
            continue
        agency = report.agency_id
        assert agency is not None
        due = stamper.auto_close(
            agency_id=agency,
            classification=report.classification.value,
            urgency=report.urgency.value,
            at=report.last_follow_up_at,
        )
        if not now > due:
            continue
        objection = stamper.objection_deadline(agency_id=agency, at=now)
        try:
            appended = app.change(
                rid, _close(report, now, objection), expected_version=report.version
            )
        except VersionConflict:  # someone acted on it meanwhile; the next run looks again
            continue
        done.append(TimerAction(rid, "auto_close", "auto_close", due, appended.version))
    return done


def _notices(app: LedgerApplication, p: Projections, now: datetime) -> list[TimerAction]:
    done: list[TimerAction] = []
    cursor = None
    while True:
        page = overdue(p, now, cursor=cursor, limit=500)
        for item in page.items:
            if item.clock == "auto_close":
                continue
            rid = UUID(item.report_id)
            if (item.clock, item.due_at.isoformat()) in notices_on(app, rid):
                continue
            appended = app.change(rid, _notify(now, notice_text(item.clock, item.due_at)))
            done.append(
                TimerAction(rid, "overdue_notice", item.clock, item.due_at, appended.version)
            )
        if page.next_cursor is None:
            return done
        cursor = page.next_cursor


def run_timers(
    app: LedgerApplication,
    now: datetime,
    *,
    projections: Projections | None = None,
    stamper: DeadlineStamper | None = None,
) -> list[TimerAction]:
    """Auto-close and notice everything due before `now`; returns the events appended."""
    p = projections or Projections(app, stamper=stamper, names=("reports",))
    chosen = stamper or p.stamper
    _current(p)
    actions = _auto_close(app, p, chosen, now)
    _current(p)
    actions += _notices(app, p, now)
    _current(p)
    return actions


class TimersBlocked(Exception):
    """The `reports` projection is stopped at a failing event: timers would act on stale clocks."""


def _current(p: Projections) -> None:
    [result] = caught_up(p, ["reports"])
    if result.failure is not None:
        raise TimersBlocked(f"projection reports stopped: {result.failure.message}")
