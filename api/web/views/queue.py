"""The agency queue: verification queue, inbox and overdue list, with the compliance summary."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import render_template, request

from api.web.blueprint import bp
from api.web.queues import NATIONWIDE, SORTS, queue_for
from api.web.session import require_principal


@bp.get("/antrian")
def queue() -> str:
    """Sortable by due date, waiting time, state or kind (links, so no script is needed)."""
    who = require_principal()
    sort = request.args.get("sort", "due")
    sort = sort if sort in SORTS else "due"
    desc = request.args.get("dir") == "desc"
    agency = request.args.get("agency") or None
    now = datetime.now(UTC)
    found = queue_for(who, now, agency=agency, sort=sort, desc=desc)
    return render_template(
        "queue.html", queue=found, sort=sort, desc=desc, now=now, nationwide=who.role in NATIONWIDE
    )
