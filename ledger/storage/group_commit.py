"""Group commit: concurrent appends that queue up while a transaction runs share the next one.

There is no waiting window: a caller that finds no transaction in flight writes at once; while
it writes, later callers queue, and the next leader takes them all in one transaction (one
lock, one chain and log update, one commit). Each caller still learns its own outcome: a
request whose versions conflict is refused on its own and the others commit; a transaction
that fails fails every request in it, none of which was acknowledged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import StoredEvent


@dataclass(eq=False)
class AppendRequest:
    """One caller's save: its events (all or none), extra rows, and, when done, the outcome."""

    events: Sequence[StoredEvent]
    kwargs: dict[str, Any] = field(default_factory=dict)
    notification_ids: list[int] | None = None
    error: BaseException | None = None
    done: bool = False

    def succeed(self, notification_ids: list[int]) -> None:
        """Record success with the notification ids of this request's events."""
        self.notification_ids, self.done = notification_ids, True

    def fail(self, error: BaseException) -> None:
        """Record this request's own failure."""
        self.error, self.done = error, True


WriteBatch = Callable[[list[AppendRequest]], None]


class GroupCommitter:
    """Turns concurrent requests into batches written by one leader thread at a time."""

    def __init__(self, write_batch: WriteBatch, *, max_events: int = 2000) -> None:
        self._write_batch = write_batch
        self._max_events = max_events
        self._cond = threading.Condition()
        self._queue: list[AppendRequest] = []
        self._writing = False
        self.batches = 0
        self.requests = 0

    def submit(self, requests: Sequence[AppendRequest]) -> None:
        """Queue requests and return when each has an outcome (read it from the request)."""
        with self._cond:
            alone = not self._writing and not self._queue
            if alone and sum(len(r.events) for r in requests) <= self._max_events:
                self._writing = True  # nobody writing or waiting: lead with these at once
            else:
                self._queue.extend(requests)
                alone = False
        if alone:
            try:
                self._write(list(requests))  # gives every request an outcome
            finally:
                with self._cond:
                    self._writing = False
                    self._cond.notify_all()
            return
        while True:
            with self._cond:
                while self._writing and not all(r.done for r in requests):
                    self._cond.wait()
                if all(r.done for r in requests):
                    return
                self._writing = True
                batch = self._take()
            try:
                self._write(batch)
            finally:
                with self._cond:
                    self._writing = False
                    self._cond.notify_all()

    def _take(self) -> list[AppendRequest]:
        batch: list[AppendRequest] = []
        size = 0
        while self._queue and (not batch or size + len(self._queue[0].events) <= self._max_events):
            request = self._queue.pop(0)
            batch.append(request)
            size += len(request.events)
        return batch

    def _write(self, batch: list[AppendRequest]) -> None:
        try:
            self._write_batch(batch)
        except BaseException as e:  # the transaction failed: nothing in it was written
            for request in batch:
                if not request.done:
                    request.fail(e)
        else:
            for request in batch:
                if not request.done:
                    request.fail(RuntimeError("group commit left a request without an outcome"))
        self.batches += 1
        self.requests += len(batch)


def append_one(
    group: GroupCommitter, events: Sequence[StoredEvent], kwargs: dict[str, Any]
) -> list[int]:
    """Submit one save and return its notification ids, or raise its own error."""
    if not events:
        return []
    request = AppendRequest(events, kwargs)
    group.submit([request])
    if request.error is not None:
        raise request.error
    assert request.notification_ids is not None
    return request.notification_ids


def share_ids(
    accepted: Sequence[AppendRequest], notification_ids: Sequence[int]
) -> list[list[int]]:
    """Split the ids of one insert among the requests whose events it inserted, in order."""
    shares, position = [], 0
    for request in accepted:
        shares.append(list(notification_ids[position : position + len(request.events)]))
        position += len(request.events)
    return shares
