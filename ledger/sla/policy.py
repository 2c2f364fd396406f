"""SLA policies: named, versioned rules that turn a start time into a deadline.

The rules themselves are data (ledger/sla/policies/*.json, loaded by `PolicyBook`); this module
holds their in-memory shape and the deadline computation. Working-day durations use the agency's
`WorkingCalendar`; minute and hour durations run on calendar time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from ledger.sla.calendar import WorkingCalendar, require_aware
from ledger.sla.pause import resumed_due

URGENCIES = frozenset({"normal", "disaster", "covid"})
HANDLING_CLASSES = frozenset(
    {
        "info_aspiration",
        "ringan",
        "normatif",
        "non_supervisory_field_check",
        "supervisory_field_inspection",
    }
)
DURATION_UNITS = ("working_days", "calendar_days", "hours", "minutes")


class Clock(StrEnum):
    """The deadlines a policy can set."""

    VERIFICATION = "verification"  # verify and disposition
    FIRST_FOLLOW_UP = "first_follow_up"
    COMPLETION = "completion"
    AUTO_CLOSE = "auto_close"
    KIP_ANSWER = "kip_answer"
    KIP_EXTENSION = "kip_extension"
    KIP_OBJECTION = "kip_objection"
    KIP_DISPUTE_FILING = "kip_dispute_filing"
    KIP_DISPUTE_DECISION = "kip_dispute_decision"


def calendar_time_deadline(start: datetime, delta: timedelta) -> datetime:
    """A deadline on calendar time (minutes, hours): start plus delta, in UTC."""
    return require_aware(start, "start").astimezone(UTC) + delta


@dataclass(frozen=True, slots=True)
class Duration:
    """How long a clock runs: an amount of one unit (hari kerja, calendar days, hours, minutes)."""

    unit: str
    amount: int

    def __post_init__(self) -> None:
        if self.unit not in DURATION_UNITS:
            raise ValueError(
                f"unknown duration unit {self.unit!r}; expected one of {DURATION_UNITS}"
            )
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount < 0:
            raise ValueError(f"duration amount must be a non-negative integer, got {self.amount!r}")

    def deadline(self, start: datetime, calendar: WorkingCalendar) -> datetime:
        """The moment this duration ends when it starts at `start`, in UTC."""
        if self.unit == "working_days":
            return calendar.add_working_days(start, self.amount)
        if self.unit == "calendar_days":
            return calendar.add_calendar_days(start, self.amount)
        if self.unit == "hours":
            return calendar_time_deadline(start, timedelta(hours=self.amount))
        return calendar_time_deadline(start, timedelta(minutes=self.amount))

    def to_json(self) -> dict[str, int]:
        """The duration as it is written in a policy file."""
        return {self.unit: self.amount}

    def __str__(self) -> str:
        return f"{self.amount} {self.unit.replace('_', ' ')}"


@dataclass(frozen=True, slots=True)
class Rule:
    """One line of a policy: for a handling class and urgency, how long the clock runs."""

    duration: Duration
    origin: str
    handling_class: str | None = None
    urgencies: frozenset[str] | None = None
    note: str = ""

    def matches(self, handling_class: str | None, urgency: str) -> bool:
        """Tell whether this rule applies to a report of this class and urgency."""
        if self.handling_class is not None and self.handling_class != handling_class:
            return False
        return self.urgencies is None or urgency in self.urgencies

    @property
    def specificity(self) -> int:
        """How narrowly the rule is drawn; the narrowest matching rule wins."""
        return 2 * (self.handling_class is not None) + (self.urgencies is not None)

    def overlaps(self, other: Rule) -> bool:
        """Tell whether both rules could match the same report with equal specificity."""
        if self.handling_class != other.handling_class:
            return False
        if self.urgencies is None or other.urgencies is None:
            return self.urgencies is other.urgencies
        return bool(self.urgencies & other.urgencies)


@dataclass(frozen=True)
class SlaPolicy:
    """A named, versioned SLA policy with its inheritance already resolved."""

    name: str
    version: int
    title: str
    source: str
    effective_from: date
    layers: Mapping[Clock, tuple[tuple[Rule, ...], ...]]
    inherits: Mapping[Clock, str]

    @property
    def ref(self) -> str:
        """The pinned reference recorded on a report, e.g. 'national-2018@1'."""
        return f"{self.name}@{self.version}"

    @property
    def clocks(self) -> frozenset[Clock]:
        """The clocks this policy sets, its own and inherited."""
        return frozenset(self.layers)

    def rule(
        self, clock: Clock, *, handling_class: str | None = None, urgency: str = "normal"
    ) -> Rule | None:
        """The rule that governs a clock for this class and urgency, or None if none does."""
        _check_case(handling_class, urgency)
        for layer in self.layers.get(Clock(clock), ()):
            matching = [rule for rule in layer if rule.matches(handling_class, urgency)]
            if matching:
                return max(matching, key=lambda rule: rule.specificity)
        return None

    def deadline(
        self,
        clock: Clock,
        start: datetime,
        calendar: WorkingCalendar,
        *,
        handling_class: str | None = None,
        urgency: str = "normal",
        hold: tuple[datetime, datetime] | None = None,
    ) -> datetime | None:
        """When a clock started at `start` runs out (UTC); None if the policy sets no such clock.

        `hold`: the start and end of a hold (tunda) that paused the clock; the due time then
        moves later by the time on hold (`ledger.sla.pause.resumed_due`).
        """
        require_aware(start, "start")
        rule = self.rule(clock, handling_class=handling_class, urgency=urgency)
        return None if rule is None else due_by(rule, start, calendar, hold)


def due_by(
    rule: Rule,
    start: datetime,
    calendar: WorkingCalendar,
    hold: tuple[datetime, datetime] | None = None,
) -> datetime:
    """When a clock governed by `rule`, started at `start`, runs out (UTC), moved later by a
    hold; `SlaPolicy.deadline` once the rule is found."""
    require_aware(start, "start")
    due = rule.duration.deadline(start, calendar)
    return due if hold is None else resumed_due(due, rule.duration.unit, hold, calendar)


def _check_case(handling_class: str | None, urgency: str) -> None:
    """Refuse misspelt domain strings instead of silently matching nothing."""
    if handling_class is not None and handling_class not in HANDLING_CLASSES:
        raise ValueError(f"unknown handling class {handling_class!r}")
    if urgency not in URGENCIES:
        raise ValueError(f"unknown urgency {urgency!r}")
