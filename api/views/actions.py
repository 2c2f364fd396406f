"""Actions on a report: one endpoint per lifecycle action, with If-Match and Idempotency-Key."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask.views import MethodView

from api.auth import authenticated
from api.blueprint import Blueprint
from api.extension import usecases
from api.schemas.actions import ACTIONS, ActionOut
from api.schemas.base import ActionHeaders, InSchema, checkpoint_wait, expected_version
from ledger.access.principal import Principal
from ledger.usecases import Opts
from ledger.usecases.results import ActionResult

blp = Blueprint(
    "actions", __name__, url_prefix="/v1/reports", description="Tindakan (lifecycle actions)"
)

_HEADERS = {
    "ETag": {"schema": {"type": "string"}, "description": "The report's new version"},
    "Idempotent-Replayed": {"schema": {"type": "string"}, "description": "true on a replay"},
    "Preference-Applied": {
        "schema": {"type": "string"},
        "description": "wait-for-checkpoint when a signed checkpoint covers the entry",
    },
}

_ACTION_HEADERS = ActionHeaders()


def _resource(name: str, schema: type[InSchema], summary: str) -> type[MethodView]:
    """The MethodView of one action: parse, call `usecases().actions.<name>`, serialize.

    The schemas are instances, built once: given a class, webargs builds one per request.
    """

    class Action(MethodView):
        @authenticated()
        @blp.arguments(schema())
        @blp.arguments(_ACTION_HEADERS, location="headers")
        @blp.response(201, ActionOut, headers=_HEADERS)
        @blp.alt_response(
            202,
            schema=ActionOut,
            headers=_HEADERS,
            description="Appended; no signed checkpoint covered it within the wait",
        )
        @blp.doc(summary=summary, operationId=name)
        def post(
            self,
            body: dict[str, Any],
            headers: dict[str, Any],
            report_id: UUID,
            principal: Principal,
        ) -> tuple[ActionResult, int, dict[str, str]]:
            opts = Opts(
                expected_version(headers.get("if_match")),
                headers.get("idempotency_key"),
                checkpoint_wait(headers.get("prefer")),
            )
            result: ActionResult = getattr(usecases().actions, name)(
                principal, report_id, opts, **body
            )
            extra = {"ETag": f'"{result.version}"'}
            if result.replayed:
                extra["Idempotent-Replayed"] = "true"
            if result.checkpoint_size is not None:
                extra["Preference-Applied"] = "wait-for-checkpoint"
            pending = result.waited and result.checkpoint_size is None
            return result, 202 if pending else 201, extra

    Action.__name__ = Action.__qualname__ = f"{name.title().replace('_', '')}Action"
    return Action


for _name, (_schema, _summary) in ACTIONS.items():
    blp.route(f"/<uuid:report_id>/actions/{_name}", endpoint=_name)(
        _resource(_name, _schema, _summary)
    )
