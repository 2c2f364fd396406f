"""The agency registry (public)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.blueprint import Blueprint
from api.extension import usecases
from api.schemas.misc import AgencyListArgs, AgencyOut
from ledger.agencies.registry import Agency

blp = Blueprint("agencies", __name__, url_prefix="/v1/agencies", description="Instansi (K/L/D)")


@blp.route("")
class Agencies(MethodView):
    """Every agency and unit connected to the ledger."""

    @blp.arguments(AgencyListArgs, location="query")
    @blp.response(200, AgencyOut(many=True))
    def get(self, args: dict[str, Any]) -> list[Agency]:
        """Agencies in registry order."""
        return usecases().agencies.list(**args)


@blp.route("/<agency_id>")
class AgencyResource(MethodView):
    """One agency."""

    @blp.response(200, AgencyOut)
    def get(self, agency_id: str) -> Agency:
        """An agency by id."""
        return usecases().agencies.get(agency_id)
