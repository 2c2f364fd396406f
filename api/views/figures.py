"""Figures from the projections: a report's SLA clocks, compliance (JSON or CSV), daily volumes."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, request
from flask.views import MethodView

from api.auth import authenticated
from api.blueprint import Blueprint
from api.extension import oversight
from api.schemas.figures import ComplianceArgs, ComplianceOut, DailyArgs, DailyOut, compliance_csv
from api.schemas.queues import ReportSlaOut, SlaArgs
from ledger.access.principal import Principal

blp = Blueprint("figures", __name__, url_prefix="/v1", description="Kepatuhan SLA")

CSV = "text/csv"
CSV_DOC: dict[str, Any] = {
    "responses": {200: {"content": {CSV: {"schema": {"type": "string"}}}}},
}


def wants_csv(chosen: str | None) -> bool:
    """`format` decides; otherwise the Accept header (JSON unless CSV is preferred)."""
    if chosen is not None:
        return chosen == "csv"
    return request.accept_mimetypes.best_match(["application/json", CSV]) == CSV


@blp.route("/reports/<uuid:report_id>/sla")
class ReportSla(MethodView):
    """A report's SLA clocks."""

    @authenticated()
    @blp.arguments(SlaArgs, location="query")
    @blp.response(200, ReportSlaOut)
    def get(self, args: dict[str, Any], report_id: UUID, principal: Principal) -> Any:
        """Every clock: agency, start, due, stop, outcome, and its status at `now`."""
        return oversight().report_sla(principal, report_id, **args)


@blp.route("/compliance")
class Compliance(MethodView):
    """Compliance with the deadlines and the 90 % follow-up target."""

    @authenticated()
    @blp.arguments(ComplianceArgs, location="query")
    @blp.response(200, ComplianceOut)
    @blp.doc(**CSV_DOC)
    def get(self, args: dict[str, Any], principal: Principal) -> Any:
        """Per agency, hub or nationally; `Accept: text/csv` or `format=csv` for a CSV file.

        The JSON is the compliance document that `lapor-verify sla BUNDLE --compare URL`
        checks: `tree_size` is the log size the figures were computed at.
        """
        csv = wants_csv(args.pop("format", None))
        found = oversight().compliance(principal, **args)
        if not csv:
            return found
        body = compliance_csv(ComplianceOut().dump(found))
        disposition = 'attachment; filename="compliance.csv"'
        return Response(body, mimetype=CSV, headers={"Content-Disposition": disposition})


@blp.route("/stats/daily")
class DailyStats(MethodView):
    """National daily volumes and resolution rates."""

    @authenticated()
    @blp.arguments(DailyArgs, location="query")
    @blp.response(200, DailyOut)
    def get(self, args: dict[str, Any], principal: Principal) -> dict[str, Any]:
        """Per day (WIB): actions of each kind, and how many of its reports are resolved now."""
        return {"days": oversight().daily_stats(principal, **args)}
