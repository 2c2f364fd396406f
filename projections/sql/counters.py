"""Running totals of the compliance figures, kept by the `reports` projection.

A compliance query adds up a few counter rows per day instead of every report and clock of
the period. Each batch takes the stored rows of the reports it touches out of the totals,
rewrites those rows, and adds them back (`CounterSql.subtract` / `add`, run with a sign of
-1 and +1), then drops the rows that went back to zero, so the counter rows that exist do not
depend on where batches end. Agency '' holds the national totals (one share per report).

The clock counters keep, per agency, clock, day of submission and classification, the stamped
clocks that were met, that were late, and that are still running with a due time
(`unfinished`); a query splits the unfinished ones into missed and pending by looking only at
those not yet due at its `as_of` time (the partial index `proj_clocks_pending`), a set bounded
by the intake of the last deadline's span rather than by the history.
"""

# ruff: noqa: S608  (the SQL is assembled from this module's constants only, never from input)
from __future__ import annotations

from dataclasses import dataclass

FIGURE_CLOCK_NAMES = frozenset(
    {"verification", "first_follow_up", "kip_answer", "kip_extension", "completion"}
)
"""The clocks the compliance figures count (the auto-close clock is not a deadline)."""
FIGURE_CLOCKS = f"({', '.join(repr(c) for c in sorted(FIGURE_CLOCK_NAMES))})"
SHARE_SUMS = "returns, redispositions, handling, followed_up"


@dataclass(frozen=True)
class Dialect:
    """How one backend spells the parts that differ."""

    prefix: str  # table prefix: "" on SQLite, "{schema}." on PostgreSQL
    ids: str  # the condition "report_id is one of the ids parameter"
    integer: str  # the counters' column type
    param: str  # a named parameter, with {} for the name
    pending: str  # the running stamped clocks, read by due time (SQLite needs telling)
    clustered: str  # table option storing rows in primary-key order
    in_part: str  # the condition "report_id is in the part" (parameters: parts, part, texts)

    def p(self, name: str) -> str:
        """A named parameter."""
        return self.param.format(name)


SQLITE = Dialect(
    "",
    "report_id IN (SELECT value FROM json_each(:ids))",
    "INTEGER",
    ":{}",
    "proj_clocks INDEXED BY proj_clocks_pending",
    " WITHOUT ROWID",
    # the id's last two characters among the part's bytes in hex (`texts`: a JSON list, looked
    # up in an index SQLite builds once per statement)
    "substr(report_id, -2) IN (SELECT value FROM json_each(:texts))",
)
POSTGRES = Dialect(
    "{schema}.",
    "report_id = ANY(%(ids)s::text[])",
    "bigint",
    "%({})s",
    "{schema}.proj_clocks",
    "",
    "get_byte(decode(right(report_id, 2), 'hex'), 0) %% %(parts)s = %(part)s",
)


def tables(d: Dialect) -> tuple[str, ...]:
    """The counter tables and their zero-row indexes.

    Created before the other views' indexes: on PostgreSQL a batch locks the counters, then
    the rows, and CREATE INDEX (even of an index that exists) locks its table, so creating in
    the same order keeps a starting process and a running writer from deadlocking."""
    t = d.prefix
    return (
        f"CREATE TABLE IF NOT EXISTS {t}proj_share_counts ("
        " submitted_day text NOT NULL, agency_id text NOT NULL, classification text NOT NULL,"
        f" bucket text NOT NULL, n {d.integer} NOT NULL, returns {d.integer} NOT NULL,"
        f" redispositions {d.integer} NOT NULL, handling {d.integer} NOT NULL,"
        f" followed_up {d.integer} NOT NULL,"
        f" PRIMARY KEY (agency_id, bucket, submitted_day, classification)){d.clustered}",
        f"CREATE TABLE IF NOT EXISTS {t}proj_clock_counts ("
        " submitted_day text NOT NULL, agency_id text NOT NULL, clock text NOT NULL,"
        f" classification text NOT NULL, met {d.integer} NOT NULL, late {d.integer} NOT NULL,"
        f" unfinished {d.integer} NOT NULL,"
        f" PRIMARY KEY (agency_id, clock, submitted_day, classification)){d.clustered}",
        f"CREATE INDEX IF NOT EXISTS proj_share_counts_zero ON {t}proj_share_counts (agency_id)"
        " WHERE n = 0",
        f"CREATE INDEX IF NOT EXISTS proj_clock_counts_zero ON {t}proj_clock_counts (agency_id)"
        " WHERE met = 0 AND late = 0 AND unfinished = 0",
    )


