"""What the oversight use cases need from the projections, which `ledger/` does not import.

`projections.reads.ProjectionReads` implements this protocol; the API layer wires it in.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

Days = tuple[date, date]


class ProjectionReads(Protocol):
    """The projections' queries (projections.reads.ProjectionReads is the real one)."""

    def verification_queue(
        self,
        *,
        agency: str | None,
        hub: str | None,
        classification: str | None,
        within: Collection[str] | None,
        cursor: str | None,
        limit: int,
    ) -> Any: ...

    def inbox(
        self,
        agency: str,
        unit: str | None,
        *,
        classification: str | None,
        cursor: str | None,
        limit: int,
    ) -> Any: ...

    def overdue(
        self,
        now: datetime,
        *,
        agency: str | None,
        hub: str | None,
        unit: str | None,
        classification: str | None,
        within: Collection[str] | None,
        cursor: str | None,
        limit: int,
    ) -> Any: ...

    def report_sla(self, report_id: str, *, now: datetime) -> Any: ...

    def compliance(
        self,
        *,
        group_by: Any,
        period: Days | None,
        classification: str | None,
        agency: str | None,
        hub: str | None,
        as_of: datetime,
    ) -> Any: ...

    def daily_stats(self, *, period: Days | None, classification: str | None) -> Any: ...


@dataclass(frozen=True)
class FiguresAt:
    """Compliance rows the caller may see, and the log position and size behind them."""

    rows: list[Any]
    as_of: datetime
    position: int
    tree_size: int
