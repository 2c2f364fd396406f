"""Running the projections: catch up with the log, rebuild from scratch, report status.

`catch_up` is the polling follower (the way on SQLite, and the batch way on PostgreSQL);
`start_runner` hands a projection to eventsourcing's ProjectionRunner on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.projection import ProjectionRunner

from ledger.application import LedgerApplication
from ledger.deadlines import DeadlineStamper
from ledger.settings import Settings
from projections.backends import RUNNER_CLASSES, view_on
from projections.catalogue import NAMES, default_projector, default_stamper
from projections.parallel import PartFailed, default_parts, run_parts
from projections.rebuild import Rebuild
from projections.rules.headers import Header
from projections.source import LOG_NAME, LedgerLog, LogReader, Part, Stored
from projections.tx import Tx
from projections.views import Failure, PositionTaken, View

REBUILD_CHUNK = 100_000
"""Events per transaction in a rebuild (projections.rebuild): each view writes the rows of the
reports a chunk touched once, and holds in memory the state of those of the last two chunks.
Smaller chunks rebuild slower (10 000: about 0.6 times the rate at 10^6 events). In a rebuild
in parts, each part's transactions hold this many of its own events."""

INCREMENTAL_BATCH = 500
"""Events per transaction where a rebuild's chunk fails and is applied the incremental way."""

Progress = Callable[[str, int, int], None]
"""Called as progress(projection, position, log_max_id) after each batch."""


@dataclass(frozen=True)
class CatchUp:
    """What a catch-up did to one projection."""

    name: str
    applied: int
    position: int | None
    failure: Failure | None


@dataclass(frozen=True)
class Status:
    """Where a projection stands against the log."""

    name: str
    position: int
    log_max_id: int
    lag: int  # notification ids behind the log's last (PostgreSQL ids may have gaps)
    failure: Failure | None
    parts: tuple[int | None, ...] = ()  # a rebuild in parts under way: each part's position


def stored_headers(log: LogReader, rows: Sequence[Stored]) -> list[Header | Exception]:
    """The clear header of each stored event, or the error that stops a projection at it."""
    out: list[Header | Exception] = []
    for row in rows:
        try:
            out.append(log.header(row))
        except Exception as error:  # recorded as the failure of the event, when folded
            out.append(error)
    return out


def catch_up(
    views: Sequence[View],
    log: LogReader,
    *,
    batch_size: int = 500,
    progress: Progress | None = None,
    until: int | None = None,
) -> list[CatchUp]:
    """Apply every event after the views' common position, batch by batch, reading and
    decoding the log once for all of them, until the log's end (or notification id `until`);
    a view that meets a failing event records it and stops there, the others go on."""
    start = {view.position() for view in views}
    if len(start) > 1:  # they were together when grouped: another process moved one since
        raise PositionTaken("catch_up runs views that stand at the same position")
    position = start.pop() if start else None
    active = list(views)
    applied = dict.fromkeys((v.name for v in views), 0)
    at: dict[str, int | None] = dict.fromkeys((v.name for v in views), position)
    done: dict[str, CatchUp] = {}
    top = log.max_id()
    while active:
        rows = log.stored_after(position, batch_size)
        if until is not None:
            rows = [r for r in rows if r.id <= until]
        if not rows:
            break
        # Clear headers parsed from the stored payloads, once for all the views (as the
        # rebuild does: no event objects); the stored row stands for its event in a failure.
        items = [(row, Tracking(LOG_NAME, row.id)) for row in rows]
        headers = stored_headers(log, rows)
        follows, position = position, rows[-1].id
        for view in list(active):
            outcome = view.process(items, after=follows, headers=headers)
            applied[view.name] += outcome.applied
            at[view.name] = outcome.position if outcome.position is not None else at[view.name]
            if progress is not None:
                progress(view.name, at[view.name] or 0, max(top, position))
            if outcome.failure is not None:
                active.remove(view)
                done[view.name] = CatchUp(
                    view.name, applied[view.name], at[view.name], outcome.failure
                )
    for view in active:
        done[view.name] = CatchUp(view.name, applied[view.name], at[view.name], None)
    return [done[view.name] for view in views]


