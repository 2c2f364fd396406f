"""The views against independent recomputations: overdue clocks from the reports themselves,
compliance figures from the stored clear headers (the auditor's way), Kota Serang's counts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from ledger.application import LedgerApplication
from ledger.deadlines import DeadlineStamper
from ledger.demo import run_demo
from ledger.domain import Report
from ledger.sla import Clock, policy_for
from projections.catalogue import default_stamper
from projections.queries import Period, compliance, overdue
from projections.rules.codec import record_from_json
from projections.rules.figures import NATIONAL, Figures, figures_by_group
from projections.rules.fold import apply
from projections.rules.headers import header_from_stored
from projections.rules.record import ClockRecord
from projections.runner import Projections
from projections.scenarios import build_kota_serang
from tests.integration.ledgers import ADMIN, AGENCY_ADMIN, REPORTER, submit_complaint
from tests.integration.test_projections_support import (
    PostgresBackend,
    SQLiteBackend,
    snapshot,
    stream_ids,
)

NOWS = [datetime(2026, 2, 20, 3, 0, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC)]
OPEN_FOR_VERIFICATION = {"submitted", "on_hold", "verified", "returned_not_authority"}


def add_unverified(app: LedgerApplication) -> None:
    """Reports the demo never leaves behind: waiting for verification, on hold, returned."""
    t = datetime(2026, 2, 9, 2, 0, tzinfo=UTC)
    for n, target in enumerate([None, "kota-serang", "kab-badung", "kota-jayapura", "nowhere"]):
        app.submit(
            actor=REPORTER,
            classification="permintaan_informasi" if n == 1 else "pengaduan",
            privacy="public",
            urgency="covid" if n == 2 else "normal",
            target_agency_id=target,
            title="Belum diverifikasi",
            body="Menunggu verifikasi.",
            at=t + timedelta(days=3 * n),
        )
    held = [submit_complaint(app, at=t + timedelta(hours=n)) for n in range(4)]
    for n, rid in enumerate(held):
        app.change(
            rid,
            lambda r: r.put_on_hold(
                AGENCY_ADMIN, t + timedelta(days=1), reason="kurang", question="Di mana?"
            ),
        )
        if n % 2:
            app.change(rid, lambda r: r.respond(REPORTER, t + timedelta(days=6), message="RT 3"))
    returned = submit_complaint(app, at=t)
    stamp = {"handling_class": "ringan", "sla_policy": "national-2018", "sla_policy_version": 1}
    due = {"verification": t + timedelta(days=3)}
    app.change(returned, lambda r: r.verify(ADMIN, t, **stamp, deadlines=due))
    app.change(returned, lambda r: r.disposition(ADMIN, t, agency_id="kota-serang"))
    app.change(returned, lambda r: r.return_not_authority(AGENCY_ADMIN, t, reason="Bukan kami"))


Hold = tuple[datetime, datetime | None]


def _intake(app: LedgerApplication, rid: UUID, report: Report) -> tuple[str, Hold | None]:
    """The agency of the first admin who acted, and the hold: put on hold, first answer."""
    agency, hold = None, None
    for event in app.repository.event_store.get(rid):
        name = type(event).__name__
        if agency is None and name in ("PutOnHold", "Verified", "Archived"):
            agency = event.actor["agency_id"]
        if name == "PutOnHold":
            hold = (event.at, None)
        if name == "Responded" and event.state == "on_hold" and hold and hold[1] is None:
            hold = (hold[0], event.at)
    return agency or report.target_agency_id or "kemenpanrb", hold


Running = tuple[str, str, datetime, str | None]  # report, clock, due, agency


def running_clocks(app: LedgerApplication, stamper: DeadlineStamper) -> list[Running]:
    """Every clock still running, with its due time, from each report loaded by the ledger."""
    found: list[Running] = []
    for rid in stream_ids(app):
        r = app.get_report(rid)
        d, state, key = r.deadlines, r.state.value, str(rid)
        if state == "escalated" or r.archive_reason is not None:
            continue
        if state in OPEN_FOR_VERIFICATION:
            intake, hold = _intake(app, rid, r)
            due = d.get("verification")
            if due is None and not (state == "on_hold" and r.awaiting_reporter):
                agency = intake if intake in stamper.registry else "kemenpanrb"
                default = stamper.registry.get(agency).sla_policy
                policy = stamper.book.get(
                    policy_for(r.classification, r.urgency, default).policy_name(Clock.VERIFICATION)
                )
                calendar = stamper.calendar(agency)
                due = policy.deadline(
                    Clock.VERIFICATION, r.submitted_at, calendar, urgency=r.urgency.value
                )
                if due is not None and hold is not None and hold[1] is not None:
                    # paused on hold: the working days after the hold began, up to its end
                    start, end = hold[0], hold[1]
                    held = calendar.working_days_between(start, end) if start <= due else 0
                    due = calendar.add_working_days(due, held)
            if due is not None:
                found.append((key, "verification", due, intake))
        if r.agency_id is None:
            continue
        unanswered = r.first_follow_up_at is None
        clocks = {"first_follow_up": unanswered, "completion": state != "completed"}
        clocks |= {"kip_answer": unanswered and "kip_extension" not in d}
        clocks |= {"kip_extension": unanswered}
        found += [
            (key, c, d[c], r.agency_id) for c, running in clocks.items() if c in d and running
        ]
        if state == "in_follow_up":
            assert r.last_follow_up_at is not None
            due = stamper.auto_close(
                agency_id=r.agency_id,
                classification=r.classification.value,
                urgency=r.urgency.value,
                at=r.last_follow_up_at,
            )
            found.append((key, "auto_close", due, r.agency_id))
    return found


def listed_overdue(p: Projections, now: datetime) -> list[tuple[str, str, datetime, str | None]]:
    """The overdue view, read page by page."""
    items, cursor = [], None
    while True:
        page = overdue(p, now, cursor=cursor, limit=97)
        items += [(i.report_id, i.clock, i.due_at, i.agency_id) for i in page.items]
        if page.next_cursor is None:
            return items
        cursor = page.next_cursor


def auditor_records(app: LedgerApplication) -> dict[str, ClockRecord]:
    """Clock records folded from the stored clear headers, as from an export bundle."""
    records: dict[str, ClockRecord] = {}
    for e in app.iter_entries():
        assert e.event_type is not None and e.payload is not None
        header = header_from_stored(str(e.stream_id), e.stream_version, e.event_type, e.payload)
        records[header.report_id] = apply(records.get(header.report_id), header)
    return records


def as_dicts(figures: dict[str, Figures]) -> dict[str, dict[str, Any]]:
    return {key: asdict(value) for key, value in figures.items() if value.received}


class FiguresBehaviour:
    """Views equal what one computes directly from the log."""

    @pytest.fixture(scope="class")
    @classmethod
    def demo(cls) -> Iterator[tuple[LedgerApplication, Projections]]:
        with cls.fresh_ledger() as app:  # type: ignore[attr-defined]
            run_demo(app, reports=2000, seed=1708)
            add_unverified(app)
            p = Projections(app)
            assert [r.failure for r in p.catch_up(batch_size=2000)] == [None, None]
            yield app, p

    def test_overdue_equals_brute_force(self, demo: tuple[LedgerApplication, Projections]) -> None:
        app, p = demo
        running = running_clocks(app, default_stamper())
        for now in NOWS:
            listed = listed_overdue(p, now)
            assert len(listed) == len(set(listed))
            assert set(listed) == {c for c in running if now > c[2]}
            assert [due for _, _, due, _ in listed] == sorted(due for _, _, due, _ in listed)
            clocks = {clock for _, clock, _, _ in listed}
            assert {"verification", "first_follow_up", "completion", "auto_close"} <= clocks

    def test_figures_recomputed_from_clear_headers(
        self, demo: tuple[LedgerApplication, Projections]
    ) -> None:
        app, p = demo
        records = auditor_records(app)
        with p.reading() as tx:
            stored = tx.rows(tx.sql.snapshot["proj_reports"], {})
        assert {r["report_id"]: record_from_json(r["record"]) for r in stored} == records
        for as_of in NOWS:
            for period, kind in [(None, None), (Period.year(2026), "pengaduan"),
                                 (Period(NOWS[0].date(), NOWS[1].date()), "wbs")]:  # fmt: skip
                args = {"period": period, "classification": kind, "as_of": as_of}
                national = figures_by_group(records.values(), by_agency=False, **args)
                [row] = compliance(p, group_by="national", **args)
                assert asdict(row.figures) == asdict(national.get(NATIONAL, Figures()))
                agencies = figures_by_group(records.values(), by_agency=True, **args)
                rows = compliance(p, group_by="agency", **args)
                assert as_dicts({r.group: r.figures for r in rows}) == as_dicts(agencies)
                assert national[NATIONAL].received > 0 and len(rows) > 10

    def test_counters_are_filled_for_views_built_before_them(self) -> None:
        with self.fresh_ledger() as app:  # type: ignore[attr-defined]
            run_demo(app, reports=150, seed=77)
            p = Projections(app)
            assert [r.failure for r in p.catch_up()] == [None, None]
            built = snapshot(p)
            assert built["proj_share_counts"] and built["proj_clock_counts"]
            schema = getattr(app.factory.datastore, "schema", None)
            with p.views["reports"].transaction(commit=True) as tx:
                for table in ("proj_share_counts", "proj_clock_counts"):
                    tx.cursor.execute(
                        f'DROP TABLE "{schema}".{table}' if schema else f"DROP TABLE {table}"
                    )
            assert snapshot(Projections(app)) == built  # created again, and filled from the rows

    def test_kota_serang_counts(self) -> None:
        with self.fresh_ledger() as app:  # type: ignore[attr-defined]
            built = build_kota_serang(app)
            p = Projections(app)
            p.catch_up()
            as_of = datetime(2023, 6, 30, tzinfo=UTC)
            for year, counts in [*built.years.items(), (None, built.total)]:
                period = None if year is None else Period.year(year)
                [row] = compliance(p, agency="kota-serang", period=period, as_of=as_of)
                f = row.figures
                assert f.received == counts.received
                assert f.buckets == {
                    "unverified": 0, "archived": counts.archived, "awaiting_disposition": 0,
                    "forwarded": counts.forwarded, "not_followed_up": counts.not_followed_up,
                    "in_process": counts.in_process, "resolved": counts.resolved, "escalated": 0,
                }  # fmt: skip
                assert f.returns == counts.forwarded
                assert f.handling == counts.not_followed_up + counts.in_process + counts.resolved
                assert f.followed_up == counts.in_process + counts.resolved
                assert f.target_met is False
            assert (built.total.not_followed_up, built.total.in_process) == (39, 12)
            assert (built.total.resolved, built.total.received) == (65, 363)
            [hub] = compliance(p, group_by="hub", hub="prov-banten", as_of=as_of)
            assert hub.figures.returns == built.total.forwarded
            assert snapshot(p)["proj_daily"]


class TestSQLite(SQLiteBackend, FiguresBehaviour):
    pass


@pytest.mark.postgres
class TestPostgres(PostgresBackend, FiguresBehaviour):
    pass
