"""Figures of `national_year.py`: a keepable schema, its disk use, the year's peaks, the tables."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import psycopg
from psycopg import sql
from rich.table import Table

from ledger.load.profile import daily_curve, load_profile

SECONDS_PER_YEAR = 365 * 86_400


@contextlib.contextmanager
def fresh_schema(base_url: str, *, keep: bool) -> Iterator[tuple[str, str]]:
    """A new schema `national_<random>`, dropped afterwards unless `keep`; yields (url, name)."""
    schema = f"national_{secrets.token_hex(6)}"
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    sep = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{sep}schema={schema}", schema
    finally:
        if not keep:
            with psycopg.connect(base_url, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@dataclass(frozen=True)
class DiskUsage:
    """`pg_total_relation_size` (table, indexes, TOAST) of each table of a schema, in bytes."""

    tables: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.tables.values())

    @property
    def by_group(self) -> dict[str, int]:
        """Bytes of the projections' tables (`proj_*`), the API's (`api_*`) and the log's."""
        groups: dict[str, int] = {"log": 0, "projections": 0, "api": 0}
        for name, size in self.tables.items():
            group = "projections" if name.startswith("proj_") else "log"
            groups["api" if name.startswith("api_") else group] += size
        return groups


def disk_usage(base_url: str, schema: str) -> DiskUsage:
    """Measure every ordinary and partitioned table of the schema."""
    query = """
        SELECT c.relname, pg_total_relation_size(c.oid)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND c.relkind IN ('r', 'p')
    """
    with psycopg.connect(base_url) as conn:
        rows = conn.execute(query, (schema,)).fetchall()
    return DiskUsage({str(name): int(size) for name, size in rows})


def peak_rates(year_events: int) -> dict[str, float]:
    """Events/s on average, and in the peak hour of the Lebaran week and of the disaster.

    The profile's arrival curve (weekday, Lebaran and disaster factors, busiest hour on
    Jakarta time) scaled to `year_events`. Reading the event rate off the arrival curve
    overstates the peaks a little: a report's later steps spread over the following weeks.
    """
    profile = load_profile()
    curve = daily_curve(profile)
    mean_day = sum(w for _, w in curve) / len(curve)
    hour_factor = max(profile.hours) / sum(profile.hours) * 24
    average = year_events / SECONDS_PER_YEAR
    lebaran = max(w for d, w in curve if profile.lebaran.covers(d)) / mean_day
    disaster = max(w for d, w in curve if profile.disaster.covers(d)) / mean_day
    return {
        "average": average,
        "busiest_hour_ordinary": average * hour_factor * max(profile.weekday) / _mean_weekday(),
        "lebaran_peak_hour": average * lebaran * hour_factor,
        "disaster_peak_hour": average * disaster * hour_factor,
    }


def _mean_weekday() -> float:
    weekday = load_profile().weekday
    return sum(weekday) / len(weekday)


class StepLike(Protocol):
    name: str
    seconds: float
    events: int
    peak_rss_mb: float
    exit_code: int
    disk_bytes: int | None
    result: dict[str, Any]

    @property
    def rate(self) -> float: ...


def machine_table(rows: Sequence[tuple[str, str]], figures: dict[str, Any]) -> Table:
    table = Table(title="Machine and run", show_header=False)
    for label, value in [
        *rows,
        ("Started / finished", f"{figures['started']} / {figures['finished']}"),
        ("Code", figures["code"]),
        (
            "Run",
            f"{figures['reports']:,} reports, {figures['threads']} writer threads, "
            + (f"{figures['agencies']} agencies" if figures["agencies"] else "sample registry"),
        ),
        *((f"Load {k}", v) for k, v in figures["load_average"].items()),
    ]:
        table.add_row(label, str(value))
    return table


def steps_table(steps: Sequence[StepLike], figures: dict[str, Any]) -> Table:
    table = Table(title="Steps (each in its own process)")
    for column in ("step", "events", "seconds", "events/s", "peak RSS MB", "disk B/event", "ok"):
        table.add_column(column, justify="left" if column == "step" else "right")
    events = max((s.events for s in steps), default=0)
    previous = 0
    for s in steps:
        disk = ""
        if s.disk_bytes is not None and events:
            disk = f"+{(s.disk_bytes - previous) / events:,.0f}"
            previous = s.disk_bytes
        if s.name == "export" and figures["bundle_bytes"] and events:
            disk += f" (bundle {figures['bundle_bytes'] / events:,.0f})"
        ok = "yes" if s.exit_code == 0 else f"exit {s.exit_code}"
        table.add_row(
            s.name, f"{s.events:,}", f"{s.seconds:,.1f}", f"{s.rate:,.0f}",
            f"{s.peak_rss_mb:,.0f}", disk, ok,
        )  # fmt: skip
    return table


