"""Append benchmark: the ledger's append rate over plain eventsourcing's, side by side.

For each backend (a SQLite file, a fresh PostgreSQL schema) the ledger and a plain
eventsourcing `Application` with its default recorder are built on the same database with
the same infrastructure settings. Each side saves events of the same stored size:

- clear: `Report.annotate` (nothing sealed) on the ledger;
- sealed: `Report.follow_up`, whose message and attachments are sealed (AES-256-GCM);

and the plain side saves one `Note.Noted` event per aggregate, its text padded so that the
stored payload has exactly the ledger's measured payload length. Saves carry one event
(one aggregate) or ten events (one event on each of ten aggregates, one `save()` call).

Both sides are warmed up, then measured in alternating rounds (ledger, plain; plain,
ledger; …); the table shows median events/s and the ratio of the medians. Target: the
ledger keeps at least 0.7 of plain eventsourcing's rate everywhere.

    .venv/bin/python bench/append.py                 # about 3 minutes, both backends
    .venv/bin/python bench/append.py --quick         # smoke run, a few seconds
    .venv/bin/python bench/append.py --backend sqlite --json
    .venv/bin/python bench/append.py --stages        # µs per save, per SQL statement; WAL pages
    .venv/bin/python bench/append.py --profile       # cProfile of both save paths
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from uuid import UUID, uuid4

from common import (
    Block,
    Machine,
    Paired,
    StageTimer,
    block_size,
    code_version,
    describe_machine,
    interleave,
    load_average,
    now_utc,
    postgres_available,
    postgres_base_url,
    postgres_schema,
    rate,
    sqlite_file,
)
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.sqlite import SQLiteRecorder
from eventsourcing.utils import get_topic
from rich.console import Console, JustifyMethod
from rich.table import Table

from ledger.application import LedgerApplication
from ledger.bootstrap import build_ledger
from ledger.domain import Actor, Report, Role
from ledger.settings import DatabaseUrl, Settings
from ledger.storage import postgres as postgres_storage
from ledger.storage import sqlite as sqlite_storage
from ledger.storage.keys import KeyRing

TARGET = 0.7
ORIGIN = "bench.lapor.example/ledger"
Backend = Literal["sqlite", "postgres"]
Kind = Literal["clear", "sealed"]
BACKENDS: tuple[Backend, ...] = ("sqlite", "postgres")
KINDS: tuple[Kind, ...] = ("clear", "sealed")
BATCHES = (1, 10)

REPORTER = Actor(None, Role.REPORTER, None)
ADMIN = Actor("admin-1", Role.ADMIN_NATIONAL, "kemenpanrb")
LIAISON = Actor("serang-liaison", Role.LIAISON, "kota-serang")
AUDITOR = Actor("ombudsman-1", Role.OMBUDSMAN_AUDITOR, "ombudsman")
NOTE = (
    "Pemeriksaan Ombudsman: disposisi ke Dinas PUPR sudah tepat, tindak lanjut pertama "
    "terlambat dua hari kerja dari tenggat; mohon instansi mencatat alasan keterlambatan."
)
MESSAGE = (
    "Tim Dinas PUPR sudah meninjau lokasi di depan SDN 3 Cipare; perbaikan lubang "
    "dijadwalkan minggu depan dan pelapor akan dihubungi setelah pekerjaan selesai."
)
ATTACHMENTS = ["lampiran-survei-0001.pdf"]
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
# The code a save runs through, for the "clean / local changes" note of each result.
APPEND_PATH = (
    "ledger/application.py",
    "ledger/bootstrap.py",
    "ledger/settings.py",
    "ledger/domain",
    "ledger/integrity",
    "ledger/storage/datakeys.py",
    "ledger/storage/group_commit.py",
    "ledger/storage/heads.py",
    "ledger/storage/key_completion.py",
    "ledger/storage/keys.py",
    "ledger/storage/postgres.py",
    "ledger/storage/postgres_sql.py",
    "ledger/storage/recent.py",
    "ledger/storage/records.py",
    "ledger/storage/sealing.py",
    "ledger/storage/sqlite.py",
    "ledger/storage/sqlite_sql.py",
)


@dataclass(frozen=True)
class Mode:
    """How long to measure: rounds per case and the time one block should take."""

    rounds: int
    block_seconds: float
    warmup_saves: int
    min_saves: int
    max_saves: int
    pool: int


# Many short alternating rounds: bursts of load on a shared machine hit single rounds,
# and the medians stay put. Each row gets new pools, large enough that a report's history
# stays in the tens of events (the cost of some steps grows with it). FULL takes about
# 3 minutes for both backends.
FULL = Mode(rounds=19, block_seconds=0.4, warmup_saves=150, min_saves=50, max_saves=5000, pool=1000)
QUICK = Mode(rounds=3, block_seconds=0.05, warmup_saves=20, min_saves=10, max_saves=200, pool=20)
CREATE_CHUNK = 50  # aggregates per save while creating a pool


@dataclass(frozen=True)
class Case:
    """One row of the table: a backend, a kind of event and events per save."""

    backend: Backend
    kind: Kind
    batch: int

    @property
    def label(self) -> str:
        return f"{self.backend} {self.kind} x{self.batch}"


@dataclass(frozen=True)
class Result:
    """The measurement of one case."""

    case: Case
    ledger_payload: float
    plain_payload: float
    saves_per_block: int
    history: float
    paired: Paired

    @property
    def passed(self) -> bool:
        return self.paired.ratio >= TARGET

    def as_dict(self) -> dict[str, Any]:
        p = self.paired
        return {
            "backend": self.case.backend,
            "kind": self.case.kind,
            "events_per_save": self.case.batch,
            "ledger_payload_bytes": round(self.ledger_payload, 1),
            "plain_payload_bytes": round(self.plain_payload, 1),
            "saves_per_block": self.saves_per_block,
            "mean_events_per_report_at_end": round(self.history, 1),
            "rounds": len(p.first),
            "ledger_events_per_s": [round(r, 1) for r in p.first],
            "plain_events_per_s": [round(r, 1) for r in p.second],
            "ledger_median": round(p.first_median, 1),
            "plain_median": round(p.second_median, 1),
            "ratio": round(p.ratio, 3),
            "round_ratios": [round(r, 3) for r in p.round_ratios],
            "round_ratio_quartiles": [round(q, 3) for q in p.ratio_quartiles],
            "target": TARGET,
            "passed": self.passed,
        }


# -- plain eventsourcing -------------------------------------------------------------------


class Note(Aggregate):
    """Plain eventsourcing: one event type carrying a text, padded to the ledger's size."""

    class Noted(Aggregate.Event):
        """A text was noted."""

        text: str

    @event(Noted)
    def note(self, text: str) -> None:
        """Record a text (nothing else happens: the event is the point)."""


