"""A report's proofs of inclusion: its whole history, or one entry as a tlog-proof receipt."""

from __future__ import annotations

from uuid import UUID

from ledger.access.policy import Policy
from ledger.access.principal import Principal
from ledger.application import LedgerApplication
from ledger.export import entry_object
from ledger.storage.records import EntryRecord
from ledger.tlog import SignedCheckpoint
from ledger.usecases.log_results import ReportProof, b64
from ledger.usecases.logaccess import LogAccess, NotInLog, NotYetCheckpointed


class Proofs:
    """Proofs of a report's entries, for those who may read the report's history."""

    def __init__(self, app: LedgerApplication, policy: Policy, log: LogAccess) -> None:
        self.app = app
        self.policy = policy
        self.log = log

    def report_proof(self, who: Principal, report_id: UUID) -> ReportProof:
        """Every entry of the report that a checkpoint covers, with its inclusion proof."""
        self.policy.require_read(who, self.app.get_report(report_id))
        history = self.app.history(report_id)
        checkpoint = self._checkpoint_for(history[-1])
        covered = [e for e in history if e.leaf_index < checkpoint.tree_size]
        if not covered:
            raise NotYetCheckpointed(history[0].leaf_index)
        tlog = self.log.tlog
        entries = [
            {
                **entry_object(e),
                "inclusion": b64(tlog.inclusion_proof(e.leaf_index, checkpoint.tree_size)),
            }
            for e in covered
        ]
        note = tlog.cosigned_note(checkpoint)
        return ReportProof(report_id, note, entries, len(history) - len(covered))

    def entry_proof(self, who: Principal, report_id: UUID, version: int) -> str:
        """The c2sp.org/tlog-proof@v1 of one version of the report."""
        self.policy.require_read(who, self.app.get_report(report_id))
        for entry in self.app.history(report_id):
            if entry.stream_version == version:
                return self.log.tlog_proof(entry.leaf_index)
        raise NotInLog(f"report {report_id} has no version {version}")

    def _checkpoint_for(self, last: EntryRecord) -> SignedCheckpoint:
        """The latest witnessed checkpoint if it covers the whole history, else the latest."""
        tlog = self.log.tlog
        witnessed = tlog.latest_witnessed_checkpoint()
        if witnessed is not None and witnessed.tree_size > last.leaf_index:
            return witnessed
        if self.log.signed_size() == 0:
            raise NotYetCheckpointed(last.leaf_index)
        return tlog.latest_checkpoint()
