"""A report's proofs of inclusion in the transparency log, for those who read its history."""

from __future__ import annotations

from uuid import UUID

from flask import Response
from flask.views import MethodView

from api.auth import authenticated
from api.blueprint import Blueprint
from api.extension import usecases
from api.schemas.log import ReportProofOut
from api.views.log import STRING, TEXT, text
from ledger.access.principal import Principal
from ledger.usecases.log_results import ReportProof

blp = Blueprint("proofs", __name__, url_prefix="/v1/reports", description="Bukti (log proofs)")


@blp.route("/<uuid:report_id>/proof")
class ReportProofResource(MethodView):
    """A report's history with an inclusion proof of each entry."""

    @authenticated()
    @blp.response(200, ReportProofOut)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, report_id: UUID, principal: Principal) -> ReportProof:
        """Every entry a signed checkpoint covers, with its proof (`lapor-verify report`)."""
        return usecases().proofs.report_proof(principal, report_id)


@blp.route("/<uuid:report_id>/entries/<int:version>/tlog-proof")
class EntryProof(MethodView):
    """One entry's offline proof, c2sp.org/tlog-proof@v1."""

    @authenticated()
    @blp.response(200, STRING, content_type=TEXT, description="A .tlog-proof file")
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, report_id: UUID, version: int, principal: Principal) -> Response:
        """The tlog-proof of one version of the report (`lapor-verify receipt`)."""
        return text(usecases().proofs.entry_proof(principal, report_id, version))
