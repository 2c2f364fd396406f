"""Officers' and auditors' pages: sign in and out, the report list, a report's timeline.

A report's timeline calls the same use cases as `GET /v1/reports/{id}/history` (sealed
fields only for a stated, allowed purpose, the disclosure recorded first) and
`GET /v1/reports/{id}/proof`; the deadline marks come from the projections' SLA clocks.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from api.extension import usecases
from api.web.blueprint import bp
from api.web.evidence import report_evidence
from api.web.forms import LoginForm, PurposeForm
from api.web.queues import projections
from api.web.session import require_principal, sign_in, sign_out
from ledger.domain import Role
from ledger.usecases.results import HistoryView
from projections import queries
from projections.queries import ClockStatus, ReportSla

AUDITORS = frozenset({Role.OMBUDSMAN_AUDITOR, Role.KID_AUDITOR})  # they start from the reports


@bp.route("/masuk", methods=["GET", "POST"])
def login() -> str | Response:
    """Sign in with an API token; the session remembers only the token's id."""
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("login.html", form=form, message=None)
    principal = sign_in(form.token.data.strip())
    target = "web.reports" if principal.role in AUDITORS else "web.queue"
    return redirect(url_for(target), 303)


@bp.post("/keluar")
def logout() -> Response:
    """Sign out."""
    sign_out()
    return redirect(url_for("web.home"), 303)


@bp.get("/laporan")
def reports() -> str:
    """The reports the officer may read, in log order, page by page."""
    who = require_principal()
    cursor = request.args.get("cursor", type=int, default=-1)
    page = usecases().reports.list(who, cursor=cursor, limit=50)
    return render_template("reports.html", page=page)


@bp.route("/laporan/<uuid:report_id>", methods=["GET", "POST"])
def report(report_id: UUID) -> str:
    """Every entry of a report with hashes, links, actors and deadlines; verified in-browser."""
    who = require_principal()
    form = PurposeForm()
    purpose = form.stated() if form.validate_on_submit() else None
    history = usecases().reports.history(who, report_id, purpose)
    try:
        sla = queries.report_sla(projections(), str(report_id), now=datetime.now(UTC))
    except queries.UnknownReport:
        sla = None
    return render_template(
        "report.html",
        history=history,
        evidence=report_evidence(who, report_id),
        sla=sla,
        marks=deadline_marks(history, sla),
        form=form,
    )


def deadline_marks(history: HistoryView, sla: ReportSla | None) -> dict[int, list[ClockStatus]]:
    """The clocks each entry stopped (by the action's business time), to mark on its line."""
    marks: dict[int, list[ClockStatus]] = {}
    for clock in sla.clocks if sla else []:
        for entry in history.entries:
            at = entry.header.get("at")
            if clock.stopped_at and at and datetime.fromisoformat(at) == clock.stopped_at:
                marks.setdefault(entry.stream_version, []).append(clock)
                break
    return marks
