"""The whistleblower's receipt: status and answers; POST only, rate-limited across workers."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView

from api.blueprint import Blueprint
from api.extension import usecases
from api.schemas.receipts import ReceiptAnswerOut, ReceiptIn, ReceiptRespondIn, ReceiptStatusOut
from ledger.usecases.results import ReceiptAnswer, ReceiptStatus

blp = Blueprint("receipts", __name__, url_prefix="/v1/receipts", description="Tanda terima")
_LIMITED = {"Retry-After": {"schema": {"type": "integer"}}}


def _client() -> str:
    """The client address the rate limit counts (after ProxyFix, when configured)."""
    return request.remote_addr or "unknown"


@blp.route("/status")
class Status(MethodView):
    """The report's own timeline."""

    @blp.arguments(ReceiptIn)
    @blp.response(200, ReceiptStatusOut)
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, body: dict[str, Any]) -> ReceiptStatus:
        """Dates only, roles and agency names only, and the agency's answers."""
        return usecases().receipts.status(_client(), body["receipt"])


@blp.route("/respond")
class Respond(MethodView):
    """The whistleblower answers a question or a follow-up."""

    @blp.arguments(ReceiptRespondIn)
    @blp.response(201, ReceiptAnswerOut)
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, body: dict[str, Any]) -> ReceiptAnswer:
        """Record the answer (tanggapan pelapor) on the report."""
        return usecases().receipts.respond(_client(), body["receipt"], body["message"])
