"""Views: a projection's tables and its tracking row, written in one transaction per batch.

On PostgreSQL a view is one of eventsourcing's tracking recorders, so eventsourcing's
ProjectionRunner can drive it; on SQLite it is a tracking recorder over the ledger's own file.
Either way the rows of a batch and the position of its last event commit together or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from functools import cached_property
from types import EllipsisType
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError, Tracking
from eventsourcing.utils import get_topic

from projections.rules.headers import Header, event_type_of
from projections.source import LOG_NAME, Part, Stored, Undecodable, header_of
from projections.sql import Statement, Statements
from projections.times import time_of, us
from projections.tx import Tx

MAX_MESSAGE = 1000
Start = int | None | EllipsisType  # the position a batch follows; ... when the caller cannot tell
TRANSIENT = (OperationalError, InterfaceError)  # retried by the caller, never recorded


class Batch(Protocol):
    """The in-memory state of one batch: events fold into it, then it writes its rows."""

    def fold(self, header: Header) -> None: ...

    def settle(self) -> None: ...  # compute what `write` needs and folding left for later

    def write(self, tx: Tx) -> None: ...

    def load(self, tx: Tx, report_ids: Sequence[str]) -> None: ...  # add stored state

    def follow(self, keep: Collection[str]) -> Batch: ...  # next batch, state of `keep` kept

    def write_counts(self, tx: Tx) -> bool: ...  # add what a rebuild's part counted, if it did


class Projector(Protocol):
    """The backend-independent logic of one projection."""

    name: str

    def begin(self, tx: Tx, report_ids: Sequence[str]) -> Batch: ...

    # An empty batch for a rebuild (projections.rebuild); `counting`: add up what the view
    # counts over every report as rows are built (a part of a rebuild in parts).
    def rebuilding(self, *, counting: bool = False) -> Batch: ...

    def reset(self, sql: Statements) -> tuple[Statement, ...]: ...

    def parting(self, sql: Statements) -> tuple[Statement, ...]: ...  # start of a parted rebuild

    def ending_part(self, sql: Statements) -> tuple[Statement, ...]: ...  # a part's last commit

    def finishing(self, sql: Statements) -> tuple[Statement, ...]: ...  # end of a parted rebuild


class PositionTaken(Exception):
    """Another process moved this projection past the batch first; nothing was written."""


@dataclass(frozen=True)
class Failure:
    """The event a projection stopped at, and why."""

    projection: str
    notification_id: int
    report_id: str | None
    event_type: str | None
    message: str
    failed_at: datetime


@dataclass(frozen=True)
class Outcome:
    """What one call of `process` did."""

    applied: int
    position: int | None
    failure: Failure | None = None


def _failure(projection: str, event: Any, tracking: Tracking, error: Exception) -> Failure:
    """`event`: the decoded event, an `Undecodable`, or the stored row it was read from."""
    if isinstance(event, Undecodable | Stored):
        topic: str | None = event.topic
    else:
        topic = get_topic(type(event)) if hasattr(event, "originator_id") else None
    rid = getattr(event, "originator_id", None)
    if rid is not None:
        rid = UUID(str(rid))  # a stored row holds it as text (SQLite) or as a UUID
    return Failure(
        projection=projection,
        notification_id=tracking.notification_id,
        report_id=None if rid is None else str(rid),
        event_type=None if topic is None else event_type_of(topic),
        message=f"{type(error).__name__}: {error}"[:MAX_MESSAGE],
        failed_at=datetime.now(UTC),
    )


class View:
    """Backend-independent behaviour of a view; subclasses bring the tracking recorder."""

    projector: Projector
    sql: Statements
    json_arrays: bool

    def _cursor(self, *, commit: bool) -> Any:
        raise NotImplementedError

    if TYPE_CHECKING:  # brought by each backend's view and the tracking recorder it extends

        def _insert_tracking(self, c: Any, tracking: Tracking) -> None: ...

        def max_tracking_id(self, application_name: str) -> int | None: ...

        def position_in(self, c: Any) -> int | None: ...

        def _claim(self, c: Any) -> int | None: ...

    @property
    def name(self) -> str:
        """The projection's name."""
        return self.projector.name

    @contextmanager
    def transaction(self, *, commit: bool) -> Iterator[Tx]:
        """One transaction, committed on success if `commit`, rolled back otherwise."""
        with self._cursor(commit=commit) as cursor:
            yield Tx(cursor, self.sql, json_arrays=self.json_arrays)

    def create_views(self) -> None:
        """Create the view tables if they do not exist."""
        with self.transaction(commit=True) as tx:
            for statement in self.sql.create:
                tx.run(statement, {})

    def position(self) -> int | None:
        """The notification id of the last event applied, or None."""
        return self.max_tracking_id(LOG_NAME)

    def failure(self) -> Failure | None:
        """The failure this projection is stopped at, if any."""
        with self.transaction(commit=False) as tx:
            rows = tx.rows(self.sql.select_failure, {"projection": self.name})
        if not rows:
            return None
        row = rows[0]
        at = time_of(row["failed_us"])
        keys = ("notification_id", "report_id", "event_type", "message")
        return Failure(self.name, **{k: row[k] for k in keys}, failed_at=at)

    def reset(self, parts: tuple[int, int] | None = None) -> None:
        """Delete every row of the view, its position and its failure, in one transaction;
        with `parts` (count, until), start a rebuild in that many parts up to that id."""
        with self.transaction(commit=True) as tx:
            if parts is not None:  # first: the rows go without their index entries
                for statement in self.projector.parting(self.sql):
                    tx.run(statement, {})
            for statement in self.projector.reset(self.sql):
                tx.run(statement, {"application_name": LOG_NAME})
            if parts is not None:
                count, until = parts
                for index in range(count):
                    params = {"projection": self.name, "part": index, "parts": count}
                    tx.run(self.sql.insert_part, {**params, "until_id": until})

    def parts(self) -> list[tuple[Part, int | None]]:
        """The parts of a rebuild in parts under way, with the position of each."""
        with self.transaction(commit=False) as tx:
            rows = tx.rows(self.sql.select_parts, {"projection": self.name})
        return [(Part(r["part"], r["parts"], r["until_id"]), r["position"]) for r in rows]

    @cached_property
    def _part_sql(self) -> Statements:
        """The statements a part writes with: no counters (filled once at the end)."""
        return replace(self.sql, counts_out=(), counts_in=(), counts_cleanup=())

    def commit_part(
        self, batch: Batch, part: Part, last: int, *, after: int | None, whole: bool = False
    ) -> None:
        """Write a part's batch with the part's new position, in one transaction, if the part
        stands exactly at `after`; otherwise write nothing and raise PositionTaken. The commit
        that takes the part to its end also adds the part's reports to what the view counts
        over every report (the compliance counters): from what the batches counted, if they
        replayed the `whole` part, else from the part's rows."""
        with self.transaction(commit=True) as tx:
            params = {"projection": self.name, "part": part.index}
            if not tx.rows(self.sql.advance_part, {**params, "after": after or 0, "last": last}):
                raise PositionTaken(f"{self.name} part {part.index} is not at {after}")
            batch.write(Tx(tx.cursor, self._part_sql, json_arrays=self.json_arrays))
            if last == part.until and not (whole and batch.write_counts(tx)):
                mine = {"parts": part.count, "part": part.index, "texts": json.dumps(part.texts())}
                for statement in self.projector.ending_part(self.sql):
                    tx.run(statement, mine)

    def finish_parts(self, until: int) -> None:
        """End a rebuild in parts whose parts all reached `until`: fill what the parts left
        (the counters), record the view's position, forget the parts; one transaction."""
        with self.transaction(commit=True) as tx:
            at = self._claim(tx.cursor)
            rows = tx.rows(self.sql.select_parts, {"projection": self.name})
            if at is not None or not rows or any(r["position"] != until for r in rows):
                raise PositionTaken(f"{self.name} is not a rebuild in parts at its end")
            for statement in self.projector.finishing(self.sql):
                tx.run(statement, {})
            self._insert_tracking(tx.cursor, Tracking(LOG_NAME, until))
            tx.run(self.sql.delete_parts, {"projection": self.name})
            tx.run(self.sql.delete_failure, {"projection": self.name})

    def commit(self, batch: Batch, last: int, *, after: int | None) -> None:
        """Write a rebuild's batch with the position of its last event, in one transaction, if
        the view stands exactly at `after`; otherwise write nothing and raise PositionTaken."""
        with self.transaction(commit=True) as tx:
            at = self._claim(tx.cursor)  # other writers of this view wait until we commit
            if at != after:
                raise PositionTaken(f"{self.name} is at {at}, not where this batch starts")
            try:
                self._insert_tracking(tx.cursor, Tracking(LOG_NAME, last))
            except IntegrityError:
                raise PositionTaken(f"{self.name} is already past {last}") from None
            batch.write(tx)
            tx.run(self.sql.delete_failure, {"projection": self.name})

    def process(
        self,
        items: Sequence[tuple[Any, Tracking]],
        *,
        after: Start = ...,
        headers: Sequence[Header | Exception] | None = None,
    ) -> Outcome:
        """Apply events in order; stop at the first that fails, keeping those before it.

        With `after` (the position the batch follows) the batch applies only if the view stands
        exactly there; without it, only a batch the view is already past is refused. Either way
        a refused batch writes nothing and raises PositionTaken. `headers`, when given, are the
        events' clear headers (or the error reading one), computed once for several views.
        """
        if not items:
            return Outcome(0, None)
        if headers is None:
            headers = headers_of(items)
        try:
            return self._process(items, headers, after)
        except (PositionTaken, *TRANSIENT):
            raise
        except Exception as error:  # a write failed: find the event that causes it
            if len(items) > 1:
                return self._one_by_one(items, headers, after)
            failure = _failure(self.name, items[0][0], items[0][1], error)
            with self.transaction(commit=True) as tx:
                tx.run(self.sql.upsert_failure, _failure_params(failure))
            return Outcome(0, None, failure)

    def _one_by_one(
        self,
        items: Sequence[tuple[Any, Tracking]],
        headers: Sequence[Header | Exception],
        after: Start,
    ) -> Outcome:
        applied, position = 0, None
        for item, header in zip(items, headers, strict=True):
            start = after if position is None else position
            outcome = self.process([item], after=start, headers=[header])
            applied += outcome.applied
            position = outcome.position or position
            if outcome.failure is not None:
                return Outcome(applied, position, outcome.failure)
        return Outcome(applied, position)

    def _process(
        self,
        items: Sequence[tuple[Any, Tracking]],
        headers: Sequence[Header | Exception],
        after: Start,
    ) -> Outcome:
        with self.transaction(commit=True) as tx:
            at = self._claim(tx.cursor)  # other writers of this view wait until we commit
            past = at is not None and at >= items[0][1].notification_id
            if past or (after is not ... and at != after):  # another writer moved it, or reset it
                raise PositionTaken(f"{self.name} is at {at}, not where this batch starts")
            ids = sorted({h.report_id for h in headers if isinstance(h, Header)})
            batch = self.projector.begin(tx, ids)
            last: Tracking | None = None
            failure: Failure | None = None
            applied = 0
            for (event, tracking), header in zip(items, headers, strict=True):
                try:
                    if isinstance(header, Exception):
                        raise header
                    batch.fold(header)
                except Exception as error:  # the event cannot be applied: stop here
                    failure = _failure(self.name, event, tracking, error)
                    break
                applied, last = applied + 1, tracking
            if last is not None:
                try:
                    self._insert_tracking(tx.cursor, last)
                except IntegrityError:
                    taken = f"{self.name} is already past {last.notification_id}"
                    raise PositionTaken(taken) from None
                batch.write(tx)
                tx.run(self.sql.delete_failure, {"projection": self.name})
            if failure is not None:
                tx.run(self.sql.upsert_failure, _failure_params(failure))
        return Outcome(applied, None if last is None else last.notification_id, failure)


def headers_of(items: Sequence[tuple[Any, Tracking]]) -> list[Header | Exception]:
    """The clear header of each event, or the error that stops a projection at it."""
    out: list[Header | Exception] = []
    for event, _ in items:
        try:
            out.append(header_of(event))
        except Exception as error:  # recorded as the failure of the event, when folded
            out.append(error)
    return out


def _failure_params(failure: Failure) -> dict[str, Any]:
    params = asdict(failure)
    params["failed_us"] = us(params.pop("failed_at"))
    return params
