"""One synthetic report's plan: the actions on it and when they happen."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from ledger.agencies.registry import Agency
from ledger.deadlines import DeadlineStamper
from ledger.domain import Actor, Report, Role

Weighted = list[tuple[str, int]]
CLASSIFICATIONS: Weighted = [
    ("pengaduan", 70),
    ("aspirasi", 14),
    ("permintaan_informasi", 14),
    ("wbs", 2),
]
PRIVACY: Weighted = [("public", 60), ("anonim", 27), ("rahasia", 13)]
CHANNELS: Weighted = [("web", 45), ("mobile_app", 30), ("sms_1708", 15), ("intake_officer", 10)]
HANDLING: dict[str, Weighted] = {
    "pengaduan": [
        ("ringan", 35),
        ("normatif", 35),
        ("non_supervisory_field_check", 20),
        ("supervisory_field_inspection", 10),
    ],
    "aspirasi": [("info_aspiration", 1)],
    "permintaan_informasi": [("info_aspiration", 1)],
    "wbs": [("supervisory_field_inspection", 1)],
}
ARCHIVE_REASONS = ["incomplete_format", "too_general", "not_public_service", "duplicate"]
TOPICS = [
    "jalan rusak",
    "layanan KTP-el",
    "antrian puskesmas",
    "bantuan sosial",
    "izin usaha",
    "sampah",
    "air bersih",
    "PPDB sekolah",
    "penerangan jalan",
    "pungutan liar",
]
TARGET_LEVELS = ("ministry", "agency", "province", "regency", "city")
ADMIN = Actor("admin.kemenpanrb", Role.ADMIN_NATIONAL, "kemenpanrb")
REPORTER = Actor(None, Role.REPORTER, None)

Command = Callable[[Report, datetime], None]


@dataclass(frozen=True)
class Mix:
    """The proportions a plan draws from; the defaults are the demo's."""

    classifications: Weighted = field(default_factory=lambda: list(CLASSIFICATIONS))
    privacy: Weighted = field(default_factory=lambda: list(PRIVACY))
    chain: tuple[int, ...] = (0,) * 85 + (1,) * 10 + (2,) * 4 + (3,)  # bukan wewenang returns
    follow_up_days: tuple[int, ...] = (2, 4, 7, 12)


DEMO_MIX = Mix()


@dataclass
class Step:
    """One action of the plan: a submission (`submit`) or a command on an existing report."""

    at: datetime
    report_id: UUID
    submit: Callable[[], Report] | None = None
    command: Command | None = None
    erases: bool = False

    def __lt__(self, other: Step) -> bool:
        return self.at < other.at


class _AllBut(Sequence[Agency]):
    """`items` without the one at `skip`, in their order, copying nothing."""

    def __init__(self, items: tuple[Agency, ...], skip: int) -> None:
        self.items = items
        self.skip = skip

    def __len__(self) -> int:
        return len(self.items) - 1

    def __getitem__(self, i: int) -> Agency:  # type: ignore[override]  # no slices: rng.choice
        if not 0 <= i < len(self.items) - 1:
            raise IndexError(i)
        return self.items[i if i < self.skip else i + 1]


@dataclass(frozen=True)
class Catalogue:
    """The agency lists a plan draws from, worked out once per registry (`Catalogue.of`).

    Each list holds the same agencies in the same order as the scan of the agency list it
    replaces, so a plan makes the same draws from either and comes out the same."""

    targets: tuple[Agency, ...]  # the agencies a report can be sent to
    units: Mapping[str, tuple[Agency, ...]]  # an agency's units, by agency id
    position: Mapping[str, int]  # a target's index in `targets`

    @classmethod
    def of(cls, agencies: Sequence[Agency]) -> Catalogue:
        """The lists of these agencies; ids are unique, as in every registry."""
        targets = tuple(a for a in agencies if a.level in TARGET_LEVELS)
        units: dict[str, list[Agency]] = {}
        for a in agencies:
            if a.level == "unit" and a.parent is not None:
                units.setdefault(a.parent, []).append(a)
        position = {a.id: i for i, a in enumerate(targets)}
        if len(position) < len(targets):
            raise ValueError("agency ids must be unique, as in an agency registry")
        return cls(targets, {k: tuple(v) for k, v in units.items()}, position)

    def units_of(self, agency: Agency) -> Sequence[Agency]:
        """The agency's units (`level == "unit"`, `parent == agency.id`), in list order."""
        return self.units.get(agency.id, ())

    def targets_but(self, agency: Agency) -> Sequence[Agency]:
        """The targets with another id than `agency`'s, in their order."""
        skip = self.position.get(agency.id)
        return self.targets if skip is None else _AllBut(self.targets, skip)


