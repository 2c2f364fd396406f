"""Handling histories of DOMAIN.md, and the rules each command enforces."""

from __future__ import annotations

from datetime import timedelta, timezone
from typing import Any

import pytest

from ledger.domain import (
    Action,
    Actor,
    ArchiveReason,
    IllegalTransition,
    InvalidCommand,
    Report,
    Role,
    State,
)

from .factory import (
    ADMIN,
    AGENCY_A,
    AGENCY_B,
    AUDITOR,
    HOUR,
    INVESTIGATOR,
    LIAISON_A,
    OBJECTION_WINDOW,
    PERFORM,
    REPORTER,
    SYSTEM,
    T0,
    admin_of,
    new_report,
    no_wrong_door_history,
    only_event,
    report_in,
)


def names(report: Report) -> list[str]:
    return [type(e).__name__ for e in report.collect_events()]


def test_no_wrong_door_history_with_timely_objection() -> None:
    r = no_wrong_door_history()
    t = T0
    assert names(r) == [
        "Submitted", "Verified", "Dispositioned", "ReturnedNotAuthority", "Dispositioned",
        "Dispositioned", "FollowedUp", "ClarificationRequested", "Responded", "Completed",
        "Reopened", "FollowedUp", "Completed",
    ]  # fmt: skip
    assert r.version == 13
    assert r.state is State.COMPLETED
    assert (r.agency_id, r.unit_id, r.returned_by) == (AGENCY_B, "dinkes", [AGENCY_A])
    assert (r.dispositions, r.not_authority_returns, r.reopens) == (3, 1, 1)
    assert r.dispositioned_at == t + 4 * HOUR  # the unit disposition keeps the agency's clock
    assert r.first_follow_up_at == t + 6 * HOUR
    assert r.last_follow_up_at == t + 11 * HOUR
    assert r.completed_at == t + 12 * HOUR
    assert r.objection_deadline == t + 12 * HOUR + OBJECTION_WINDOW
    assert r.deadlines == {"disposition": t + 72 * HOUR, "first_follow_up": t + 140 * HOUR}
    assert (r.sla_policy, r.sla_policy_version, r.handling_class) == (
        "national-2018",
        1,
        "normatif",
    )
    assert not r.awaiting_reporter
    assert r.title == "Puskesmas tutup pada jam layanan"


@pytest.mark.parametrize("late", [timedelta(microseconds=1), timedelta(days=1)])
def test_late_objection_is_refused(late: timedelta) -> None:
    r, _ = report_in(State.COMPLETED)
    r.collect_events()
    assert r.objection_deadline is not None
    with pytest.raises(InvalidCommand, match="objection after deadline"):
        r.reopen(REPORTER, r.objection_deadline + late, objection="Masih tutup")
    assert r.collect_events() == []
    assert r.state is State.COMPLETED


def test_objection_on_the_deadline_is_in_time() -> None:
    r, _ = report_in(State.COMPLETED)
    assert r.objection_deadline is not None
    r.reopen(REPORTER, r.objection_deadline, objection="Masih tutup")
    assert r.state is State.REOPENED


@pytest.mark.parametrize("reason", [*ArchiveReason, *(m.value for m in ArchiveReason)])
@pytest.mark.parametrize("state", [State.SUBMITTED, State.ON_HOLD])
def test_archive_with_each_reason(state: State, reason: str) -> None:
    r, at = report_in(state)
    r.archive(ADMIN, at + HOUR, reason=reason)
    (event,) = r.collect_events()[-1:]
    assert type(event) is Report.Archived
    assert event.reason == ArchiveReason(reason).value
    assert type(event.reason) is str
    assert event.note is None
    assert r.archive_reason is ArchiveReason(reason)
    assert r.state is State.ARCHIVED


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "archive reason is required"),
        (None, "archive reason is required"),
        ("spam", "unknown archive reason 'spam'"),
    ],
)
def test_archive_needs_a_known_reason(reason: str, message: str) -> None:
    r = new_report()
    r.collect_events()
    with pytest.raises(InvalidCommand, match=message) as refused:
        r.archive(ADMIN, T0 + HOUR, reason=reason)
    assert refused.value.field == "reason"
    assert r.collect_events() == []
    assert r.state is State.SUBMITTED


