"""The ledger application: one typed method per use case over the Report aggregate.

Infrastructure (recorder, sealing mapper, data keys) is chosen by the composition root in
`ledger.bootstrap`; this module only wires eventsourcing's Application to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.persistence import IntegrityError, Mapper
from eventsourcing.postgres import PostgresFactory
from eventsourcing.sqlite import SQLiteFactory

from ledger.domain import Actor, LedgerError, Report, ReportNotFound, VersionConflict
from ledger.report_cache import ReportCache
from ledger.settings import Settings
from ledger.storage.datakeys import DataKeys
from ledger.storage.group_commit import AppendRequest
from ledger.storage.key_completion import ClaimLost, KeyCompletion
from ledger.storage.keys import WrappedKey
from ledger.storage.postgres import LedgerPostgresRecorder
from ledger.storage.records import EntryRecord, LedgerReads
from ledger.storage.sealing import SealingMapper
from ledger.storage.sqlite import LedgerSQLiteRecorder


@dataclass(frozen=True)
class Appended:
    """The outcome of a successful append: the report and the version it now has."""

    report_id: UUID
    version: int


class LedgerApplication(Application[UUID]):
    """Event-sourced store of reports with hash-chained, sealed, append-only history."""

    name = "Ledger"

    def __init__(
        self, settings: Settings, data_keys: DataKeys, *, open_sealed: bool = True
    ) -> None:
        self.settings = settings
        self.data_keys = data_keys
        self._open_sealed = open_sealed
        super().__init__(env=settings.eventsourcing_env(self.name))
        # Decoded reports, brought up to date with the stored events on every load.
        self.reports = ReportCache(lambda rid, after: self.events.get(rid, gt=after))
        self.data_keys.attach(self.ledger)

    # -- wiring ---------------------------------------------------------------------------

    def construct_mapper(self) -> Mapper[UUID]:
        return SealingMapper(
            self.construct_transcoder(), self.data_keys.get, open_sealed=self._open_sealed
        )

    def construct_recorder(self) -> Any:
        factory = self.factory
        recorder: LedgerSQLiteRecorder | LedgerPostgresRecorder
        if isinstance(factory, SQLiteFactory):
            recorder = LedgerSQLiteRecorder(factory.datastore, origin=self.settings.origin)
        elif isinstance(factory, PostgresFactory):
            recorder = LedgerPostgresRecorder(factory.datastore, origin=self.settings.origin)
        else:
            raise TypeError(f"no integrity recorder for {type(factory).__name__}")
        if self.settings.create_tables:
            recorder.create_table()
        else:
            recorder.check_origin()
        return recorder

    def close(self) -> None:
        if isinstance(self.recorder, LedgerSQLiteRecorder):
            self.recorder.close_writer()
        super().close()

    @property
    def ledger(self) -> LedgerReads:
        """The ledger tables of the recorder (entries, keys)."""
        recorder = self.recorder
        assert isinstance(recorder, LedgerSQLiteRecorder | LedgerPostgresRecorder)
        return recorder

    # -- reads ----------------------------------------------------------------------------

    def get_report(self, report_id: UUID) -> Report:
        """Load a report; raises ReportNotFound."""
        report = self._load(report_id)
        if report.erased and self.data_keys.is_cached(report_id):
            # Erased by another process while this one still held the key: forget and reload.
            self.data_keys.forget(report_id)
            report = self._load(report_id)
        return report

    def _load(self, report_id: UUID) -> Report:
        report = self.reports.load(report_id)
        if report is None:
            raise ReportNotFound(report_id)
        return report

    def report_events(self, report_id: UUID) -> list[Any]:
        """A report's decoded events, oldest first; sealed fields are None once erased."""
        events = list(self.events.get(report_id))
        if not events:
            raise ReportNotFound(report_id)
        erased = any(isinstance(e, Report.PersonalDataErased) for e in events)
        if erased and self.data_keys.is_cached(report_id):
            self.data_keys.forget(report_id)
            events = list(self.events.get(report_id))
        return events

    def history(self, report_id: UUID) -> list[EntryRecord]:
        """Every ledger entry of a report, with indexes and hashes."""
        entries = self.ledger.stream_entries(report_id)
        if not entries:
            raise ReportNotFound(report_id)
        return entries

    def entry(self, report_id: UUID, version: int) -> EntryRecord:
        """The ledger entry of one version of a report."""
        found = self.ledger.stream_entry(report_id, version)
        if found is None:
            raise ReportNotFound(report_id)
        return found

    def appended_entry(self, report_id: UUID, version: int) -> EntryRecord:
        """The entry of a version this process has just appended: kept from the commit when
        the recorder still has it, else read (the answer to an append, never a history read)."""
        found = self.ledger.committed_entry(report_id, version)
        if found is None:
            raise ReportNotFound(report_id)
        return found

    def iter_entries(self, start: int = 0, stop: int | None = None) -> Iterator[EntryRecord]:
        """The global log in leaf order."""
        return self.ledger.iter_entries(start, stop)

    # -- writes ---------------------------------------------------------------------------

    def submit(
        self,
        *,
        actor: Actor,
        classification: str,
        privacy: str,
        urgency: str = "normal",
        channel: str = "web",
        target_agency_id: str | None = None,
        category: str | None = None,
        title: str,
        body: str,
        reporter: dict[str, Any] | None = None,
        attachments: Sequence[str] = (),
        at: datetime | None = None,
        report_id: UUID | None = None,
    ) -> Appended:
        """Record a new report (pengaduan, aspirasi, permintaan informasi or WBS)."""
        rid = report_id or uuid4()
        report = Report.submit(
            rid,
            actor=actor,
            at=_when(at),
            classification=classification,
            privacy=privacy,
            urgency=urgency,
            channel=channel,
            target_agency_id=target_agency_id,
            category=category,
            title=title,
            body=body,
            reporter=reporter,
            attachments=list(attachments),
        )
        wrapped = self.data_keys.create(rid)
        try:
            self.save(report, data_keys=[wrapped])
        except IntegrityError:
            self.data_keys.forget(rid)
            raise VersionConflict(rid, expected=0, actual=None) from None
        except BaseException:
            self.data_keys.forget(rid)
            raise
        return Appended(rid, report.version)

    def change(
        self,
        report_id: UUID,
        command: Callable[[Report], None],
        *,
        expected_version: int | None = None,
    ) -> Appended:
        """Load a report, run one domain command on it and save, checking the version."""
        report = self.get_report(report_id)
        if expected_version is not None and report.version != expected_version:
            raise VersionConflict(report_id, expected=expected_version, actual=report.version)
        loaded_version = report.version
        command(report)
        try:
            self.save(report)
        except IntegrityError:
            raise VersionConflict(report_id, expected=loaded_version, actual=None) from None
        return Appended(report_id, report.version)

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """Save as eventsourcing does; a saved erasure then destroys its report's data key.

        Reports are collected directly: eventsourcing's generic collection checks every object
        against two runtime protocols (about 10 µs per aggregate); the steps after it are
        eventsourcing's own.
        """
        if not all(type(o) is Report for o in objs):
            recordings = super().save(*objs, **kwargs)
        else:
            processing: ProcessingEvent[UUID] = ProcessingEvent()
            for report in objs:
                processing.events.extend(report.collect_events())
                processing.aggregates[report.id] = report
            processing.saved_kwargs.update(kwargs)
            recordings = self._record(processing)
            self._take_snapshots(processing)
            self._notify(recordings)
        self._destroy_erased_keys(r.domain_event for r in recordings)
        return recordings

    def _destroy_erased_keys(self, events: Iterable[Any]) -> None:
        # The one place an erasure (UU 27/2022) crypto-shreds: after its event is committed.
        for event in events:
            if isinstance(event, Report.PersonalDataErased):
                self.data_keys.destroy(event.originator_id)

    def save_each(
        self,
        reports: Sequence[Report],
        *,
        new_keys: Mapping[UUID, WrappedKey] | None = None,
        idempotency: Mapping[UUID, Sequence[KeyCompletion]] | None = None,
    ) -> list[LedgerError | None]:
        """Save each report's pending events atomically on its own, sharing transactions.

        Returns one outcome per report: None if saved, else the error (a conflict at the
        report's version is a VersionConflict); one report's conflict never blocks another.
        `idempotency` holds, per report, the claimed keys its save completes in the same
        transaction; a report whose claim was lost meanwhile is refused with `ClaimLost`.
        """
        keys = new_keys or {}
        completing = idempotency or {}
        requests = []
        pending = [report.collect_events() for report in reports]
        for report, events in zip(reports, pending, strict=True):
            stored = [self.mapper.to_stored_event(e) for e in events]
            kwargs: dict[str, Any] = {"data_keys": [keys[report.id]]} if report.id in keys else {}
            if report.id in completing:
                kwargs["idempotency"] = list(completing[report.id])
            requests.append(AppendRequest(stored, kwargs))
        recorder = self.recorder
        assert isinstance(recorder, LedgerSQLiteRecorder | LedgerPostgresRecorder)
        recorder.group.submit(requests)
        outcomes: list[LedgerError | None] = []
        for report, request, events in zip(reports, requests, pending, strict=True):
            if request.error is None:
                outcomes.append(None)
                self._destroy_erased_keys(events)
            elif isinstance(request.error, IntegrityError):
                first = request.events[0].originator_version if request.events else 0
                outcomes.append(VersionConflict(report.id, expected=first - 1, actual=None))
                if report.id in keys:
                    self.data_keys.forget(report.id)
            elif isinstance(request.error, ClaimLost):
                outcomes.append(request.error)
            else:
                raise request.error
        return outcomes

    def erase(
        self,
        report_id: UUID,
        *,
        actor: Actor,
        legal_basis: str,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> Appended:
        """Record an erasure (UU 27/2022); saving it destroys the report's data key."""
        when = _when(at)
        result = self.change(
            report_id,
            lambda r: r.erase_personal_data(actor=actor, at=when, legal_basis=legal_basis),
            expected_version=expected_version,
        )
        return result


def _when(at: datetime | None) -> datetime:
    if at is None:
        return datetime.now(UTC)
    if at.tzinfo is None:
        raise ValueError("action times must be timezone-aware")
    return at.astimezone(UTC)
