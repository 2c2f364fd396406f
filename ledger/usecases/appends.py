"""The one way an action reaches the ledger: authorize, check the version, run, save."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from ledger.access.policy import Policy
from ledger.access.principal import Principal
from ledger.application import LedgerApplication
from ledger.deadlines import DeadlineStamper
from ledger.domain import Action, Actor, Report, VersionConflict
from ledger.integrity.chain import LedgerRow
from ledger.storage.key_completion import KeyCompletion
from ledger.usecases.idempotency import Claim, Idempotency, fingerprint
from ledger.usecases.logaccess import LogAccess
from ledger.usecases.results import ActionResult
from ledger.usecases.shaping import from_us, plain, short_type

_NAMES = {Action.ERASE_PERSONAL_DATA: "erase"}  # the API's shorter name


@dataclass(frozen=True)
class Context:
    """Who acts and when: computed before the domain command runs."""

    principal: Principal
    at: datetime

    @property
    def actor(self) -> Actor:
        """The actor recorded on the event."""
        return self.principal.as_actor()


Command = Callable[[Context, Report], None]


@dataclass(frozen=True)
class Opts:
    """The request's options: `If-Match` version, `Idempotency-Key`, checkpoint wait."""

    expected_version: int | None = None
    idempotency_key: str | None = None
    wait_for_checkpoint_s: float | None = None  # None: answer as soon as the entry is stored


_RESULT_FIELDS = tuple(f.name for f in fields(ActionResult))


def _encode(result: ActionResult) -> str:
    # As json.dumps(plain(asdict(result))): every field is flat, two need converting.
    data = {name: getattr(result, name) for name in _RESULT_FIELDS}
    data["report_id"] = str(result.report_id)
    data["recorded_at"] = result.recorded_at.isoformat()
    return json.dumps(data)


def _decode(text: str) -> ActionResult:
    data = json.loads(text)
    data["report_id"] = UUID(data["report_id"])
    data["recorded_at"] = datetime.fromisoformat(data["recorded_at"])
    return ActionResult(**data)


def _completion(claim: Claim, report: Report, name: str) -> KeyCompletion:
    """The key completion of a save: its response is rendered from the new entry."""
    staged = ActionResult(
        report_id=report.id,
        action=name,
        version=report.version,
        state=report.state.value,
        event_type=short_type(type(report.pending_events[-1]).__qualname__),
        leaf_index=-1,
        entry_hash="",
        recorded_at=from_us(0),
    )
    return KeyCompletion(
        claim.scope, claim.key, claim.claimed_at_us, report.id, report.version, completed(staged)
    )


def completed(staged: ActionResult) -> Callable[[LedgerRow], str]:
    """Render a staged result with its stored entry (index, hash, time) as the stored response."""

    def render(row: LedgerRow) -> str:
        return _encode(
            replace(
                staged,
                leaf_index=row.leaf_index,
                entry_hash=row.entry_hash.hex(),
                recorded_at=from_us(row.recorded_at_us),
            )
        )

    return render


class Appends:
    """Shared machinery of the action use cases (see `ledger.usecases.actions`)."""

    def __init__(
        self,
        app: LedgerApplication,
        policy: Policy,
        stamper: DeadlineStamper,
        idempotency: Idempotency,
        clock: Callable[[], datetime],
        log: LogAccess,
    ) -> None:
        self.app = app
        self.policy = policy
        self.stamper = stamper
        self.idempotency = idempotency
        self.clock = clock
        self.log = log

    def _run(
        self,
        principal: Principal,
        report_id: UUID,
        opts: Opts,
        action: Action,
        command: Command,
        **args: Any,
    ) -> ActionResult:
        result = self._once(principal, report_id, opts, action, command, **args)
        if opts.wait_for_checkpoint_s is None:
            return result
        covering = self.log.covering(result.leaf_index, opts.wait_for_checkpoint_s)
        if covering is None:
            return replace(result, waited=True)
        note = self.log.tlog.cosigned_note(covering)
        return replace(result, waited=True, checkpoint_size=covering.tree_size, checkpoint=note)

    def _once(
        self,
        principal: Principal,
        report_id: UUID,
        opts: Opts,
        action: Action,
        command: Command,
        **args: Any,
    ) -> ActionResult:
        """Apply the action, or replay the first result of the same Idempotency-Key."""
        name = _NAMES.get(action, action.value)

        def attempt(claim: Claim | None = None) -> ActionResult:
            return self._apply(
                principal, report_id, name, action, command, opts.expected_version, claim
            )

        if opts.idempotency_key is None:
            return attempt()
        request = {
            "report_id": str(report_id),
            "action": name,
            "args": plain(args),
            "expected_version": opts.expected_version,
        }
        scope = principal.token_id or "anonymous"
        result, replayed = self.idempotency.run(
            scope, opts.idempotency_key, fingerprint(request), attempt, _decode
        )
        return replace(result, replayed=True) if replayed else result

    def _apply(
        self,
        principal: Principal,
        report_id: UUID,
        name: str,
        action: Action,
        command: Command,
        expected_version: int | None,
        claim: Claim | None = None,
    ) -> ActionResult:
        """Run and save; with a claim, its key is completed in the save's own transaction."""
        report = self.app.get_report(report_id)
        self.policy.require_act(principal, action, report)
        if expected_version is not None and report.version != expected_version:
            raise VersionConflict(report_id, expected=expected_version, actual=report.version)
        loaded = report.version
        command(Context(principal, self.clock()), report)
        completion = None if claim is None else _completion(claim, report, name)
        kwargs = {} if completion is None else {"idempotency": [completion]}
        try:
            self.app.save(report, **kwargs)
        except IntegrityError:
            raise VersionConflict(report_id, expected=loaded, actual=None) from None
        if completion is not None:
            assert completion.response is not None
            return _decode(completion.response)
        entry = self.app.appended_entry(report_id, report.version)
        return ActionResult(
            report_id=report_id,
            action=name,
            version=report.version,
            state=report.state.value,
            event_type=short_type(entry.event_type),
            leaf_index=entry.leaf_index,
            entry_hash=entry.entry_hash.hex(),
            recorded_at=from_us(entry.recorded_at_us),
        )

    def _stamping_agency(self, report: Report, principal: Principal) -> str:
        """Whose calendar and SLA policy the verification clock runs on."""
        registry = self.stamper.registry
        for candidate in (report.target_agency_id, principal.agency_id):
            if candidate is not None and candidate in registry:
                return candidate
        return next(a.id for a in registry.all() if a.level == "national")
