"""Settings of the ledger, read from the environment in one place."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit
from uuid import uuid4

DEFAULT_DATABASE_URL = "sqlite:///var/ledger.sqlite3"
DEFAULT_ORIGIN = "lapor.go.id/ledger"
DEFAULT_KEY_DIR = "var/keys"


class SettingsError(ValueError):
    """A setting has a value the ledger cannot use."""


@dataclass(frozen=True)
class DatabaseUrl:
    """A parsed `LEDGER_DATABASE_URL`: `sqlite:///path`, `sqlite://:memory:` or `postgresql://…`."""

    scheme: str
    path: str = ""
    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: str = ""
    dbname: str = "postgres"
    schema: str = ""

    @classmethod
    def parse(cls, url: str) -> DatabaseUrl:
        """Parse a database URL, refusing schemes the ledger does not support."""
        parts = urlsplit(url)
        if parts.scheme == "sqlite":
            path = parts.netloc + parts.path
            if path.startswith("/") and parts.netloc == "":
                path = path[1:]
            if not path:
                raise SettingsError(f"sqlite URL without a file: {url!r}")
            return cls(scheme="sqlite", path=path)
        if parts.scheme in ("postgresql", "postgres"):
            query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
            return cls(
                scheme="postgresql",
                host=parts.hostname or "127.0.0.1",
                port=parts.port or 5432,
                user=unquote(parts.username or "postgres"),
                password=unquote(parts.password or ""),
                dbname=parts.path.lstrip("/") or "postgres",
                schema=query.get("schema", ""),
            )
        raise SettingsError(
            f"unsupported database URL scheme {parts.scheme!r}: use sqlite:///FILE or postgresql://"
        )

    @property
    def is_memory(self) -> bool:
        """True for an in-memory SQLite database (unit tests only)."""
        return self.scheme == "sqlite" and ":memory:" in self.path

    def redacted(self) -> str:
        """The URL without its password, for messages and logs."""
        if self.scheme == "sqlite":
            return f"sqlite:///{self.path}"
        schema = f"?schema={self.schema}" if self.schema else ""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.dbname}{schema}"


@dataclass(frozen=True)
class Settings:
    """Everything the composition root needs to build a ledger."""

    database: DatabaseUrl
    origin: str = DEFAULT_ORIGIN
    key_dir: Path = Path(DEFAULT_KEY_DIR)
    lock_timeout_s: int = 5
    pool_size: int = 5
    create_tables: bool = True

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read `LEDGER_*` variables; defaults are the embedded SQLite development setup."""
        env = os.environ if environ is None else environ
        url = env.get("LEDGER_DATABASE_URL", DEFAULT_DATABASE_URL)
        origin = env.get("LEDGER_LOG_ORIGIN", DEFAULT_ORIGIN)
        if not origin or any(c.isspace() for c in origin):
            raise SettingsError(
                f"LEDGER_LOG_ORIGIN must be one word without spaces, got {origin!r}"
            )
        try:
            lock_timeout = int(env.get("LEDGER_LOCK_TIMEOUT", "5"))
            pool_size = int(env.get("LEDGER_POOL_SIZE", "5"))
        except ValueError as e:
            raise SettingsError(
                f"LEDGER_LOCK_TIMEOUT and LEDGER_POOL_SIZE are integers: {e}"
            ) from None
        if lock_timeout <= 0:
            raise SettingsError("LEDGER_LOCK_TIMEOUT must be a positive number of seconds")
        create = env.get("LEDGER_CREATE_TABLES", "true").strip().lower()
        if create not in ("true", "false", "1", "0", "yes", "no"):
            raise SettingsError(f"LEDGER_CREATE_TABLES must be true or false, got {create!r}")
        return cls(
            create_tables=create in ("true", "1", "yes"),
            database=DatabaseUrl.parse(url),
            origin=origin,
            key_dir=Path(env.get("LEDGER_KEY_DIR", DEFAULT_KEY_DIR)),
            lock_timeout_s=lock_timeout,
            pool_size=pool_size,
        )

    def eventsourcing_env(self, name: str) -> dict[str, str]:
        """The environment eventsourcing's infrastructure factory reads."""
        db = self.database
        if db.scheme == "sqlite":
            if not db.is_memory:
                Path(db.path).parent.mkdir(parents=True, exist_ok=True)
            dbname = (
                f"file:ledger_{uuid4().hex}?mode=memory&cache=shared" if db.is_memory else db.path
            )
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": dbname,
                "SQLITE_LOCK_TIMEOUT": str(self.lock_timeout_s),
                "CREATE_TABLE": "y" if self.create_tables else "n",
            }
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": db.dbname,
            "POSTGRES_HOST": db.host,
            "POSTGRES_PORT": str(db.port),
            "POSTGRES_USER": db.user,
            "POSTGRES_PASSWORD": db.password,
            "POSTGRES_SCHEMA": db.schema,
            # DESIGN: never POSTGRES_ENABLE_DB_FUNCTIONS; always a finite lock timeout.
            "POSTGRES_LOCK_TIMEOUT": str(self.lock_timeout_s),
            "POSTGRES_POOL_SIZE": str(self.pool_size),
            "POSTGRES_MAX_OVERFLOW": str(self.pool_size),
            "POSTGRES_CONNECT_TIMEOUT": "10",
            "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "30",
            "CREATE_TABLE": "y" if self.create_tables else "n",
        }
