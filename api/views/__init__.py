"""Views: parse, call one use case, serialize. No SQL, hashing or rules here."""

from __future__ import annotations

from api.blueprint import Blueprint
from api.views.actions import blp as actions
from api.views.agencies import blp as agencies
from api.views.batch import blp as batch
from api.views.figures import blp as figures
from api.views.log import blp as log
from api.views.proofs import blp as proofs
from api.views.queues import blp as queues
from api.views.receipts import blp as receipts
from api.views.reports import blp as reports
from api.views.system import blp as system

BLUEPRINTS: tuple[Blueprint, ...] = (
    reports,
    actions,
    batch,
    proofs,
    receipts,
    queues,
    figures,
    log,
    agencies,
    system,
)
