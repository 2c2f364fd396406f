"""The projections there are, and how to build each one's logic."""

from __future__ import annotations

from functools import cache

from ledger.deadlines import DeadlineStamper
from projections.daily import DailyProjector
from projections.dues import Dues
from projections.reports import ReportsProjector
from projections.views import Projector

NAMES = ("reports", "daily")


@cache
def default_stamper() -> DeadlineStamper:
    """The packaged agency registry, SLA policies and calendar overrides (loaded once)."""
    return DeadlineStamper.load_default()


def default_projector(name: str, stamper: DeadlineStamper | None = None) -> Projector:
    """The logic of the named projection."""
    if name == "reports":
        return ReportsProjector(Dues(stamper or default_stamper()))
    if name == "daily":
        return DailyProjector()
    raise KeyError(f"unknown projection {name!r}; known: {', '.join(NAMES)}")
