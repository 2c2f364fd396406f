"""Use cases of the API: one typed method per thing a caller can do, over the ledger."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from ledger.access.policy import Policy
from ledger.access.receipts import ReceiptHasher
from ledger.application import LedgerApplication
from ledger.deadlines import DeadlineStamper
from ledger.storage.access import AccessStore, access_store_for
from ledger.tlog import TransparencyLog, build_tlog
from ledger.usecases.actions import Actions
from ledger.usecases.agencies import Agencies
from ledger.usecases.appends import Opts
from ledger.usecases.config import AccessSettings
from ledger.usecases.idempotency import Idempotency
from ledger.usecases.log import TransparencyReads
from ledger.usecases.logaccess import LogAccess
from ledger.usecases.proofs import Proofs
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
    log: TransparencyReads
    proofs: Proofs

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
    tlog: Callable[[], TransparencyLog] | None = None,
    publishing: bool = True,
) -> UseCases:
    """Wire the use cases over a built ledger; defaults are resolved here, not at import.

    `tlog` gives the application's one transparency log (default: built from the
    environment on first use); without `publishing` no request waits for a checkpoint.
    """
    settings = settings if settings is not None else AccessSettings.from_env()
    stamper = stamper if stamper is not None else DeadlineStamper.load_default()
    hasher = hasher if hasher is not None else ReceiptHasher.load(app.settings.key_dir)
    clock = clock if clock is not None else _now
    store = access_store_for(app)
    policy = Policy(stamper.registry)
    factory = tlog if tlog is not None else partial(build_tlog, app)
    log = LogAccess(factory, settings.checkpoint_wait_s if publishing else 0)
    throttle = Throttle(
        store,
        name="receipt",
        per_client=settings.receipt_limit_per_client,
        total=settings.receipt_limit_total,
        window_s=settings.receipt_window_s,
        clock=clock,
    )
    return UseCases(
        reports=Reports(app, policy, store, hasher, clock, log, settings.receipt_proof_wait_s),
        actions=Actions(
            app, policy, stamper, Idempotency(store, settings.idempotency_ttl_s), clock, log
        ),
        receipts=Receipts(
            app, policy, store, hasher, throttle, clock, log, settings.receipt_proof_wait_s
        ),
        tokens=Tokens(store, stamper.registry, clock),
        agencies=Agencies(stamper.registry),
        store=store,
        log=TransparencyReads(log, app.ledger),
        proofs=Proofs(app, policy, log),
    )
