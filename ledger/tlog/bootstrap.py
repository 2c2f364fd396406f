"""Composition of the transparency log over a ledger application's own datastore."""

from __future__ import annotations

from functools import partial

from eventsourcing.postgres import PostgresFactory
from eventsourcing.sqlite import SQLiteFactory

from ledger.application import LedgerApplication
from ledger.tlog.config import TlogConfig
from ledger.tlog.errors import LogKeyError
from ledger.tlog.keys import LogKeys
from ledger.tlog.log import TransparencyLog
from ledger.tlog.postgres_store import PostgresTlogStore
from ledger.tlog.publisher import TlogPublisher
from ledger.tlog.sqlite_store import SQLiteTlogStore
from ledger.tlog.store import TlogStore


def tlog_store(app: LedgerApplication) -> TlogStore:
    """The transparency-log tables on the application's backend, created if missing unless
    the settings say not to run DDL (`LEDGER_CREATE_TABLES=false`: an application role, or a
    node on a streaming replica)."""
    factory = app.factory
    store: TlogStore
    if isinstance(factory, SQLiteFactory):
        store = SQLiteTlogStore(factory.datastore)
    elif isinstance(factory, PostgresFactory):
        store = PostgresTlogStore(factory.datastore)
    else:
        raise TypeError(f"no transparency-log store for {type(factory).__name__}")
    if app.settings.create_tables:  # false: the owner made them (a replica is read-only)
        store.create_tables()
    return store


def build_tlog(app: LedgerApplication, config: TlogConfig | None = None) -> TransparencyLog:
    """The transparency log of a ledger; settings come from the environment unless given."""
    config = config if config is not None else TlogConfig.from_env(app.settings)
    if config.origin != app.ledger.origin:
        raise LogKeyError(
            f"log origin expected {app.ledger.origin!r} (the ledger's), got {config.origin!r}"
        )
    keys = partial(
        LogKeys.load,
        config.key_dir,
        config.origin,
        create=config.create_dev_keys and config.signing,
        signing=config.signing,
    )
    keys()  # fail now, not in the publisher thread, if the keys are unusable
    return TransparencyLog(tlog_store(app), config.origin, keys, config.policy(), app.ledger)


def build_publisher(tlog: TransparencyLog, config: TlogConfig) -> TlogPublisher:
    """A publisher for the log at the configured interval (not started)."""
    return TlogPublisher(tlog, config.interval_s)
