"""Views on each backend: eventsourcing tracking recorders that also hold the view tables."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from eventsourcing.persistence import IntegrityError, Tracking, TrackingRecorder
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.projection import Projection
from eventsourcing.sqlite import SQLiteDatastore

from projections.catalogue import default_projector
from projections.source import LOG_NAME
from projections.sql import postgres as pg_sql
from projections.sql import sqlite as sqlite_sql
from projections.views import Projector, View

_VIEW_SETTINGS: tuple[tuple[str, str, int, tuple[str, ...]], ...] = (
    # (read, set, the view's level, the names of the levels) of each setting
    (
        sqlite_sql.GET_SYNCHRONOUS,
        sqlite_sql.SET_SYNCHRONOUS,
        sqlite_sql.VIEW_SYNCHRONOUS,
        ("0", "1", "2", "3"),
    ),
    (
        sqlite_sql.GET_SECURE_DELETE,
        sqlite_sql.SET_SECURE_DELETE,
        sqlite_sql.VIEW_SECURE_DELETE,
        sqlite_sql.SECURE_DELETE_LEVELS,
    ),
)


class SQLiteView(View, TrackingRecorder):
    """A view in the ledger's SQLite file; its tracking row is in a table of its own."""

    json_arrays = True

    def __init__(self, datastore: SQLiteDatastore, projector: Projector) -> None:
        self.datastore = datastore
        self.projector = projector
        self.sql = sqlite_sql.SQLITE

    @contextmanager
    def _cursor(self, *, commit: bool) -> Iterator[Any]:
        if not commit:
            with self.datastore.transaction(commit=False) as cursor:
                yield cursor
            return
        # A view is derived data: its commit does not wait for the disk (docs/projections.md,
        # "Durability of the views"). The connection goes back to the pool as it came.
        # Nor does it overwrite the rows it deletes (projections.sql.sqlite.VIEW_SECURE_DELETE).
        with self.datastore.get_connection(commit=True) as conn:
            setting = conn.cursor()
            before = []
            for get, put, level, names in _VIEW_SETTINGS:
                setting.execute(get)
                before.append(int(setting.fetchone()[0]))
                setting.execute(put.format(level=names[level]))
            try:
                with conn.transaction(commit=True) as cursor:
                    yield cursor
            finally:
                for (_, put, _, names), level in zip(_VIEW_SETTINGS, before, strict=True):
                    setting.execute(put.format(level=names[level]))

    def create_table(self) -> None:
        """Create the view and tracking tables."""
        self.create_views()

    def insert_tracking(self, tracking: Tracking) -> None:
        """Record a position on its own (the views record it with their rows)."""
        with self.datastore.transaction(commit=True) as c:
            self._insert_tracking(c, tracking)

    def _insert_tracking(self, c: Any, tracking: Tracking) -> None:
        statement = sqlite_sql.INSERT_TRACKING[self.name]
        c.execute(
            statement,
            {
                "application_name": tracking.application_name,
                "notification_id": tracking.notification_id,
            },
        )
        if c.fetchone() is None:
            raise IntegrityError(f"{self.name}: position {tracking.notification_id} not ahead")

    def max_tracking_id(self, application_name: str) -> int | None:
        """The position recorded for an application's log."""
        with self.datastore.transaction(commit=False) as c:
            return self.position_in(c, application_name)

    def position_in(self, c: Any, application_name: str = LOG_NAME) -> int | None:
        """The position, read in the caller's transaction."""
        c.execute(sqlite_sql.SELECT_TRACKING[self.name], {"application_name": application_name})
        row = c.fetchone()
        return None if row is None else row["max"]

    def _claim(self, c: Any) -> int | None:
        """The position, in a write transaction (SQLite lets one writer in at a time)."""
        return self.position_in(c)


class PostgresView(View, PostgresTrackingRecorder):
    """A view in the ledger's PostgreSQL schema, usable by eventsourcing's ProjectionRunner."""

    json_arrays = False
    projector_name: ClassVar[str] = ""

    def __init__(
        self,
        datastore: PostgresDatastore,
        *,
        tracking_table_name: str | None = None,
        projector: Projector | None = None,
    ) -> None:
        self.projector = projector or default_projector(self.projector_name)
        table = tracking_table_name or f"proj_{self.projector.name}_tracking"
        super().__init__(datastore, tracking_table_name=table)
        self.sql = pg_sql.statements(datastore.schema)

    @contextmanager
    def _cursor(self, *, commit: bool) -> Iterator[Any]:
        with self.datastore.transaction(commit=commit) as cursor:
            if not commit:  # a read sees one snapshot: figures and position agree
                cursor.execute(pg_sql.READ_SNAPSHOT)
            else:  # derived data: the commit does not wait for the WAL flush
                cursor.execute(pg_sql.VIEW_COMMIT)
            yield cursor

    def _claim(self, c: Any) -> int | None:
        """Wait for this view's other writers (a transaction advisory lock), then read the
        position in the caller's transaction."""
        c.execute(pg_sql.LOCK_VIEW, {"view": f"{self.datastore.schema}.{self.tracking_table_name}"})
        return self.position_in(c)

    def position_in(self, c: Any) -> int | None:
        """The position, read in the caller's transaction."""
        c.execute(self.max_tracking_id_statement, (LOG_NAME,))
        row = c.fetchone()
        return None if row is None else row["max"]

    def create_table(self) -> None:
        """Create the tracking table (eventsourcing's) and the view tables, one process at a
        time (a session advisory lock)."""
        with self.datastore.get_connection() as conn:
            conn.execute(pg_sql.LOCK_DDL)
            try:
                super().create_table()
                self.create_views()
            finally:
                conn.execute(pg_sql.UNLOCK_DDL)


def view_on(datastore: Any, projector: Projector) -> SQLiteView | PostgresView:
    """The view of a projector in a ledger's datastore."""
    if isinstance(datastore, SQLiteDatastore):
        return SQLiteView(datastore, projector)
    if isinstance(datastore, PostgresDatastore):
        return PostgresView(datastore, projector=projector)
    raise TypeError(f"no projection views on {type(datastore).__name__}")


class PostgresReportsView(PostgresView):
    """The `reports` view, as the ProjectionRunner constructs it."""

    projector_name = "reports"


class PostgresDailyView(PostgresView):
    """The `daily` view, as the ProjectionRunner constructs it."""

    projector_name = "daily"


class ProjectionStopped(Exception):
    """A projection met an event it cannot apply; its failure is recorded in the view."""


class _Projection(Projection[PostgresView]):
    """Feeds the ProjectionRunner's events to a view, one transaction per event."""

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Apply one event; a failing event stops the runner at its position."""
        outcome = self.view.process([(domain_event, tracking)])
        if outcome.failure is not None:
            raise ProjectionStopped(outcome.failure.message)


class ReportsProjection(_Projection):
    """The `reports` projection for eventsourcing's ProjectionRunner."""

    name = "proj_reports"


class DailyProjection(_Projection):
    """The `daily` projection for eventsourcing's ProjectionRunner."""

    name = "proj_daily"


RUNNER_CLASSES: dict[str, tuple[type[_Projection], type[PostgresView]]] = {
    "reports": (ReportsProjection, PostgresReportsView),
    "daily": (DailyProjection, PostgresDailyView),
}
