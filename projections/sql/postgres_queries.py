"""The read queries of the projections on PostgreSQL (lists page by keyset, figures add up)."""

from __future__ import annotations

QUEUE = (
    "SELECT report_id, version, state, classification, privacy, urgency, intake_agency_id,"
    " agency_id, unit_id, submitted_us, assigned_us, next_due_us, awaiting_reporter"
    " FROM {schema}.proj_reports WHERE state IN ('submitted', 'on_hold')"
    " AND (%(agency)s::text IS NULL OR intake_agency_id = %(agency)s)"
    " AND (%(ids)s::text[] IS NULL OR intake_agency_id = ANY(%(ids)s::text[]))"
    " AND (%(classification)s::text IS NULL OR classification = %(classification)s)"
    " AND (submitted_us, report_id) > (%(after_us)s, %(after_id)s)"
    " ORDER BY submitted_us, report_id LIMIT %(limit)s"
)
INBOX = (
    "SELECT report_id, version, state, classification, privacy, urgency, intake_agency_id,"
    " agency_id, unit_id, submitted_us, assigned_us, next_due_us, awaiting_reporter"
    " FROM {schema}.proj_reports WHERE agency_id = %(agency)s"
    " AND state IN ('dispositioned', 'in_follow_up', 'reporter_responded', 'reopened')"
    " AND (%(unit)s::text IS NULL OR unit_id = %(unit)s)"
    " AND (%(classification)s::text IS NULL OR classification = %(classification)s)"
    " AND (assigned_us, report_id) > (%(after_us)s, %(after_id)s)"
    " ORDER BY assigned_us, report_id LIMIT %(limit)s"
)
OVERDUE = (
    "SELECT c.report_id, c.clock, c.agency_id, c.started_us, c.due_us, r.state,"
    " r.classification, r.unit_id, r.version FROM {schema}.proj_clocks c"
    " JOIN {schema}.proj_reports r ON r.report_id = c.report_id"
    " WHERE c.outcome IS NULL AND c.due_us < %(now_us)s"
    " AND (%(agency)s::text IS NULL OR c.agency_id = %(agency)s)"
    " AND (%(ids)s::text[] IS NULL OR c.agency_id = ANY(%(ids)s::text[]))"
    " AND (%(unit)s::text IS NULL OR r.unit_id = %(unit)s)"
    " AND (%(classification)s::text IS NULL OR c.classification = %(classification)s)"
    " AND (c.due_us, c.report_id, c.clock) > (%(after_us)s, %(after_id)s, %(after_clock)s)"
    " ORDER BY c.due_us, c.report_id, c.clock LIMIT %(limit)s"
)
OVERDUE_AGENCY = (  # the same, for one agency: index proj_clocks_open_agency
    "SELECT c.report_id, c.clock, c.agency_id, c.started_us, c.due_us, r.state,"
    " r.classification, r.unit_id, r.version FROM {schema}.proj_clocks c"
    " JOIN {schema}.proj_reports r ON r.report_id = c.report_id"
    " WHERE c.outcome IS NULL AND c.due_us < %(now_us)s"
    " AND c.agency_id = %(agency)s"
    " AND (%(ids)s::text[] IS NULL OR c.agency_id = ANY(%(ids)s::text[]))"
    " AND (%(unit)s::text IS NULL OR r.unit_id = %(unit)s)"
    " AND (%(classification)s::text IS NULL OR c.classification = %(classification)s)"
    " AND (c.due_us, c.report_id, c.clock) > (%(after_us)s, %(after_id)s, %(after_clock)s)"
    " ORDER BY c.due_us, c.report_id, c.clock LIMIT %(limit)s"
)
DAILY = (
    "SELECT day, kind, SUM(n) AS n FROM {schema}.proj_daily"
    " WHERE day BETWEEN %(first)s AND %(last)s"
    " AND (%(classification)s::text IS NULL OR classification = %(classification)s)"
    " GROUP BY day, kind ORDER BY day, kind"
)