class PlainSide:
    """A plain eventsourcing Application with its default recorder, and a pool of notes."""

    def __init__(self, settings: Settings) -> None:
        # The same infrastructure environment as the ledger (lock timeout, pool size, …);
        # eventsourcing's default recorder keeps its events in its own table.
        self.app: Application[UUID] = Application(env=settings.eventsourcing_env("Plain"))
        self.pool: list[Note] = []
        self.texts: dict[Kind, str] = {}
        self._next = 0

    def new_pool(self, size: int) -> None:
        """Replace the pool by `size` new notes (blocks made afterwards use it)."""
        self.pool = [Note() for _ in range(size)]
        for start in range(0, size, CREATE_CHUNK):
            self.app.save(*self.pool[start : start + CREATE_CHUNK])
        self._next = 0

    def size_text(self, kind: Kind, payload_bytes: int) -> None:
        """Pad the text of `kind` events so their stored state is `payload_bytes` long."""
        empty = self._stored_size("")
        text = "x" * max(0, payload_bytes - empty)
        if self._stored_size(text) != payload_bytes:
            raise RuntimeError(f"cannot pad plain payload to {payload_bytes} bytes")
        self.texts[kind] = text

    def _stored_size(self, text: str) -> int:
        probe = Note()
        probe.note(text)
        noted = probe.collect_events()[-1]
        return len(self.app.mapper.to_stored_event(noted).state)

    def block(self, kind: Kind, batch: int) -> Block:
        text = self.texts[kind]
        app, pool = self.app, self.pool

        def run(saves: int) -> int:
            for _ in range(saves):
                start = self._next
                self._next = (start + batch) % len(pool)
                group = pool[start : start + batch]
                for note in group:
                    note.note(text)
                app.save(*group)
            return saves * batch

        return run

    def stored_payload(self) -> float:
        """Mean stored length of the measured events (the latest `Noted` of each note)."""
        return _mean_latest_payload(self.app, [n.id for n in self.pool], {get_topic(Note.Noted)})

    def close(self) -> None:
        self.app.close()


