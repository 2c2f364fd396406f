"""The answer-deadline extension of an information request (perpanjangan jangka waktu) and the
hold (tunda) the aggregate remembers for the verification clock.

Every refused attempt raises a domain error and leaves no pending event.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import pytest
from eventsourcing.application import project_aggregate
from eventsourcing.utils import get_topic

from ledger.domain import (
    ALLOWED_FROM,
    Action,
    Actor,
    DomainError,
    IllegalTransition,
    InvalidCommand,
    Report,
    Role,
    State,
)

from .factory import ADMIN, AUDITOR, HOUR, REPORTER, T0, new_report, only_event
from .test_report_replay import mapper

RID = UUID("7d3c1f9a-2b4e-4c6d-8e0f-1a2b3c4d5e6f")
DAY = timedelta(days=1)
ANSWER_DUE = T0 + 14 * DAY
EXTENDED_DUE = T0 + 23 * DAY
PPID = Actor("ppid-kota-serang", Role.LIAISON, "kota-serang")
AGENCY_ADMIN = Actor("admin-kota-serang", Role.ADMIN_AGENCY, "kota-serang")


def information_request(
    *, dispositioned: bool = True, kip_answer: bool = True, pending: bool = False
) -> Report:
    """An information request, verified and (by default) with Kota Serang, answer pending."""
    r = Report.submit(
        RID,
        actor=REPORTER,
        at=T0,
        classification="permintaan_informasi",
        privacy="public",
        urgency="normal",
        channel="web",
        target_agency_id="kota-serang",
        category=None,
        title="Salinan DPA Dinas Kesehatan 2025",
        body="Mohon salinan dokumen pelaksanaan anggaran.",
        reporter={"name": "Budi"},
        attachments=[],
    )
    r.verify(
        ADMIN, T0 + HOUR, handling_class="info_aspiration", sla_policy="kip-2008",
        sla_policy_version=1, deadlines={},
    )  # fmt: skip
    if dispositioned:
        due = {"kip_answer": ANSWER_DUE} if kip_answer else {}
        r.disposition(ADMIN, T0 + 2 * HOUR, agency_id="kota-serang", deadlines=due)
    if not pending:
        r.collect_events()
    return r


def extend(r: Report, at: datetime = T0 + DAY, actor: Actor = PPID, **kw: object) -> None:
    args: dict[str, object] = {
        "reason": "Dokumen tersebar di tiga bidang",
        "extended_due": EXTENDED_DUE,
    }
    args.update(kw)
    r.extend_answer_deadline(actor, at, **args)  # type: ignore[arg-type]


def refused(r: Report, error: type[DomainError], match: str, **kw: object) -> None:
    version, deadlines = r.version, dict(r.deadlines)
    with pytest.raises(error, match=match):
        extend(r, **kw)  # type: ignore[arg-type]
    assert r.collect_events() == []
    assert (r.version, r.deadlines) == (version, deadlines)


@pytest.mark.parametrize("actor", [PPID, AGENCY_ADMIN])
def test_the_handling_agency_extends_once_with_a_reason(actor: Actor) -> None:
    r = information_request()
    extend(r, actor=actor, at=ANSWER_DUE)  # the last instant of the original deadline
    event = only_event(r, Report.AnswerDeadlineExtended)
    assert (event.state, event.reason) == ("dispositioned", "Dokumen tersebar di tiga bidang")
    assert event.deadlines == {"kip_extension": EXTENDED_DUE}
    assert r.deadlines == {"kip_answer": ANSWER_DUE, "kip_extension": EXTENDED_DUE}
    assert r.state is State.DISPOSITIONED
    refused(r, IllegalTransition, "already extended once")


def test_stored_events_rebuild_the_extension_and_the_hold() -> None:
    held = new_report()
    held.put_on_hold(ADMIN, T0 + HOUR, reason="kurang", question="Kapan?")
    held.respond(REPORTER, T0 + DAY, message="Senin")
    extended = information_request(pending=True)
    extend(extended)
    m = mapper()
    for original in (held, extended):
        events = [m.to_domain_event(m.to_stored_event(e)) for e in original.collect_events()]
        rebuilt = project_aggregate(None, events)
        assert isinstance(rebuilt, Report)
        assert (rebuilt.hold, rebuilt.deadlines, rebuilt.version, rebuilt.state) == (
            original.hold,
            original.deadlines,
            original.version,
            original.state,
        )
    assert get_topic(Report.AnswerDeadlineExtended) == (
        "ledger.domain.report:Report.AnswerDeadlineExtended"
    )


def test_refused_when_the_original_deadline_has_passed() -> None:
    refused(information_request(), InvalidCommand, "deadline has passed", at=ANSWER_DUE + HOUR)


def test_refused_without_a_reason_or_with_a_due_not_after_the_original() -> None:
    r = information_request()
    refused(r, InvalidCommand, "reason is required", reason="  ")
    refused(r, InvalidCommand, "must be after", extended_due=ANSWER_DUE)
    refused(r, InvalidCommand, "timezone-aware", extended_due=None)


@pytest.mark.parametrize("actor", [ADMIN, AUDITOR, REPORTER])
def test_refused_for_roles_other_than_the_agency_admin_or_liaison(actor: Actor) -> None:
    refused(information_request(), InvalidCommand, "admin or liaison", actor=actor)


def test_refused_for_other_classifications() -> None:
    r = new_report()
    r.verify(ADMIN, T0 + HOUR, handling_class="normatif", sla_policy="national-2018",
             sla_policy_version=1, deadlines={})  # fmt: skip
    r.disposition(ADMIN, T0 + 2 * HOUR, agency_id="kota-serang", deadlines={})
    r.collect_events()
    refused(r, InvalidCommand, "only an information request")


def test_refused_without_an_answer_deadline_and_outside_dispositioned() -> None:
    refused(information_request(kip_answer=False), IllegalTransition, "no answer deadline")
    refused(information_request(dispositioned=False), IllegalTransition, "state 'verified'")
    r = information_request()
    r.follow_up(PPID, T0 + DAY, message="Salinan DPA terlampir")  # answered: in_follow_up
    r.collect_events()
    refused(r, IllegalTransition, "state 'in_follow_up'", at=T0 + 2 * DAY)


def test_a_new_agency_gets_a_fresh_answer_clock_it_may_extend_once() -> None:
    r = information_request()
    extend(r)
    r.return_not_authority(AGENCY_ADMIN, T0 + 2 * DAY, reason="dokumen milik provinsi")
    again = {"kip_answer": T0 + 20 * DAY}
    r.disposition(ADMIN, T0 + 3 * DAY, agency_id="prov-banten", deadlines=again)
    assert r.deadlines == {"kip_answer": T0 + 20 * DAY}
    province = Actor("ppid-prov-banten", Role.LIAISON, "prov-banten")
    extend(r, actor=province, at=T0 + 4 * DAY, extended_due=T0 + 29 * DAY)
    assert r.deadlines["kip_extension"] == T0 + 29 * DAY


def test_extension_is_in_the_lifecycle_table() -> None:
    assert ALLOWED_FROM[Action.EXTEND_ANSWER_DEADLINE] == frozenset({State.DISPOSITIONED})


def test_the_aggregate_remembers_the_hold_for_the_verification_clock() -> None:
    r = new_report()
    assert r.hold is None
    r.put_on_hold(ADMIN, T0 + HOUR, reason="lokasi kurang jelas", question="Di mana?")
    assert r.hold == (T0 + HOUR, None)
    r.respond(REPORTER, T0 + DAY, message="Jl. Veteran")
    r.respond(REPORTER, T0 + 2 * DAY, message="dekat pasar")  # the first answer ended the hold
    assert r.hold == (T0 + HOUR, T0 + DAY)
    unanswered = new_report()
    unanswered.put_on_hold(ADMIN, T0 + HOUR, reason="kurang", question="Kapan?")
    unanswered.verify(ADMIN, T0 + 3 * DAY, handling_class="ringan", sla_policy="national-2018",
                      sla_policy_version=1, deadlines={})  # fmt: skip
    assert unanswered.hold == (T0 + HOUR, T0 + 3 * DAY)