def fill(d: Dialect) -> tuple[str, ...]:
    """The index of pending clocks, and filling the counters of a view built before them."""
    t = d.prefix
    return (
        f"CREATE INDEX IF NOT EXISTS proj_clocks_pending ON {t}proj_clocks"
        " (due_us, agency_id, clock, submitted_day, classification)"
        " WHERE outcome IS NULL AND stamped = 1",
        # The guard is a one-row (or empty) table joined first, so a filled view reads nothing.
        *(
            statement.replace(
                "{guard}",
                f"(SELECT 1 AS one WHERE NOT EXISTS (SELECT 1 FROM {t}{table})) AS g CROSS JOIN ",
            )
            .replace("{where}", "1 = 1")
            .replace("{sign}", "1")
            for table, statement in zip(
                (
                    "proj_share_counts WHERE agency_id <> ''",
                    "proj_share_counts WHERE agency_id = ''",
                    "proj_clock_counts",
                ),
                _moves(d),
                strict=True,
            )
        ),
        *cleanup(d),
    )


def _moves(d: Dialect) -> tuple[str, str, str]:
    """Statements adding {sign} times the stored rows matching {where} to the counters
    ({guard}: a table joined before the rows, or nothing)."""
    t = d.prefix
    share_set = ", ".join(f"{c} = c.{c} + excluded.{c}" for c in ("n", *SHARE_SUMS.split(", ")))
    share_sums = ", ".join(f"{{sign}} * SUM({c})" for c in SHARE_SUMS.split(", "))
    share_conflict = (
        f" ON CONFLICT (agency_id, bucket, submitted_day, classification) DO UPDATE SET {share_set}"
    )
    agencies = (
        f"INSERT INTO {t}proj_share_counts AS c SELECT submitted_day, agency_id,"
        f" classification, bucket, {{sign}} * COUNT(*), {share_sums} FROM {{guard}}{t}proj_shares"
        " WHERE {where} GROUP BY submitted_day, agency_id, classification, bucket" + share_conflict
    )
    national = (
        f"INSERT INTO {t}proj_share_counts AS c SELECT submitted_day, '', classification,"
        f" bucket, {{sign}} * COUNT(*), {share_sums} FROM {{guard}}{t}proj_reports"
        " WHERE {where} GROUP BY submitted_day, classification, bucket" + share_conflict
    )
    clock_set = ", ".join(f"{c} = c.{c} + excluded.{c}" for c in ("met", "late", "unfinished"))
    clocks = (
        f"INSERT INTO {t}proj_clock_counts AS c SELECT submitted_day, COALESCE(agency_id, ''),"
        " clock, classification,"
        " {sign} * SUM(CASE WHEN outcome = 'met' THEN 1 ELSE 0 END),"
        " {sign} * SUM(CASE WHEN outcome = 'late' THEN 1 ELSE 0 END),"
        " {sign} * SUM(CASE WHEN outcome IS NULL AND due_us IS NOT NULL THEN 1 ELSE 0 END)"
        f" FROM {{guard}}{t}proj_clocks"
        f" WHERE {{where}} AND stamped = 1 AND clock IN {FIGURE_CLOCKS}"
        " GROUP BY submitted_day, COALESCE(agency_id, ''), clock, classification"
        " ON CONFLICT (agency_id, clock, submitted_day, classification)"
        f" DO UPDATE SET {clock_set}"
    )
    return agencies, national, clocks


def moves(d: Dialect, sign: int) -> tuple[str, ...]:
    """The statements moving the touched reports' stored rows into (+1) or out of (-1) the
    counters; they bind the `ids` parameter."""
    return tuple(
        m.replace("{guard}", "").replace("{where}", d.ids).replace("{sign}", str(sign))
        for m in _moves(d)
    )


def lock(d: Dialect) -> tuple[str, ...]:
    """Lock both counter tables, in the order every writer takes them (PostgreSQL; nothing on
    SQLite, whose writers take turns): two parts of a rebuild ending together add to the same
    counter rows one after the other rather than row by row in different orders."""
    if d is not POSTGRES:
        return ()
    return (
        f"LOCK TABLE {d.prefix}proj_share_counts, {d.prefix}proj_clock_counts"
        " IN SHARE ROW EXCLUSIVE MODE",
    )