# -- the ledger ----------------------------------------------------------------------------


class LedgerSide:
    """The ledger and a pool of reports in follow-up, ready for annotations and follow-ups."""

    def __init__(self, settings: Settings) -> None:
        self.app: LedgerApplication = build_ledger(settings, keyring=KeyRing.ephemeral())
        self.pool: list[Report] = []
        self._next = 0

    def new_pool(self, size: int) -> None:
        """Replace the pool by `size` new dispositioned reports, saved in a few batches."""
        reports = [self._new_report(i) for i in range(size)]
        for start in range(0, size, CREATE_CHUNK):
            chunk = reports[start : start + CREATE_CHUNK]
            # As LedgerApplication.submit does: the data key first (the mapper seals with
            # it), its wrapped row stored in the same transaction as the events.
            keys = [self.app.data_keys.create(r.id) for r in chunk]
            self.app.save(*chunk, data_keys=keys)
        self.pool = reports
        self._next = 0

    @staticmethod
    def _new_report(i: int) -> Report:
        at = T0 + timedelta(minutes=i)
        report = Report.submit(
            uuid4(),
            actor=REPORTER,
            at=at,
            classification="pengaduan",
            privacy="public",
            urgency="normal",
            channel="web",
            target_agency_id=None,
            category=None,
            title="Jalan rusak di Kelurahan Cipare",
            body="Lubang besar di jalan depan SDN 3 sejak dua bulan.",
            reporter={"name": "Budi", "email": "budi@example.org"},
            attachments=[],
        )
        report.verify(
            ADMIN,
            at + timedelta(hours=1),
            handling_class="normatif",
            sla_policy="national-2018",
            sla_policy_version=1,
            deadlines={"completion": at + timedelta(days=10)},
        )
        report.disposition(
            ADMIN,
            at + timedelta(hours=2),
            agency_id="kota-serang",
            deadlines={"first_follow_up": at + timedelta(days=7)},
        )
        return report

    def mean_history(self) -> float:
        """Mean number of events per pooled report (the chain each save extends)."""
        return statistics.fmean(r.version for r in self.pool)

    @staticmethod
    def command(kind: Kind) -> Callable[[Report], None]:
        if kind == "clear":
            return lambda r: r.annotate(AUDITOR, datetime.now(UTC), note=NOTE)
        return lambda r: r.follow_up(
            LIAISON, datetime.now(UTC), message=MESSAGE, attachments=ATTACHMENTS
        )

    def block(self, kind: Kind, batch: int) -> Block:
        command = self.command(kind)
        app, pool = self.app, self.pool

        def run(saves: int) -> int:
            for _ in range(saves):
                start = self._next
                self._next = (start + batch) % len(pool)
                group = pool[start : start + batch]
                for report in group:
                    command(report)
                app.save(*group)
            return saves * batch

        return run

    def stored_payload(self) -> float:
        """Mean stored length of the measured events (each report's latest, if measured)."""
        topics = {get_topic(Report.Annotated), get_topic(Report.FollowedUp)}
        return _mean_latest_payload(self.app, [r.id for r in self.pool], topics)

    def close(self) -> None:
        self.app.close()


def _mean_latest_payload(app: Application[UUID], ids: Sequence[UUID], topics: set[str]) -> float:
    """Mean stored length of the latest event of each aggregate, read from its events table.

    Only events of the given topics count: aggregates of the pool that no measured save has
    reached yet still end with the events that created them.
    """
    latest = (app.recorder.select_events(i, desc=True, limit=1)[0] for i in ids)
    sizes = [len(e.state) for e in latest if e.topic in topics]
    if not sizes:
        raise RuntimeError("no measured event in the pool yet")
    return statistics.fmean(sizes)


# -- running -------------------------------------------------------------------------------


@contextmanager
def sides(backend: Backend, pg_base: str) -> Iterator[tuple[LedgerSide, PlainSide]]:
    """The ledger and plain eventsourcing on one fresh database, closed and removed after."""
    cm = sqlite_file() if backend == "sqlite" else postgres_schema(pg_base, "bench")
    with cm as url, ExitStack() as stack:
        settings = Settings(database=DatabaseUrl.parse(url), origin=ORIGIN)
        ledger = LedgerSide(settings)
        stack.callback(ledger.close)
        plain = PlainSide(settings)
        stack.callback(plain.close)
        yield ledger, plain


