"""Liveness, readiness and the caller's identity."""

from __future__ import annotations

from flask.views import MethodView

from api.auth import authenticated
from api.blueprint import Blueprint
from api.extension import holder
from api.schemas.misc import HealthOut, WhoAmIOut
from ledger.access.principal import Principal

blp = Blueprint("system", __name__, description="Health and identity")


@blp.route("/healthz")
class Health(MethodView):
    """The process answers."""

    @blp.response(200, HealthOut)
    def get(self) -> dict[str, str]:
        """Liveness: no database involved."""
        return {"status": "ok"}


@blp.route("/readyz")
class Ready(MethodView):
    """The database answers."""

    @blp.response(200, HealthOut)
    @blp.alt_response(503, response="SERVICE_UNAVAILABLE")
    def get(self) -> dict[str, str]:
        """Readiness: a query reaches the database."""
        holder().ready()
        return {"status": "ready"}


@blp.route("/v1/whoami")
class WhoAmI(MethodView):
    """The caller."""

    @authenticated()
    @blp.response(200, WhoAmIOut)
    def get(self, principal: Principal) -> Principal:
        """The role, agency and label of the bearer token."""
        return principal
