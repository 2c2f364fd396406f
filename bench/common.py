"""Shared helpers of the benchmarks: the machine they ran on, side-by-side timing, databases.

Absolute times on a shared 2-core machine are noise, so every benchmark here compares two
contenders measured side by side in one run: `interleave` alternates them round by round
(A B, B A, A B, …) so that drift on the machine affects both equally, and the figure
reported is the ratio of their median rates.
"""

from __future__ import annotations

import contextlib
import gc
import os
import platform
import re
import secrets
import sqlite3
import statistics
import subprocess
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import psycopg
from eventsourcing.sqlite import SQLiteConnection, SQLiteCursor
from psycopg import sql

POSTGRES_URL_ENV = "BENCH_POSTGRES_URL"
FALLBACK_POSTGRES_URL_ENV = "LEDGER_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


# -- the machine ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Machine:
    """What a benchmark ran on: enough to tell whether two results are comparable."""

    cpu: str
    logical_cpus: int
    usable_cpus: int
    memory_gib: float
    os: str
    kernel: str
    python: str
    sqlite: str
    postgres: str | None
    eventsourcing: str
    psycopg: str
    load_average: str

    def rows(self) -> list[tuple[str, str]]:
        """Label and value of each fact, for printing."""
        return [
            ("CPU", f"{self.cpu} ({self.logical_cpus} logical, {self.usable_cpus} usable)"),
            ("Memory", f"{self.memory_gib:.1f} GiB"),
            ("OS", f"{self.os}, kernel {self.kernel}"),
            ("Python", self.python),
            ("SQLite", self.sqlite),
            ("PostgreSQL", self.postgres or "not used"),
            ("eventsourcing", self.eventsourcing),
            ("psycopg", self.psycopg),
            ("Load average", self.load_average),
        ]

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _memory_gib() -> float:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    return 0.0


def _os_name() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"')
    return platform.system()


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 0


def load_average() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min)"


def postgres_server_version(url: str) -> str | None:
    """The server's version string, or None if it cannot be reached."""
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            row = conn.execute("SHOW server_version").fetchone()
    except psycopg.OperationalError:
        return None
    return None if row is None else f"{row[0]}"


def describe_machine(postgres_url: str | None = None) -> Machine:
    """Describe this machine and the versions of the software a benchmark exercises."""
    return Machine(
        cpu=_cpu_model(),
        logical_cpus=os.cpu_count() or 0,
        usable_cpus=_usable_cpus(),
        memory_gib=round(_memory_gib(), 1),
        os=_os_name(),
        kernel=platform.release(),
        python=f"{platform.python_implementation()} {platform.python_version()}",
        sqlite=sqlite3.sqlite_version,
        postgres=None if postgres_url is None else postgres_server_version(postgres_url),
        eventsourcing=_package_version("eventsourcing"),
        psycopg=_package_version("psycopg"),
        load_average=load_average(),
    )


def code_version(*paths: str, label: str = "") -> str:
    """The commit checked out and whether `paths` (default: everything) have local changes.

    `label` names the paths in the answer. Read-only git commands only; "unknown" outside
    a git checkout.
    """
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=10, check=True
        )
        return done.stdout.strip()

    try:
        commit = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--", *(paths or (".",)))
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    where = label or (", ".join(paths) if paths else "tree")
    return f"{commit} ({where} {'with local changes' if dirty else 'clean'})"