def _pick(rng: random.Random, weighted: Weighted) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


class _Plan:
    """Builds the steps of one report, each later than the one before."""

    def __init__(self, rng: random.Random, rid: UUID, start: datetime) -> None:
        self.rng = rng
        self.rid = rid
        self.t = start
        self.steps: list[Step] = []

    def add(self, low_h: float, high_h: float, command: Command, erases: bool = False) -> None:
        self.t += timedelta(hours=self.rng.uniform(low_h, high_h))
        self.steps.append(Step(self.t, self.rid, command=command, erases=erases))


def plan_report(
    rng: random.Random,
    stamper: DeadlineStamper,
    agencies: Catalogue | Sequence[Agency],
    submitted: datetime,
    *,
    mix: Mix = DEMO_MIX,
    target: Agency | None = None,
    disaster: bool | None = None,
) -> list[Step]:
    """Plan one report's whole history; its agency and urgency are drawn unless given.

    `agencies`: the registry's agencies (national level excluded), best as a `Catalogue`
    built once for many reports; a plain list gives the same plan, worked out anew."""
    catalogue = agencies if isinstance(agencies, Catalogue) else Catalogue.of(agencies)
    rid = UUID(int=rng.getrandbits(128), version=4)
    kind = _pick(rng, mix.classifications)
    privacy = "rahasia" if kind == "wbs" else _pick(rng, mix.privacy)
    agency = target if target is not None else rng.choice(catalogue.targets)
    topic = rng.choice(TOPICS)
    reporter = None
    if kind != "wbs" or rng.random() < 0.3:
        reporter = {
            "name": f"Pelapor {rng.randrange(10**6):06d}",
            "phone": f"+62-8{rng.randrange(10**9):09d}",
        }
    if disaster is None:
        disaster = rng.random() < 0.01
    urgency = "disaster" if disaster else "normal"
    channel = _pick(rng, CHANNELS)
    chosen_target = agency.id if rng.random() < 0.4 else None
    attachments = [f"lampiran-{rng.randrange(10**6)}.jpg"] if rng.random() < 0.3 else []

    def submit() -> Report:
        return Report.submit(
            rid,
            actor=REPORTER,
            at=submitted,
            classification=kind,
            privacy=privacy,
            urgency=urgency,
            channel=channel,
            target_agency_id=chosen_target,
            category=topic,
            title=f"Laporan {topic}",
            body=f"Mohon ditindaklanjuti: {topic} di {agency.name}.",
            reporter=reporter,
            attachments=attachments,
        )

    plan = _Plan(rng, rid, submitted)
    plan.steps.append(Step(submitted, rid, submit=submit))
    roll = rng.random()
    if roll < 0.06:
        reason = rng.choice(ARCHIVE_REASONS)
        plan.add(2, 60, lambda r, at: r.archive(ADMIN, at, reason=reason))
        return plan.steps
    if roll < 0.09:
        plan.add(
            2,
            30,
            lambda r, at: r.put_on_hold(
                ADMIN, at, reason="informasi kurang", question="Mohon lengkapi lokasi kejadian."
            ),
        )
        if rng.random() < 0.4:
            plan.add(20, 200, lambda r, at: r.archive(ADMIN, at, reason="incomplete_format"))
            return plan.steps
        plan.add(5, 100, lambda r, at: r.respond(REPORTER, at, message="Lokasi: RT 02 RW 05."))
    handling = _pick(rng, HANDLING[kind])

    def verify(r: Report, at: datetime) -> None:
        held = None if r.hold is None else (r.hold[0], r.hold[1] or at)  # tunda pauses the clock
        stamp = stamper.at_verification(
            agency_id=agency.id,
            classification=kind,
            urgency=urgency,
            handling_class=handling,
            submitted_at=submitted,
            hold=held,
        )
        r.verify(
            ADMIN,
            at,
            handling_class=handling,
            sla_policy=stamp.policy,
            sla_policy_version=stamp.version,
            deadlines=stamp.deadlines,
        )

    def disposition(to: Agency) -> Command:
        def run(r: Report, at: datetime) -> None:
            deadlines = stamper.at_disposition(
                agency_id=to.id,
                classification=kind,
                urgency=urgency,
                handling_class=handling,
                at=at,
            )
            r.disposition(ADMIN, at, agency_id=to.id, deadlines=deadlines)

        return run

    plan.add(1, 80, verify)
    current = agency
    for _ in range(rng.choice(mix.chain)):  # bukan wewenang chain
        plan.add(1, 40, disposition(current))
        plan.add(4, 120, _return(Actor(f"admin.{current.id}", Role.ADMIN_AGENCY, current.id)))
        current = rng.choice(catalogue.targets_but(current))
    plan.add(1, 40, disposition(current))
    _handle(rng, plan, stamper, catalogue, current, kind, mix.follow_up_days)
    return plan.steps


