"""Actions on a report: one endpoint per lifecycle action, with If-Match and Idempotency-Key."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask.views import MethodView

from api.auth import authenticated
from api.blueprint import Blueprint
from api.extension import usecases
from api.schemas.actions import ACTIONS, ActionOut
from api.schemas.base import ActionHeaders, InSchema, expected_version
from ledger.access.principal import Principal
from ledger.usecases import Opts
from ledger.usecases.results import ActionResult

blp = Blueprint(
    "actions", __name__, url_prefix="/v1/reports", description="Tindakan (lifecycle actions)"
)

_HEADERS = {
    "ETag": {"schema": {"type": "string"}, "description": "The report's new version"},
    "Idempotent-Replayed": {"schema": {"type": "string"}, "description": "true on a replay"},
}


def _resource(name: str, schema: type[InSchema], summary: str) -> type[MethodView]:
    """The MethodView of one action: parse, call `usecases().actions.<name>`, serialize."""

    class Action(MethodView):
        @authenticated()
        @blp.arguments(schema)
        @blp.arguments(ActionHeaders, location="headers")
        @blp.response(201, ActionOut, headers=_HEADERS)
        @blp.doc(summary=summary, operationId=name)
        def post(
            self,
            body: dict[str, Any],
            headers: dict[str, Any],
            report_id: UUID,
            principal: Principal,
        ) -> tuple[ActionResult, dict[str, str]]:
            opts = Opts(expected_version(headers.get("if_match")), headers.get("idempotency_key"))
            result: ActionResult = getattr(usecases().actions, name)(
                principal, report_id, opts, **body
            )
            replayed = {"Idempotent-Replayed": "true"} if result.replayed else {}
            return result, {"ETag": f'"{result.version}"', **replayed}

    Action.__name__ = Action.__qualname__ = f"{name.title().replace('_', '')}Action"
    return Action


for _name, (_schema, _summary) in ACTIONS.items():
    blp.route(f"/<uuid:report_id>/actions/{_name}", endpoint=_name)(
        _resource(_name, _schema, _summary)
    )
