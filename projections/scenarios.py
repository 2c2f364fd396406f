"""Kota Serang, 2020-2022: the handling histories behind the figures in DOMAIN.md.

181 reports in 2020, 132 in 2021 and 50 in 2022 reached the city; at the end 39 are not
followed up, 12 are in process and 65 are resolved; the rest were archived or returned as
"bukan wewenang" and re-dispositioned to other agencies. `build_kota_serang` writes these
histories into a ledger and returns the counts the compliance view must show, per year.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID

from ledger.application import LedgerApplication
from ledger.deadlines import DeadlineStamper
from ledger.domain import Actor, Report, Role

AGENCY = "kota-serang"
ELSEWHERE = ("kab-tangerang", "prov-banten", "kemenkes", "kemenpu")
OUTCOMES = ("not_followed_up", "in_process", "resolved", "archived", "forwarded")


@dataclass(frozen=True)
class YearCounts:
    """How the reports of one year ended, as the city's compliance view counts them."""

    not_followed_up: int
    in_process: int
    resolved: int
    archived: int
    forwarded: int

    @property
    def received(self) -> int:
        """Every report that reached the city that year."""
        return sum(getattr(self, name) for name in OUTCOMES)


YEARS = {
    2020: YearCounts(not_followed_up=20, in_process=5, resolved=30, archived=70, forwarded=56),
    2021: YearCounts(not_followed_up=12, in_process=4, resolved=22, archived=50, forwarded=44),
    2022: YearCounts(not_followed_up=7, in_process=3, resolved=13, archived=15, forwarded=12),
}


@dataclass
class KotaSerang:
    """What `build_kota_serang` wrote: the expected counts and the reports, per year."""

    years: dict[int, YearCounts] = field(default_factory=lambda: dict(YEARS))
    report_ids: dict[int, list[UUID]] = field(default_factory=dict)

    @property
    def total(self) -> YearCounts:
        """The three years together."""
        return YearCounts(*(sum(getattr(c, n) for c in self.years.values()) for n in OUTCOMES))


ADMIN = Actor("admin.kota-serang", Role.ADMIN_AGENCY, AGENCY)
LIAISON = Actor("liaison.kota-serang", Role.LIAISON, AGENCY)
NATIONAL = Actor("admin.kemenpanrb", Role.ADMIN_NATIONAL, "kemenpanrb")
REPORTER = Actor(None, Role.REPORTER, None)
KINDS = [("pengaduan", "ringan"), ("pengaduan", "normatif"), ("aspirasi", "info_aspiration")]
KINDS += [("permintaan_informasi", "info_aspiration"), ("wbs", "supervisory_field_inspection")]


class _History:
    """One report's commands, each a few hours or days after the one before."""

    def __init__(self, rng: random.Random, report: Report, stamper: DeadlineStamper) -> None:
        self.rng, self.report, self.stamper = rng, report, stamper
        self.t = report.submitted_at

    def later(self, low_h: float, high_h: float) -> datetime:
        self.t += timedelta(hours=self.rng.uniform(low_h, high_h))
        return self.t

    def verify_and_disposition(self, handling: str) -> None:
        r, kind, urgency = self.report, self.report.classification.value, self.report.urgency.value
        stamp = self.stamper.at_verification(
            agency_id=AGENCY,
            classification=kind,
            urgency=urgency,
            handling_class=handling,
            submitted_at=r.submitted_at,
        )
        r.verify(
            ADMIN,
            self.later(2, 120),
            handling_class=handling,
            sla_policy=stamp.policy,
            sla_policy_version=stamp.version,
            deadlines=stamp.deadlines,
        )
        self.disposition(ADMIN, AGENCY, handling)

    def disposition(self, actor: Actor, agency: str, handling: str) -> None:
        at = self.later(1, 30)
        deadlines = self.stamper.at_disposition(
            agency_id=agency,
            classification=self.report.classification.value,
            urgency=self.report.urgency.value,
            handling_class=handling,
            at=at,
        )
        self.report.disposition(actor, at, agency_id=agency, deadlines=deadlines)

    def follow_up(self) -> None:
        self.report.follow_up(LIAISON, self.later(20, 240), message="Sedang ditinjau petugas.")

    def complete(self) -> None:
        at = self.later(24, 300)
        due = self.stamper.objection_deadline(agency_id=AGENCY, at=at)
        self.report.complete(LIAISON, at, summary="Selesai ditangani.", objection_deadline=due)


def _play(h: _History, outcome: str, handling: str) -> None:
    if outcome == "archived":
        h.report.archive(ADMIN, h.later(4, 200), reason=h.rng.choice(["duplicate", "too_general"]))
        return
    h.verify_and_disposition(handling)
    if outcome == "forwarded":
        h.report.return_not_authority(ADMIN, h.later(4, 200), reason="Bukan kewenangan Pemkot")
        h.disposition(NATIONAL, h.rng.choice(ELSEWHERE), handling)
        return
    if outcome == "not_followed_up":
        return
    h.follow_up()
    if outcome == "in_process" and h.rng.random() < 0.5:
        h.report.respond(REPORTER, h.later(5, 100), message="Belum ada perbaikan.")
    if outcome == "resolved":
        h.complete()


def _submission(rng: random.Random, year: int, n: int, of: int) -> datetime:
    day = datetime(year, 1, 2, 1, 0, tzinfo=UTC) + timedelta(days=(n * 360) // of)
    return day + timedelta(minutes=rng.randrange(10 * 60))


def build_kota_serang(
    app: LedgerApplication,
    *,
    seed: int = 2020,
    stamper: DeadlineStamper | None = None,
    save_every: int = 60,
) -> KotaSerang:
    """Write the three years of Kota Serang histories into the ledger."""
    rng = random.Random(seed)
    stamper = stamper or DeadlineStamper.load_default()
    built = KotaSerang()
    pending: list[Report] = []
    for year, counts in YEARS.items():
        plan = [o for o in OUTCOMES for _ in range(getattr(counts, o))]
        rng.shuffle(plan)
        built.report_ids[year] = []
        for n, outcome in enumerate(plan):
            kind, handling = rng.choice(KINDS)
            rid = UUID(int=rng.getrandbits(128), version=4)
            report = Report.submit(
                rid,
                actor=REPORTER,
                at=_submission(rng, year, n, len(plan)),
                classification=kind,
                privacy="rahasia" if kind == "wbs" else "public",
                urgency="normal",
                channel="web",
                target_agency_id=AGENCY,
                category=None,
                title=f"Laporan warga {year}-{n}",
                body="Mohon ditindaklanjuti.",
                reporter=None,
                attachments=[],
            )
            _play(_History(rng, report, stamper), outcome, handling)
            built.report_ids[year].append(rid)
            pending.append(report)
            if len(pending) >= save_every:
                _save(app, pending)
                pending = []
    _save(app, pending)
    return built


def _save(app: LedgerApplication, reports: list[Report]) -> None:
    if reports:
        app.save(*reports, data_keys=[app.data_keys.create(r.id) for r in reports])
