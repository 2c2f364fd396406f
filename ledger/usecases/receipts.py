"""The whistleblower's side: a receipt opens the report's own timeline and lets them answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from ledger.access.errors import ReceiptNotRecognised
from ledger.access.policy import Policy
from ledger.access.principal import ANONYMOUS
from ledger.access.receipts import ReceiptHasher
from ledger.access.relations import Purpose, Relation
from ledger.application import LedgerApplication
from ledger.domain import Report, ReportNotFound, VersionConflict
from ledger.storage.access import AccessStore
from ledger.usecases.disclosure import Discloser
from ledger.usecases.logaccess import LogAccess
from ledger.usecases.results import ReceiptAnswer, ReceiptStatus, TimelineItem
from ledger.usecases.shaping import event_name, plain
from ledger.usecases.throttle import Throttle

# Clear fields the whistleblower sees per event type; everything else is left out.
TIMELINE_DETAILS: dict[str, tuple[str, ...]] = {
    "Submitted": ("classification",),
    "PutOnHold": ("question",),
    "Archived": ("reason",),
    "Verified": ("handling_class",),
    "ReturnedNotAuthority": ("reason",),
    "ClarificationRequested": ("question",),
    "AnswerDeadlineExtended": ("reason",),  # UU 14/2008 Pasal 22(8): the reasons, in writing
    "Completed": ("summary", "objection_deadline"),
    "DisclosureRecorded": ("fields",),
}
_NOT_NOTED = "reporter_status"  # the whistleblower's own look at the timeline


def _coarse(value: Any) -> Any:
    """Times as dates only: the whistleblower's timeline is never finer than a day."""
    return value.date() if isinstance(value, datetime) else value


class Receipts:
    """Receipt look-ups: throttled, hashed slowly every time, then one report's timeline."""

    def __init__(
        self,
        app: LedgerApplication,
        policy: Policy,
        store: AccessStore,
        hasher: ReceiptHasher,
        throttle: Throttle,
        clock: Callable[[], datetime],
        log: LogAccess,
        proof_wait_s: float,
    ) -> None:
        self.app = app
        self.policy = policy
        self.store = store
        self.hasher = hasher
        self.throttle = throttle
        self.clock = clock
        self.discloser = Discloser(app, policy, clock)
        self.log = log
        self.proof_wait_s = proof_wait_s

    def status(self, client: str, receipt: str) -> ReceiptStatus:
        """The timeline (dates, roles, agency names, the agency's answers) and a tlog-proof."""
        report = self._open(client, receipt)
        history = self.app.history(report.id)  # before this look-up records a disclosure
        proven = self.log.newest_proof(history, self.proof_wait_s)
        allowed = self.policy.disclosable(
            ANONYMOUS, report, Purpose.REPORTER_STATUS, frozenset({Relation.RECEIPT})
        )
        events = list(self.app.events.get(report.id))
        answered = any(
            event_name(e) == "FollowedUp" and getattr(e, "message", None) for e in events
        )
        if answered and "message" in allowed:
            self.discloser.record(ANONYMOUS, report, ["message"], Purpose.REPORTER_STATUS.value)
        timeline = [item for e in events if (item := self._item(e, allowed)) is not None]
        return ReceiptStatus(
            report.id,
            report.state.value,
            report.classification.value,
            report.awaiting_reporter,
            timeline,
            tlog_proof=None if proven is None else proven[1],
            tlog_proof_version=None if proven is None else proven[0].stream_version,
        )

    def respond(self, client: str, receipt: str, message: str) -> ReceiptAnswer:
        """Record the whistleblower's answer (tanggapan pelapor) to a question or follow-up."""
        report = self._open(client, receipt)
        loaded = report.version
        at = self.clock()
        report.respond(ANONYMOUS.as_actor(), at, message=message)
        try:
            self.app.save(report)
        except IntegrityError:
            raise VersionConflict(report.id, expected=loaded, actual=None) from None
        return ReceiptAnswer(report.id, report.state.value, at.date())

    def _open(self, client: str, receipt: str) -> Report:
        """Throttle, then hash (always, before any look-up), then find the report."""
        self.throttle.check(self.hasher.client_bucket(client))
        digest = self.hasher.hash(receipt)
        report_id: UUID | None = self.store.find_receipt(digest)
        if report_id is None:
            raise ReceiptNotRecognised("receipt not recognised")
        try:
            return self.app.get_report(report_id)
        except ReportNotFound:
            raise ReceiptNotRecognised("receipt not recognised") from None

    def _item(self, event: Any, allowed: frozenset[str]) -> TimelineItem | None:
        name = event_name(event)
        if name == "DisclosureRecorded" and str(event.purpose).startswith(_NOT_NOTED):
            return None
        actor = event.actor
        agency = actor.get("agency_id")
        details = {k: plain(_coarse(getattr(event, k))) for k in TIMELINE_DETAILS.get(name, ())}
        if name == "Dispositioned":
            details["agency"] = self._agency_name(event.agency_id)
            details["unit"] = self._agency_name(event.unit_id)
        if name == "DisclosureRecorded":
            details["purpose"] = str(event.purpose).partition(":")[0]
        if name == "FollowedUp" and "message" in allowed and event.message:
            details["message"] = event.message
        return TimelineItem(
            date=event.at.date(),
            event=name,
            state=event.state,
            by_role=actor.get("role"),
            by_agency=self._agency_name(agency),
            details=details,
        )

    def _agency_name(self, agency_id: str | None) -> str | None:
        registry = self.policy.registry
        return registry.get(agency_id).name if agency_id and agency_id in registry else None
