"""The fold of a report's clear headers into its clock record, in version order.

`apply(record, header)` is a pure function. It refuses an event out of order (a gap, a repeat,
or anything before `Submitted`), so a projection that would apply an event twice or skip one
stops instead of producing a wrong view.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import fields
from operator import attrgetter
from typing import Any, cast

from projections.rules.headers import Header
from projections.rules.record import ClockRecord, Involvement

# Events that change nothing the rules read (besides version and time).
NEUTRAL_EVENTS = frozenset(
    {"Annotated", "InvestigationNoteAdded", "DisclosureRecorded", "PersonalDataErased"}
)


_FIELDS = tuple(f.name for f in fields(ClockRecord))
_INDEX = {name: i for i, name in enumerate(_FIELDS)}
_values = attrgetter(*_FIELDS)


class RecordError(ValueError):
    """A header cannot be applied to the record: wrong order, unknown type or missing field."""


def _required(header: Header, name: str) -> Any:
    value = header.get(name)
    if value is None:
        raise RecordError(f"report {header.report_id} v{header.version}: {name} missing")
    return value


def _submitted(h: Header, kind: type[ClockRecord] = ClockRecord) -> ClockRecord:
    """The record of a report's first event (a `kind` of record: a draft, for a rebuild)."""
    if h.event_type != "Submitted" or h.version != 1:
        where = f"report {h.report_id} v{h.version} ({h.event_type})"
        raise RecordError(f"{where}: the first event of a report must be Submitted v1")
    return kind(
        report_id=h.report_id,
        version=h.version,
        classification=_required(h, "classification"),
        privacy=_required(h, "privacy"),
        urgency=_required(h, "urgency"),
        submitted_at=h.at,
        state=h.state,
        state_at=h.at,
        last_event_at=h.at,
        target_agency_id=h.get("target_agency_id"),
    )


def _intake(r: ClockRecord, h: Header) -> dict[str, Any]:
    return {"intake_agency_id": r.intake_agency_id or h.actor_agency}


def _verified(r: ClockRecord, h: Header) -> dict[str, Any]:
    policy = f"{_required(h, 'sla_policy')}@{_required(h, 'sla_policy_version')}"
    return {
        **_intake(r, h),
        "handling_class": _required(h, "handling_class"),
        "sla_policy": policy,
        "deadlines": {**r.deadlines, **h.get("deadlines", {})},
        "verified_at": h.at,
        "awaiting_reporter": False,
        **_end_hold(r, h),
    }


def _end_hold(r: ClockRecord, h: Header) -> dict[str, Any]:
    """A hold (tunda) ends at the reporter's first answer, or at verification or archiving."""
    if r.hold_started_at is None or r.hold_ended_at is not None:
        return {}
    return {"hold_ended_at": h.at}


_AGENCY = attrgetter("agency_id")


def _involve(
    r: ClockRecord,
    agency: str,
    *,
    returned: bool,
    returns: int | None = None,
    redisposition: bool | None = None,
) -> tuple[Involvement, ...]:
    """The record's involvements, sorted by agency, with the agency's own changed (`returns`
    and `redisposition` kept as they were when not given; an agency new to the report starts
    at none and False)."""
    current = next((i for i in r.involvements if i.agency_id == agency), None)
    if returns is None:
        returns = 0 if current is None else current.returns
    if redisposition is None:
        redisposition = False if current is None else current.redisposition
    updated = Involvement(agency, returns, redisposition, returned)
    if not r.involvements:
        return (updated,)
    involved = [i for i in r.involvements if i.agency_id != agency]
    involved.append(updated)
    involved.sort(key=_AGENCY)
    return tuple(involved)


def _dispositioned(r: ClockRecord, h: Header) -> dict[str, Any]:
    changes: dict[str, Any] = {"deadlines": {**r.deadlines, **h.get("deadlines", {})}}
    if h.get("to_unit"):
        return {**changes, "unit_id": h.get("unit_id")}
    # a new agency's answer clock starts without the previous agency's extension
    kept = {k: v for k, v in r.deadlines.items() if k != "kip_extension"}
    changes = {"deadlines": {**kept, **h.get("deadlines", {})}}
    agency = _required(h, "agency_id")
    again = r.returns > 0
    return {
        **changes,
        "agency_id": agency,
        "unit_id": h.get("unit_id"),
        "assigned_at": h.at,
        "dispositions": r.dispositions + 1,
        "redispositions": r.redispositions + again,
        "first_follow_up_at": None,
        "last_follow_up_at": None,
        "involvements": _involve(r, agency, redisposition=again, returned=False),
    }


