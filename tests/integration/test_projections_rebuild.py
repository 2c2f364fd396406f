"""Rebuilding a projection from the log gives exactly the incrementally built views, also
after a crash in the middle of a batch; on SQLite and PostgreSQL."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.application import LedgerApplication
from ledger.demo import run_demo
from ledger.settings import Settings
from projections.catalogue import default_stamper
from projections.dues import Dues
from projections.reports import ReportsProjector
from projections.rules.headers import Header
from projections.runner import Projections
from projections.tx import Tx
from tests.integration.test_projections_support import PostgresBackend, SQLiteBackend, snapshot

ROOT = Path(__file__).resolve().parents[2]


class Crash(BaseException):
    """Stands for the process dying: nothing after it runs, no handler sees it."""


class CrashingReports(ReportsProjector):
    """The reports projector, dying after `after` events have been folded."""

    def __init__(self, after: int) -> None:
        super().__init__(Dues(default_stamper()))
        self.left = after

    def begin(self, tx: Tx, report_ids: Sequence[str]):  # type: ignore[no-untyped-def]
        batch = super().begin(tx, report_ids)
        fold = batch.fold

        def dying_fold(header: Header) -> None:
            if self.left == 0:
                raise Crash
            self.left -= 1
            fold(header)

        batch.fold = dying_fold  # type: ignore[method-assign]
        return batch


class WatchedReports(ReportsProjector):
    """The reports projector, noting whether the collector runs while a rebuild folds."""

    def __init__(self) -> None:
        super().__init__(Dues(default_stamper()))
        self.collecting: set[bool] = set()

    def rebuilding(self, *, counting: bool = False):  # type: ignore[no-untyped-def]
        batch = super().rebuilding(counting=counting)
        fold = batch.fold

        def watched_fold(header: Header) -> None:
            self.collecting.add(gc.isenabled())
            fold(header)

        batch.fold = watched_fold  # type: ignore[method-assign]
        return batch


KILL_SCRIPT = """
import sys
from pathlib import Path
from ledger.storage.keys import KeyRing
from ledger.bootstrap import build_ledger
from projections.runner import Projections
from tests.conftest import make_settings
settings = make_settings(sys.argv[1], Path(sys.argv[2]))
app = build_ledger(settings, keyring=KeyRing.ephemeral())
def progress(name, position, top):
    print(name, position, flush=True)
Projections(app).rebuild(batch_size=int(sys.argv[3]), progress=progress, parts=int(sys.argv[4]))
print("done", flush=True)
"""


def killed_rebuild(
    app: LedgerApplication, settings: Settings, workdir: Path, *, batch: int, parts: int
) -> tuple[Projections, int]:
    """A demo history of 150 reports, and a rebuild of it killed a third of the way through;
    the projections and the log's last id."""
    run_demo(app, reports=150, seed=11)
    p = Projections(app)
    top = p.log.max_id()
    sigkill_rebuild(settings, workdir, top // 3, batch=batch, parts=parts)
    return p, top


def sigkill_rebuild(settings: Settings, workdir: Path, at: int, batch: int, parts: int) -> None:
    """Rebuild in another process (`parts` parts, `batch` events per chunk) and SIGKILL it
    once it reports the reports view at notification id `at` or beyond."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [url_of(settings), str(workdir / "keys"), str(batch), str(parts)]
    with subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, *args],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    ) as child:
        assert child.stdout is not None
        for line in child.stdout:
            name, position = line.split()
            if name == "reports" and int(position) >= at:
                child.send_signal(signal.SIGKILL)
                break
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL


class RebuildBehaviour:
    """Rebuild equals incremental, whatever the batch sizes and wherever a crash hits."""

    @settings(
        max_examples=15,
        deadline=None,
        # One behaviour, run once per backend subclass; each example builds its own ledger.
        suppress_health_check=[HealthCheck.differing_executors, HealthCheck.too_slow],
    )
    @given(
        seed=st.integers(0, 2**32),
        reports=st.integers(1, 10),
        write_batch=st.integers(1, 30),
        read_batch=st.integers(1, 60),
    )
    def test_rebuild_equals_incremental(
        self, seed: int, reports: int, write_batch: int, read_batch: int
    ) -> None:
        with self.fresh_ledger() as app:  # type: ignore[attr-defined]
            p = Projections(app)
            run_demo(
                app,
                reports=reports,
                seed=seed,
                batch=write_batch,
                progress=lambda done, total: p.catch_up(batch_size=read_batch),
            )
            assert [s.lag for s in p.status()] == [0, 0]
            incremental = snapshot(p)
            p.rebuild(batch_size=1000)
            assert snapshot(p) == incremental
            assert len(incremental["proj_reports"]) == reports

    def test_crash_mid_batch_then_resume(self, app: LedgerApplication) -> None:
        run_demo(app, reports=40, seed=7)
        p = Projections(app)
        p.catch_up(["daily"])
        view = p.views["reports"]
        normal = view.projector
        view.projector = CrashingReports(after=125)
        with pytest.raises(Crash):
            p.catch_up(["reports"], batch_size=50)
        position = view.position()
        assert position is not None and 0 < position < p.log.max_id()
        view.projector = normal
        resumed = p.catch_up(["reports"], batch_size=50)[0]
        assert resumed.failure is None and resumed.position == p.log.max_id()
        assert resumed.applied == p.log.max_id() - position
        incremental = snapshot(p)
        p.rebuild()
        assert snapshot(p) == incremental

    def test_sigkill_mid_rebuild_then_resume(
        self, app: LedgerApplication, settings: Settings, workdir: Path
    ) -> None:
        p, top = killed_rebuild(app, settings, workdir, batch=40, parts=1)
        killed_at = p.views["reports"].position() or 0
        assert top // 3 <= killed_at < top
        daily = p.views["daily"].position() or 0  # the same batches, one view after the other
        assert killed_at - 40 <= daily <= killed_at
        results = p.catch_up()
        assert [r.failure for r in results] == [None, None]
        incremental = snapshot(p)
        p.rebuild()
        assert snapshot(p) == incremental

    def test_collector_waits_for_the_rebuild_and_runs_again(self, app: LedgerApplication) -> None:
        run_demo(app, reports=20, seed=5)
        p = Projections(app)
        watched = p.views["reports"].projector = WatchedReports()
        assert gc.isenabled()
        p.rebuild(parts=1)
        assert watched.collecting == {False}
        assert gc.isenabled()
        gc.disable()  # a caller that stopped the collector finds it stopped
        try:
            p.rebuild(parts=1)
            assert not gc.isenabled()
        finally:
            gc.enable()


def url_of(settings: Settings) -> str:
    """The database URL the settings were made from (with the test schema)."""
    db = settings.database
    if db.scheme == "sqlite":
        return f"sqlite:///{db.path}"
    return f"postgresql://{db.user}@{db.host}:{db.port}/{db.dbname}?schema={db.schema}"


class TestSQLite(SQLiteBackend, RebuildBehaviour):
    pass


@pytest.mark.postgres
class TestPostgres(PostgresBackend, RebuildBehaviour):
    pass
