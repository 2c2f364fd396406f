"""The read side the HTTP layer calls: typed queries returning plain dataclasses."""

from __future__ import annotations

from projections.compliance import ComplianceRow, DailyStats, GroupBy, compliance, daily_stats
from projections.lists import InboxItem, OverdueItem, QueueItem, inbox, overdue, verification_queue
from projections.paging import InvalidCursor, Page
from projections.rules.figures import ClockFigure, Figures, Period
from projections.sla_status import ClockStatus, ReportSla, UnknownReport, report_sla

__all__ = [
    "ClockFigure",
    "ClockStatus",
    "ComplianceRow",
    "DailyStats",
    "Figures",
    "GroupBy",
    "InboxItem",
    "InvalidCursor",
    "OverdueItem",
    "Page",
    "Period",
    "QueueItem",
    "ReportSla",
    "UnknownReport",
    "compliance",
    "daily_stats",
    "inbox",
    "overdue",
    "report_sla",
    "verification_queue",
]
