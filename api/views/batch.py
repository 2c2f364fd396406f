"""`POST /v1/actions:batch`: many lifecycle actions in one request, atomic per report."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import request
from flask.views import MethodView
from marshmallow import ValidationError

from api.auth import authenticated
from api.blueprint import Blueprint
from api.extension import usecases
from api.problems import PROBLEM_TYPES, ledger_error
from api.schemas.actions import ACTIONS
from api.schemas.batch import BatchIn, BatchOut
from ledger.access.principal import Principal
from ledger.domain import InvalidCommand, LedgerError
from ledger.usecases.batch import MAX_ITEMS, BatchAborted, BatchActions, BatchItem, ItemOutcome

blp = Blueprint("batch", __name__, url_prefix="/v1", description="Batch appends (integrations)")

_SCHEMAS = {name: schema() for name, (schema, _) in ACTIONS.items()}
ABORTED = (424, "batch-report-failed", "Another item of the same report failed")


class InvalidArgs(InvalidCommand):
    """An item's `args` do not fit its action's schema; `messages` by field."""

    def __init__(self, messages: Any) -> None:
        self.messages = messages
        super().__init__("the arguments do not fit the action", field="args")


def check_args(action: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """The item's arguments through the action endpoint's own input schema."""
    try:
        loaded: dict[str, Any] = _SCHEMAS[action].load(dict(args))
    except ValidationError as e:
        raise InvalidArgs(e.messages) from None
    return loaded


def _problem(index: int, error: LedgerError) -> dict[str, Any]:
    instance = f"{request.path}#/items/{index}"
    if isinstance(error, BatchAborted):
        status, slug, title = ABORTED
        return {
            "type": PROBLEM_TYPES + slug,
            "title": title,
            "status": status,
            "detail": str(error),
            "instance": instance,
        }
    body: dict[str, Any] = json.loads(ledger_error(error).get_data())
    if isinstance(error, InvalidArgs):
        body["errors"] = {"args": error.messages}
    body["instance"] = instance
    return body


def _item(index: int, outcome: ItemOutcome) -> dict[str, Any]:
    if outcome.result is not None:
        replayed = outcome.result.replayed
        return {"index": index, "status": 201, "replayed": replayed, "result": outcome.result}
    assert outcome.error is not None
    problem = _problem(index, outcome.error)
    return {"index": index, "status": problem["status"], "replayed": False, "problem": problem}


@blp.route("/actions:batch")
class Batch(MethodView):
    """Batch appends for integrating systems (provincial systems syncing in bulk)."""

    @authenticated()
    @blp.arguments(BatchIn)
    @blp.response(200, BatchOut)
    @blp.doc(
        operationId="append_batch",
        summary=f"Append up to {MAX_ITEMS} actions; the items of one report all or none",
    )
    def post(self, body: dict[str, Any], principal: Principal) -> dict[str, Any]:
        items = [
            BatchItem(
                report_id=i["report_id"],
                action=i["action"],
                args=i["args"],
                expected_version=i.get("expected_version"),
                idempotency_key=i.get("idempotency_key"),
            )
            for i in body["items"]
        ]
        batch = BatchActions(usecases().actions)
        outcomes = batch.append(principal, items, check_args=check_args)
        results = [_item(n, outcome) for n, outcome in enumerate(outcomes)]
        replayed = sum(1 for r in results if r["replayed"])
        failed = sum(1 for r in results if r["status"] != 201)
        return {
            "results": results,
            "appended": len(results) - replayed - failed,
            "replayed": replayed,
            "failed": failed,
        }
