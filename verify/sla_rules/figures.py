"""Compliance figures: shares and clocks of reports added up per group, at a moment `as_of`.

`figures_by_group` is the auditor's recomputation: it takes clock records (folded from the
clear headers of a bundle) and returns what the compliance view must show.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from verify.sla_rules.clocks import LATE, MET, OVERDUE, RUNNING, ClockState, clocks_of, status_at
from verify.sla_rules.record import ClockRecord
from verify.sla_rules.shares import BUCKETS, Share, agency_shares, national_share, report_day

FOLLOW_UP_TARGET = 0.9
"""Road-map target: 90 % of reports followed up."""

NATIONAL = "national"
FIGURE_OF_CLOCK = {
    "verification": "verification",
    "first_follow_up": "first_follow_up",
    "kip_answer": "first_follow_up",
    "kip_extension": "first_follow_up",
    "completion": "completion",
}


@dataclass(frozen=True, slots=True)
class Period:
    """Submission days from `first` to `last`, both included."""

    first: date
    last: date

    @classmethod
    def year(cls, year: int) -> Period:
        """One calendar year."""
        return cls(date(year, 1, 1), date(year, 12, 31))

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last


@dataclass(slots=True)
class ClockFigure:
    """Clocks of one kind: met, missed (late or overdue) and still running."""

    met: int = 0
    missed: int = 0
    pending: int = 0

    @property
    def rate(self) -> float | None:
        """Share met among the decided clocks; None when none is decided."""
        decided = self.met + self.missed
        return None if decided == 0 else self.met / decided

    def count(self, status: str, n: int = 1) -> None:
        """Count clocks by their status at as_of; other statuses do not count."""
        if status == MET:
            self.met += n
        elif status in (LATE, OVERDUE):
            self.missed += n
        elif status == RUNNING:
            self.pending += n


@dataclass(slots=True)
class Figures:
    """The compliance figures of one group (national, an agency or a hub)."""

    received: int = 0
    buckets: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))
    returns: int = 0
    re_dispositions: int = 0
    handling: int = 0
    followed_up: int = 0
    verification: ClockFigure = field(default_factory=ClockFigure)
    first_follow_up: ClockFigure = field(default_factory=ClockFigure)
    completion: ClockFigure = field(default_factory=ClockFigure)

    @property
    def followed_up_share(self) -> float | None:
        """Share of the reports being handled that have been followed up."""
        return None if self.handling == 0 else self.followed_up / self.handling

    @property
    def target_met(self) -> bool | None:
        """Whether the followed-up share reaches the 90 % target."""
        share = self.followed_up_share
        return None if share is None else share >= FOLLOW_UP_TARGET

    def add_share(self, share: Share) -> None:
        """Count one report's share."""
        self.received += 1
        self.buckets[share.bucket] += 1
        self.returns += share.returns
        self.re_dispositions += share.redispositions
        self.handling += share.handling
        self.followed_up += share.followed_up

    def add_clock(self, clock: ClockState, as_of: datetime) -> None:
        """Count one stamped clock at as_of."""
        figure = FIGURE_OF_CLOCK.get(clock.clock)
        if figure is not None and clock.stamped:
            getattr(self, figure).count(status_at(clock, as_of))

    def merge(self, other: Figures) -> None:
        """Add another group's figures to these (a hub adds up its agencies)."""
        self.received += other.received
        for name in BUCKETS:
            self.buckets[name] += other.buckets[name]
        self.returns += other.returns
        self.re_dispositions += other.re_dispositions
        self.handling += other.handling
        self.followed_up += other.followed_up
        for name in ("verification", "first_follow_up", "completion"):
            mine, theirs = getattr(self, name), getattr(other, name)
            mine.met += theirs.met
            mine.missed += theirs.missed
            mine.pending += theirs.pending


def figures_by_group(
    records: Iterable[ClockRecord],
    *,
    as_of: datetime,
    by_agency: bool,
    period: Period | None = None,
    classification: str | None = None,
) -> dict[str, Figures]:
    """Figures per agency (`by_agency`) or under the single key `national`."""
    groups: dict[str, Figures] = {}
    for record in records:
        if period is not None and report_day(record) not in period:
            continue
        if classification is not None and record.classification != classification:
            continue
        shares = agency_shares(record) if by_agency else [national_share(record)]
        for share in shares:
            groups.setdefault(share.agency_id or NATIONAL, Figures()).add_share(share)
        for clock in clocks_of(record):
            key = (clock.agency_id or NATIONAL) if by_agency else NATIONAL
            groups.setdefault(key, Figures()).add_clock(clock, as_of)
    return groups
