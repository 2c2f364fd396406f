"""Queries for the work lists: verification queue, inboxes and overdue clocks.

Lists are paged by an opaque cursor (the sort key of the last item returned); every function
returns plain dataclasses, never rows or aggregates.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from projections.paging import Page, check_limit, decode_cursor, make, page_of
from projections.runner import Projections
from projections.times import us


@dataclass(frozen=True)
class QueueItem:
    """A report awaiting verification (belum terverifikasi or tunda)."""

    report_id: str
    version: int
    state: str
    classification: str
    privacy: str
    urgency: str
    intake_agency_id: str
    submitted_at: datetime
    due_at: datetime | None  # None while paused, waiting for the reporter
    awaiting_reporter: bool


@dataclass(frozen=True)
class InboxItem:
    """A report in an agency's (or unit's) hands."""

    report_id: str
    version: int
    state: str
    classification: str
    privacy: str
    urgency: str
    agency_id: str
    unit_id: str | None
    assigned_at: datetime
    next_due_at: datetime | None
    awaiting_reporter: bool


@dataclass(frozen=True)
class OverdueItem:
    """An open clock past its due time."""

    report_id: str
    clock: str
    agency_id: str | None
    unit_id: str | None
    state: str
    classification: str
    started_at: datetime
    due_at: datetime
    version: int


def _agencies(p: Projections, hub: str | None, within: Collection[str] | None) -> list[str] | None:
    """The agencies below `hub` and in `within`; None when neither restricts."""
    ids = None if hub is None else {a.id for a in p.registry.descendants(hub)}
    if within is not None:
        ids = set(within) if ids is None else ids & set(within)
    return None if ids is None else sorted(ids)


def verification_queue(
    p: Projections,
    *,
    agency: str | None = None,
    hub: str | None = None,
    classification: str | None = None,
    within: Collection[str] | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[QueueItem]:
    """Reports awaiting verification, oldest first, with their verification due time; `within`
    keeps those whose intake agency is one of these."""
    after_us, after_id = decode_cursor(cursor, [-1, ""])
    with p.reading() as tx:
        params: dict[str, Any] = {
            "agency": agency,
            "ids": tx.array(_agencies(p, hub, within)),
            "limit": check_limit(limit),
        }
        params |= {"classification": classification, "after_us": after_us, "after_id": after_id}
        rows = tx.rows(tx.sql.queue, params)
    flags = ("awaiting_reporter",)
    times = {"submitted_at": "submitted_us", "due_at": "next_due_us"}
    items = [make(QueueItem, r, times=times, flags=flags) for r in rows]
    return page_of(items, rows, limit, "submitted_us", "report_id")


def inbox(
    p: Projections,
    agency: str,
    unit: str | None = None,
    *,
    classification: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[InboxItem]:
    """Reports dispositioned to an agency (or one of its units) and not completed."""
    after_us, after_id = decode_cursor(cursor, [-1, ""])
    with p.reading() as tx:
        params: dict[str, Any] = {"agency": agency, "unit": unit, "classification": classification}
        params |= {"after_us": after_us, "after_id": after_id, "limit": check_limit(limit)}
        rows = tx.rows(tx.sql.inbox, params)
    flags = ("awaiting_reporter",)
    times = {"assigned_at": "assigned_us", "next_due_at": "next_due_us"}
    items = [make(InboxItem, r, times=times, flags=flags) for r in rows]
    return page_of(items, rows, limit, "assigned_us", "report_id")


def overdue(
    p: Projections,
    now: datetime,
    agency: str | None = None,
    *,
    hub: str | None = None,
    unit: str | None = None,
    classification: str | None = None,
    within: Collection[str] | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> Page[OverdueItem]:
    """Every open clock whose due time is before `now`, most overdue first; `within` keeps the
    clocks of these agencies, `unit` those of reports with that unit."""
    after_us, after_id, after_clock = decode_cursor(cursor, [-1, "", ""])
    with p.reading() as tx:
        params: dict[str, Any] = {
            "now_us": us(now),
            "agency": agency,
            "unit": unit,
            "ids": tx.array(_agencies(p, hub, within)),
        }
        params |= {"classification": classification, "limit": check_limit(limit)}
        params |= {"after_us": after_us, "after_id": after_id, "after_clock": after_clock}
        statement = tx.sql.overdue if agency is None else tx.sql.overdue_agency
        rows = tx.rows(statement, params)
    times = {"started_at": "started_us", "due_at": "due_us"}
    items = [make(OverdueItem, r, times=times) for r in rows]
    return page_of(items, rows, limit, "due_us", "report_id", "clock")
