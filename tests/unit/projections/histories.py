"""Builders for the rules' unit tests: a report driven through the domain, folded by the rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from ledger.domain import Actor, Report, Role
from projections.rules.fold import apply
from projections.rules.headers import Header
from projections.rules.record import ClockRecord
from projections.source import header_of

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 09:00 WIB
H = timedelta(hours=1)
D = timedelta(days=1)
RID = UUID("6f1b1e0e-2d7a-4f55-9a8e-0c1d2e3f4a5b")
REPORTER = Actor(None, Role.REPORTER)
NATIONAL = Actor("admin.kemenpanrb", Role.ADMIN_NATIONAL, "kemenpanrb")
SERANG = Actor("admin.kota-serang", Role.ADMIN_AGENCY, "kota-serang")
TANGERANG = Actor("admin.kab-tangerang", Role.ADMIN_AGENCY, "kab-tangerang")
LIAISON = Actor("liaison.kab-tangerang", Role.LIAISON, "kab-tangerang")
SYSTEM = Actor("timers", Role.SYSTEM)


class History:
    """A report and the headers of everything done to it so far."""

    def __init__(
        self, classification: str = "pengaduan", target: str | None = None, at: datetime = T0
    ) -> None:
        self.report = Report.submit(
            RID,
            actor=REPORTER,
            at=at,
            classification=classification,
            privacy="rahasia" if classification == "wbs" else "public",
            urgency="normal",
            channel="web",
            target_agency_id=target,
            category=None,
            title="Rahasia: judul",
            body="Rahasia: isi laporan",
            reporter={"name": "Rahasia: nama"},
            attachments=["rahasia.pdf"],
        )
        self.headers: list[Header] = []
        self.events: list[object] = []
        self._collect()

    def _collect(self) -> None:
        events = self.report.collect_events()
        self.events += events
        self.headers += [header_of(e) for e in events]

    def do(self, command: str, actor: Actor, at: datetime, **kwargs: object) -> History:
        """Run one domain command and keep its event's header."""
        getattr(self.report, command)(actor, at, **kwargs)
        self._collect()
        return self

    def verify(self, at: datetime, due: datetime | None = None, actor: Actor = NATIONAL) -> History:
        deadlines = {} if due is None else {"verification": due}
        return self.do("verify", actor, at, handling_class="ringan", sla_policy="national-2018",
                       sla_policy_version=1, deadlines=deadlines)  # fmt: skip

    def disposition(self, at: datetime, agency: str, **deadlines: datetime) -> History:
        return self.do("disposition", NATIONAL, at, agency_id=agency, deadlines=deadlines)

    def record(self) -> ClockRecord:
        """The clock record folded from every header so far."""
        record = None
        for header in self.headers:
            record = apply(record, header)
        assert record is not None
        return record
