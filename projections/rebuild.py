"""Rebuilding views from the whole log: read in large pages, fold in memory, write per chunk.

A rebuild replays every event into emptied views. It uses the fold of the incremental path
(each projector's batch: `projections.rules.fold` for `reports`, the daily counts for `daily`)
but not its per-event bookkeeping:

- the log is read straight from the events table in pages of `PAGE` rows, only the columns a
  clear header needs, and each header is parsed from the stored payload
  (`LogReader.header`), without building event objects or touching sealed fields;
- `chunk` events (the `batch_size` of `Projections.rebuild`) fold into each view's batch in
  memory, and each report's clocks are computed once per chunk, from its folded record;
- each view then writes the rows of the reports the chunk touched, and the position of the
  chunk's last event, in one transaction (`View.commit`), with bulk inserts.

Records stay in memory from one chunk to the next only for the reports touched in the last
two chunks; a later event of another report loads its stored record, as a catch-up would, so
memory is bounded by the chunk and the reports still active, not by the log.

Any event of a chunk that fails (it cannot be decoded, folded, or its clocks computed, or a
write fails) sends the chunk to the incremental path (`runner.catch_up`), from the position
the views stand at, up to the chunk's end: it finds the failing event and stops that view
there with the error in its status, exactly as a catch-up does; the other views go on.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from projections.source import LogReader, Part, Stored
from projections.views import TRANSIENT, Batch, Failure, PositionTaken, View

PAGE = 10_000
"""Stored events read per query."""

Progress = Callable[[str, int, int], None]
Result = tuple[str, int, int | None, Failure | None]  # name, applied, position, failure
CatchUpRange = Callable[[Sequence[View], int], Sequence[Result]]


@dataclass
class _Chunk:
    """What one chunk read and touched."""

    touched: set[str] = field(default_factory=set)
    last: int | None = None  # id of the last event folded
    read_to: int | None = None  # id of the last event read (a failing page is read whole)
    count: int = 0
    ends_part: bool = False  # the chunk read to the end of its part


class Rebuild:
    """One rebuild of views that stand together at the start of the log."""

    def __init__(
        self,
        views: Sequence[View],
        log: LogReader,
        *,
        chunk: int,
        progress: Progress | None,
        incremental: CatchUpRange,
        part: Part | None = None,
        start: int | None = None,
        fresh: bool = False,
        before_writing: Callable[[], None] | None = None,
    ) -> None:
        """`incremental(views, until)` applies the events up to `until` the way a catch-up
        does, returning (name, applied, position, failure) per view.

        With `part`, only that part's reports are replayed, from `start` (the part's position)
        to `part.until`, each chunk written with the part's position (`View.commit_part`);
        the views' own positions are recorded once every part is done (`View.finish_parts`).

        `fresh`: the views were emptied for this replay (they may still be, in a transaction not
        committed yet), so the only stored state worth loading is what this replay wrote.
        `before_writing` is called once, before the first write."""
        self.part = part
        self.fresh = fresh
        self.written: set[str] = set()  # reports this replay has written (when fresh)
        self.before_writing = before_writing
        self.start = start
        # A part replayed from its start counts, in its batches, every row it writes (and adds
        # those counts to what the view counts over every report at the part's end).
        self.whole = part is not None and start is None
        self.views = list(views)
        self.log = log
        self.chunk = max(1, chunk)
        self.progress = progress
        self.incremental = incremental
        self.applied = dict.fromkeys((v.name for v in views), 0)
        self.position: dict[str, int | None] = dict.fromkeys((v.name for v in views), None)
        self.failures: dict[str, Failure | None] = dict.fromkeys((v.name for v in views), None)

    def run(self) -> list[Result]:
        """Replay the log into the views; (name, applied, position, failure) per view."""
        active = list(self.views)
        at: int | None = self.start
        batches = {v.name: v.projector.rebuilding(counting=self.whole) for v in active}
        resident: set[str] = set()  # reports whose state the batches hold
        previous: set[str] = set()  # reports touched in the previous chunk
        top = self.part.until if self.part is not None else self.log.max_id()
        collecting = gc.isenabled()
        # The fold allocates millions of small objects, frees few and makes no reference
        # cycles: the collector would only walk them, so it waits for the rebuild's end.
        gc.disable()
        try:
            while active:
                chunk = _Chunk()
                try:
                    self._fold(active, batches, resident, at, chunk)
                    if chunk.last is None:
                        self._end_part(active, batches, at)
                        break
                    for view in active:
                        batches[view.name].settle()
                    if self.before_writing is not None:
                        self.before_writing()
                        self.before_writing = None
                    # A part's last chunk takes the part to its end (with its counters) in
                    # the same transaction, without one more to move its position there.
                    last = self.part.until if self.part and chunk.ends_part else chunk.last
                    for view in active:
                        if self.part is None:
                            view.commit(batches[view.name], last, after=at)
                        else:
                            view.commit_part(
                                batches[view.name], self.part, last, after=at, whole=self.whole
                            )
                        self._advance(view.name, chunk.count, last, top)
                except (PositionTaken, *TRANSIENT):
                    raise
                except Exception:  # an event of this chunk fails: the incremental path finds it
                    end = chunk.read_to if chunk.read_to is not None else top
                    active = self._fall_back(active, end, top)
                    self.fresh = False  # the incremental way wrote rows of its own
                    at = end
                    self.whole = False
                    batches = {v.name: v.projector.rebuilding() for v in active}
                    resident, previous = set(), set()
                    continue
                at = last
                if self.fresh:
                    self.written |= chunk.touched
                keep = chunk.touched | previous
                batches = {name: batch.follow(keep) for name, batch in batches.items()}
                resident, previous = keep, chunk.touched
        finally:
            if collecting:
                _collect_again()
        return [
            (v.name, self.applied[v.name], self.position[v.name], self.failures[v.name])
            for v in self.views
        ]

    def _fold(
        self,
        active: list[View],
        batches: dict[str, Batch],
        resident: set[str],
        at: int | None,
        chunk: _Chunk,
    ) -> None:
        """Read and fold the events of a chunk after `at`: `chunk` events, or for a part, those
        up to the part's next chunk end (`_chunk_end`; at most twice `chunk` events)."""
        position = at
        size, whole, part = self.chunk, self.part, self.part
        if whole is not None:
            size, part = 2 * self.chunk, replace(whole, until=_chunk_end(whole, self.chunk, at))
        while chunk.count < size:
            rows: list[Stored] = self.log.stored_after(
                position, min(PAGE, size - chunk.count), part
            )
            if not rows:
                if whole is None or part is None:  # not a part: the log is read to its end
                    return
                if part.until == whole.until:
                    chunk.ends_part = True
                    return
                if chunk.count:  # the chunk ends at its chunk end
                    return
                # no event of the part up to this chunk end: the chunk goes on to the next
                position = part.until
                part = replace(whole, until=_chunk_end(whole, self.chunk, position))
                continue
            chunk.read_to = rows[-1].id
            headers = [self.log.header(row) for row in rows]
            stored = sorted({h.report_id for h in headers if h.version > 1} - resident)
            if self.fresh:  # in an emptied view, only the rows this replay wrote
                stored = [rid for rid in stored if rid in self.written]
            if stored:  # reports folded in earlier chunks and no longer held: load their state
                for view in active:
                    with view.transaction(commit=False) as tx:
                        batches[view.name].load(tx, stored)
                resident.update(stored)
            folds = [batches[view.name].fold for view in active]
            for header in headers:
                for fold in folds:
                    fold(header)
            ids = {h.report_id for h in headers}
            resident |= ids
            chunk.touched |= ids
            chunk.count += len(rows)
            chunk.last = position = rows[-1].id

    def _end_part(self, active: list[View], batches: dict[str, Batch], at: int | None) -> None:
        """A part read its last event: its position moves to the end of the rebuild (the
        events after its last one belong to other parts)."""
        if self.part is None:
            return
        if self.before_writing is not None and at != self.part.until:
            self.before_writing()
            self.before_writing = None
        for view in active:
            if at != self.part.until:
                view.commit_part(
                    batches[view.name], self.part, self.part.until, after=at, whole=self.whole
                )
            self.position[view.name] = self.part.until

    def _advance(self, name: str, count: int, last: int, top: int) -> None:
        self.applied[name] += count
        self.position[name] = last
        if self.progress is not None:
            self.progress(name, last, max(top, last))

    def _fall_back(self, active: list[View], end: int, top: int) -> list[View]:
        """Apply the chunk the incremental way; the views that did not stop go on."""
        going = []
        for name, applied, position, failure in self.incremental(active, end):
            self.applied[name] += applied
            if position is not None:
                self.position[name] = position
            if failure is not None:
                self.failures[name] = failure
            elif self.progress is not None and position is not None:
                self.progress(name, position, max(top, position))
        for view in active:
            if self.failures[view.name] is None:
                going.append(view)
        return going


def _collect_again() -> None:
    """Let the collector run again, counting what the rebuild left alive as old objects.

    Every object made since the collector stopped is still in its youngest generation, so the
    next allocation would make it walk them all (0.4 s at the end of a rebuild in parts at 10^6
    events, on the critical path). Frozen, then unfrozen, they join the oldest generation,
    which the collector walks only as often as it walks the rest of the heap."""
    gc.freeze()
    gc.enable()
    gc.unfreeze()


def _chunk_end(part: Part, chunk: int, at: int | None) -> int:
    """The notification id at which the chunk of `part` after `at` ends.

    A part holds about 1 / count of the log, so its chunks end every `chunk * count` ids, part
    i's first after (i + 1) / count of that, and its last at the part's `until` (taking in
    what is left after the grid's last end when that is less than half a chunk): the parts,
    folding at the same pace, write at different times (the database takes one writer at a
    time) and end together (a part left with a chunk of its own to fold at the end would
    fold it on one core while the others wait)."""
    step = chunk * part.count
    first = step * (part.index + 1) // part.count
    end = first if at is None or at < first else first + ((at - first) // step + 1) * step
    return part.until if part.until - end < step // 2 else end
