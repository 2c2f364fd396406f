"""The agency queue page's data: the projections' lists and compliance, in working days.

Built on projections.queries (docs/projections.md). The projections are caught up with the
log before each page, so the queue is as fresh as the log (on PostgreSQL another process may
be following the log already; then its position is taken as it is).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app

from api.extension import holder
from ledger.access.principal import Principal
from ledger.domain import Role
from projections import queries
from projections.rules.figures import Figures
from projections.runner import Projections
from projections.views import PositionTaken

STATE = "lapor_web_projections"
SORTS = ("due", "since", "state", "classification")
LIMIT = 200
# Roles that see every agency's lists (they may pick one); the others see their own agency.
NATIONWIDE = frozenset({Role.ADMIN_NATIONAL, Role.OMBUDSMAN_AUDITOR, Role.KID_AUDITOR})
_lock = threading.Lock()


@dataclass(frozen=True)
class Row:
    """A line of a queue: a report, its clock's due time and the working days to it."""

    report_id: str
    state: str
    classification: str
    agency_id: str | None
    clock: str
    since: datetime
    due: datetime | None
    working_days: int | None  # to the due day: negative when overdue, None while paused


@dataclass(frozen=True)
class Queue:
    """The queue page: who it is for, its three lists and the compliance figures."""

    agency: str | None
    verification: list[Row]
    inbox: list[Row]
    overdue: list[Row]
    figures: Figures


def projections() -> Projections:
    """The app's projections, built on first use and caught up with the log now."""
    found: Projections | None = current_app.extensions.get(STATE)
    if found is None:
        with _lock:
            found = current_app.extensions.get(STATE) or Projections(holder().ledger)
            current_app.extensions[STATE] = found
    with suppress(PositionTaken):  # another process follows the log: read what it built
        found.catch_up(finish_rebuilds=False)  # a rebuild in parts is a command's work
    return found


def _sorter(sort: str) -> Callable[[Row], Any]:
    far = datetime.max.replace(tzinfo=None)
    keys: dict[str, Callable[[Row], Any]] = {
        "due": lambda r: (r.due is None, r.due.replace(tzinfo=None) if r.due else far),
        "since": lambda r: r.since,
        "state": lambda r: (r.state, r.since),
        "classification": lambda r: (r.classification, r.since),
    }
    return keys[sort if sort in keys else "due"]


def queue_for(who: Principal, now: datetime, *, agency: str | None, sort: str, desc: bool) -> Queue:
    """The lists a principal works from: its own agency's, or any agency's for national roles."""
    p = projections()
    mine = agency if who.role in NATIONWIDE else who.agency_id
    calendar = p.stamper.calendar

    def days(agency_id: str | None, due: datetime | None) -> int | None:
        if due is None:
            return None
        return calendar(agency_id or "kemenpanrb").working_days_between(now, due)

    queue = queries.verification_queue(p, agency=mine, limit=LIMIT).items
    verification = [
        Row(
            q.report_id,
            q.state,
            q.classification,
            q.intake_agency_id,
            "verification",
            q.submitted_at,
            q.due_at,
            days(q.intake_agency_id, q.due_at),
        )
        for q in queue
    ]
    inbox: list[Row] = []
    if mine is not None:
        inbox = [
            Row(
                i.report_id,
                i.state,
                i.classification,
                i.agency_id,
                "next",
                i.assigned_at,
                i.next_due_at,
                days(i.agency_id, i.next_due_at),
            )
            for i in queries.inbox(p, mine, limit=LIMIT).items
        ]
    overdue = [
        Row(
            o.report_id,
            o.state,
            o.classification,
            o.agency_id,
            o.clock,
            o.started_at,
            o.due_at,
            days(o.agency_id, o.due_at),
        )
        for o in queries.overdue(p, now, mine, limit=LIMIT).items
    ]
    key = _sorter(sort)
    group: queries.GroupBy = "national" if mine is None else "agency"
    rows = queries.compliance(p, group_by=group, agency=mine, as_of=now)
    figures = rows[0].figures if rows else Figures()
    return Queue(
        mine,
        sorted(verification, key=key, reverse=desc),
        sorted(inbox, key=key, reverse=desc),
        sorted(overdue, key=key, reverse=desc),
        figures,
    )
