"""Helpers for integration tests: build ledgers on real backends and write typical histories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

from ledger.application import LedgerApplication
from ledger.bootstrap import build_ledger
from ledger.domain import Actor, Role
from ledger.storage.keys import KeyRing
from tests.conftest import make_settings

ADMIN = Actor("admin-1", Role.ADMIN_NATIONAL, "kemenpanrb")
AGENCY_ADMIN = Actor("serang-admin", Role.ADMIN_AGENCY, "kota-serang")
LIAISON = Actor("serang-liaison", Role.LIAISON, "kota-serang")
REPORTER = Actor(None, Role.REPORTER, None)
INVESTIGATOR = Actor("inspektorat-1", Role.WBS_INVESTIGATOR, "kota-serang")

WBS_BODY = "Kepala dinas meminta uang pelicin 5 juta untuk izin usaha nomor 4471-XYZ"
WBS_REPORTER = {"name": "Siti Rahmawati Kusumadewi", "phone": "+62-812-5550-1234"}
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def open_ledger(url: str, key_dir: Path, keyring: KeyRing | None = None) -> LedgerApplication:
    """A ledger on the given database with a test key ring."""
    return build_ledger(make_settings(url, key_dir), keyring=keyring or KeyRing.ephemeral())


def submit_wbs(app: LedgerApplication, at: datetime = T0) -> UUID:
    """A confidential whistleblowing report with a reporter identity."""
    return app.submit(
        actor=REPORTER,
        classification="wbs",
        privacy="rahasia",
        urgency="normal",
        channel="web",
        target_agency_id="kota-serang",
        category="korupsi",
        title="Pungutan liar izin usaha",
        body=WBS_BODY,
        reporter=WBS_REPORTER,
        attachments=["att-0001.pdf"],
        at=at,
    ).report_id


def submit_complaint(app: LedgerApplication, at: datetime = T0) -> UUID:
    """A public complaint."""
    return app.submit(
        actor=REPORTER,
        classification="pengaduan",
        privacy="public",
        channel="sms_1708",
        title="Jalan rusak di Kelurahan Cipare",
        body="Lubang besar di jalan depan SDN 3 sejak dua bulan.",
        reporter={"name": "Budi", "email": "budi@example.org"},
        at=at,
    ).report_id


def handle_fully(app: LedgerApplication, report_id: UUID, at: datetime = T0) -> None:
    """Verify, disposition, follow up, complete: a typical handled report."""
    step = timedelta(hours=5)
    app.change(
        report_id,
        lambda r: r.verify(
            actor=ADMIN,
            at=at + step,
            handling_class="normatif",
            sla_policy="national-2018",
            sla_policy_version=1,
            deadlines={"completion": at + timedelta(days=10)},
        ),
    )
    app.change(
        report_id,
        lambda r: r.disposition(
            actor=ADMIN,
            at=at + 2 * step,
            agency_id="kota-serang",
            unit_id=None,
            deadlines={"first_follow_up": at + timedelta(days=7)},
        ),
    )
    app.change(
        report_id,
        lambda r: r.follow_up(
            actor=LIAISON, at=at + 3 * step, message="Sudah ditinjau tim.", attachments=[]
        ),
    )
    app.change(
        report_id,
        lambda r: r.complete(
            actor=LIAISON,
            at=at + 4 * step,
            summary="Perbaikan selesai",
            auto=False,
            objection_deadline=at + timedelta(days=20),
        ),
    )
