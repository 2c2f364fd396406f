"""Work queues from the projections: verification queue, inboxes, overdue clocks.

Each list is scoped to the caller's agencies (docs/api.md, "Queues and figures") and paged by
an opaque cursor. The projections follow the log about once a second.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.auth import authenticated
from api.blueprint import Blueprint
from api.extension import oversight
from api.schemas.queues import (
    InboxArgs,
    InboxPageOut,
    OverdueArgs,
    OverduePageOut,
    QueueArgs,
    QueuePageOut,
)
from ledger.access.principal import Principal

blp = Blueprint("queues", __name__, url_prefix="/v1/queues", description="Antrean kerja")


@blp.route("/verification")
class VerificationQueue(MethodView):
    """Reports awaiting verification and disposition (belum terverifikasi, tunda)."""

    @authenticated()
    @blp.arguments(QueueArgs, location="query")
    @blp.response(200, QueuePageOut)
    def get(self, args: dict[str, Any], principal: Principal) -> Any:
        """Oldest first, with the (expected) verification due; null while on hold."""
        return oversight().verification_queue(principal, **args)


@blp.route("/inbox")
class Inbox(MethodView):
    """An agency's or unit's open reports."""

    @authenticated()
    @blp.arguments(InboxArgs, location="query")
    @blp.response(200, InboxPageOut)
    def get(self, args: dict[str, Any], principal: Principal) -> Any:
        """Dispositioned and not completed, by disposition time, with the next due time."""
        return oversight().inbox(principal, **args)


@blp.route("/overdue")
class Overdue(MethodView):
    """Running clocks past their due time."""

    @authenticated()
    @blp.arguments(OverdueArgs, location="query")
    @blp.response(200, OverduePageOut)
    def get(self, args: dict[str, Any], principal: Principal) -> Any:
        """Every running clock with `now` after its due time, most overdue first."""
        return oversight().overdue(principal, **args)
