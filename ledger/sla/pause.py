"""A clock paused on hold (tunda): how far its due time moves when the hold ends.

DOMAIN.md: while a report is on hold waiting for the reporter, the verify-and-disposition clock
is paused. The rule (docs/sla.md, "Hold (tunda) pauses the verification clock"): the due time
moves later by the time spent on hold, counted in the clock's own unit and calendar.

- Working-day clocks: by the hari kerja after the local day the hold began, up to and including
  the local day it ended (`WorkingCalendar.working_days_between`). The day the hold begins stays
  a day of the clock; the day it ends is given back whole.
- Calendar-day clocks: by the calendar days between those two local days.
- Hour and minute clocks: by the elapsed time on hold.

A hold that begins after the clock has already run out moves nothing: pausing an expired clock
does not revive it.
"""

from __future__ import annotations

from datetime import datetime

from ledger.sla.calendar import WorkingCalendar, require_aware


def resumed_due(
    due: datetime, unit: str, hold: tuple[datetime, datetime], calendar: WorkingCalendar
) -> datetime:
    """The due time of a clock that was paused from `hold[0]` to `hold[1]` (UTC)."""
    start, end = (require_aware(t, "hold") for t in hold)
    if start > due or end <= start:
        return due
    if unit == "working_days":
        return calendar.add_working_days(due, calendar.working_days_between(start, end))
    if unit == "calendar_days":
        days = (calendar.local_date(end) - calendar.local_date(start)).days
        return calendar.add_calendar_days(due, days)
    return due + (end - start)
