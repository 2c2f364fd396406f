"""Timers append events: auto-close exactly after 10 silent working days, overdue notices once;
running them twice appends nothing new. Also the followers that keep projections current:
the polling thread, and eventsourcing's ProjectionRunner on PostgreSQL."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from ledger.application import LedgerApplication
from ledger.deadlines import DeadlineStamper
from ledger.demo import run_demo
from ledger.domain import Actor, Role
from ledger.settings import Settings
from projections.catalogue import default_stamper
from projections.follower import Follower
from projections.runner import Projections, start_runner
from projections.sla_status import report_sla
from projections.timers import TimersBlocked, run_timers
from tests.integration.ledgers import ADMIN, REPORTER, submit_complaint
from tests.integration.test_projections_failures import send_to_unknown_agency
from tests.integration.test_projections_support import PostgresBackend, SQLiteBackend, snapshot

AGENCY = "kota-serang"
LIAISON = Actor("liaison.kota-serang", Role.LIAISON, AGENCY)
SUBMITTED = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)
# Monday 16 March 2026, 10:00 WIB: the follow-up that starts the auto-close clock.
FOLLOWED_UP = datetime(2026, 3, 16, 3, 0, tzinfo=UTC)
# 10 hari kerja later, counted by hand: 17 Mar is day 1; 18-24 Mar are Nyepi, cuti bersama,
# Idul Fitri and a weekend; 25, 26, 27, 30, 31 Mar and 1, 2 Apr are days 2-8; 3 Apr is Good
# Friday; 6 and 7 Apr are days 9 and 10. Due: the end of Tuesday 7 April, WIB.
AUTO_CLOSE_DUE = datetime(2026, 4, 7, 16, 59, 59, 999999, tzinfo=UTC)


def handled_until_follow_up(app: LedgerApplication, stamper: DeadlineStamper) -> UUID:
    """A complaint verified, dispositioned to Kota Serang with stamped deadlines, followed up."""
    rid = submit_complaint(app, at=SUBMITTED)
    handling = "supervisory_field_inspection"  # 60 WD to complete: no overdue in this test
    stamp = stamper.at_verification(
        agency_id=AGENCY,
        classification="pengaduan",
        urgency="normal",
        handling_class=handling,
        submitted_at=SUBMITTED,
    )
    verified_at, dispositioned_at = SUBMITTED + timedelta(hours=2), SUBMITTED + timedelta(hours=3)
    app.change(
        rid,
        lambda r: r.verify(
            ADMIN,
            verified_at,
            handling_class=handling,
            sla_policy=stamp.policy,
            sla_policy_version=stamp.version,
            deadlines=stamp.deadlines,
        ),
    )
    due = stamper.at_disposition(
        agency_id=AGENCY,
        classification="pengaduan",
        urgency="normal",
        handling_class=handling,
        at=dispositioned_at,
    )
    app.change(
        rid, lambda r: r.disposition(ADMIN, dispositioned_at, agency_id=AGENCY, deadlines=due)
    )
    app.change(rid, lambda r: r.follow_up(LIAISON, FOLLOWED_UP, message="Tim sudah ke lokasi."))
    return rid


class TimerBehaviour:
    """Timers are processes that append events, idempotently."""

    def test_auto_close_exactly_after_ten_working_days(self, app: LedgerApplication) -> None:
        stamper = default_stamper()
        assert stamper.calendar(AGENCY).add_working_days(FOLLOWED_UP, 10) == AUTO_CLOSE_DUE
        rid = handled_until_follow_up(app, stamper)
        size = app.ledger.tree_size()
        for early in (FOLLOWED_UP + timedelta(days=7), AUTO_CLOSE_DUE):
            assert run_timers(app, early) == []
        assert app.get_report(rid).state == "in_follow_up"
        assert app.ledger.tree_size() == size

        now = AUTO_CLOSE_DUE + timedelta(microseconds=1)
        [action] = run_timers(app, now)
        assert (action.report_id, action.kind, action.due_at) == (rid, "auto_close", AUTO_CLOSE_DUE)
        report = app.get_report(rid)
        assert (report.state, report.completed_at, report.version) == ("completed", now, 5)
        [event] = [
            e for e in app.repository.event_store.get(rid) if type(e).__name__ == "Completed"
        ]
        assert event.auto is True and event.actor["role"] == "system"

        assert run_timers(app, now) == []
        assert run_timers(app, now + timedelta(days=30)) == []
        assert app.ledger.tree_size() == size + 1
        p = Projections(app)
        p.catch_up()
        clocks = {c.clock: c for c in report_sla(p, str(rid), now=now).clocks}
        assert clocks["auto_close"].outcome == "fired"

    def test_timers_refuse_a_stopped_projection(self, app: LedgerApplication) -> None:
        send_to_unknown_agency(app)
        late = submit_complaint(app, at=SUBMITTED)
        with pytest.raises(TimersBlocked, match="kota-baru"):
            run_timers(app, datetime(2026, 12, 1, tzinfo=UTC))
        assert [e.stream_id for e in app.iter_entries()][-1] == late  # nothing appended

    def test_reporter_reply_stops_the_auto_close(self, app: LedgerApplication) -> None:
        rid = handled_until_follow_up(app, default_stamper())
        app.change(rid, lambda r: r.respond(REPORTER, FOLLOWED_UP + timedelta(days=2), message="?"))
        assert run_timers(app, AUTO_CLOSE_DUE + timedelta(days=1)) == []
        assert app.get_report(rid).state == "reporter_responded"

    def test_overdue_notices_once_per_clock_and_due(self, app: LedgerApplication) -> None:
        stamper = default_stamper()
        rid = handled_until_follow_up(app, stamper)
        late = submit_complaint(app, at=SUBMITTED)  # never verified
        now = datetime(2026, 3, 20, tzinfo=UTC)
        actions = run_timers(app, now)
        assert [(a.report_id, a.kind, a.clock) for a in actions] == [
            (late, "overdue_notice", "verification")
        ]
        assert run_timers(app, now) == []
        later = AUTO_CLOSE_DUE + timedelta(days=1)
        actions = run_timers(app, later)  # the verification notice is not repeated
        assert [(a.report_id, a.kind) for a in actions] == [(rid, "auto_close")]
        assert run_timers(app, later) == []
        notes = [
            e.note for e in app.repository.event_store.get(late) if type(e).__name__ == "Annotated"
        ]
        assert len(notes) == 1 and notes[0].startswith("overdue-notice/v1 clock=verification")

    def test_follower_keeps_projections_current(self, app: LedgerApplication) -> None:
        follower = Follower(app, interval=0.05).start()
        try:
            run_demo(app, reports=15, seed=8)
            wait_until_current(Projections(app))
        finally:
            follower.stop()
        p = Projections(app)
        followed = snapshot(p)
        p.rebuild()
        assert snapshot(p) == followed and len(followed["proj_reports"]) == 15


def wait_until_current(p: Projections, timeout: float = 20.0) -> None:
    """Wait until every projection has applied the whole log."""
    deadline = time.monotonic() + timeout
    while any(s.lag for s in p.status()):
        assert time.monotonic() < deadline, p.status()
        time.sleep(0.05)


class TestSQLite(SQLiteBackend, TimerBehaviour):
    pass


@pytest.mark.postgres
class TestPostgres(PostgresBackend, TimerBehaviour):
    def test_projection_runner_follows_the_log(
        self, app: LedgerApplication, settings: Settings
    ) -> None:
        run_demo(app, reports=25, seed=3)
        with start_runner(settings, "reports") as runner:
            runner.wait(app.recorder.max_notification_id(), timeout=30)
            run_demo(app, reports=10, seed=4, start=datetime(2026, 6, 1, tzinfo=UTC))
            runner.wait(app.recorder.max_notification_id(), timeout=30)
        p = Projections(app)
        assert p.views["reports"].position() == p.log.max_id()
        followed = snapshot(p)
        p.rebuild(["reports"])
        rebuilt = snapshot(p)
        assert followed["proj_reports"] == rebuilt["proj_reports"]
        assert followed["proj_clocks"] == rebuilt["proj_clocks"]
        assert len(rebuilt["proj_reports"]) == 35

    def test_follower_with_runner_stops_at_a_failure(self, app: LedgerApplication) -> None:
        follower = Follower(app, use_runner=True).start()
        try:
            run_demo(app, reports=5, seed=9)
            wait_until_current(Projections(app))
            send_to_unknown_agency(app)
            deadline = time.monotonic() + 20
            while Projections(app).views["reports"].failure() is None:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        finally:
            follower.stop()
        status = {s.name: s for s in Projections(app).status()}
        assert status["reports"].lag == 1 and status["reports"].failure is not None
        assert status["daily"].lag == 0 and status["daily"].failure is None
