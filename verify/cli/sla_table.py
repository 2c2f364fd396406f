"""The compliance table of `lapor-verify sla`, drawn with rich as text lines."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.table import Table

from verify.sla import Selection, SlaRow
from verify.sla_rules.figures import FOLLOW_UP_TARGET, ClockFigure, Figures

WIDTH = 240
SHOWN_BUCKETS = ("not_followed_up", "in_process", "resolved", "archived", "forwarded")
OTHER_BUCKETS = ("unverified", "awaiting_disposition", "escalated")
COLUMNS = (
    "group",
    "reports",
    "verified\non time",
    "1st\nfollow-up\nin time",
    "completed\nin time",
    f"followed\nup (target\n{FOLLOW_UP_TARGET:.0%})",
    "returns\n(bukan\nwewenang)",
    "re-dispo-\nsitions",
    "not\nfollowed\nup",
    "in\nprocess",
    "resolved",
    "archived",
    "for-\nwarded",
    "other",
)
"""Clock columns show met/decided and the rate; "other" is unverified, awaiting
disposition and escalated together."""


def describe(selection: Selection) -> str:
    """A selection in words: period, classification and moment."""
    p = selection.period
    period = "all report days" if p is None else f"report days {p.first}..{p.last}"
    kind = selection.classification or "all classifications"
    return f"{period}, {kind}, as of {selection.as_of.isoformat()}"


def _share(part: int, whole: int, rate: float | None) -> str:
    return "-" if rate is None else f"{part}/{whole}\n{rate:.0%}"


def _clock(c: ClockFigure) -> str:
    text = _share(c.met, c.met + c.missed, c.rate)
    return f"{text}\n+{c.pending} running" if c.pending else text


def _followed(f: Figures) -> str:
    mark = {None: "", True: " ✓", False: " ✗"}[f.target_met]
    return _share(f.followed_up, f.handling, f.followed_up_share) + mark


def _cells(row: SlaRow) -> list[str]:
    f = row.figures
    group = row.group if row.group_by == "agency" else f"{row.group} ({row.group_by})"
    if row.group_by == "national":
        group = "national"
    other = sum(f.buckets[b] for b in OTHER_BUCKETS)
    return [
        group,
        str(f.received),
        _clock(f.verification),
        _clock(f.first_follow_up),
        _clock(f.completion),
        _followed(f),
        str(f.returns),
        str(f.re_dispositions),
        *(str(f.buckets[b]) for b in SHOWN_BUCKETS),
        str(other),
    ]


def table_lines(rows: list[SlaRow]) -> list[str]:
    """One table per selection, as plain text lines."""
    out = io.StringIO()
    # As wide as the table needs: a figure is never cut, even on a narrow terminal.
    console = Console(file=out, width=WIDTH, color_system=None, highlight=False)
    tables: dict[Selection, list[SlaRow]] = {}
    for row in rows:
        tables.setdefault(row.selection, []).append(row)
    for selection, group in tables.items():
        title = f"Compliance: {describe(selection)}"
        table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
        for n, name in enumerate(COLUMNS):
            first = n == 0
            table.add_column(name, justify="left" if first else "right", no_wrap=True)
        for row in group:
            table.add_row(*_cells(row))
        console.print(table)
    return [line.rstrip() for line in out.getvalue().splitlines()]
