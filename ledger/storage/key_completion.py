"""Idempotency keys completed inside the append's own transaction.

A request that holds a claimed key (a pending `api_idempotency` row) passes one
`KeyCompletion` per key with its save (`insert_events(..., idempotency=[...])`). Under the
append lock the recorder checks that each claim is still the one this request took (same
`created_at_us`, still pending); a request whose claim was taken over after its lease ran out
is refused on its own (`ClaimLost`, nothing of it written). After its events are sequenced,
the recorder renders each key's response from the ledger entry of its event and marks the row
done in the same transaction: an acknowledged append always has its stored response, and an
append that never committed leaves only a pending claim, which expires after its lease.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from ledger.access.errors import IdempotencyInProgress
from ledger.integrity.chain import LedgerRow
from ledger.storage.group_commit import AppendRequest

Render = Callable[[LedgerRow], str]


class ClaimLost(IdempotencyInProgress):
    """The key's claim expired and was taken by another request before this one committed."""


@dataclass(eq=False)
class KeyCompletion:
    """One claimed key to complete with the response of the event at (stream, version)."""

    scope: str
    key: str
    claimed_at_us: int  # the claim's `created_at_us`: which claim this request holds
    stream_id: UUID
    version: int
    render: Render
    response: str | None = None  # set by the recorder: what the row now stores


def completions(requests: Iterable[AppendRequest]) -> list[KeyCompletion]:
    """The keys the requests complete, in request order."""
    return [c for r in requests for c in r.kwargs.get("idempotency") or ()]


def keep_owned(
    requests: Sequence[AppendRequest], held: set[tuple[str, str, int]]
) -> list[AppendRequest]:
    """The requests whose every claim is still held; the others fail with `ClaimLost`."""
    kept = []
    for request in requests:
        lost = [c for c in completions([request]) if (c.scope, c.key, c.claimed_at_us) not in held]
        if lost:
            request.fail(ClaimLost(f"the claim on idempotency key {lost[0].key!r} expired"))
        else:
            kept.append(request)
    return kept


def render_all(requests: Sequence[AppendRequest], rows: Sequence[LedgerRow]) -> list[Any]:
    """Render each key's response from its entry; returns (response, scope, key) rows."""
    done = completions(requests)
    if not done:
        return []
    by_event = {(r.stream_id, r.stream_version): r for r in rows}
    out = []
    for c in done:
        c.response = c.render(by_event[(c.stream_id, c.version)])
        out.append((c.response, c.scope, c.key))
    return out


# SQLite: the append holds the database's write lock (BEGIN IMMEDIATE), so a plain read is
# stable until commit.
SQLITE_HELD = (
    "SELECT created_at_us FROM api_idempotency WHERE scope = ? AND key = ? AND status = 'pending'"
)
SQLITE_COMPLETE = (
    "UPDATE api_idempotency SET status = 'done', response = ? WHERE scope = ? AND key = ?"
)

# PostgreSQL: the claims are locked (in key order) until the append commits, so a claim
# cannot be taken over between the check and the completion.
PG_HELD = (
    "SELECT i.scope, i.key, i.created_at_us FROM {schema}.api_idempotency AS i"
    " JOIN unnest(%b::text[], %b::text[]) AS u(scope, key) ON i.scope = u.scope AND i.key = u.key"
    " WHERE i.status = 'pending' ORDER BY i.scope, i.key FOR UPDATE OF i"
)
PG_COMPLETE = (
    "UPDATE {schema}.api_idempotency AS i SET status = 'done', response = u.response"
    " FROM unnest(%b::text[], %b::text[], %b::text[]) AS u(response, scope, key)"
    " WHERE i.scope = u.scope AND i.key = u.key"
)


def sqlite_held(cursor: Any, wanted: Sequence[KeyCompletion]) -> set[tuple[str, str, int]]:
    """The claims among `wanted` that are still pending as taken (SQLite)."""
    held = set()
    for c in wanted:
        cursor.execute(SQLITE_HELD, (c.scope, c.key))
        row = cursor.fetchone()
        if row is not None:
            held.add((c.scope, c.key, int(row[0])))
    return held
