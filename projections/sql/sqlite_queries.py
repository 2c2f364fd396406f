"""The read queries of the projections on SQLite (lists page by keyset, figures add up)."""

from __future__ import annotations

QUEUE = (
    "SELECT report_id, version, state, classification, privacy, urgency, intake_agency_id,"
    " agency_id, unit_id, submitted_us, assigned_us, next_due_us, awaiting_reporter"
    " FROM proj_reports WHERE state IN ('submitted', 'on_hold')"
    " AND (:agency IS NULL OR intake_agency_id = :agency)"
    " AND (:ids IS NULL OR intake_agency_id IN (SELECT value FROM json_each(:ids)))"
    " AND (:classification IS NULL OR classification = :classification)"
    " AND (submitted_us, report_id) > (:after_us, :after_id)"
    " ORDER BY submitted_us, report_id LIMIT :limit"
)
INBOX = (
    "SELECT report_id, version, state, classification, privacy, urgency, intake_agency_id,"
    " agency_id, unit_id, submitted_us, assigned_us, next_due_us, awaiting_reporter"
    " FROM proj_reports WHERE agency_id = :agency"
    " AND state IN ('dispositioned', 'in_follow_up', 'reporter_responded', 'reopened')"
    " AND (:unit IS NULL OR unit_id = :unit)"
    " AND (:classification IS NULL OR classification = :classification)"
    " AND (assigned_us, report_id) > (:after_us, :after_id)"
    " ORDER BY assigned_us, report_id LIMIT :limit"
)
OVERDUE = (
    "SELECT c.report_id, c.clock, c.agency_id, c.started_us, c.due_us, r.state,"
    " r.classification, r.unit_id, r.version FROM proj_clocks c"
    " JOIN proj_reports r ON r.report_id = c.report_id"
    " WHERE c.outcome IS NULL AND c.due_us < :now_us"
    " AND (:agency IS NULL OR c.agency_id = :agency)"
    " AND (:ids IS NULL OR c.agency_id IN (SELECT value FROM json_each(:ids)))"
    " AND (:unit IS NULL OR r.unit_id = :unit)"
    " AND (:classification IS NULL OR c.classification = :classification)"
    " AND (c.due_us, c.report_id, c.clock) > (:after_us, :after_id, :after_clock)"
    " ORDER BY c.due_us, c.report_id, c.clock LIMIT :limit"
)
OVERDUE_AGENCY = (  # the same, for one agency: index proj_clocks_open_agency
    "SELECT c.report_id, c.clock, c.agency_id, c.started_us, c.due_us, r.state,"
    " r.classification, r.unit_id, r.version FROM proj_clocks c"
    " JOIN proj_reports r ON r.report_id = c.report_id"
    " WHERE c.outcome IS NULL AND c.due_us < :now_us"
    " AND c.agency_id = :agency"
    " AND (:ids IS NULL OR c.agency_id IN (SELECT value FROM json_each(:ids)))"
    " AND (:unit IS NULL OR r.unit_id = :unit)"
    " AND (:classification IS NULL OR c.classification = :classification)"
    " AND (c.due_us, c.report_id, c.clock) > (:after_us, :after_id, :after_clock)"
    " ORDER BY c.due_us, c.report_id, c.clock LIMIT :limit"
)
DAILY = (
    "SELECT day, kind, SUM(n) AS n FROM proj_daily WHERE day BETWEEN :first AND :last"
    " AND (:classification IS NULL OR classification = :classification)"
    " GROUP BY day, kind ORDER BY day, kind"
)
