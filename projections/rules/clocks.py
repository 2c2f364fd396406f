"""The SLA clocks of a report and their outcome, from its clock record.

Stamped deadlines (recorded in Verified, Dispositioned and AnswerDeadlineExtended events) are
data; the two dues no event records (the verification due of a report not yet verified, and the
auto-close due) are passed in by the caller, which computes them with the working-day calendar.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from projections.rules.record import ClockRecord

CLOCKS = (
    "verification",
    "first_follow_up",
    "kip_answer",
    "kip_extension",
    "completion",
    "auto_close",
)
MET, LATE, VOID, FIRED = "met", "late", "void", "fired"
RUNNING, OVERDUE, PAUSED = "running", "overdue", "paused"
# States in which the "verify and disposition" clock runs (a return reopens it).
VERIFICATION_OPEN = frozenset({"submitted", "on_hold", "verified", "returned_not_authority"})


class ClockState(NamedTuple):
    """One clock of a report: whose it is, when it started, its due time and how it ended.

    An immutable tuple: a rebuild computes a few for every report of the log."""

    clock: str
    agency_id: str | None
    started_at: datetime
    due_at: datetime | None
    stopped_at: datetime | None
    outcome: str | None  # met, late, void or fired once stopped; None while it runs
    stamped: bool  # the due time is recorded in an event (only these count in figures)


def status_at(clock: ClockState, as_of: datetime) -> str:
    """The clock's status at a moment: its outcome, or paused, running or overdue."""
    if clock.outcome is not None:
        return clock.outcome
    if clock.due_at is None:
        return PAUSED
    return OVERDUE if as_of > clock.due_at else RUNNING


def verification_hold(record: ClockRecord) -> tuple[datetime, datetime | None] | None:
    """The hold (tunda) that pauses the verification clock: its start and its end, None while
    the reporter still owes the answer (the clock is paused); None if the report had no hold.

    The verification due is counted from `submitted_at` and moved later by the time on hold,
    in the intake agency's calendar (docs/sla.md); the stamped due already includes the move.
    """
    if record.hold_started_at is None:
        return None
    return record.hold_started_at, record.hold_ended_at


def _judge(
    clock: str,
    agency: str | None,
    start: datetime,
    due: datetime | None,
    stop: datetime | None,
    *,
    stamped: bool = True,
) -> ClockState:
    if stop is None:
        outcome = None
    elif due is None:
        outcome = VOID
    else:
        outcome = MET if stop <= due else LATE
    return ClockState(clock, agency, start, due, stop, outcome, stamped)


def _verification(r: ClockRecord, state: str, expected_due: datetime | None) -> ClockState:
    stamped = "verification" in r.deadlines
    due = r.deadlines["verification"] if stamped else expected_due
    agency = r.intake_agency
    if r.archived_at is not None:
        return ClockState("verification", agency, r.submitted_at, due, r.archived_at, VOID, stamped)
    stop = None if state in VERIFICATION_OPEN else r.assigned_at
    return _judge("verification", agency, r.submitted_at, due, stop, stamped=stamped)


def _handling(r: ClockRecord, state: str, auto_close_due: datetime | None) -> list[ClockState]:
    """Clocks of the current handling agency, all started by its disposition."""
    agency, start, d = r.agency_id, r.assigned_at, r.deadlines
    if agency is None or start is None:
        return []
    out: list[ClockState] = []
    answered = r.first_follow_up_at
    if "first_follow_up" in d:
        out.append(_judge("first_follow_up", agency, start, d["first_follow_up"], answered))
    if "kip_answer" in d:
        answer = _judge("kip_answer", agency, start, d["kip_answer"], answered)
        if "kip_extension" in d and answer.outcome != MET:
            answer = answer._replace(outcome=VOID)  # superseded by the extension
        out.append(answer)
    if "kip_extension" in d:
        begun = d.get("kip_answer", start)
        out.append(_judge("kip_extension", agency, begun, d["kip_extension"], answered))
    if "completion" in d:
        done = r.completed_at if state == "completed" else None
        out.append(_judge("completion", agency, start, d["completion"], done))
    if r.last_follow_up_at is not None:
        out.append(_auto_close(r, state, agency, r.last_follow_up_at, auto_close_due))
    return out


def _auto_close(
    r: ClockRecord, state: str, agency: str, start: datetime, due: datetime | None
) -> ClockState:
    if state == "in_follow_up":
        return ClockState("auto_close", agency, start, due, None, None, False)
    fired = state == "completed" and r.completed_auto
    outcome = FIRED if fired else VOID
    return ClockState("auto_close", agency, start, due, r.state_at, outcome, False)


def _escalated(clock: ClockState, r: ClockRecord) -> ClockState:
    """A clock still running when the report went to the Ombudsman stops there."""
    if clock.outcome is not None or r.escalated_at is None:
        return clock
    late = clock.stamped and clock.due_at is not None and r.escalated_at > clock.due_at
    return clock._replace(stopped_at=r.escalated_at, outcome=LATE if late else VOID)


def clocks_of(
    record: ClockRecord,
    *,
    expected_verification_due: datetime | None = None,
    auto_close_due: datetime | None = None,
) -> list[ClockState]:
    """Every clock of the report, in `CLOCKS` order."""
    escalated = record.state == "escalated"
    state = (record.escalated_from or record.state) if escalated else record.state
    clocks = [_verification(record, state, expected_verification_due)]
    clocks += _handling(record, state, auto_close_due)
    if escalated:
        clocks = [_escalated(c, record) for c in clocks]
    return clocks
