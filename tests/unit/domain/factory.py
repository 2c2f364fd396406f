"""Test builders: actors, business times, and reports brought into every lifecycle state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from uuid import UUID

from ledger.domain import Action, Actor, Report, ReportEvent, Role, State

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)  # Monday 08:00 WIB
HOUR = timedelta(hours=1)
OBJECTION_WINDOW = timedelta(days=14)
REPORT_ID = UUID("0b7c6a52-4c1e-4a7e-9d7b-2f4d8c1e5a10")

AGENCY_A = "kemenkes"
AGENCY_B = "pemkot-serang"
REPORTER = Actor("receipt:5f1c9a", Role.REPORTER)
ADMIN = Actor("admin-kemenpanrb-1", Role.ADMIN_NATIONAL)
ADMIN_A = Actor("admin-kemenkes-1", Role.ADMIN_AGENCY, AGENCY_A)
LIAISON_A = Actor("penghubung-kemenkes-1", Role.LIAISON, AGENCY_A)
LIAISON_B = Actor("penghubung-pemkot-serang-1", Role.LIAISON, AGENCY_B)
AUDITOR = Actor("ombudsman-ri-1", Role.OMBUDSMAN_AUDITOR)
INVESTIGATOR = Actor("apip-kemenkes-1", Role.WBS_INVESTIGATOR, AGENCY_A)
SYSTEM = Actor("timer:auto-close", Role.SYSTEM)


def new_report(*, wbs: bool = False, at: datetime = T0, report_id: UUID = REPORT_ID) -> Report:
    """Submit a complaint, or a WBS report when wbs is true."""
    return Report.submit(
        report_id,
        actor=REPORTER,
        at=at,
        classification="wbs" if wbs else "pengaduan",
        privacy="rahasia" if wbs else "public",
        urgency="normal",
        channel="web",
        target_agency_id=None,
        category="kesehatan",
        title="Puskesmas tutup pada jam layanan",
        body="Puskesmas Kecamatan X tutup pukul 10.00 pada hari kerja.",
        reporter={"name": "Siti", "phone": "+62812000000"},
        attachments=["att-1"],
    )


EventT = TypeVar("EventT", bound=ReportEvent)


def only_event(report: Report, cls: type[EventT]) -> EventT:
    """Collect the pending events: exactly one, of the adopted event class."""
    (event,) = report.collect_events()
    assert type(event) is getattr(Report, cls.__name__)
    assert isinstance(event, cls)
    return event


def admin_of(agency_id: str | None) -> Actor:
    """An agency admin of the given agency."""
    return Actor(f"admin-{agency_id}", Role.ADMIN_AGENCY, agency_id)


def _verify(r: Report, at: datetime) -> Actor:
    r.verify(
        ADMIN,
        at,
        handling_class="normatif",
        sla_policy="national-2018",
        sla_policy_version=1,
        deadlines={"disposition": at + 72 * HOUR},
    )
    return ADMIN


def _disposition(r: Report, at: datetime) -> Actor:
    if r.state is State.DISPOSITIONED:
        actor = admin_of(r.agency_id)
        unit = f"unit-{r.dispositions}"
        r.disposition(actor, at, agency_id=r.agency_id or "", unit_id=unit)
        return actor
    agency = AGENCY_B if r.returned_by[-1:] == [AGENCY_A] else AGENCY_A
    r.disposition(ADMIN, at, agency_id=agency, deadlines={"first_follow_up": at + 120 * HOUR})
    return ADMIN


def _return(r: Report, at: datetime) -> Actor:
    actor = admin_of(r.agency_id)
    r.return_not_authority(actor, at, reason="Kewenangan pemerintah kota, bukan kementerian")
    return actor


def _complete(r: Report, at: datetime) -> Actor:
    r.complete(
        LIAISON_A, at, summary="Jam layanan ditertibkan", objection_deadline=at + OBJECTION_WINDOW
    )
    return LIAISON_A


def _do(
    actor: Actor, command: Callable[[Report, Actor, datetime], None]
) -> Callable[[Report, datetime], Actor]:
    def run(r: Report, at: datetime) -> Actor:
        command(r, actor, at)
        return actor

    return run


# One valid call of every action, given the report's current state.
PERFORM: dict[Action, Callable[[Report, datetime], Actor]] = {
    Action.PUT_ON_HOLD: _do(
        ADMIN,
        lambda r, a, t: r.put_on_hold(a, t, reason="lokasi kurang jelas", question="Di mana?"),
    ),
    Action.ARCHIVE: _do(
        ADMIN, lambda r, a, t: r.archive(a, t, reason="duplicate", note="lihat #12")
    ),
    Action.VERIFY: _verify,
    Action.DISPOSITION: _disposition,
    Action.RETURN_NOT_AUTHORITY: _return,
    Action.FOLLOW_UP: _do(
        LIAISON_A, lambda r, a, t: r.follow_up(a, t, message="Sudah ditegur", attachments=["att-9"])
    ),
    Action.REQUEST_CLARIFICATION: _do(
        LIAISON_A, lambda r, a, t: r.request_clarification(a, t, question="Tanggal berapa?")
    ),
    Action.RESPOND: _do(REPORTER, lambda r, a, t: r.respond(a, t, message="Tanggal 3 Maret")),
    Action.COMPLETE: _complete,
    Action.REOPEN: _do(REPORTER, lambda r, a, t: r.reopen(a, t, objection="Masih tutup")),
    Action.ESCALATE: _do(REPORTER, lambda r, a, t: r.escalate(a, t, reason="Tidak ditangani")),
    Action.ANNOTATE: _do(AUDITOR, lambda r, a, t: r.annotate(a, t, note="Potensi penundaan")),
    Action.ADD_INVESTIGATION_NOTE: _do(
        INVESTIGATOR, lambda r, a, t: r.add_investigation_note(a, t, note="Saksi diperiksa")
    ),
    Action.RECORD_DISCLOSURE: _do(
        AUDITOR, lambda r, a, t: r.record_disclosure(a, t, fields=["body"], purpose="audit LHP")
    ),
    Action.ERASE_PERSONAL_DATA: _do(
        ADMIN, lambda r, a, t: r.erase_personal_data(a, t, legal_basis="UU 27/2022 pasal 8")
    ),
}

# The shortest path from submission into each state.
PATHS: dict[State, tuple[Action, ...]] = {
    State.SUBMITTED: (),
    State.ON_HOLD: (Action.PUT_ON_HOLD,),
    State.ARCHIVED: (Action.ARCHIVE,),
    State.VERIFIED: (Action.VERIFY,),
    State.DISPOSITIONED: (Action.VERIFY, Action.DISPOSITION),
    State.RETURNED_NOT_AUTHORITY: (Action.VERIFY, Action.DISPOSITION, Action.RETURN_NOT_AUTHORITY),
    State.IN_FOLLOW_UP: (Action.VERIFY, Action.DISPOSITION, Action.FOLLOW_UP),
    State.REPORTER_RESPONDED: (
        Action.VERIFY,
        Action.DISPOSITION,
        Action.FOLLOW_UP,
        Action.RESPOND,
    ),
    State.COMPLETED: (Action.VERIFY, Action.DISPOSITION, Action.FOLLOW_UP, Action.COMPLETE),
    State.REOPENED: (
        Action.VERIFY,
        Action.DISPOSITION,
        Action.FOLLOW_UP,
        Action.COMPLETE,
        Action.REOPEN,
    ),
    State.ESCALATED: (Action.ESCALATE,),
}


def report_in(state: State, *, wbs: bool = True) -> tuple[Report, datetime]:
    """A report brought into the state, and the time of its last event."""
    report = new_report(wbs=wbs)
    at = T0
    for action in PATHS[state]:
        at += HOUR
        PERFORM[action](report, at)
    assert report.state is state
    return report, at


def no_wrong_door_history(*, wbs: bool = False) -> Report:
    """Submit, verify, bounce off agency A, reach a unit of agency B, object once, complete."""
    r = new_report(wbs=wbs)
    t = T0
    r.verify(
        ADMIN,
        t + HOUR,
        handling_class="normatif",
        sla_policy="national-2018",
        sla_policy_version=1,
        deadlines={"disposition": t + 72 * HOUR},
    )
    r.disposition(
        ADMIN, t + 2 * HOUR, agency_id=AGENCY_A, deadlines={"first_follow_up": t + 100 * HOUR}
    )
    r.return_not_authority(admin_of(AGENCY_A), t + 3 * HOUR, reason="urusan pemkot")
    r.disposition(
        ADMIN, t + 4 * HOUR, agency_id=AGENCY_B, deadlines={"first_follow_up": t + 140 * HOUR}
    )
    r.disposition(admin_of(AGENCY_B), t + 5 * HOUR, agency_id=AGENCY_B, unit_id="dinkes")
    r.follow_up(LIAISON_B, t + 6 * HOUR, message="Ditinjau ke lokasi")
    r.request_clarification(LIAISON_B, t + 7 * HOUR, question="Jam berapa?")
    r.respond(REPORTER, t + 8 * HOUR, message="Pukul 10.00")
    r.complete(
        LIAISON_B,
        t + 9 * HOUR,
        summary="Jam layanan ditertibkan",
        objection_deadline=t + 9 * HOUR + OBJECTION_WINDOW,
    )
    r.reopen(REPORTER, t + 10 * HOUR, objection="Masih tutup")
    r.follow_up(LIAISON_B, t + 11 * HOUR, message="Petugas diberi sanksi", attachments=["sk-1"])
    r.complete(
        LIAISON_B,
        t + 12 * HOUR,
        summary="Sanksi diberikan",
        objection_deadline=t + 12 * HOUR + OBJECTION_WINDOW,
    )
    return r
