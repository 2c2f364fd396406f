"""What the projections read: the ledger's notification log, decoded without any data key.

The mapper here has no way to reach a data key, so sealed fields are never decrypted: they
decode as None, and only the clear header (`projections.rules.headers`) is passed on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple
from uuid import UUID

import orjson
from eventsourcing.application import Application
from eventsourcing.persistence import ApplicationRecorder, Mapper, Notification, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteFactory
from eventsourcing.utils import get_topic, resolve_topic

from ledger.application import LedgerApplication
from ledger.storage.pg_names import pg_statement
from ledger.storage.sealing import SealingMapper, sealed_fields_of
from ledger.storage.sqlite_sql import EVENTS_TABLE
from projections.rules.headers import (
    CLEAR_FIELDS,
    Header,
    HeaderError,
    header_from_fields,
    header_from_parsed,
    header_from_stored,
)

LOG_NAME = LedgerApplication.name
"""The application name under which tracking positions are recorded."""


@dataclass(frozen=True)
class Undecodable:
    """A stored event the mapper could not decode; the projection stops on it."""

    originator_id: UUID
    originator_version: int
    topic: str
    error: str


def _no_key(_: UUID) -> None:
    return None


class ClearHeaderMapper(SealingMapper):
    """Decodes stored events without data keys; sealed fields read as None."""

    def __init__(self, transcoder: Any) -> None:
        super().__init__(transcoder, _no_key, open_sealed=False)

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        """Decode an event, or return an `Undecodable` that names why it could not be."""
        try:
            return super().to_domain_event(stored_event)
        except Exception as e:  # any decoding error stops the projection at this event
            return Undecodable(
                UUID(str(stored_event.originator_id)),
                stored_event.originator_version,
                stored_event.topic,
                f"{type(e).__name__}: {e}",
            )


def header_of(event: Any) -> Header:
    """The clear header of a decoded event."""
    if isinstance(event, Undecodable):
        raise HeaderError(f"cannot decode {event.topic} v{event.originator_version}: {event.error}")
    values = vars(event)
    return header_from_fields(
        str(event.originator_id), event.originator_version, get_topic(type(event)), values
    )


_MAX_DEPTH = 400
_PLAIN = frozenset({str, int, bool, type(None)})


def _has_float(value: Any) -> bool:
    """Whether a parsed value holds a float anywhere in it."""
    kind = type(value)
    if kind in _PLAIN:
        return False
    if kind is float:
        return True
    if kind is dict:
        return any(map(_has_float, value.values()))
    if kind is list:
        return any(map(_has_float, value))
    return False


def header_from_payload(stream_id: str, version: int, topic: str, payload: bytes) -> Header:
    """`header_from_stored`, with the payload parsed by orjson (two to three times as fast as
    `json` on the ledger's payloads), giving the same header or the same error.

    orjson reads the same values as `json` from any text both accept but two: an integer
    outside 64 bits, which orjson makes a float, and nesting deeper than `json` can follow
    (orjson follows 1024 levels; `json` as many as the stack has frames left, about 1000 less
    the caller's). So a payload that may nest deeper than `_MAX_DEPTH` (it has more brackets),
    a header holding a float (there is none in the ledger's), and any payload that orjson
    refuses (NaN, a lone surrogate, …) or that has no header (an error names what is wrong,
    as the auditor's parser names it) are read by `header_from_stored`."""
    if len(payload) <= 2 * _MAX_DEPTH or payload.count(b"{") + payload.count(b"[") <= _MAX_DEPTH:
        try:
            header = header_from_parsed(stream_id, version, topic, orjson.loads(payload))
        except Exception:  # noqa: S110 (read again below, for the auditor's outcome)
            pass
        else:
            agency, fields = header.actor_agency, header.fields
            if not (type(agency) is float or (fields and any(map(_has_float, fields.values())))):
                return header
    return header_from_stored(stream_id, version, topic, payload)


class Stored(NamedTuple):
    """A stored event as read for a rebuild: its notification id and what a header needs."""

    id: int
    originator_id: Any  # str on SQLite, UUID on PostgreSQL
    originator_version: int
    topic: str
    state: bytes


@dataclass(frozen=True, order=True)
class Part:
    """One part of a rebuild in parts: the reports whose `part_of` is `index`, of `count`
    parts, and the log up to notification id `until`."""

    index: int
    count: int
    until: int

    def texts(self) -> list[str]:
        """The last two characters of the ids of this part's reports: its bytes in hex, in
        either case."""
        return sorted(
            {
                f"{high}{low}"
                for byte in range(self.index, 256, self.count)
                for high in {f"{byte >> 4:x}", f"{byte >> 4:X}"}
                for low in {f"{byte & 15:x}", f"{byte & 15:X}"}
            }
        )


def part_of(report_id: Any, count: int) -> int:
    """The part of a report: the last byte of its id, modulo the number of parts (what
    `SQLITE_PART` and `POSTGRES_PART` compute in the database)."""
    return int(str(report_id)[-2:], 16) % count


SQLITE_PART = "substr(originator_id, -2) IN (SELECT value FROM json_each(?))"
"""The condition "the event's report is in this part" on SQLite, where a report id is stored
as text: its last two characters are one of the part's bytes in hex, in either case (the
parameter: `Part.texts()` as a JSON list, looked up in an index SQLite builds once per query;
the compliance counters pick a part's rows the same way, `projections.sql.counters`)."""


POSTGRES_PART = "get_byte(uuid_send(originator_id), 15)"
"""The last byte of a report id stored as a uuid (PostgreSQL)."""

MAX_IDS = 1 << 16
"""Report ids remembered in their text form while reading (a report has several events)."""

_canonical = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").fullmatch


def report_id_text(stored_id: Any) -> str:
    """`str(UUID(str(stored_id)))`: the report id of a stored event as a header names it (lower
    case, with hyphens), or the same error. An id stored in that form already (SQLite stores
    the text the ledger wrote) is taken as it is, without building a UUID (2 µs)."""
    if type(stored_id) is str and _canonical(stored_id):
        return stored_id
    return str(UUID(str(stored_id)))


class LedgerLog(Application[UUID]):
    """The ledger's notification log, read-only, for eventsourcing's ProjectionRunner."""

    name = LOG_NAME

    def construct_mapper(self) -> Mapper[UUID]:
        return ClearHeaderMapper(self.construct_transcoder())

    def construct_recorder(self) -> Any:
        factory = self.factory
        if isinstance(factory, PostgresFactory):
            return PostgresApplicationRecorder(factory.datastore, events_table_name=EVENTS_TABLE)
        if isinstance(factory, SQLiteFactory):
            return SQLiteApplicationRecorder(factory.datastore, events_table_name=EVENTS_TABLE)
        raise TypeError(f"no notification log on {type(factory).__name__}")


class LogReader:
    """Reads notifications after a position and decodes them to clear-header events."""

    def __init__(self, recorder: ApplicationRecorder, mapper: Mapper[UUID]) -> None:
        self.recorder = recorder
        self.mapper = mapper
        self._plain: dict[str, bool] = {}
        self._ids: dict[Any, str] = {}

    @classmethod
    def of(cls, app: Application[UUID]) -> LogReader:
        """A reader over an application's log that never opens sealed fields."""
        return cls(app.recorder, ClearHeaderMapper(app.construct_transcoder()))

    def after(self, position: int | None, limit: int) -> Sequence[Notification]:
        """Up to `limit` notifications with ids greater than `position`."""
        return self.recorder.select_notifications(
            start=position, limit=limit, inclusive_of_start=position is None
        )

    def decode(self, notification: Notification) -> Any:
        """The event of a notification, or an `Undecodable`."""
        return self.mapper.to_domain_event(notification)

    def stored_after(
        self, position: int | None, limit: int, part: Part | None = None
    ) -> list[Stored]:
        """Up to `limit` stored events with notification ids greater than `position`, read
        straight from the events table: only the columns a clear header needs. With `part`,
        only the events of that part's reports, up to its `until` id."""
        recorder: Any = self.recorder
        if isinstance(recorder, SQLiteApplicationRecorder):
            where = "rowid > ?"
            if part is not None:
                where += f" AND rowid <= ? AND {SQLITE_PART}"
            statement: Any = (
                "SELECT rowid AS id, originator_id, originator_version, topic, state"  # noqa: S608
                f" FROM {recorder.events_table_name} WHERE {where} ORDER BY rowid LIMIT ?"
            )
        elif isinstance(recorder, PostgresApplicationRecorder):
            where = "notification_id > %s"
            if part is not None:
                where += f" AND notification_id <= %s AND {POSTGRES_PART} %% %s = %s"
            statement = pg_statement(
                "SELECT notification_id AS id, originator_id, originator_version, topic, state"  # noqa: S608
                f" FROM {{schema}}.{{table}} WHERE {where} ORDER BY notification_id LIMIT %s",
                schema=recorder.datastore.schema,
                table=recorder.events_table_name,
            )
        else:
            raise TypeError(f"no stored events from {type(recorder).__name__}")
        params: tuple[int | str, ...] = (position or 0,)
        if part is not None:
            params += (part.until,)
            if isinstance(recorder, PostgresApplicationRecorder):
                params += (part.count, part.index)
            else:
                params += (json.dumps(part.texts()),)
        with recorder.datastore.transaction(commit=False) as c:
            if isinstance(recorder, SQLiteApplicationRecorder):  # rows as plain tuples
                c.sqlite_cursor.row_factory = None
                c.execute(statement, (*params, limit))
                rows = c.fetchall()
                if all(type(r[4]) is bytes for r in rows):
                    return list(map(Stored._make, rows))
            else:
                c.execute(statement, (*params, limit))
                rows = [
                    (r["id"], r["originator_id"], r["originator_version"], r["topic"], r["state"])
                    for r in c.fetchall()
                ]
        return [Stored(i, o, v, t, s if type(s) is bytes else bytes(s)) for i, o, v, t, s in rows]

    def header(self, stored: Stored) -> Header:
        """The clear header of a stored event, parsed from its payload where its class takes
        the payload as it is (as the mapper would decode it), else from the decoded event."""
        fast = self._plain.get(stored.topic)
        if fast is None:
            fast = self._plain[stored.topic] = self._is_plain(stored.topic)
        report_id = self._ids.get(stored.originator_id)
        if report_id is None:
            report_id = report_id_text(stored.originator_id)
            if len(self._ids) >= MAX_IDS:  # a report's events are close together in the log
                self._ids.clear()
            self._ids[stored.originator_id] = report_id
        if fast:
            return header_from_payload(
                report_id, stored.originator_version, stored.topic, stored.state
            )
        notification = Notification(
            id=stored.id,
            originator_id=UUID(report_id),
            originator_version=stored.originator_version,
            topic=stored.topic,
            state=stored.state,
        )
        return header_of(self.decode(notification))

    @staticmethod
    def _is_plain(topic: str) -> bool:
        """Whether the mapper decodes this topic's payload as it is: a known class with no
        upcasting, and no clear field sealed (a sealed field decodes as None)."""
        try:
            cls = resolve_topic(topic)
        except Exception:  # decoded through the mapper, which says why it cannot be
            return False
        return getattr(cls, "class_version", 1) == 1 and not (sealed_fields_of(cls) & CLEAR_FIELDS)

    def max_id(self) -> int:
        """The largest notification id in the log (0 when empty)."""
        return self.recorder.max_notification_id() or 0
