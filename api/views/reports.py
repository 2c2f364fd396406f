"""Reports: submit (anonymous allowed), list, read and history."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask.views import MethodView

from api.auth import authenticated
from api.blueprint import Blueprint
from api.extension import usecases
from api.schemas.base import PurposeHeaders
from api.schemas.reports import (
    HistoryOut,
    ReportListArgs,
    ReportOut,
    ReportPageOut,
    SubmitIn,
    SubmitOut,
)
from ledger.access.principal import Principal
from ledger.usecases.results import HistoryView, ReportPage, ReportView, SubmitResult

blp = Blueprint("reports", __name__, url_prefix="/v1/reports", description="Laporan")


@blp.route("")
class Reports(MethodView):
    """The reports of the ledger."""

    @authenticated(anonymous_ok=True)
    @blp.arguments(SubmitIn)
    @blp.response(201, SubmitOut)
    def post(self, body: dict[str, Any], principal: Principal) -> SubmitResult:
        """Submit a report; without a token it is anonymous and returns a receipt once."""
        return usecases().reports.submit(principal, **body)

    @authenticated()
    @blp.arguments(ReportListArgs, location="query")
    @blp.response(200, ReportPageOut)
    def get(self, args: dict[str, Any], principal: Principal) -> ReportPage:
        """Reports the caller may read, in log order; continue with `cursor`."""
        return usecases().reports.list(principal, **args)


@blp.route("/<uuid:report_id>")
class Report(MethodView):
    """One report."""

    @authenticated()
    @blp.arguments(PurposeHeaders, location="headers")
    @blp.response(200, ReportOut, headers={"ETag": {"schema": {"type": "string"}}})
    def get(
        self, headers: dict[str, Any], report_id: UUID, principal: Principal
    ) -> tuple[ReportView, dict[str, str]]:
        """The clear header; sealed fields only for a stated, allowed `X-Purpose` (recorded)."""
        view = usecases().reports.read(principal, report_id, headers.get("purpose"))
        return view, {"ETag": f'"{view.header.version}"'}


@blp.route("/<uuid:report_id>/history")
class History(MethodView):
    """A report's hash-chained history."""

    @authenticated()
    @blp.arguments(PurposeHeaders, location="headers")
    @blp.response(200, HistoryOut)
    def get(self, headers: dict[str, Any], report_id: UUID, principal: Principal) -> HistoryView:
        """Every entry: leaf index, version, event type, time, prev hash, entry hash, fields."""
        return usecases().reports.history(principal, report_id, headers.get("purpose"))