def prepare(
    case: Case, ledger: LedgerSide, plain: PlainSide, mode: Mode, warm_saves: int
) -> tuple[Block, Block]:
    """New pools, warm-up, and the plain payload sized to the ledger's; returns both blocks."""
    ledger.new_pool(mode.pool)
    plain.new_pool(mode.pool)
    ledger_block = ledger.block(case.kind, case.batch)
    ledger_block(warm_saves)
    plain.size_text(case.kind, round(ledger.stored_payload()))
    plain_block = plain.block(case.kind, case.batch)
    plain_block(warm_saves)
    return ledger_block, plain_block


def measure_case(
    case: Case, ledger: LedgerSide, plain: PlainSide, mode: Mode, log: Console
) -> Result:
    """Warm up, size the plain payload to the ledger's, calibrate, then measure in rounds."""
    warm = max(1, mode.warmup_saves // case.batch)
    ledger_block, plain_block = prepare(case, ledger, plain, mode, warm)
    calibration = [rate(ledger_block, warm), rate(plain_block, warm)]
    saves = block_size(
        calibration,
        seconds=mode.block_seconds,
        per_op=case.batch,
        lowest=max(1, mode.min_saves // case.batch),
        highest=max(1, mode.max_saves // case.batch),
    )

    def progress(i: int, a: float, b: float) -> None:
        log.print(
            f"  {case.label:<22} round {i + 1}/{mode.rounds}: ledger {a:8.0f} ev/s, "
            f"plain {b:8.0f} ev/s, ratio {a / b:.2f}"
        )

    paired = interleave(ledger_block, plain_block, rounds=mode.rounds, n=saves, on_round=progress)
    # Both sizes as stored by the measured saves, read back from the two events tables.
    return Result(
        case,
        ledger.stored_payload(),
        plain.stored_payload(),
        saves,
        ledger.mean_history(),
        paired,
    )


def run_backend(backend: Backend, pg_base: str, mode: Mode, log: Console) -> list[Result]:
    """All cases of one backend on one fresh database, each with new pools."""
    results = []
    with sides(backend, pg_base) as (ledger, plain):
        log.print(f"[bold]{backend}[/]: {ledger.app.settings.database.redacted()}")
        for kind in KINDS:
            for batch in BATCHES:
                results.append(measure_case(Case(backend, kind, batch), ledger, plain, mode, log))
    return results


def profile_backend(backend: Backend, pg_base: str, mode: Mode, out: Console) -> None:
    """cProfile one block of each side's clear saves (1 and 10 events), top functions."""
    with sides(backend, pg_base) as (ledger, plain):
        for batch in BATCHES:
            case = Case(backend, "clear", batch)
            blocks = prepare(case, ledger, plain, mode, max(1, 100 // batch))
            saves = max(1, (2000 if mode is FULL else 200) // batch)
            for name, block in zip(("ledger", "plain"), blocks, strict=True):
                profiler = cProfile.Profile()
                profiler.enable()
                block(saves)
                profiler.disable()
                buffer = io.StringIO()
                stats = pstats.Stats(profiler, stream=buffer)
                stats.strip_dirs().sort_stats("tottime").print_stats(18)
                out.rule(f"{backend}: {name}, {saves} saves of {batch} event(s), by own time")
                out.print(buffer.getvalue(), markup=False, highlight=False)


SEQUENCING = "entry sequencing + SHA-256 (Python)"
MAPPER = "mapper: domain event to stored event"
RECORDER = "recorder.insert_events"


def stages_backend(backend: Backend, pg_base: str, mode: Mode, out: Console) -> None:
    """Where a save's time goes, per statement, on both sides, for every kind and batch."""
    with sides(backend, pg_base) as (ledger, plain):
        for kind in KINDS:
            for batch in BATCHES:
                case = Case(backend, kind, batch)
                out.print(stages_table(case, *time_stages(case, ledger, plain, mode)))
                if backend == "sqlite":
                    saves = max(1, (300 if mode is FULL else 30) // batch)
                    frames = [
                        wal_frames_per_commit(side.app, side.block(kind, batch), saves)
                        for side in (ledger, plain)
                    ]
                    out.print(
                        f"WAL frames written per commit ({saves} saves): ledger {frames[0]:.1f},"
                        f" plain {frames[1]:.1f}"
                    )


def wal_frames_per_commit(app: Application[UUID], block: Block, saves: int) -> float:
    """Pages one save's commit appends to SQLite's write-ahead log (checkpoints held off)."""
    assert isinstance(app.recorder, SQLiteRecorder)
    datastore = app.recorder.datastore
    # Every PRAGMA is read to the end: no statement may stay open on the writer's connection.
    with datastore.get_connection(commit=True) as conn, conn.cursor() as cursor:
        cursor.execute("PRAGMA page_size")
        page_size = int(cursor.fetchall()[0][0])
        cursor.execute("PRAGMA database_list")
        path = Path(cursor.fetchall()[0][2] + "-wal")
        cursor.execute("PRAGMA wal_autocheckpoint = 0")
        cursor.fetchall()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.fetchall()
    try:
        before = path.stat().st_size
        block(saves)
        grown = path.stat().st_size - before
    finally:
        with datastore.get_connection(commit=True) as conn, conn.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint = 1000")  # SQLite's default
            cursor.fetchall()
    return grown / (page_size + 24) / saves  # each frame: a 24-byte header and one page


def time_stages(
    case: Case, ledger: LedgerSide, plain: PlainSide, mode: Mode
) -> tuple[StageTimer, dict[str, float], int]:
    """Alternate both sides under a StageTimer; returns it, total seconds per side, saves."""
    warm = max(1, mode.warmup_saves // case.batch)
    ledger_block, plain_block = prepare(case, ledger, plain, mode, warm)
    rounds = 6 if mode is FULL else 2
    saves = max(1, (300 if mode is FULL else 30) // case.batch)
    timer = StageTimer()
    totals = {"ledger": 0.0, "plain": 0.0, "ledger cpu": 0.0, "plain cpu": 0.0}
    try:
        timer.patch_statements()
        for side in (ledger.app, plain.app):
            timer.wrap(side.mapper, "to_stored_event", MAPPER)
            timer.wrap(side.recorder, "insert_events", RECORDER)
        timer.wrap(sqlite_storage, "sequence", SEQUENCING)
        timer.wrap(postgres_storage, "sequence", SEQUENCING)
        for i in range(rounds):
            order = [("ledger", ledger_block), ("plain", plain_block)]
            for name, block in order if i % 2 == 0 else reversed(order):
                timer.side = name
                gc.collect()
                start, cpu = time.perf_counter(), time.process_time()
                block(saves)
                totals[name] += time.perf_counter() - start
                totals[f"{name} cpu"] += time.process_time() - cpu
    finally:
        timer.restore()
    return timer, totals, rounds * saves


def stages_table(case: Case, timer: StageTimer, totals: dict[str, float], saves: int) -> Table:
    ledger_us = timer.per_op("ledger", saves)
    plain_us = timer.per_op("plain", saves)
    inner = set(ledger_us) | set(plain_us)
    inner -= {MAPPER, RECORDER}
    rows: list[tuple[str, float, float]] = []
    for name, us in (("ledger", ledger_us), ("plain", plain_us)):
        total = totals[name] / saves * 1e6
        us["total"] = total
        us["rest"] = total - us.get(MAPPER, 0.0) - us.get(RECORDER, 0.0)
        us["rest of insert_events"] = us.get(RECORDER, 0.0) - sum(us.get(k, 0.0) for k in inner)
    rows.append(("total: command + save", ledger_us["total"], plain_us["total"]))
    rows.append(
        (
            "  of which CPU of this process",
            totals["ledger cpu"] / saves * 1e6,
            totals["plain cpu"] / saves * 1e6,
        )
    )
    rows.append(("domain command + Application.save", ledger_us["rest"], plain_us["rest"]))
    rows.append((MAPPER, ledger_us.get(MAPPER, 0.0), plain_us.get(MAPPER, 0.0)))
    rows.append((RECORDER, ledger_us.get(RECORDER, 0.0), plain_us.get(RECORDER, 0.0)))
    for label in sorted(inner, key=lambda k: -max(ledger_us.get(k, 0.0), plain_us.get(k, 0.0))):
        rows.append((f"  {label}", ledger_us.get(label, 0.0), plain_us.get(label, 0.0)))
    rows.append(
        (
            "  rest (transaction, pool, recorder Python)",
            ledger_us["rest of insert_events"],
            plain_us["rest of insert_events"],
        )
    )
    table = Table(
        title=f"{case.backend}, {case.kind} payload, {case.batch} event(s) per save:"
        " µs per save (wall time, cumulative)",
        title_justify="left",
    )
    table.add_column("stage")
    for name in ("ledger", "plain", "ledger - plain"):
        table.add_column(name, justify="right")
    for label, a, b in rows:
        table.add_row(label, f"{a:,.0f}", f"{b:,.0f}", f"{a - b:+,.0f}")
    return table


def machine_table(machine: Machine) -> Table:
    table = Table(title="Machine", show_header=False, title_justify="left")
    for label, value in machine.rows():
        table.add_row(label, value)
    return table


def results_table(results: Sequence[Result]) -> Table:
    table = Table(title="Append rate: ledger over plain eventsourcing", title_justify="left")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("backend", "left"),
        ("ev/save", "right"),
        ("payload", "left"),
        ("bytes L/P", "right"),
        ("ev/report", "right"),
        ("ledger ev/s", "right"),
        ("plain ev/s", "right"),
        ("ratio", "right"),
        ("round ratio [IQR]", "right"),
        ("target", "right"),
        ("result", "left"),
    )
    for name, justify in columns:
        table.add_column(name, justify=justify)
    for r in results:
        p = r.paired
        table.add_row(
            r.case.backend,
            str(r.case.batch),
            r.case.kind,
            f"{r.ledger_payload:.0f} / {r.plain_payload:.0f}",
            f"{r.history:.0f}",
            f"{p.first_median:,.0f}",
            f"{p.second_median:,.0f}",
            f"{p.ratio:.2f}",
            "{:.2f} [{:.2f}-{:.2f}]".format(statistics.median(p.round_ratios), *p.ratio_quartiles),
            f"≥ {TARGET:.1f}",
            "[green]pass[/]" if r.passed else "[bold red]FAIL[/]",
        )
    return table


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Ledger append rate over plain eventsourcing, side by side."
    )
    parser.add_argument("--backend", choices=["sqlite", "postgres", "all"], default="all")
    parser.add_argument("--quick", action="store_true", help="smoke run, a few seconds")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print JSON instead of tables")
    output.add_argument(
        "--profile", action="store_true", help="cProfile both save paths instead of timing"
    )
    output.add_argument(
        "--stages", action="store_true", help="time each SQL statement of both save paths"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    mode = QUICK if args.quick else FULL
    log = Console(stderr=True)
    out = Console(width=None if sys.stdout.isatty() else 132)
    pg_base = postgres_base_url()
    backends: list[Backend] = list(BACKENDS) if args.backend == "all" else [args.backend]
    if "postgres" in backends and not postgres_available(pg_base):
        if args.backend == "postgres":
            log.print(f"[red]PostgreSQL not reachable at {DatabaseUrl.parse(pg_base).redacted()}")
            return 2
        log.print("[yellow]PostgreSQL not reachable: measuring SQLite only")
        backends.remove("postgres")
    machine = describe_machine(pg_base if "postgres" in backends else None)
    code = code_version(*APPEND_PATH, label="append path")
    started = now_utc()

    if args.profile or args.stages:
        out.print(f"Started {started}, ledger at {code}")
        out.print(machine_table(machine))
        for backend in backends:
            if args.profile:
                profile_backend(backend, pg_base, mode, out)
            else:
                stages_backend(backend, pg_base, mode, out)
        return 0

    results: list[Result] = []
    for backend in backends:
        results.extend(run_backend(backend, pg_base, mode, log))

    if args.json:
        document = {
            "benchmark": "append",
            "started": started,
            "command": " ".join(["bench/append.py", *(argv or sys.argv[1:])]),
            "mode": "quick" if args.quick else "full",
            "code": code,
            "machine": machine.as_dict(),
            "target": TARGET,
            "load_average_at_end": load_average(),
            "results": [r.as_dict() for r in results],
            "passed": all(r.passed for r in results),
        }
        print(json.dumps(document, indent=2))
        return 0
    out.print(f"Started {started}, {'quick' if args.quick else 'full'} run, ledger at {code}")
    out.print(machine_table(machine))
    out.print(results_table(results))
    out.print(
        f"Median of {mode.rounds} alternating rounds per row; ratio = ledger median / plain "
        "median; 'round ratio' is the median and interquartile range of the ratios within single "
        "rounds (how noisy the machine was); 'ev/report' is the mean history of the ledger's "
        "reports at the end of the row. "
        f"Finished {now_utc()}, load average {load_average()}."
    )
    failed = [r.case.label for r in results if not r.passed]
    if failed:
        out.print(f"[bold red]Below the {TARGET} target:[/] " + ", ".join(failed))
    else:
        out.print(f"[green]Every ratio meets the {TARGET} target.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