@pytest.mark.parametrize("command", ["put_on_hold", "return_not_authority", "escalate"])
def test_reasons_are_required(command: str) -> None:
    r, at = report_in(State.DISPOSITIONED if command != "put_on_hold" else State.SUBMITTED)
    r.collect_events()
    kwargs = {"question": "?"} if command == "put_on_hold" else {}
    with pytest.raises(InvalidCommand, match="reason is required"):
        getattr(r, command)(ADMIN, at + HOUR, reason="  ", **kwargs)
    assert r.collect_events() == []


def test_on_hold_question_is_answered_and_the_report_then_verified() -> None:
    r, at = report_in(State.ON_HOLD)
    assert r.awaiting_reporter
    r.respond(REPORTER, at + HOUR, message="Di Jalan Merdeka 1")
    assert (r.state, r.awaiting_reporter) == (State.ON_HOLD, False)
    PERFORM[Action.VERIFY](r, at + 2 * HOUR)
    assert r.state is State.VERIFIED
    assert r.verified_at == at + 2 * HOUR


def test_wbs_reports_must_be_rahasia() -> None:
    for privacy in ("public", "anonim"):
        with pytest.raises(InvalidCommand, match="rahasia"):
            Report.submit(
                new_report().id,
                actor=Actor(None, Role.REPORTER),
                at=T0,
                classification="wbs",
                privacy=privacy,
                urgency="normal",
                channel="web",
                target_agency_id=None,
                category=None,
                title="Pungli",
                body="...",
                reporter=None,
                attachments=[],
            )


def test_anonymous_wbs_submission() -> None:
    r = Report.submit(
        new_report().id,
        actor=Actor(None, Role.REPORTER),
        at=T0,
        classification="wbs",
        privacy="rahasia",
        urgency="disaster",
        channel="sms_1708",
        target_agency_id=AGENCY_A,
        category=None,
        title="Pungli",
        body="Pungutan liar",
        reporter=None,
        attachments=[],
    )
    event = only_event(r, Report.Submitted)
    assert event.actor == {"id": None, "role": "reporter", "agency_id": None}
    assert r.is_wbs and r.reporter is None and r.target_agency_id == AGENCY_A
    assert r.agency_id is None


def test_wbs_investigation_note() -> None:
    r, at = report_in(State.DISPOSITIONED, wbs=True)
    r.collect_events()
    r.add_investigation_note(INVESTIGATOR, at + HOUR, note="Saksi A diperiksa")
    event = only_event(r, Report.InvestigationNoteAdded)
    assert event.note == "Saksi A diperiksa"
    assert r.state is State.DISPOSITIONED


def test_investigation_notes_only_by_investigators_on_wbs_reports() -> None:
    wbs, at = report_in(State.DISPOSITIONED, wbs=True)
    with pytest.raises(InvalidCommand, match="WBS investigator"):
        wbs.add_investigation_note(LIAISON_A, at + HOUR, note="x")
    complaint, at = report_in(State.DISPOSITIONED, wbs=False)
    with pytest.raises(InvalidCommand, match="WBS reports only"):
        complaint.add_investigation_note(INVESTIGATOR, at + HOUR, note="x")


