"""The staging area of a batch: the action use cases run on reports held in memory.

`Staging` is an `Actions` whose one append step (`_run`) does not save. Each item goes
through its action method twice at most: first to take the fingerprint of its request
(exactly as a single request with the same idempotency key would have it), then, once all
keys are claimed in one transaction, to load its report (once per batch), authorize,
check the expected version and run the domain command on the in-memory report. Every
action method of `Actions` (arguments, deadline stamping, disposition targets) is thus
reused unchanged. `save` then writes every report none of whose items failed, in one
`save_each` call whose transaction also completes the written items' keys; `settle` gives
back, in one more transaction, the keys of items that wrote nothing (if any).
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.access.errors import IdempotencyInProgress, IdempotencyKeyReused
from ledger.access.principal import Principal
from ledger.domain import Action, LedgerError, Report, VersionConflict
from ledger.storage.batch_reads import Entry
from ledger.storage.key_claims import claim_keys, release_keys
from ledger.storage.key_completion import KeyCompletion
from ledger.usecases.actions import Actions
from ledger.usecases.appends import _NAMES, Command, Context, Opts, _decode, completed
from ledger.usecases.batch_loads import load_entries, load_reports
from ledger.usecases.idempotency import fingerprint
from ledger.usecases.results import ActionResult
from ledger.usecases.shaping import from_us, plain, short_type

if TYPE_CHECKING:
    from ledger.usecases.batch import BatchItem, ItemOutcome

Failure = int | LedgerError  # the index of the item that failed, or the save's refusal


class Staging(Actions):
    """One batch's reports, staged items, replays, claimed keys and failures."""

    def __init__(self, base: Actions, principal: Principal) -> None:
        app, policy, stamper = base.app, base.policy, base.stamper
        super().__init__(app, policy, stamper, base.idempotency, base.clock, base.log)
        self.principal = principal
        self.scope = principal.token_id or "anonymous"
        self.reports: dict[UUID, Report] = {}
        self.staged: dict[int, ActionResult] = {}  # item -> provisional result
        self.replays: dict[int, ActionResult] = {}
        self.claimed: dict[int, str] = {}  # item -> idempotency key claimed by this batch
        self.claimed_at_us = 0  # the claims' `created_at_us`
        self._answers: dict[int, KeyCompletion] = {}  # item -> its key, completed by the save
        self.failed: dict[UUID, Failure] = {}
        self._prints: dict[int, bytes] = {}
        self._entries: dict[Any, Entry] = {}
        self._index = -1
        self._printing = False

    def fail(self, report_id: UUID, index: int) -> None:
        """Item `index` failed: nothing of its report is written."""
        self.failed.setdefault(report_id, index)

    def fingerprint(self, index: int, item: BatchItem, args: dict[str, Any]) -> None:
        """Take the fingerprint of an item with an idempotency key (nothing is loaded)."""
        self._printing = True
        try:
            self._call(index, item, args, Opts(item.expected_version, item.idempotency_key))
        finally:
            self._printing = False

    def preload(self, report_ids: Sequence[UUID]) -> None:
        """Load these reports with one query (those not found fail later, one by one)."""
        self.reports |= load_reports(self.app, report_ids)

    def apply(self, index: int, item: BatchItem, args: dict[str, Any]) -> None:
        """Run an item's action on the in-memory report (raises the item's LedgerError)."""
        self._call(index, item, args, Opts(item.expected_version))

    def _call(self, index: int, item: BatchItem, args: dict[str, Any], opts: Opts) -> None:
        self._index = index
        getattr(self, item.action)(self.principal, item.report_id, opts, **args)

    def _run(
        self,
        principal: Principal,
        report_id: UUID,
        opts: Opts,
        action: Action,
        command: Command,
        **args: Any,
    ) -> ActionResult:
        name = _NAMES.get(action, action.value)
        if self._printing:
            request = {
                "report_id": str(report_id),
                "action": name,
                "args": plain(args),
                "expected_version": opts.expected_version,
            }
            self._prints[self._index] = fingerprint(request)
            return _provisional(report_id, name, 0, "", self.clock())
        report = self.reports.get(report_id)
        if report is None:
            report = self.reports[report_id] = self.app.get_report(report_id)
        self.policy.require_act(principal, action, report)
        if opts.expected_version is not None and report.version != opts.expected_version:
            raise VersionConflict(report_id, expected=opts.expected_version, actual=report.version)
        at = self.clock()
        command(Context(principal, at), report)
        staged = _provisional(report_id, name, report.version, report.state.value, at)
        event_type = short_type(type(report.pending_events[-1]).__qualname__)
        staged = replace(staged, event_type=event_type)
        self.staged[self._index] = staged
        return staged

    def claim(self, items: Sequence[BatchItem]) -> dict[int, LedgerError]:
        """Claim every fingerprinted key at once; replays are kept, refusals returned."""
        if not self._prints:
            return {}
        keys = {i: str(items[i].idempotency_key) for i in self._prints}
        prints = {keys[i]: p for i, p in self._prints.items()}
        now_us = self.claimed_at_us = time.time_ns() // 1000
        cutoffs = self.idempotency.cutoffs(now_us)
        earlier = claim_keys(self.idempotency.store, self.scope, prints, now_us, cutoffs)
        refused: dict[int, LedgerError] = {}
        for index, key in keys.items():
            record = earlier[key]
            if record is None:
                self.claimed[index] = key
            elif not hmac.compare_digest(record.fingerprint, self._prints[index]):
                refused[index] = IdempotencyKeyReused(
                    "this idempotency_key was used with a different request"
                )
            elif record.status != "done" or record.response is None:
                refused[index] = IdempotencyInProgress(
                    "a request with this idempotency_key is in progress"
                )
            else:
                self.replays[index] = replace(_decode(record.response), replayed=True)
        for index in refused:
            self.fail(items[index].report_id, index)
        return refused

    def save(self) -> None:
        """Write every staged report none of whose items failed, completing their keys.

        A report refused by the save (a conflict, or a claim lost after its lease) is
        recorded as failed.
        """
        ready = [
            report
            for rid, report in self.reports.items()
            if rid not in self.failed and report.pending_events
        ]
        if not ready:
            return
        keys: dict[UUID, list[KeyCompletion]] = {}
        for index, key in self.claimed.items():
            staged = self.staged.get(index)
            if staged is None or staged.report_id in self.failed:
                continue
            answer = KeyCompletion(
                self.scope,
                key,
                self.claimed_at_us,
                staged.report_id,
                staged.version,
                completed(staged),
            )
            self._answers[index] = answer
            keys.setdefault(staged.report_id, []).append(answer)
        outcomes = self.app.save_each(ready, idempotency=keys)
        for report, error in zip(ready, outcomes, strict=True):
            if error is not None:
                self.failed[report.id] = error

    def final(self, index: int) -> ActionResult:
        """The stored result of a written item: its entry's index, hash and time."""
        answer = self._answers.get(index)
        if answer is not None and answer.response is not None:
            return _decode(answer.response)  # what its key now stores
        staged = self.staged[index]
        where = (staged.report_id, staged.version)
        if where not in self._entries:
            written = [s for s in self.staged.values() if s.report_id not in self.failed]
            self._entries |= load_entries(self.app, [(s.report_id, s.version) for s in written])
        leaf_index, entry_hash, recorded_at_us = self._entries[where]
        return replace(
            staged,
            leaf_index=leaf_index,
            entry_hash=entry_hash.hex(),
            recorded_at=from_us(recorded_at_us),
        )

    def settle(self, outcomes: Sequence[ItemOutcome]) -> None:
        """Give back the keys of items that wrote nothing (the save completed the others)."""
        released = [key for index, key in self.claimed.items() if outcomes[index].result is None]
        release_keys(self.idempotency.store, self.scope, released, self.claimed_at_us)


def _provisional(
    report_id: UUID, name: str, version: int, state: str, at: datetime
) -> ActionResult:
    """A staged result: the stored entry (index, hash, type, time) is read after the save."""
    return ActionResult(
        report_id=report_id,
        action=name,
        version=version,
        state=state,
        event_type="",
        leaf_index=-1,
        entry_hash="",
        recorded_at=at,
    )