def _returned(r: ClockRecord, h: Header) -> dict[str, Any]:
    agency = _required(h, "agency_id")
    mine = next((i for i in r.involvements if i.agency_id == agency), Involvement(agency))
    return {
        "agency_id": None,
        "unit_id": None,
        "returns": r.returns + 1,
        "awaiting_reporter": False,
        "involvements": _involve(r, agency, returns=mine.returns + 1, returned=True),
    }


def _followed_up(r: ClockRecord, h: Header) -> dict[str, Any]:
    return {
        "first_follow_up_at": r.first_follow_up_at or h.at,
        "last_follow_up_at": h.at,
        "follow_ups": r.follow_ups + 1,
    }


def _responded(r: ClockRecord, h: Header) -> dict[str, Any]:
    ended = _end_hold(r, h) if r.state == "on_hold" and r.awaiting_reporter else {}
    return {"awaiting_reporter": False, **ended}


_CHANGES: Mapping[str, Callable[[ClockRecord, Header], dict[str, Any]]] = {
    "PutOnHold": lambda r, h: {
        **_intake(r, h),
        "awaiting_reporter": True,
        "hold_started_at": h.at,
        "hold_ended_at": None,
    },
    "Archived": lambda r, h: {
        **_intake(r, h),
        "archived_at": h.at,
        "awaiting_reporter": False,
        **_end_hold(r, h),
    },
    "Verified": _verified,
    "Dispositioned": _dispositioned,
    "ReturnedNotAuthority": _returned,
    "FollowedUp": _followed_up,
    "ClarificationRequested": lambda r, h: {"awaiting_reporter": True},
    "Responded": _responded,
    "Completed": lambda r, h: {
        "completed_at": h.at,
        "completed_auto": bool(h.get("auto")),
        "awaiting_reporter": False,
    },
    "Reopened": lambda r, h: {"reopens": r.reopens + 1},
    "AnswerDeadlineExtended": lambda r, h: {"deadlines": {**r.deadlines, **h.get("deadlines", {})}},
    "Escalated": lambda r, h: {
        "escalated_at": h.at,
        "escalated_from": h.get("escalated_from"),
        "awaiting_reporter": False,
    },
    **{name: (lambda r, h: {}) for name in NEUTRAL_EVENTS},
}


def _change(header: Header, version: int) -> Callable[[ClockRecord, Header], dict[str, Any]]:
    """The change an event makes to a record at `version`, if it may follow that version."""
    change = _CHANGES.get(header.event_type)
    if header.version != version + 1 or change is None:
        where = f"report {header.report_id} v{header.version} ({header.event_type})"
        if header.version != version + 1:
            raise RecordError(f"{where}: expected version {version + 1}")
        raise RecordError(f"{where}: unknown event type")
    return change


def apply(record: ClockRecord | None, header: Header) -> ClockRecord:
    """Return the record after one more event of the report (the record itself is unchanged)."""
    if record is None:
        return _submitted(header)
    change = _change(header, record.version)
    moved = header.state != record.state
    return _replaced(
        record,
        {
            **change(record, header),
            "version": header.version,
            "state": header.state,
            "state_at": header.at if moved else record.state_at,
            "last_event_at": header.at,
        },
    )


def _replaced(record: ClockRecord, changes: Mapping[str, Any]) -> ClockRecord:
    """`dataclasses.replace` of a record, without its per-field bookkeeping (the fold runs once
    per event of the log)."""
    values = list(_values(record))
    for name, value in changes.items():
        values[_INDEX[name]] = value
    return ClockRecord(*values)


class Draft(ClockRecord):
    """A record being folded in place, for a rebuild: `fold_into` changes a draft by the same
    rules as `apply`, without copying the whole record for every event, and the rebuild reads
    it as a record. A draft is not equal to any record, and only `fold_into` changes it."""

    __slots__ = ()

    @classmethod
    def of(cls, record: ClockRecord) -> Draft:
        """A draft starting from a record (the record itself is not changed)."""
        return cls(*_values(record))


def fold_into(draft: Draft | None, header: Header) -> tuple[Draft, Collection[str] | None]:
    """`apply` on a draft, in place: the same checks (nothing changes when one fails) and the
    same changes. Returns the draft (a new one for a report's first event) and the fields the
    event set besides `version`, `state`, `state_at` and `last_event_at` (None for a report's
    first event: every field is new)."""
    if draft is None:
        return cast(Draft, _submitted(header, Draft)), None
    change = _change(header, draft.version)
    moved = header.state != draft.state
    put = object.__setattr__  # past the frozen record's guard: a draft is changed in place
    changes = change(draft, header)  # computed before any change is made
    for name, value in changes.items():
        put(draft, name, value)
    put(draft, "version", header.version)
    if moved:
        put(draft, "state_at", header.at)
    put(draft, "state", header.state)
    put(draft, "last_event_at", header.at)
    return draft, changes.keys()
