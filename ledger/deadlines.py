"""Deadline stamping: the SLA facts computed when a report is verified, dispositioned or completed.

The application computes these values before it triggers the event (the aggregate never
reads a clock or a calendar), so replay is deterministic and a later policy change never
rewrites an old report's deadlines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from ledger.agencies.registry import AgencyRegistry
from ledger.sla import Clock, Overrides, PolicyBook, PolicyChoice, WorkingCalendar, policy_for
from ledger.sla.calendar import require_aware
from ledger.sla.policy import Rule, due_by

AUTO_CLOSE_NOTE = "auto-close 10 working days after the last follow-up without a reporter reply"


class _Found(NamedTuple):
    rule: Rule | None
    calendar: WorkingCalendar


@dataclass(frozen=True)
class Stamp:
    """The policy a report is held to and the deadlines computed under it."""

    policy: str
    version: int
    deadlines: dict[str, datetime]


class DeadlineStamper:
    """Computes deadlines from the agency registry, the policy book and the calendar."""

    def __init__(self, registry: AgencyRegistry, book: PolicyBook, overrides: Overrides) -> None:
        self.registry = registry
        self.book = book
        self.overrides = overrides
        # The rule and calendar of each (clock, agency, classification, urgency, handling
        # class) found so far: the registry and the book do not change once loaded.
        self._rules: dict[tuple[Clock, str, str, str, str | None], _Found] = {}

    @classmethod
    def load_default(cls) -> DeadlineStamper:
        """The packaged registry, policies and calendar overrides."""
        return cls(
            AgencyRegistry.load_default(), PolicyBook.load_default(), Overrides.load_default()
        )

    def calendar(self, agency_id: str) -> WorkingCalendar:
        """The working-day calendar in the agency's own time zone."""
        return _calendar(self, self.registry.get(agency_id).time_zone)

    def _choice(self, agency_id: str, classification: str, urgency: str) -> PolicyChoice:
        return policy_for(classification, urgency, self.registry.get(agency_id).sla_policy)

    def _deadline(
        self,
        clock: Clock,
        agency_id: str,
        classification: str,
        urgency: str,
        start: datetime,
        handling_class: str | None,
        hold: tuple[datetime, datetime] | None = None,
    ) -> datetime | None:
        key = (clock, agency_id, classification, urgency, handling_class)
        found = self._rules.get(key)
        if found is None:  # looked up once; a lookup that fails is not remembered
            choice = self._choice(agency_id, classification, urgency)
            policy = self.book.get(choice.policy_name(clock))
            rule = policy.rule(clock, handling_class=handling_class, urgency=urgency)
            found = self._rules[key] = _Found(rule, self.calendar(agency_id))
        if found.rule is None:
            require_aware(start, "start")
            return None
        return due_by(found.rule, start, found.calendar, hold)

    def due(
        self,
        clock: Clock,
        *,
        agency_id: str,
        classification: str,
        urgency: str,
        start: datetime,
        handling_class: str | None = None,
        hold: tuple[datetime, datetime] | None = None,
    ) -> datetime | None:
        """When a clock of a report started at `start` runs out, under the policy the agency's
        registry entry selects for the report (None if that policy sets no such clock)."""
        return self._deadline(
            clock, agency_id, classification, urgency, start, handling_class, hold
        )

    def at_verification(
        self,
        *,
        agency_id: str,
        classification: str,
        urgency: str,
        handling_class: str,
        submitted_at: datetime,
        hold: tuple[datetime, datetime] | None = None,
    ) -> Stamp:
        """Policy in force and the verification/disposition deadline, counted from submission
        and moved later by the time the report spent on hold (`hold`: its start and end)."""
        choice = self._choice(agency_id, classification, urgency)
        policy = self.book.get(choice.default)
        deadlines = {}
        due = self._deadline(
            Clock.VERIFICATION,
            agency_id,
            classification,
            urgency,
            submitted_at,
            handling_class,
            hold,
        )
        if due is not None:
            deadlines[Clock.VERIFICATION.value] = due
        return Stamp(policy.name, policy.version, deadlines)

    def at_disposition(
        self,
        *,
        agency_id: str,
        classification: str,
        urgency: str,
        handling_class: str | None,
        at: datetime,
    ) -> dict[str, datetime]:
        """First follow-up and completion deadlines of the receiving agency, counted from now."""
        clocks = [Clock.FIRST_FOLLOW_UP, Clock.COMPLETION]
        if classification == "permintaan_informasi":
            clocks = [Clock.KIP_ANSWER]
        out = {}
        for clock in clocks:
            due = self._deadline(clock, agency_id, classification, urgency, at, handling_class)
            if due is not None:
                out[clock.value] = due
        return out

    def kip_extension(
        self, *, agency_id: str, classification: str, urgency: str, answer_due: datetime
    ) -> datetime | None:
        """The extended answer deadline of an information request (UU 14/2008 Pasal 22(8)):
        the policy's `kip_extension` clock (7 WD) counted from the original answer deadline,
        in the agency's calendar; None when the report's policy has no such clock."""
        return self._deadline(
            Clock.KIP_EXTENSION, agency_id, classification, urgency, answer_due, None
        )

    def auto_close(
        self, *, agency_id: str, classification: str, urgency: str, at: datetime
    ) -> datetime:
        """When a report auto-closes after a follow-up the reporter does not answer."""
        due = self._deadline(Clock.AUTO_CLOSE, agency_id, classification, urgency, at, None)
        return due if due is not None else self.calendar(agency_id).add_working_days(at, 10)

    def objection_deadline(self, *, agency_id: str, at: datetime) -> datetime:
        """Until when the reporter may object to a completion (10 working days)."""
        return self.calendar(agency_id).add_working_days(at, 10)


@lru_cache(maxsize=64)
def _calendar(stamper: DeadlineStamper, time_zone: str) -> WorkingCalendar:
    return WorkingCalendar(time_zone, stamper.overrides)
