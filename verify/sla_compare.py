"""Check 12: the service's compliance figures against those recomputed from a verified bundle.

12. The service's compliance document (verify.sla_document) states the log size its figures
    were computed at; the bundle must hold at least that many entries, and the figures are
    recomputed from exactly that prefix (verify.sla). Then every figure of every row equals the
    recomputed one: counts exactly, shares and rates within 1e-9. A row for a group without
    any report in the bundle is compared with zeros. For every (moment, period,
    classification, group_by) the document has rows for, a group whose recomputed figures are
    not all zero must have its row: a missing row is a difference in `received` (service: none).

Each difference is a FigureDiffers naming the group, the selection and the figure, with the
service's value as `expected` and the recomputed one as `actual`; all of them are counted, the
first `max_failures` listed, and BundleVerificationFailed is raised at the end.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from verify.errors import BundleVerificationFailed, VerificationFailed
from verify.sla import RecomputedBundle, Selection, SlaRow, group_figures, hub_figures
from verify.sla_agencies import AgencyTree
from verify.sla_document import FIGURE_NAMES, ServiceRow, Value, flat_figures
from verify.sla_rules.figures import NATIONAL, Figures

CHECK = 12
TOLERANCE = 1e-9


class FigureDiffers(VerificationFailed):
    """One figure of one row differs: `expected` is the service's value, `actual` recomputed."""

    def __init__(self, row: SlaRow, figure: str, service: Value, recomputed: Value) -> None:
        s = row.selection
        period = "all report days" if s.period is None else f"{s.period.first}..{s.period.last}"
        kind = s.classification or "all classifications"
        where = f"{row.group_by} {row.group} ({period}, {kind}, as of {s.as_of.isoformat()})"
        super().__init__(
            f"{where}: {figure} expected {_text(service)} (service), "
            f"got {_text(recomputed)} (recomputed)",
            check=CHECK,
        )
        self.row, self.figure = row, figure
        self.service, self.recomputed = service, recomputed

    def to_dict(self) -> dict[str, object]:
        """The failure with its group, selection, figure and both values (null included)."""
        s = self.row.selection
        period = (
            None if s.period is None else {"first": str(s.period.first), "last": str(s.period.last)}
        )
        return {
            **super().to_dict(),
            "group_by": self.row.group_by,
            "group": self.row.group,
            "as_of": s.as_of.isoformat(),
            "period": period,
            "classification": s.classification,
            "figure": self.figure,
            "expected": self.service,
            "actual": self.recomputed,
        }


def _text(value: Value) -> str:
    return "none" if value is None else json.dumps(value)


def _same(service: Value, recomputed: Value) -> bool:
    if service is None or recomputed is None or isinstance(service, bool):
        return service == recomputed and type(service) is type(recomputed)
    if isinstance(recomputed, bool):
        return False
    return math.isclose(service, recomputed, rel_tol=0.0, abs_tol=TOLERANCE)


@dataclass
class _Recomputed:
    """Figures per selection, computed once each."""

    bundle: RecomputedBundle
    agencies: AgencyTree | None
    cache: dict[Selection, tuple[Figures, dict[str, Figures]]] = field(default_factory=dict)

    def groups(self, s: Selection) -> tuple[Figures, dict[str, Figures]]:
        if s not in self.cache:
            self.cache[s] = group_figures(self.bundle.records.values(), s)
        return self.cache[s]

    def row(self, group_by: str, group: str, s: Selection) -> SlaRow:
        national, by_agency = self.groups(s)
        if group_by == "national":
            return SlaRow(group_by, group, s, national)
        if group_by == "agency":
            return SlaRow(group_by, group, s, by_agency.get(group, Figures()))
        if self.agencies is None:
            raise ValueError("hub rows need the agency registry")
        return SlaRow(group_by, group, s, hub_figures(by_agency, self.agencies, group))

    def present(self, group_by: str, s: Selection) -> Iterable[str]:
        """The groups of a group_by whose figures are not all zero."""
        _, by_agency = self.groups(s)
        names: Iterable[str] = [NATIONAL]
        if group_by == "agency":
            names = sorted(by_agency)
        elif group_by == "hub":
            names = self.agencies.hubs() if self.agencies is not None else ()
        return [g for g in names if _nonzero(self.row(group_by, g, s).figures)]


def _nonzero(figures: Figures) -> bool:
    return any(type(v) is int and v for v in flat_figures(figures).values())


def compare_figures(
    bundle: RecomputedBundle,
    service_rows: list[ServiceRow],
    *,
    agencies: AgencyTree | None = None,
    only: str | None = None,
    max_failures: int = 20,
) -> list[SlaRow]:
    """Check 12 over the service's rows (those of group `only`, if given); the recomputed rows."""
    if agencies is None and any(r.group_by == "hub" for r in service_rows):
        raise ValueError("the service's figures have hub rows: the agency registry is needed")
    mine = _Recomputed(bundle, agencies)
    rows = [r for r in service_rows if only is None or r.group == only]
    differences: list[FigureDiffers] = []
    compared: list[SlaRow] = []
    for service in rows:
        row = mine.row(service.group_by, service.group, service.selection)
        compared.append(row)
        values = flat_figures(row.figures)
        for name in FIGURE_NAMES:
            if not _same(service.values[name], values[name]):
                differences.append(FigureDiffers(row, name, service.values[name], values[name]))
    covered: dict[tuple[Selection, str], set[str]] = {}
    for service in rows:
        covered.setdefault((service.selection, service.group_by), set()).add(service.group)
    for (selection, group_by), groups in covered.items():
        for group in mine.present(group_by, selection):
            if group not in groups and (only is None or group == only):
                row = mine.row(group_by, group, selection)
                compared.append(row)
                differences.append(FigureDiffers(row, "received", None, row.figures.received))
    if differences:
        raise BundleVerificationFailed(
            differences[:max_failures],
            total_failures=len(differences),
            failures_by_check={CHECK: len(differences)},
            entries=bundle.tree_size,
            streams=len(bundle.records),
            subject="the service's compliance figures, recomputed from a bundle",
        )
    return compared