def test_erasure_happens_once_and_blanks_sealed_content() -> None:
    r, at = report_in(State.IN_FOLLOW_UP)
    r.erase_personal_data(ADMIN, at + HOUR, legal_basis="UU 27/2022")
    assert r.erased
    assert (r.title, r.body, r.reporter, r.attachments) == (None, None, None, None)
    assert r.state is State.IN_FOLLOW_UP
    r.collect_events()
    with pytest.raises(IllegalTransition, match="already erased"):
        r.erase_personal_data(ADMIN, at + 2 * HOUR, legal_basis="UU 27/2022")
    with pytest.raises(IllegalTransition, match="personal data erased"):
        r.follow_up(LIAISON_A, at + 2 * HOUR, message="x")
    assert r.collect_events() == []
    r.annotate(AUDITOR, at + 3 * HOUR, note="erasure checked")
    PERFORM[Action.COMPLETE](r, at + 4 * HOUR)
    assert names(r) == ["Annotated", "Completed"]


def test_unit_disposition_stays_in_the_agency() -> None:
    r, at = report_in(State.DISPOSITIONED)
    assert r.agency_id == AGENCY_A
    r.collect_events()
    agency_admin = admin_of(AGENCY_A)
    with pytest.raises(InvalidCommand, match="unit_id is required"):
        r.disposition(agency_admin, at + HOUR, agency_id=AGENCY_A)
    with pytest.raises(InvalidCommand, match="only within agency"):
        r.disposition(agency_admin, at + HOUR, agency_id=AGENCY_B, unit_id="u1")
    r.disposition(agency_admin, at + HOUR, agency_id=AGENCY_A, unit_id="u1")
    with pytest.raises(InvalidCommand, match="already with unit"):
        r.disposition(agency_admin, at + 2 * HOUR, agency_id=AGENCY_A, unit_id="u1")
    event = only_event(r, Report.Dispositioned)
    assert (event.agency_id, event.unit_id, event.to_unit, event.deadlines) == (
        AGENCY_A,
        "u1",
        True,
        {},
    )
    assert r.dispositioned_at == at


def test_only_the_assigned_agency_returns_a_report() -> None:
    r, at = report_in(State.DISPOSITIONED)
    r.collect_events()
    with pytest.raises(InvalidCommand, match="not this agency's report"):
        r.return_not_authority(admin_of(AGENCY_B), at + HOUR, reason="bukan wewenang")
    assert r.collect_events() == []
    r.return_not_authority(ADMIN, at + HOUR, reason="bukan wewenang")
    event = only_event(r, Report.ReturnedNotAuthority)
    assert (event.agency_id, event.reason) == (AGENCY_A, "bukan wewenang")


def test_auto_close_is_the_timers() -> None:
    r, at = report_in(State.IN_FOLLOW_UP)
    r.collect_events()
    deadline = at + OBJECTION_WINDOW
    with pytest.raises(InvalidCommand, match="system timer"):
        r.complete(LIAISON_A, at + HOUR, summary="auto", auto=True, objection_deadline=deadline)
    r.complete(
        SYSTEM, at + HOUR, summary="Ditutup otomatis", auto=True, objection_deadline=deadline
    )
    event = only_event(r, Report.Completed)
    assert type(event) is Report.Completed
    assert event.auto is True
    assert event.actor["role"] == "system"


def test_no_auto_close_after_the_reporter_responded() -> None:
    r, at = report_in(State.REPORTER_RESPONDED)
    r.collect_events()
    with pytest.raises(IllegalTransition, match="reporter has responded"):
        r.complete(SYSTEM, at + HOUR, summary="auto", auto=True, objection_deadline=at + 2 * HOUR)
    assert r.collect_events() == []


def test_objection_deadline_cannot_precede_completion() -> None:
    r, at = report_in(State.IN_FOLLOW_UP)
    with pytest.raises(InvalidCommand, match="objection_deadline"):
        r.complete(LIAISON_A, at + HOUR, summary="x", objection_deadline=at)


