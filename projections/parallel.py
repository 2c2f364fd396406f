"""Rebuilding in parts: the reports split by id into parts replayed side by side.

A rebuild's work is per report (a report's events fold into its own record), so the log splits
by report into `count` parts (`projections.source.part_of`: the last byte of the report id),
each replayed by its own process over its own reports, the parts' transactions interleaving in
the database. Each part's rows commit together with the part's position
(`View.commit_part`), so a part killed midway resumes at its last commit; the commit that takes
a part to its end adds the part's reports to the compliance counters, and the rebuild's end
builds the indexes, records the views' positions and forgets the parts (`View.finish_parts`).

Until then the view is a rebuild under way: `Projections.catch_up` finishes it (each part from
where it stands) before applying anything else. A failing event anywhere ends the rebuild in
parts; the views are replayed again the one-process way (`projections.rebuild`), which finds
the event and stops its view there with the error in its status.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from ledger.settings import Settings
from projections.backends import view_on
from projections.catalogue import default_projector
from projections.rebuild import Progress, Rebuild, Result
from projections.source import LOG_NAME, LedgerLog, LogReader, Part
from projections.views import PositionTaken, View

PARALLEL_FROM = 200_000
"""Events from which a rebuild runs in parts by default: below, starting the processes costs
more than it saves."""

MAX_PARTS = 4
"""Parts by default at most (one per CPU): the database takes one writer at a time (SQLite) or
serves the writers from the same cores (PostgreSQL)."""

WORKER_LOCK_TIMEOUT_S = 120
"""How long a part waits for another part's transaction (a chunk's rows) to commit."""

PART_WAIT_S = 120
"""How long a part of a new rebuild waits for the views to be emptied before it writes."""


class PartFailed(Exception):
    """An event of a part cannot be applied: the rebuild goes the one-process way."""


class Orphaned(BaseException):
    """The process that started a part is gone: the part stops after its last commit (a
    later catch-up finishes it). Not an Exception: nothing on the way treats it as a failing
    event."""


def default_parts(events: int) -> int:
    """How many parts a rebuild of `events` events runs in by default."""
    if events < PARALLEL_FROM:
        return 1
    return max(1, min(MAX_PARTS, os.cpu_count() or 1))


def _failed(views: Sequence[View], until: int) -> Sequence[Result]:
    raise PartFailed(f"an event up to {until} cannot be applied to {views[0].name}")


def replay_part(
    views: Sequence[View],
    log: LogReader,
    part: Part,
    start: int | None,
    chunk: int,
    progress: Progress | None = None,
    *,
    fresh: bool = False,
    before_writing: Callable[[], None] | None = None,
) -> list[Result]:
    """Replay one part of the log into the views, from `start`, to the part's end (`fresh`:
    the rebuild emptied the views, see `Rebuild`)."""
    return Rebuild(
        views,
        log,
        chunk=chunk,
        progress=progress,
        incremental=_failed,
        part=part,
        start=start,
        fresh=fresh,
        before_writing=before_writing,
    ).run()


@dataclass(frozen=True)
class _Job:
    """One part to replay on connections of its own."""

    settings: Settings
    names: tuple[str, ...]  # the views
    part: Part
    start: int | None  # the part's position
    chunk: int
    fresh: bool  # a part of a new rebuild: the views are being emptied


def _worker(job: _Job) -> list[Result]:
    """One part in a process of its own, with the packaged rules. A part of a new rebuild
    folds its first chunk while the views are emptied, and writes once its part is recorded
    (in the transaction that empties them). It stops if the process that started it dies."""
    parent = os.getppid()

    def alive(name: str, position: int, top: int) -> None:  # after each commit
        if os.getppid() != parent:
            raise Orphaned(f"part {job.part.index} of {name} stopped at {position} of {top}")

    return _on_own_connections(job, alive, wait=job.fresh)


def _on_own_connections(job: _Job, progress: Progress | None, *, wait: bool) -> list[Result]:
    """One part over connections of its own, which wait for the other parts' transactions as
    long as one may take (`WORKER_LOCK_TIMEOUT_S`); `wait`: for the part to be recorded before
    writing (`progress` is called meanwhile, as a check that the part should go on)."""
    timeout = max(job.settings.lock_timeout_s, WORKER_LOCK_TIMEOUT_S)
    env: dict[str, Any] = {
        **replace(job.settings, lock_timeout_s=timeout).eventsourcing_env(LOG_NAME),
        "CREATE_TABLE": "n",
    }
    part = job.part
    log_app = LedgerLog(env=env)
    try:
        datastore = log_app.factory.datastore  # type: ignore[attr-defined]
        views = [view_on(datastore, default_projector(name)) for name in job.names]

        def recorded() -> None:
            deadline = time.monotonic() + PART_WAIT_S
            while not all(part in dict(view.parts()) for view in views):
                if progress is not None:
                    progress(job.names[0], 0, part.until)
                if time.monotonic() > deadline:
                    raise PositionTaken(f"part {part.index} was not recorded in {PART_WAIT_S} s")
                time.sleep(0.02)

        log = LogReader.of(log_app)
        ready = recorded if wait else None
        return replay_part(
            views, log, part, job.start, job.chunk, progress, fresh=job.fresh, before_writing=ready
        )
    finally:
        log_app.close()


def run_parts(
    views: Sequence[View],
    log: LogReader,
    *,
    chunk: int,
    progress: Progress | None,
    settings: Settings | None,
    fresh: Sequence[Part] = (),
    reset: Callable[[], None] | None = None,
) -> list[Result]:
    """Replay every unfinished part of the views' rebuild, then finish it.

    With `settings` the parts other than the first run in processes of their own (started
    fresh: `spawn`), the first in this one; without, one after the other here. `fresh`: the
    parts of a new rebuild, which `reset` starts (it empties the views and records the parts,
    one transaction per view) once the other processes are started. Returns (name, applied,
    position, failure) per view; raises PartFailed if an event fails."""
    views = list(views)
    pending: list[tuple[Part, int | None, list[View]]]
    if fresh:
        until = fresh[0].until
        pending = [(part, None, views) for part in fresh]
    else:
        by_view = {view.name: dict(view.parts()) for view in views}
        parts = sorted({part for table in by_view.values() for part in table})
        if not parts:
            return [(view.name, 0, view.position(), None) for view in views]
        until = parts[0].until
        pending = []
        for part in parts:
            # The views of a part by where they stand in it: together, unless the rebuild was
            # killed between the views' commits of a chunk.
            groups: dict[int | None, list[View]] = {}
            for view in views:
                at = by_view[view.name].get(part, until)
                if at != until:
                    groups.setdefault(at, []).append(view)
            pending += [(part, at, group) for at, group in groups.items()]
    applied = {view.name: 0 for view in views}

    def add(results: Sequence[Result]) -> None:
        for name, count, _, _ in results:
            applied[name] += count

    errors: list[BaseException] = []
    here, there = (pending[:1], pending[1:]) if settings is not None else (pending, [])
    futures: list[Future[list[Result]]] = []
    pool = None
    if there and settings is not None:
        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(max_workers=len(there), mp_context=context)
        for part, start, group in there:
            names = tuple(view.name for view in group)
            job = _Job(settings, names, part, start, chunk, bool(fresh))
            futures.append(pool.submit(_worker, job))
    try:
        if reset is not None:
            reset()
        for part, start, group in here:
            try:
                if settings is None:
                    add(replay_part(group, log, part, start, chunk, progress, fresh=bool(fresh)))
                else:  # connections as patient as the other parts'
                    names = tuple(view.name for view in group)
                    job = _Job(settings, names, part, start, chunk, bool(fresh))
                    add(_on_own_connections(job, progress, wait=False))
            except Exception as error:  # the other parts end first (they write the same views)
                errors.append(error)
                break
        for future in futures:
            try:
                add(future.result())
            except Exception as error:
                errors.append(error)
    except BaseException:  # an interrupt, or emptying the views failed: the other parts stop
        # at their next commit once this process is gone, or time out waiting for their part
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        raise
    if pool is not None:
        pool.shutdown(wait=True)
    if errors:
        failed = [e for e in errors if isinstance(e, PartFailed)]
        raise failed[0] if failed else errors[0]
    for view in views:
        view.finish_parts(until)
        if progress is not None:
            progress(view.name, until, until)
    return [(view.name, applied[view.name], until, None) for view in views]