def _extend_answer(plan: _Plan, stamper: DeadlineStamper, liaison: Actor) -> None:
    """A quarter of information requests get their answer deadline extended (UU 14/2008
    Pasal 22(8)) an hour after they reach the agency, well before the original deadline.
    The step's time draws nothing from the random stream, so the other reports stay the same."""

    def run(r: Report, at: datetime) -> None:
        assert r.agency_id is not None
        extended = stamper.kip_extension(
            agency_id=r.agency_id,
            classification=r.classification.value,
            urgency=r.urgency.value,
            answer_due=r.deadlines["kip_answer"],
        )
        reason = "Informasi yang diminta tersebar di beberapa bidang."
        r.extend_answer_deadline(liaison, at, reason=reason, extended_due=extended)

    plan.steps.append(Step(plan.t + timedelta(hours=1), plan.rid, command=run))


def _return(officer: Actor) -> Command:
    def run(r: Report, at: datetime) -> None:
        r.return_not_authority(officer, at, reason="Bukan kewenangan instansi kami")

    return run


def _handle(
    rng: random.Random,
    plan: _Plan,
    stamper: DeadlineStamper,
    catalogue: Catalogue,
    agency: Agency,
    kind: str,
    follow_up_days: tuple[int, ...],
) -> None:
    """Unit disposition, follow-ups, reporter answers, completion, objections, erasure."""
    units = catalogue.units_of(agency)
    admin = Actor(f"admin.{agency.id}", Role.ADMIN_AGENCY, agency.id)
    if units and rng.random() < 0.5:
        unit = rng.choice(units)
        plan.add(
            1, 30, lambda r, at: r.disposition(admin, at, agency_id=agency.id, unit_id=unit.id)
        )
    liaison = Actor(f"liaison.{agency.id}", Role.LIAISON, agency.id)
    if kind == "permintaan_informasi" and plan.rid.int % 4 == 0:
        _extend_answer(plan, stamper, liaison)
    if rng.random() < 0.12:  # never followed up: what the overdue queue exposes
        return
    plan.add(
        3,
        24 * rng.choice(follow_up_days),
        lambda r, at: r.follow_up(liaison, at, message="Laporan sedang ditinjau oleh tim teknis."),
    )
    if kind == "wbs":
        apip = Actor(f"apip.{agency.id}", Role.WBS_INVESTIGATOR, agency.id)
        plan.add(
            24,
            240,
            lambda r, at: r.add_investigation_note(
                apip, at, note="Klarifikasi terhadap terlapor dijadwalkan."
            ),
        )
    if rng.random() < 0.2:
        plan.add(
            2,
            48,
            lambda r, at: r.request_clarification(liaison, at, question="Mohon kirim foto lokasi."),
        )
        plan.add(4, 96, lambda r, at: r.respond(REPORTER, at, message="Foto terlampir."))
    if rng.random() < 0.3:
        plan.add(
            24,
            200,
            lambda r, at: r.follow_up(liaison, at, message="Perbaikan dijadwalkan minggu depan."),
        )
    if rng.random() < 0.15:
        return

    def complete(r: Report, at: datetime) -> None:
        r.complete(
            liaison,
            at,
            summary="Laporan telah ditindaklanjuti.",
            auto=False,
            objection_deadline=stamper.objection_deadline(agency_id=agency.id, at=at),
        )

    plan.add(24, 400, complete)
    if rng.random() < 0.05:
        plan.add(
            2, 48, lambda r, at: r.reopen(REPORTER, at, objection="Belum ada perbaikan nyata.")
        )
        plan.add(24, 150, lambda r, at: r.follow_up(liaison, at, message="Tim kembali ke lokasi."))
        plan.add(24, 150, complete)
    if rng.random() < 0.01:
        plan.add(
            24, 200, lambda r, at: r.escalate(REPORTER, at, reason="Tidak puas dengan penyelesaian")
        )
    if rng.random() < 0.01:
        plan.add(
            24,
            400,
            lambda r, at: r.erase_personal_data(
                ADMIN, at, legal_basis="Permintaan penghapusan data pribadi, UU 27/2022"
            ),
            erases=True,
        )