@pytest.mark.parametrize(
    ("state", "command", "kwargs"),
    [
        (State.IN_FOLLOW_UP, "respond", {"message": "x"}),
        (State.COMPLETED, "reopen", {"objection": "x"}),
    ],
)
def test_only_the_reporter_responds_and_objects(
    state: State, command: str, kwargs: dict[str, str]
) -> None:
    r, at = report_in(state)
    r.collect_events()
    with pytest.raises(InvalidCommand, match="only the reporter"):
        getattr(r, command)(LIAISON_A, at + HOUR, **kwargs)
    assert r.collect_events() == []


def test_escalation_remembers_where_it_came_from() -> None:
    r, at = report_in(State.COMPLETED)
    r.collect_events()
    r.escalate(REPORTER, at + HOUR, reason="Penyelesaian tidak memadai")
    assert (r.state, r.escalated_from, r.escalated_at) == (
        State.ESCALATED,
        State.COMPLETED,
        at + HOUR,
    )
    assert only_event(r, Report.Escalated).escalated_from == "completed"


def test_disclosure_names_sealed_fields_and_a_purpose() -> None:
    r, at = report_in(State.DISPOSITIONED)
    r.collect_events()
    with pytest.raises(InvalidCommand, match="unknown"):
        r.record_disclosure(AUDITOR, at, fields=["title", "agency_id"], purpose="audit")
    with pytest.raises(InvalidCommand, match="fields"):
        r.record_disclosure(AUDITOR, at, fields=[], purpose="audit")
    with pytest.raises(InvalidCommand, match="purpose is required"):
        r.record_disclosure(AUDITOR, at, fields=["body"], purpose="")
    r.record_disclosure(AUDITOR, at, fields=["reporter", "body"], purpose="pemeriksaan LHP")
    event = only_event(r, Report.DisclosureRecorded)
    assert (event.fields, event.purpose) == (["reporter", "body"], "pemeriksaan LHP")


def test_times_must_be_aware_and_are_stored_in_utc() -> None:
    r = new_report()
    r.collect_events()
    with pytest.raises(InvalidCommand, match="at must be a timezone-aware"):
        r.annotate(AUDITOR, T0.replace(tzinfo=None), note="x")
    wib = timezone(timedelta(hours=7))
    r.annotate(AUDITOR, (T0 + HOUR).astimezone(wib), note="x")
    event = only_event(r, Report.Annotated)
    assert event.at == T0 + HOUR
    assert event.at.utcoffset() == timedelta(0)


def test_deadlines_must_be_aware() -> None:
    r = new_report()
    r.collect_events()
    with pytest.raises(InvalidCommand, match="deadlines"):
        r.verify(
            ADMIN,
            T0,
            handling_class="ringan",
            sla_policy="national-2018",
            sla_policy_version=1,
            deadlines={"disposition": T0.replace(tzinfo=None)},
        )
    assert r.collect_events() == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("classification", "keluhan", "unknown classification 'keluhan'"),
        ("privacy", "secret", "unknown privacy"),
        ("channel", "fax", "unknown channel"),
        ("title", "", "title is required"),
        ("attachments", "att-1", "attachments must be a list"),
    ],
)
def test_submit_refuses_bad_arguments(field: str, value: str, message: str) -> None:
    args = {
        "actor": REPORTER,
        "at": T0,
        "classification": "pengaduan",
        "privacy": "public",
        "urgency": "normal",
        "channel": "web",
        "target_agency_id": None,
        "category": None,
        "title": "t",
        "body": "b",
        "reporter": None,
        "attachments": [],
    }
    args[field] = value
    with pytest.raises(InvalidCommand, match=message) as refused:
        Report.submit(new_report().id, **args)  # type: ignore[arg-type]
    assert refused.value.field == field


def test_sla_policy_version_is_a_positive_int() -> None:
    r = new_report()
    versions: list[Any] = [0, True, "1"]
    for version in versions:
        with pytest.raises(InvalidCommand, match="sla_policy_version"):
            r.verify(
                ADMIN,
                T0,
                handling_class="ringan",
                sla_policy="national-2018",
                sla_policy_version=version,
                deadlines={},
            )
