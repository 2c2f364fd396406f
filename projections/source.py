"""What the projections read: the ledger's notification log, decoded without any data key.

The mapper here has no way to reach a data key, so sealed fields are never decrypted: they
decode as None, and only the clear header (`projections.rules.headers`) is passed on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import ApplicationRecorder, Mapper, Notification, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteFactory
from eventsourcing.utils import get_topic

from ledger.application import LedgerApplication
from ledger.storage.sealing import SealingMapper
from ledger.storage.sqlite import EVENTS_TABLE
from projections.rules.headers import Header, HeaderError, header_from_fields

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

    def max_id(self) -> int:
        """The largest notification id in the log (0 when empty)."""
        return self.recorder.max_notification_id() or 0