def now_utc() -> str:
    """The current time, to the second, for result headers."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


# -- timing --------------------------------------------------------------------------------

Block = Callable[[int], int]
"""Runs `n` operations and returns how many items (e.g. events) they processed."""


def rate(block: Block, n: int) -> float:
    """Items per second of one run of `block(n)`, after a full garbage collection."""
    gc.collect()
    start = time.perf_counter()
    items = block(n)
    elapsed = time.perf_counter() - start
    return items / elapsed if elapsed > 0 else float("inf")


def block_size(
    rates: Sequence[float], *, seconds: float, per_op: int, lowest: int, highest: int
) -> int:
    """Operations per block so the slowest contender needs about `seconds`, within bounds."""
    slowest = min(rates)
    ops = int(seconds * slowest / max(per_op, 1))
    return max(lowest, min(highest, ops))


@dataclass(frozen=True)
class Paired:
    """Rates of two contenders, measured side by side in alternating rounds."""

    first: list[float]
    second: list[float]

    @property
    def first_median(self) -> float:
        return statistics.median(self.first)

    @property
    def second_median(self) -> float:
        return statistics.median(self.second)

    @property
    def ratio(self) -> float:
        """Median rate of the first over median rate of the second."""
        return self.first_median / self.second_median

    @property
    def round_ratios(self) -> list[float]:
        """The ratio within each round: its spread shows how noisy the machine was."""
        return [a / b for a, b in zip(self.first, self.second, strict=True)]

    @property
    def ratio_quartiles(self) -> tuple[float, float]:
        """First and third quartile of the per-round ratios."""
        ratios = self.round_ratios
        if len(ratios) < 2:
            return ratios[0], ratios[0]
        q1, _, q3 = statistics.quantiles(ratios, n=4, method="inclusive")
        return q1, q3


def interleave(
    first: Block,
    second: Block,
    *,
    rounds: int,
    n: int,
    on_round: Callable[[int, float, float], None] | None = None,
) -> Paired:
    """Run both blocks `rounds` times each, alternating which goes first in each round."""
    a: list[float] = []
    b: list[float] = []
    for i in range(rounds):
        if i % 2 == 0:
            a.append(rate(first, n))
            b.append(rate(second, n))
        else:
            b.append(rate(second, n))
            a.append(rate(first, n))
        if on_round is not None:
            on_round(i, a[-1], b[-1])
    return Paired(a, b)


# -- databases -----------------------------------------------------------------------------


def postgres_base_url() -> str:
    """The PostgreSQL server benchmarks use (`BENCH_POSTGRES_URL`, else the tests' server)."""
    return os.environ.get(
        POSTGRES_URL_ENV, os.environ.get(FALLBACK_POSTGRES_URL_ENV, DEFAULT_POSTGRES_URL)
    )


def postgres_available(url: str) -> bool:
    """True if the server answers."""
    return postgres_server_version(url) is not None


@contextlib.contextmanager
def postgres_schema(base_url: str, prefix: str = "bench") -> Iterator[str]:
    """A fresh schema `<prefix>_<random>` for one run, dropped afterwards; yields its URL.

    The URL carries `?schema=…`, which the ledger's `DatabaseUrl` reads.
    """
    schema = f"{prefix}_{secrets.token_hex(6)}"
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    sep = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{sep}schema={schema}"
    finally:
        with psycopg.connect(base_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@contextlib.contextmanager
def sqlite_file(name: str = "bench.sqlite3") -> Iterator[str]:
    """A SQLite file in a new temporary folder, removed afterwards; yields its URL."""
    with tempfile.TemporaryDirectory(prefix="ledger-bench-") as folder:
        yield f"sqlite:///{Path(folder) / name}"


# -- where the time goes -------------------------------------------------------------------

_SCHEMA_QUALIFIER = re.compile(r'"[^"]+"\.')  # psycopg quotes the schema identifier
_SPACES = re.compile(r"\s+")


def statement_label(query: object, context: Any = None, width: int = 60) -> str:
    """A short, schema-free label of an SQL statement, for stage tables."""
    if isinstance(query, sql.Composable):
        text = query.as_string(context)
    elif isinstance(query, bytes):
        text = query.decode()
    else:
        text = str(query)
    text = _SPACES.sub(" ", _SCHEMA_QUALIFIER.sub("", text).replace('"', "")).strip()
    return text if len(text) <= width else text[: width - 1] + "…"


class StageTimer:
    """Accumulates wall time per (side, stage) by wrapping methods; undone by `restore()`.

    `patch_statements()` times every SQL statement executed through psycopg cursors and
    eventsourcing's SQLite cursors (and SQLite commits), labelled by `statement_label`.
    Set `side` before running one contender's code so its time is booked to it.
    """

    def __init__(self) -> None:
        self.side = ""
        self.seconds: dict[tuple[str, str], float] = defaultdict(float)
        self._undo: list[Callable[[], None]] = []

    def add(self, label: str, seconds: float) -> None:
        self.seconds[(self.side, label)] += seconds

    def wrap(self, owner: Any, name: str, label: str) -> None:
        """Time calls of `owner.name` (an instance or a class attribute) under `label`."""
        original = getattr(owner, name)
        had_own = name in vars(owner)
        timer = self

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                timer.add(label, time.perf_counter() - start)

        setattr(owner, name, timed)
        self._undo.append(
            (lambda: setattr(owner, name, original)) if had_own else (lambda: delattr(owner, name))
        )

    def _wrap_statements(self, cls: type, name: str, context: Callable[[Any], Any]) -> None:
        original = getattr(cls, name)
        timer = self

        def timed(cursor: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
            label = statement_label(query, context(cursor))
            start = time.perf_counter()
            try:
                return original(cursor, query, *args, **kwargs)
            finally:
                timer.add(label, time.perf_counter() - start)

        setattr(cls, name, timed)
        self._undo.append(lambda: setattr(cls, name, original))

    def patch_statements(self) -> None:
        """Time SQL statements on both backends, and SQLite commits."""
        for name in ("execute", "executemany"):
            self._wrap_statements(psycopg.Cursor, name, lambda c: c.connection)
            self._wrap_statements(SQLiteCursor, name, lambda c: None)
        self.wrap(SQLiteConnection, "commit", "COMMIT")

    def restore(self) -> None:
        """Undo every patch, newest first."""
        while self._undo:
            self._undo.pop()()

    def per_op(self, side: str, ops: int) -> dict[str, float]:
        """Microseconds per operation of each stage of one side."""
        return {
            label: seconds / ops * 1e6
            for (owner, label), seconds in self.seconds.items()
            if owner == side
        }
