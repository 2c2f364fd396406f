"""One projection follower per database, whatever the number of serving processes.

Every follower would read and fold the same events, and all but one would then find the
batch taken and throw the work away; on a small machine that waste competes with the
requests. So a serving process starts its follower only while it holds a lease: a
PostgreSQL session advisory lock, kept on a connection of its own. When that process ends,
its connection closes, the lock is free, and the next process to try (at most every
`retry_s` seconds, on a request) takes over. SQLite serves one process: the lease is always
held there.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable

import psycopg

from ledger.settings import DatabaseUrl

log = logging.getLogger(__name__)
TRY_LOCK = "SELECT pg_try_advisory_lock(%s)"
RETRY_S = 5.0


def lease_key(schema: str) -> int:
    """The advisory lock of one schema's follower: a signed 64-bit number from its name."""
    digest = hashlib.sha256(b"lapor-ledger/projections-follower/" + schema.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class FollowerLease:
    """Whether this process may run the database's one projection follower."""

    def __init__(
        self,
        database: DatabaseUrl,
        *,
        retry_s: float = RETRY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.database = database
        self.retry_s = retry_s
        self._clock = clock
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None
        self._pid = os.getpid()
        self._next_try = 0.0
        self._lock = threading.Lock()

    def held(self) -> bool:
        """True while this process holds the lease; tries to take it when it is time."""
        if self.database.scheme != "postgresql":
            return True
        if self._pid != os.getpid():  # a fork's child does not hold its parent's lock
            self._conn, self._pid, self._next_try = None, os.getpid(), 0.0
        if self._conn is not None and not self._conn.closed:
            return True
        if self._clock() < self._next_try or not self._lock.acquire(blocking=False):
            return False
        try:
            self._next_try = self._clock() + self.retry_s
            self._conn = self._take()
            return self._conn is not None
        finally:
            self._lock.release()

    def release(self) -> None:
        """Give the lease up (closing its connection frees the lock); idempotent."""
        conn, self._conn = self._conn, None
        if conn is not None and self._pid == os.getpid():
            conn.close()

    def _take(self) -> psycopg.Connection[tuple[object, ...]] | None:
        db = self.database
        try:
            conn = psycopg.connect(
                host=db.host,
                port=db.port,
                user=db.user,
                password=db.password,
                dbname=db.dbname,
                autocommit=True,
                connect_timeout=10,
            )
        except psycopg.Error as e:  # the database is down: no follower until it is back
            log.warning("projection follower lease not taken: %s", e)
            return None
        try:
            row = conn.execute(TRY_LOCK, (lease_key(db.schema),)).fetchone()
        except psycopg.Error as e:
            conn.close()
            log.warning("projection follower lease not taken: %s", e)
            return None
        if row is None or not row[0]:
            conn.close()  # another process follows
            return None
        return conn
