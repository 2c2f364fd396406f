"""SLA compliance recomputed from the clear headers of a verified export bundle.

The bundle is streamed once through the checker of verify.bundle (checks 1-6: figures from an
unverified bundle mean nothing); meanwhile every entry's payload is read as JSON, its clear
header kept (sealed envelopes are never opened, and are ignored) and folded into the report's
clock record with verify.sla_rules, the verifier's copy of the service's rules
(docs/projections.md defines every figure). The records then give the compliance figures of
the nation, of every agency and, with an agency registry, of every hub, for any moment, period
and classification. Check 12 compares them with the service's (verify.sla_compare).

Memory holds one clock record per report. A payload that is not a report event's clear header,
or an event type the rules do not know, is MalformedInput: nothing can be said about the figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from verify.bundle import BundleSummary, Opener, Progress, verify_bundle
from verify.bundle_reader import EntryLine
from verify.errors import MalformedInput
from verify.sla_agencies import AgencyTree
from verify.sla_rules.clocks import clocks_of
from verify.sla_rules.figures import NATIONAL, Figures, Period, figures_by_group
from verify.sla_rules.fold import apply
from verify.sla_rules.headers import header_from_stored
from verify.sla_rules.record import ClockRecord
from verify.sla_rules.shares import agency_shares, national_share, report_day

GROUP_BYS = ("national", "agency", "hub")


@dataclass(frozen=True, slots=True)
class Selection:
    """Which reports a row counts (report days in `period`, of `classification`) and when."""

    as_of: datetime
    period: Period | None = None
    classification: str | None = None


@dataclass(frozen=True, slots=True)
class SlaRow:
    """The compliance figures of one group for one selection."""

    group_by: str  # national, agency or hub
    group: str  # "national", an agency id or a hub's agency id
    selection: Selection
    figures: Figures


@dataclass(frozen=True)
class RecomputedBundle:
    """A bundle that passed checks 1-6, and the clock records of its first `tree_size` entries."""

    summary: BundleSummary
    tree_size: int
    records: dict[str, ClockRecord]

    def years(self) -> list[int]:
        """The years of the report days, in order."""
        return sorted({report_day(r).year for r in self.records.values()})


@dataclass
class _Fold:
    """Folds entry lines below `limit` into clock records; keeps the first error."""

    limit: int | None
    records: dict[str, ClockRecord] = field(default_factory=dict)
    error: MalformedInput | None = None

    def add(self, entry: EntryLine) -> None:
        if self.error is not None or (self.limit is not None and entry.leaf_index >= self.limit):
            return
        if entry.payload is None or entry.event_type is None:
            return  # check 4 fails the bundle
        stream, version = str(entry.stream_id), entry.stream_version
        try:
            header = header_from_stored(stream, version, entry.event_type, entry.payload)
            record = apply(self.records.get(stream), header)
            _usable(record)
        except (ValueError, TypeError, AttributeError) as exc:  # HeaderError, RecordError too
            where = f"entry {entry.leaf_index} (stream {stream} v{version})"
            self.error = MalformedInput(
                f"{where}: not a report's clear header: {exc}", line=entry.line
            )
        else:
            self.records[stream] = record


def _usable(record: ClockRecord) -> None:
    """Raise if the rules cannot count the record (a value of the wrong type or unknown)."""
    # The rules trust the writer's types; the verifier must not, so it tries them here,
    # where the entry that made the record unusable is known.
    national_share(record)
    agency_shares(record)
    clocks_of(record)


def recompute_from_bundle(
    open_bundle: Opener,
    *,
    tree_size: int | None = None,
    max_failures: int = 20,
    progress: Progress | None = None,
) -> RecomputedBundle:
    """Verify the bundle (checks 1-6) and fold its first `tree_size` entries (default: all)."""
    fold = _Fold(tree_size)
    summary = verify_bundle(
        open_bundle, max_failures=max_failures, progress=progress, observe=fold.add
    )
    if fold.error is not None:
        raise fold.error
    size = summary.entries if tree_size is None else tree_size
    if size > summary.entries:
        raise MalformedInput(
            f"figures at tree size {size} expected, but the bundle has only "
            f"{summary.entries} entries: export a bundle of at least {size} entries"
        )
    return RecomputedBundle(summary, size, fold.records)


def group_figures(
    records: Iterable[ClockRecord], selection: Selection
) -> tuple[Figures, dict[str, Figures]]:
    """The national figures and those of every agency with a report, for one selection."""
    kept, when, period = list(records), selection.as_of, selection.period
    kind = selection.classification
    by_nation = figures_by_group(
        kept, as_of=when, by_agency=False, period=period, classification=kind
    )
    by_agency = figures_by_group(
        kept, as_of=when, by_agency=True, period=period, classification=kind
    )
    return by_nation.get(NATIONAL, Figures()), by_agency


def compliance_rows(
    records: Iterable[ClockRecord],
    selection: Selection,
    *,
    agencies: AgencyTree | None = None,
    only: str | None = None,
) -> list[SlaRow]:
    """The national row, the agency rows (by id) and, with a registry, the hub rows.

    With `only`, the agency rows are that agency's alone (a zero row if it has no report) and
    the hub rows that agency's own if it is a hub.
    """
    national, by_agency = group_figures(records, selection)
    rows = [SlaRow("national", NATIONAL, selection, national)]
    if only is None:
        rows += [SlaRow("agency", a, selection, by_agency[a]) for a in sorted(by_agency)]
    else:
        rows.append(SlaRow("agency", only, selection, by_agency.get(only, Figures())))
    if agencies is not None:
        hubs = [h for h in agencies.hubs() if only is None or h == only]
        rows += [SlaRow("hub", h, selection, hub_figures(by_agency, agencies, h)) for h in hubs]
    return rows


def hub_figures(by_agency: dict[str, Figures], agencies: AgencyTree, hub: str) -> Figures:
    """A hub's figures: the rows of every agency below it added up (itself excluded)."""
    total = Figures()
    for member in agencies.descendants(hub):
        if member in by_agency:
            total.merge(by_agency[member])
    return total
