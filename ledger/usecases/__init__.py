"""Use cases of the API: one typed method per thing a caller can do, over the ledger."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from ledger.access.policy import Policy
from ledger.access.receipts import ReceiptHasher
from ledger.application import LedgerApplication
from ledger.deadlines import DeadlineStamper
from ledger.storage.access import AccessStore, access_store_for
from ledger.usecases.actions import Actions
from ledger.usecases.agencies import Agencies
from ledger.usecases.appends import Opts
from ledger.usecases.config import AccessSettings
from ledger.usecases.idempotency import Idempotency
from ledger.usecases.receipts import Receipts
from ledger.usecases.reports import Reports
from ledger.usecases.throttle import Throttle
from ledger.usecases.tokens import Tokens

__all__ = ["AccessSettings", "Opts", "UseCases", "build_usecases"]


@dataclass(frozen=True)
class UseCases:
    """Everything the API calls, grouped by what it works on."""

    reports: Reports
    actions: Actions
    receipts: Receipts
    tokens: Tokens
    agencies: Agencies
    store: AccessStore

    def ready(self) -> None:
        """Raise if the database cannot answer a query."""
        self.store.ping()


def _now() -> datetime:
    return datetime.now(UTC)


def build_usecases(
    app: LedgerApplication,
    settings: AccessSettings | None = None,
    *,
    stamper: DeadlineStamper | None = None,
    hasher: ReceiptHasher | None = None,
    clock: Callable[[], datetime] | None = None,
) -> UseCases:
    """Wire the use cases over a built ledger; defaults are resolved here, not at import."""
    settings = settings if settings is not None else AccessSettings.from_env()
    stamper = stamper if stamper is not None else DeadlineStamper.load_default()
    hasher = hasher if hasher is not None else ReceiptHasher.load(app.settings.key_dir)
    clock = clock if clock is not None else _now
    store = access_store_for(app)
    policy = Policy(stamper.registry)
    throttle = Throttle(
        store,
        name="receipt",
        per_client=settings.receipt_limit_per_client,
        total=settings.receipt_limit_total,
        window_s=settings.receipt_window_s,
        clock=clock,
    )
    return UseCases(
        reports=Reports(app, policy, store, hasher, clock),
        actions=Actions(
            app, policy, stamper, Idempotency(store, settings.idempotency_ttl_s), clock
        ),
        receipts=Receipts(app, policy, store, hasher, throttle, clock),
        tokens=Tokens(store, stamper.registry, clock),
        agencies=Agencies(stamper.registry),
        store=store,
    )
