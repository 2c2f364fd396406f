"""Stated purposes and the disclosure record every showing of sealed content leaves behind."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from eventsourcing.persistence import IntegrityError

from ledger.access.errors import Forbidden
from ledger.access.policy import Policy
from ledger.access.principal import Principal
from ledger.access.relations import Purpose, Relation
from ledger.application import LedgerApplication
from ledger.domain import InvalidCommand, Report, VersionConflict

STATED = frozenset(Purpose) - {Purpose.REPORTER_STATUS}


@dataclass(frozen=True)
class StatedPurpose:
    """A purpose as stated by the caller: its kind (which decides) and the full text (recorded)."""

    kind: Purpose
    text: str

    @classmethod
    def parse(cls, stated: str) -> StatedPurpose:
        """Read `kind` or `kind: free text`, e.g. `audit: LHP 0012/2026`."""
        kind, _, _ = stated.partition(":")
        try:
            purpose = Purpose(kind.strip().lower())
        except ValueError:
            purpose = None
        if purpose not in STATED:
            allowed = ", ".join(sorted(STATED))
            raise InvalidCommand(f"unknown purpose; state one of: {allowed}", field="X-Purpose")
        assert purpose is not None
        return cls(purpose, stated.strip())


class Discloser:
    """Decides which sealed fields a reader sees and records each disclosure on the report."""

    def __init__(
        self, app: LedgerApplication, policy: Policy, clock: Callable[[], datetime]
    ) -> None:
        self.app = app
        self.policy = policy
        self.clock = clock

    def allowed(
        self,
        principal: Principal,
        report: Report,
        stated: StatedPurpose | None,
        relations: frozenset[Relation] | None = None,
    ) -> frozenset[str]:
        """Sealed fields the purpose opens; Forbidden if it opens none for this reader."""
        if stated is None:
            return frozenset()
        fields = self.policy.disclosable(principal, report, stated.kind, relations)
        if not fields:
            raise Forbidden(
                f"role {principal.role} may not see sealed content of this report "
                f"for the purpose {stated.kind.value!r}"
            )
        return fields

    def record(
        self,
        principal: Principal,
        report: Report,
        fields: Iterable[str],
        purpose: str,
    ) -> None:
        """Append the disclosure event before anything is shown; a concurrent append is a 409."""
        names = sorted(set(fields))
        if not names:
            return
        loaded = report.version
        report.record_disclosure(principal.as_actor(), self.clock(), fields=names, purpose=purpose)
        try:
            self.app.save(report)
        except IntegrityError:
            raise VersionConflict(report.id, expected=loaded, actual=None) from None
