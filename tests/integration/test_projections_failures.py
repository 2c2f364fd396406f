"""A failing event stops its projection at that position, with the error in the status;
a restart without the fix stops there again; after the fix it resumes there, skipping nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from importlib import resources
from pathlib import Path
from uuid import UUID

import pytest

from ledger.agencies.registry import AgencyRegistry
from ledger.application import LedgerApplication
from ledger.deadlines import DeadlineStamper
from ledger.domain import Actor, Role
from ledger.sla import Overrides, PolicyBook
from projections.runner import Projections
from projections.source import ClearHeaderMapper
from tests.integration.ledgers import (
    ADMIN,
    INVESTIGATOR,
    REPORTER,
    T0,
    WBS_BODY,
    WBS_REPORTER,
    handle_fully,
    open_ledger,
    submit_complaint,
    submit_wbs,
)
from tests.integration.test_projections_support import (
    PostgresBackend,
    SQLiteBackend,
    snapshot,
)

NEW_AGENCY = "kota-baru"  # not (yet) in the agency registry


def registry_with_new_agency() -> AgencyRegistry:
    """The packaged registry plus the agency the failing history was dispositioned to."""
    text = resources.files("ledger.agencies").joinpath("agencies.json").read_text("utf-8")
    document = json.loads(text)
    document["agencies"].append(
        {
            "id": NEW_AGENCY,
            "name": "Kota Baru (test)",
            "level": "city",
            "tier": "micro",
            "parent": "prov-banten",
            "time_zone": "Asia/Jakarta",
            "sla_policy": "national-2018",
            "is_hub": False,
        }
    )
    return AgencyRegistry.from_json(json.dumps(document))


def send_to_unknown_agency(app: LedgerApplication) -> UUID:
    """A complaint dispositioned to an agency the registry does not know, then followed up."""
    rid = submit_complaint(app)
    due = {"first_follow_up": T0 + timedelta(days=7)}
    verify = {"handling_class": "ringan", "sla_policy": "national-2018", "sla_policy_version": 1}
    app.change(rid, lambda r: r.verify(ADMIN, T0 + timedelta(hours=1), **verify, deadlines={}))
    app.change(
        rid,
        lambda r: r.disposition(
            ADMIN, T0 + timedelta(hours=2), agency_id=NEW_AGENCY, deadlines=due
        ),
    )
    liaison = Actor("liaison.baru", Role.LIAISON, NEW_AGENCY)
    app.change(rid, lambda r: r.follow_up(liaison, T0 + timedelta(hours=3), message="Ditinjau."))
    return rid


class FailureBehaviour:
    """Stop at the failing event, show it, resume after the fix."""

    def test_failing_event_stops_and_resumes_after_fix(self, app: LedgerApplication) -> None:
        before = submit_complaint(app)
        handle_fully(app, before)
        bad = send_to_unknown_agency(app)
        after = submit_complaint(app, at=T0 + timedelta(days=1))
        handle_fully(app, after, at=T0 + timedelta(days=1))
        failing_id = self.notification_id(app, bad, 4)

        p = Projections(app)
        reports, daily = p.catch_up(batch_size=1000)
        assert reports.failure is not None
        assert reports.failure.notification_id == failing_id
        assert reports.failure.report_id == str(bad)
        assert reports.failure.event_type == "FollowedUp"
        assert NEW_AGENCY in reports.failure.message
        assert reports.position is not None and reports.position < failing_id
        assert daily.failure is None and daily.position == p.log.max_id()  # independent

        status = {s.name: s for s in p.status()}
        assert status["reports"].failure == reports.failure
        assert status["reports"].position == reports.position
        assert status["reports"].lag == p.log.max_id() - reports.position
        assert status["daily"].failure is None and status["daily"].lag == 0

        again = Projections(app).catch_up(["reports"])[0]  # restart without the fix
        assert again.applied == 0 and again.position == reports.position
        assert again.failure is not None and again.failure.notification_id == failing_id

        book, overrides = PolicyBook.load_default(), Overrides.load_default()
        fixed = DeadlineStamper(registry_with_new_agency(), book, overrides)
        p = Projections(app, stamper=fixed)
        resumed = p.catch_up(["reports"])[0]
        assert resumed.failure is None
        assert resumed.applied == p.log.max_id() - reports.position
        assert {s.name: s.failure for s in p.status()} == {"reports": None, "daily": None}
        incremental = snapshot(p)
        p.rebuild()
        assert snapshot(p) == incremental
        ids = {row["report_id"] for row in incremental["proj_reports"]}
        assert ids == {str(before), str(bad), str(after)}

    def notification_id(self, app: LedgerApplication, report_id: UUID, version: int) -> int:
        """The notification id of one stored event."""
        found = [
            n.id
            for n in app.recorder.select_notifications(start=None, limit=10_000)
            if n.originator_id == report_id and n.originator_version == version
        ]
        assert len(found) == 1
        return found[0]

    def test_no_sealed_plaintext_reaches_a_projection(
        self, app: LedgerApplication, url: str, workdir: Path
    ) -> None:
        rid = submit_wbs(app)
        handle_fully(app, rid)
        app.change(rid, lambda r: r.reopen(REPORTER, T0 + timedelta(days=1), objection=OBJECTION))
        app.change(rid, lambda r: r.add_investigation_note(INVESTIGATOR, T0, note=NOTE))
        stored = next(iter(app.recorder.select_notifications(start=None, limit=1)))
        assert ClearHeaderMapper(app.construct_transcoder()).to_domain_event(stored).body is None

        blind = open_ledger(url, workdir / "other-keys")  # keys that open nothing here
        try:
            p = Projections(blind)
            assert [r.failure for r in p.catch_up()] == [None, None]
            tables = json.dumps(snapshot(p), default=str)
            with p.reading() as tx:
                tables += json.dumps(tx.rows(tx.sql.select_failure, {"projection": "reports"}))
        finally:
            blind.close()
        assert str(rid) in tables and '"wbs"' in tables  # it counts, in the clear headers
        secrets = [WBS_BODY, WBS_REPORTER["name"], WBS_REPORTER["phone"], "Pungutan liar"]
        secrets += ["Sudah ditinjau tim", "att-0001.pdf", OBJECTION, NOTE]
        for secret in secrets:
            assert secret not in tables


OBJECTION = "Belum ada tindakan terhadap kepala dinas"
NOTE = "Saksi kunci bersedia diperiksa tanggal 12"


class TestSQLite(SQLiteBackend, FailureBehaviour):
    pass


@pytest.mark.postgres
class TestPostgres(PostgresBackend, FailureBehaviour):
    pass