def extrapolation_table(steps: Sequence[StepLike], figures: dict[str, Any]) -> Table:
    year = figures["year_events"]
    peaks = figures["peaks"]
    table = Table(title=f"Extrapolated to {year / 1e6:,.0f} M events a year (linear)")
    for column in ("step", "hours / year", "x average", "x Lebaran peak", "x disaster peak"):
        table.add_column(column, justify="left" if column == "step" else "right")
    for s in steps:
        if not s.rate:
            continue
        table.add_row(
            s.name,
            f"{year / s.rate / 3600:,.2f}",
            f"{s.rate / peaks['average']:,.0f}",
            f"{s.rate / peaks['lebaran_peak_hour']:,.0f}",
            f"{s.rate / peaks['disaster_peak_hour']:,.1f}",
        )
    return table


def disk_table(figures: dict[str, Any], events: int) -> Table:
    year = figures["year_events"]
    table = Table(title=f"Disk at {year / 1e6:,.0f} M events a year")
    for column in ("what", "bytes/event", "GB / year"):
        table.add_column(column, justify="left" if column == "what" else "right")
    rows = [(f"PostgreSQL {k} tables", v) for k, v in figures["tables"].items()]
    rows.append(("PostgreSQL, all tables", sum(figures["tables"].values())))
    rows.append(("export bundle", figures["bundle_bytes"]))
    for label, total in rows:
        per = total / events if events else 0.0
        table.add_row(label, f"{per:,.0f}", f"{per * year / 1e9:,.1f}")
    return table


def peaks_table(figures: dict[str, Any]) -> Table:
    table = Table(title="The year's load (events/s, from the profile's arrival curve)")
    table.add_column("when")
    table.add_column("events/s", justify="right")
    for key, value in figures["peaks"].items():
        table.add_row(key.replace("_", " "), f"{value:,.2f}")
    return table


def details_table(figures: dict[str, Any]) -> Table:
    """What the ingest and the verifier said, and how much of the ingest is the generator."""
    steps = {s["name"]: s for s in figures["steps"]}
    gen = steps.get("generator only", {}).get("result", {})
    ing = steps.get("ingest", {}).get("result", {})
    ver = steps.get("verify", {}).get("result", {})
    table = Table(title="Ingest and verification details", show_header=False)
    rows: list[tuple[str, object]] = [
        ("events planned / saved / stored", f"{ing.get('planned_events', 0):,} / "
            f"{ing.get('events', 0):,} / {ing.get('stored_events', 0):,}"),
        ("conflicts, errors", f"{ing.get('conflicts')}, {ing.get('errors')}"),
        ("save_each calls, p50 / p99 ms", f"{ing.get('save_calls', 0):,}, "
            f"{ing.get('latency_p50_ms')} / {ing.get('latency_p99_ms')}"),
        ("ingest events/s, first / second half", f"{ing.get('first_half_events_per_s')} / "
            f"{ing.get('second_half_events_per_s')}"),
        ("planning s: counting pass before the ingest / in the lanes, all threads",
            f"{ing.get('plan_s')} / {ing.get('plan_in_play_s_all_threads')}"),
        ("generator only: counting s / planning and applying s",
            f"{gen.get('plan_s')} / {gen.get('apply_s')}"),
        ("applying steps, share of the ingest time",
            f"{gen.get('apply_s', 0) / ing['play_s']:.1%}" if ing.get("play_s") else "-"),
        ("Lebaran / disaster share of reports", f"{ing.get('lebaran_share')} / "
            f"{ing.get('disaster_share')}"),
        ("verifier", f"{ver.get('result')}, {ver.get('entries', 0):,} entries, "
            f"{ver.get('reports', 0):,} reports, root {str(ver.get('root', ''))[:16]}…"),
    ]  # fmt: skip
    for label, value in rows:
        table.add_row(label, str(value))
    return table