class Projections:
    """The projections of one ledger database: views beside the events, and the log."""

    def __init__(
        self,
        app: LedgerApplication,
        *,
        stamper: DeadlineStamper | None = None,
        names: Iterable[str] = NAMES,
        log_source: LedgerApplication | None = None,
    ) -> None:
        """Views live in `app`'s database; the log is read from `log_source` if given
        (e.g. a streaming replica), else from the same database."""
        self.app = app
        self.stamper = stamper or default_stamper()
        self.log = LogReader.of(log_source or app)
        datastore = app.factory.datastore  # type: ignore[attr-defined]
        self.views: dict[str, View] = {}
        self._separate_log = log_source is not None
        for name in names:
            view = view_on(datastore, default_projector(name, self.stamper))
            if app.settings.create_tables:  # false: the owner made them, or a read-only replica
                view.create_table()
            self.views[name] = view

    @property
    def registry(self) -> Any:
        """The agency registry the projections use for hubs."""
        return self.stamper.registry

    def _selected(self, names: Iterable[str] | None) -> list[View]:
        chosen = list(self.views) if names is None else list(names)
        unknown = [n for n in chosen if n not in self.views]
        if unknown:
            raise KeyError(f"unknown projection {unknown[0]!r}; known: {', '.join(self.views)}")
        return [self.views[n] for n in chosen]

    def catch_up(
        self,
        names: Iterable[str] | None = None,
        *,
        batch_size: int = 500,
        progress: Progress | None = None,
        finish_rebuilds: bool = True,
    ) -> list[CatchUp]:
        """Bring the projections up to the log's end (or to their first failing event). A
        view being rebuilt in parts is finished first, or, without `finish_rebuilds` (a page
        that only wants fresh figures), left to the processes rebuilding it."""
        views = self._selected(names)
        if finish_rebuilds:
            return self._run(views, batch_size, progress)
        going = [view for view in views if not view.parts()]
        done = {c.name: c for c in self._run(going, batch_size, progress, finish=False)}
        return [done.get(v.name) or CatchUp(v.name, 0, v.position(), None) for v in views]

    def rebuild(
        self,
        names: Iterable[str] | None = None,
        *,
        batch_size: int = REBUILD_CHUNK,
        progress: Progress | None = None,
        parts: int | None = None,
    ) -> list[CatchUp]:
        """Empty the projections and replay the whole log into them, `batch_size` events per
        transaction (projections.rebuild); a failing event stops its projection there.

        `parts`: replay the reports split into that many parts side by side, one process each
        (projections.parallel); by default one per CPU from `PARALLEL_FROM` events on, where
        the log is the ledger's own database file or PostgreSQL and the rules the packaged ones.
        """
        views = self._selected(names)
        top = self.log.max_id()
        count = default_parts(top) if parts is None else max(1, parts)
        if count > 1 and self._can_part():

            def reset() -> None:
                for view in views:
                    view.reset(parts=(count, top))

            try:
                done = run_parts(
                    views,
                    self.log,
                    chunk=batch_size,
                    progress=progress,
                    settings=self.app.settings,
                    fresh=[Part(index, count, top) for index in range(count)],
                    reset=reset,
                )
            except PartFailed:  # the one-process rebuild finds the event and stops there
                pass
            else:
                return self._after_parts(views, done, progress)
        parted = {view.name for view in views if view.parts()}
        if count > 1 and self._can_part():
            parted.update(view.name for view in views)
        for view in views:
            view.reset()
            if view.name in parted:  # the indexes a rebuild in parts dropped
                view.create_views()

        def incremental(chosen: Sequence[View], until: int) -> list[tuple[Any, ...]]:
            done = self._run(list(chosen), INCREMENTAL_BATCH, progress, until=until)
            return [(c.name, c.applied, c.position, c.failure) for c in done]

        replay = Rebuild(
            views,
            self.log,
            chunk=batch_size,
            progress=progress,
            incremental=incremental,
            fresh=True,
        )
        return [CatchUp(*result) for result in replay.run()]

    def _can_part(self) -> bool:
        """Whether other processes can rebuild parts: they open the same database and log
        and use the packaged rules, as a role that may drop and create indexes."""
        settings = self.app.settings
        memory = settings.database.scheme == "sqlite" and settings.database.is_memory
        owner = settings.create_tables  # parts drop and create indexes: the schema's owner
        return owner and not memory and not self._separate_log and self.stamper is default_stamper()

    def _after_parts(
        self, views: list[View], done: Sequence[tuple[Any, ...]], progress: Progress | None
    ) -> list[CatchUp]:
        """What a rebuild in parts did, with the events appended since it began applied."""
        rest = {c.name: c for c in self._run(views, INCREMENTAL_BATCH, progress)}
        out = []
        for name, applied, position, _ in done:
            more = rest[name]
            out.append(
                CatchUp(name, applied + more.applied, more.position or position, more.failure)
            )
        return out

    def _finish_rebuilds(self, views: list[View], progress: Progress | None) -> dict[str, int]:
        """Finish the rebuilds in parts the views are in (one was interrupted), part after
        part in this process, each from where it stands (again if another process moved it
        meanwhile); the views of one rebuild together, one rebuild after another. An event
        that fails, or a view that has a position besides parts (another writer applied
        events to it meanwhile), sends the view to a one-process rebuild. Returns the events
        applied, per view."""
        applied: dict[str, int] = {}
        while under_way := [(view, parts) for view in views if (parts := view.parts())]:
            mixed = [view.name for view, _ in under_way if view.position() is not None]
            rebuilds: dict[tuple[int, int], list[View]] = {}  # views by parts and end
            for view, parts in under_way:
                rebuilds.setdefault((parts[0][0].count, parts[0][0].until), []).append(view)
            chosen = next(iter(rebuilds.values()))
            try:
                if mixed:
                    raise PartFailed(f"{', '.join(mixed)}: a position besides parts")
                done = run_parts(
                    chosen, self.log, chunk=REBUILD_CHUNK, progress=progress, settings=None
                )
            except PositionTaken:  # another process moved a part (or finished): from there
                continue
            except PartFailed:
                names = mixed or [view.name for view in chosen]
                rebuilt = self.rebuild(names, progress=progress, parts=1)
                done = [(c.name, c.applied, c.position, c.failure) for c in rebuilt]
            applied.update((name, count) for name, count, _, _ in done)
        return applied

    def _run(
        self,
        views: list[View],
        batch_size: int,
        progress: Progress | None,
        until: int | None = None,
        *,
        finish: bool = True,
    ) -> list[CatchUp]:
        """Catch up views, those at the same position together (`finish`: first finishing
        the rebuilds in parts they are in)."""
        finishing = finish and until is None
        finished = self._finish_rebuilds(views, progress) if finishing else {}
        groups: dict[int | None, list[View]] = {}
        for view in views:
            groups.setdefault(view.position(), []).append(view)
        results: dict[str, CatchUp] = {}
        for group in groups.values():
            for result in catch_up(
                group, self.log, batch_size=batch_size, progress=progress, until=until
            ):
                more = finished.get(result.name, 0)
                results[result.name] = replace(result, applied=result.applied + more)
        return [results[view.name] for view in views]

    def status(self) -> list[Status]:
        """Position, lag and failure of every projection."""
        top = self.log.max_id()
        out = []
        for view in self.views.values():
            position = view.position() or 0
            parts = tuple(at for _, at in view.parts())
            lag = max(0, top - position)
            out.append(Status(view.name, position, top, lag, view.failure(), parts))
        return out

    @contextmanager
    def reading(self) -> Iterator[Tx]:
        """A read-only transaction on the views (all views share the ledger's database)."""
        with self.views["reports"].transaction(commit=False) as tx:
            yield tx


def start_runner(settings: Settings, name: str) -> ProjectionRunner[Any, Any]:
    """Follow the log with eventsourcing's ProjectionRunner (PostgreSQL: LISTEN/NOTIFY)."""
    if settings.database.scheme != "postgresql":
        raise ValueError("the ProjectionRunner needs PostgreSQL; on SQLite use catch_up")
    projection_class, view_class = RUNNER_CLASSES[name]
    return ProjectionRunner(
        application_class=LedgerLog,
        projection_class=projection_class,
        view_class=view_class,
        env=settings.eventsourcing_env(LOG_NAME),
    )
