"""Submitting, reading and listing reports; reads are scoped and disclosures recorded."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from ledger.access.errors import Forbidden
from ledger.access.policy import SUBMIT, Policy
from ledger.access.principal import Principal
from ledger.access.receipts import ReceiptHasher, new_receipt
from ledger.application import LedgerApplication
from ledger.domain import InvalidCommand, Privacy
from ledger.storage.access import AccessStore
from ledger.storage.records import EntryRecord
from ledger.usecases.disclosure import Discloser, StatedPurpose
from ledger.usecases.logaccess import LogAccess
from ledger.usecases.results import HistoryView, ReportPage, ReportSummary, ReportView, SubmitResult
from ledger.usecases.shaping import (
    REPORT_SEALED,
    entry_view,
    event_fields,
    report_header,
    report_sealed,
    report_summary,
)

SCAN = 500  # reports examined per list request at most
PROOF_SAVE = (
    "Save tlog_proof as {0.report_id}.tlog-proof and check it offline: lapor-verify receipt "
    "{0.report_id}.tlog-proof --log-key <a log vkey of GET /v1/log/keys>"
)
PROOF_LATER = (
    "The report is leaf {leaf} of the log, not yet covered by a signed checkpoint: "
    "POST /v1/receipts/status with the receipt returns its tlog_proof later."
)


class Reports:
    """Use cases on whole reports: submit, read, history, list."""

    def __init__(
        self,
        app: LedgerApplication,
        policy: Policy,
        store: AccessStore,
        hasher: ReceiptHasher,
        clock: Callable[[], datetime],
        log: LogAccess,
        receipt_wait_s: float,
    ) -> None:
        self.app = app
        self.policy = policy
        self.store = store
        self.hasher = hasher
        self.clock = clock
        self.discloser = Discloser(app, policy, clock)
        self.log = log
        self.receipt_wait_s = receipt_wait_s

    def submit(
        self,
        who: Principal,
        *,
        classification: str,
        privacy: str,
        title: str,
        body: str,
        urgency: str = "normal",
        channel: str = "web",
        target_agency_id: str | None = None,
        category: str | None = None,
        reporter: dict[str, Any] | None = None,
        attachments: Sequence[str] = (),
    ) -> SubmitResult:
        """Record a new report; anonymous, anonim and WBS submissions get a receipt, once."""
        if who.role not in SUBMIT:
            raise Forbidden(f"role {who.role} may not submit reports")
        if target_agency_id is not None and target_agency_id not in self.policy.registry:
            raise InvalidCommand(f"unknown agency {target_agency_id!r}", field="target_agency_id")
        rid = uuid4()
        wants_receipt = who.is_anonymous or classification == "wbs" or privacy == Privacy.ANONIM
        receipt = new_receipt() if wants_receipt else None
        receipt_hash = None if receipt is None else self.hasher.hash(receipt)
        if receipt_hash is not None:
            self.store.insert_receipt(receipt_hash, rid, int(self.clock().timestamp() * 1_000_000))
        try:
            appended = self.app.submit(
                actor=who.as_actor(),
                classification=classification,
                privacy=privacy,
                urgency=urgency,
                channel=channel,
                target_agency_id=target_agency_id,
                category=category,
                title=title,
                body=body,
                reporter=reporter,
                attachments=attachments,
                at=self.clock(),
                report_id=rid,
            )
        except BaseException:
            if receipt_hash is not None:
                self.store.delete_receipt(receipt_hash)
            raise
        first = self.app.appended_entry(rid, 1)
        result = SubmitResult(
            rid, appended.version, "submitted", first.leaf_index, first.entry_hash.hex(), receipt
        )
        return result if receipt is None else self._with_proof(result, first)

    def _with_proof(self, result: SubmitResult, first: EntryRecord) -> SubmitResult:
        """Add the receipt's tlog-proof, waiting briefly for a checkpoint to cover the entry."""
        found = self.log.newest_proof([first], self.receipt_wait_s)
        if found is None:
            return replace(result, tlog_proof_help=PROOF_LATER.format(leaf=first.leaf_index))
        return replace(result, tlog_proof=found[1], tlog_proof_help=PROOF_SAVE.format(result))

    def read(self, who: Principal, report_id: UUID, purpose: str | None = None) -> ReportView:
        """A report's header; sealed fields only if the stated purpose allows (and recorded)."""
        report = self.app.get_report(report_id)
        self.policy.require_read(who, report)
        stated = None if purpose is None else StatedPurpose.parse(purpose)
        allowed = self.discloser.allowed(who, report, stated)
        shown = {k: v for k, v in report_sealed(report).items() if k in allowed}
        if stated is not None:
            self.discloser.record(who, report, shown, stated.text)
        return ReportView(
            header=report_header(report),
            sealed=shown,
            withheld=[name for name in REPORT_SEALED if name not in shown],
            purpose=None if stated is None else stated.text,
        )

    def history(self, who: Principal, report_id: UUID, purpose: str | None = None) -> HistoryView:
        """Every entry of a report with indexes and hashes; sealed fields as `read` decides."""
        report = self.app.get_report(report_id)
        self.policy.require_read(who, report)
        stated = None if purpose is None else StatedPurpose.parse(purpose)
        allowed = self.discloser.allowed(who, report, stated)
        if stated is not None:
            present: set[str] = set()
            for event in self.app.events.get(report_id):
                present |= set(event_fields(event)[1])
            self.discloser.record(who, report, present & allowed, stated.text)
        events = {e.originator_version: e for e in self.app.events.get(report_id)}
        entries = []
        for entry in self.app.history(report_id):
            if entry.stream_version not in events:  # appended after the events were read
                break
            entries.append(entry_view(entry, events[entry.stream_version], allowed))
        return HistoryView(
            report_id, len(entries), entries, None if stated is None else stated.text
        )

    def list(
        self,
        who: Principal,
        *,
        cursor: int = -1,
        limit: int = 50,
        classification: str | None = None,
        state: str | None = None,
        agency_id: str | None = None,
    ) -> ReportPage:
        """Reports this principal may read, in log order of submission, after `cursor`."""
        if not self.policy.may_list(who):
            raise Forbidden(f"role {who.role} may not list reports")
        items: list[ReportSummary] = []
        rows = self.store.submissions(cursor, SCAN)
        for row in rows:
            report = self.app.get_report(row.report_id)
            wanted = (
                (classification is None or report.classification == classification)
                and (state is None or report.state == state)
                and (agency_id is None or agency_id in (report.agency_id, report.unit_id))
            )
            if wanted and self.policy.can_read(who, report):
                items.append(report_summary(report, row.leaf_index))
                if len(items) == limit:
                    return ReportPage(items, row.leaf_index)
        return ReportPage(items, rows[-1].leaf_index if len(rows) == SCAN else None)