def part_moves(d: Dialect) -> tuple[str, ...]:
    """The statements adding the stored rows of one part's reports to the counters (a part of
    a rebuild in parts, once its rows are all written), after `lock`."""
    moves = (
        m.replace("{guard}", "").replace("{where}", d.in_part).replace("{sign}", "1")
        for m in _moves(d)
    )
    return (*lock(d), *moves)


SHARE_COUNT_COLUMNS = (
    "submitted_day", "agency_id", "classification", "bucket", "n", "returns", "redispositions",
    "handling", "followed_up",
)  # fmt: skip
CLOCK_COUNT_COLUMNS = (
    "submitted_day", "agency_id", "clock", "classification", "met", "late", "unfinished"
)  # fmt: skip


def additions(d: Dialect) -> tuple[str, ...]:
    """`lock`, then the statements adding one share counter row and one clock counter row:
    the counts a part added up in memory (`projections.reports.Tally`)."""
    t = d.prefix
    share_set = ", ".join(f"{c} = c.{c} + excluded.{c}" for c in SHARE_COUNT_COLUMNS[4:])
    clock_set = ", ".join(f"{c} = c.{c} + excluded.{c}" for c in CLOCK_COUNT_COLUMNS[4:])
    shares = (
        f"INSERT INTO {t}proj_share_counts AS c ({', '.join(SHARE_COUNT_COLUMNS)})"
        f" VALUES ({', '.join(d.p(c) for c in SHARE_COUNT_COLUMNS)})"
        " ON CONFLICT (agency_id, bucket, submitted_day, classification)"
        f" DO UPDATE SET {share_set}"
    )
    clocks = (
        f"INSERT INTO {t}proj_clock_counts AS c ({', '.join(CLOCK_COUNT_COLUMNS)})"
        f" VALUES ({', '.join(d.p(c) for c in CLOCK_COUNT_COLUMNS)})"
        " ON CONFLICT (agency_id, clock, submitted_day, classification)"
        f" DO UPDATE SET {clock_set}"
    )
    return (*lock(d), shares, clocks)


def cleanup(d: Dialect) -> tuple[str, ...]:
    """Drop the counter rows that went back to zero."""
    t = d.prefix
    return (
        f"DELETE FROM {t}proj_share_counts WHERE n = 0",
        f"DELETE FROM {t}proj_clock_counts WHERE met = 0 AND late = 0 AND unfinished = 0",
    )


def reset(d: Dialect) -> tuple[str, ...]:
    """Empty the counters (with the rows they count)."""
    return (f"DELETE FROM {d.prefix}proj_share_counts", f"DELETE FROM {d.prefix}proj_clock_counts")


def queries(d: Dialect) -> tuple[str, str, str]:
    """National shares, agency shares and clock figures, from the counters."""
    t = d.prefix
    period = f"submitted_day BETWEEN {d.p('first')} AND {d.p('last')}"
    cls = d.p("classification")
    kind = (
        f"({cls}::text IS NULL OR classification = {cls})"
        if d is POSTGRES
        else (f"({cls} IS NULL OR classification = {cls})")
    )
    sums = "SUM(n) AS n, " + ", ".join(f"SUM({c}) AS {c}" for c in SHARE_SUMS.split(", "))
    national = (
        f"SELECT bucket, {sums} FROM {t}proj_share_counts WHERE {period}"
        f" AND agency_id = '' AND {kind} GROUP BY bucket"
    )
    agencies = (
        f"SELECT agency_id, bucket, {sums} FROM {t}proj_share_counts WHERE {period}"
        f" AND agency_id <> '' AND {kind} GROUP BY agency_id, bucket"
    )
    clocks = (
        "SELECT agency_id, clock, SUM(met) AS met, SUM(missed) AS missed,"
        " SUM(pending) AS pending FROM ("
        " SELECT agency_id, clock, SUM(met) AS met, SUM(late + unfinished) AS missed,"
        f" 0 AS pending FROM {t}proj_clock_counts WHERE {period} AND {kind}"
        " GROUP BY agency_id, clock"
        " UNION ALL SELECT COALESCE(agency_id, ''), clock, 0, -COUNT(*), COUNT(*)"
        f" FROM {d.pending} WHERE outcome IS NULL AND stamped = 1"
        f" AND due_us >= {d.p('as_of_us')} AND clock IN {FIGURE_CLOCKS} AND {period} AND {kind}"
        " GROUP BY COALESCE(agency_id, ''), clock"
        ") AS f GROUP BY agency_id, clock"
    )
    return national, agencies, clocks
