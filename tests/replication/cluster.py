"""A throwaway PostgreSQL primary with one streaming replica, on loopback, for tests.

`PgCluster` runs the server binaries itself (initdb, pg_ctl, pg_basebackup) in a temporary
folder, on free loopback ports, and removes everything on exit, failure included:

    with PgCluster() as cluster:
        write(cluster.primary_url())
        cluster.wait_replayed()            # the replica has replayed the primary's current LSN
        read(cluster.replica_url())

PostgreSQL refuses to run as root: under root the binaries run as the `postgres` OS user
(`runuser`), otherwise as the current user. Every wait is bounded; a failure raises
`ClusterError` with the tail of the server's log.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import psycopg
from psycopg.rows import dict_row

BIN_ENV = "LEDGER_TEST_PG_BIN"
"""Folder of the PostgreSQL server binaries; default: the newest /usr/lib/postgresql/N/bin."""
OS_USER = "postgres"
SUPERUSER = "postgres"
SLOT = "lapor_replica"
MIN_VERSION = 15
TOOLS = ("initdb", "pg_ctl", "pg_basebackup", "postgres")
PORT_TAKEN = "Address already in use"

SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "wal_level": "replica",
    "max_wal_senders": "4",
    "max_replication_slots": "4",
    "wal_keep_size": "'64MB'",
    "hot_standby": "on",
    "hot_standby_feedback": "on",
    "wal_receiver_status_interval": "1s",
    "max_connections": "60",
    "shared_buffers": "'32MB'",
    # A disposable test cluster: durability of the files is not what the test is about.
    "fsync": "off",
    "logging_collector": "off",
    "log_min_messages": "warning",
}
HBA = """\
local   all           all                 trust
host    all           all   127.0.0.1/32  trust
local   replication   all                 trust
host    replication   all   127.0.0.1/32  trust
"""


class ClusterUnavailable(RuntimeError):
    """The PostgreSQL binaries (or the OS user to run them as) are not on this machine."""


class ClusterError(RuntimeError):
    """A server did not start, replicate or stop in time; the message has its log's tail."""


@dataclass(frozen=True)
class PgBinaries:
    """Where the server binaries are and which OS user runs them (None: this process's)."""

    bindir: Path
    run_as: str | None

    @classmethod
    def find(cls) -> PgBinaries:
        """Locate PostgreSQL 15+ binaries; raises ClusterUnavailable saying what is missing."""
        bindir = _bindir()
        missing = [t for t in TOOLS if not (bindir / t).is_file()]
        if missing:
            raise ClusterUnavailable(
                f"PostgreSQL server binaries not found in {bindir} (missing {', '.join(missing)});"
                f" install PostgreSQL {MIN_VERSION}+ or set {BIN_ENV}"
            )
        run_as: str | None = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam(OS_USER)
            except KeyError:
                raise ClusterUnavailable(
                    f"running as root and there is no {OS_USER!r} OS user to run PostgreSQL as"
                ) from None
            if shutil.which("runuser") is None:
                raise ClusterUnavailable("running as root and `runuser` is not installed")
            run_as = OS_USER
        binaries = cls(bindir, run_as)
        version = binaries.version()
        if version < MIN_VERSION:
            raise ClusterUnavailable(f"PostgreSQL {version} in {bindir}; {MIN_VERSION}+ needed")
        return binaries

    def command(self, tool: str, *args: str) -> list[str]:
        """The argv that runs a tool as the right OS user."""
        argv = [str(self.bindir / tool), *args]
        return argv if self.run_as is None else ["runuser", "-u", self.run_as, "--", *argv]

    def version(self) -> int:
        """The major version of the server binaries."""
        out = subprocess.run(
            [str(self.bindir / "postgres"), "--version"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
        found = re.search(r"(\d+)(?:\.\d+)?", out)
        if found is None:
            raise ClusterUnavailable(f"cannot read the PostgreSQL version from {out!r}")
        return int(found.group(1))


def _bindir() -> Path:
    configured = os.environ.get(BIN_ENV)
    if configured:
        return Path(configured)
    versions = []
    for candidate in Path("/usr/lib/postgresql").glob("*/bin"):
        with contextlib.suppress(ValueError):
            versions.append((int(candidate.parent.name), candidate))
    if versions:
        return max(versions)[1]
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else Path("/usr/lib/postgresql/bin")


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    """One PostgreSQL server of the cluster: its data folder, port and log file."""

    name: str
    datadir: Path
    port: int
    logfile: Path
    started: bool = False

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the server's log (for error messages)."""
        try:
            text = self.logfile.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def runs_as(self, pid: int) -> bool:
        """Whether process `pid` is this server's postmaster (its command line names the data
        folder), so that a stale pid file never gets another process killed."""
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return False
        return str(self.datadir).encode() in argv

    def postmaster_pid(self) -> int | None:
        """The postmaster's pid from its pid file, if the server left one."""
        try:
            first = (self.datadir / "postmaster.pid").read_text().splitlines()[0]
            return int(first)
        except (OSError, IndexError, ValueError):
            return None


class PgCluster:
    """A primary and one streaming replica (physical replication slot, hot standby)."""

    def __init__(
        self,
        binaries: PgBinaries | None = None,
        *,
        dbname: str = "ledger",
        timeout_s: float = 30.0,
    ) -> None:
        self.binaries = binaries or PgBinaries.find()
        self.dbname = dbname
        self.timeout_s = timeout_s
        self.base: Path | None = None
        self.primary: Server | None = None
        self.replica: Server | None = None

    # -- lifecycle ------------------------------------------------------------------------

    def __enter__(self) -> PgCluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        """initdb and start the primary, clone it with pg_basebackup -R, start the replica,
        and wait until the replica streams."""
        self.base = Path(tempfile.mkdtemp(prefix="lapor-pg-"))
        self._give_to_os_user(self.base)
        self.primary = self._init_primary()
        self._start(self.primary)
        with self.connect_primary() as conn:
            conn.execute(f'CREATE DATABASE "{self.dbname}"')
        self.replica = self._clone(self.primary)
        self._start(self.replica)
        self.wait_streaming()

    def stop(self) -> None:
        """Stop the replica, then the primary, and delete their folders; never raises."""
        for server in (self.replica, self.primary):
            if server is not None and server.started:
                self._stop(server)
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)
            self.base = None

    # -- addresses ------------------------------------------------------------------------

    def primary_url(self, dbname: str | None = None, *, user: str = SUPERUSER) -> str:
        """A libpq URL of the primary (trust authentication on loopback)."""
        return self._url(self._server(self.primary), dbname, user)

    def replica_url(self, dbname: str | None = None, *, user: str = SUPERUSER) -> str:
        """A libpq URL of the replica (read-only: a hot standby)."""
        return self._url(self._server(self.replica), dbname, user)

    def _url(self, server: Server, dbname: str | None, user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@127.0.0.1:{server.port}/{dbname or self.dbname}"

    def connect_primary(self) -> psycopg.Connection[dict[str, Any]]:
        """An autocommit session on the primary's `postgres` database."""
        return self._connect(self._server(self.primary))

    def connect_replica(self) -> psycopg.Connection[dict[str, Any]]:
        """An autocommit session on the replica's `postgres` database."""
        return self._connect(self._server(self.replica))

    def _connect(self, server: Server) -> psycopg.Connection[dict[str, Any]]:
        return psycopg.connect(
            self._url(server, "postgres"), autocommit=True, connect_timeout=5, row_factory=dict_row
        )

    # -- replication ----------------------------------------------------------------------

    def current_lsn(self) -> str:
        """The primary's current WAL write position, once every commit made so far is flushed.

        Commits that did not wait for the disk (the projection views' `synchronous_commit =
        off`) are written by the WAL writer within a few `wal_writer_delay`s; only flushed WAL
        is streamed, so the position is read after it covers everything inserted before.
        """
        with self.connect_primary() as conn:
            inserted = conn.execute("SELECT pg_current_wal_insert_lsn()::text AS lsn").fetchone()
            assert inserted is not None
            deadline = time.monotonic() + 10.0
            while True:
                row = conn.execute(
                    "SELECT pg_current_wal_flush_lsn() >= %s::pg_lsn AS flushed,"
                    " pg_current_wal_lsn()::text AS lsn",
                    (inserted["lsn"],),
                ).fetchone()
                assert row is not None
                if row["flushed"] or time.monotonic() > deadline:
                    return str(row["lsn"])
                time.sleep(0.02)

    def wait_streaming(self, timeout_s: float | None = None) -> None:
        """Wait until the replica is in recovery and the primary streams WAL to it."""
        replica = self._server(self.replica)

        def streaming() -> bool:
            with self.connect_replica() as conn:
                row = conn.execute(
                    "SELECT pg_is_in_recovery() AS standby,"
                    " (SELECT status FROM pg_stat_wal_receiver) AS receiver"
                ).fetchone()
            if row is None or not row["standby"] or row["receiver"] != "streaming":
                return False
            with self.connect_primary() as conn:
                sender = conn.execute(
                    "SELECT r.state FROM pg_stat_replication r"
                    " JOIN pg_replication_slots s ON s.active_pid = r.pid"
                    " WHERE s.slot_name = %s",
                    (SLOT,),
                ).fetchone()
            return sender is not None and sender["state"] == "streaming"

        self._until(streaming, "the replica to stream from the primary", replica, timeout_s)

    def wait_replayed(self, lsn: str | None = None, timeout_s: float | None = None) -> str:
        """Wait until the replica has replayed the primary's WAL up to `lsn` (default: the
        primary's current LSN, read now); returns that LSN."""
        target = lsn or self.current_lsn()

        def replayed() -> bool:
            with self.connect_replica() as conn:
                row = conn.execute(
                    "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn AS done", (target,)
                ).fetchone()
            return bool(row and row["done"])

        self._until(replayed, f"the replica to replay up to {target}", self.replica, timeout_s)
        return target

    @contextlib.contextmanager
    def replay_paused(self, timeout_s: float | None = None) -> Iterator[None]:
        """Hold the replica where it is (pg_wal_replay_pause) for the block: it keeps receiving
        WAL but applies none, so its readers see the primary as it was before the block."""
        with self.connect_replica() as conn:
            conn.execute("SELECT pg_wal_replay_pause()")
        try:

            def paused() -> bool:
                with self.connect_replica() as conn:
                    row = conn.execute("SELECT pg_get_wal_replay_pause_state() AS state").fetchone()
                return bool(row and row["state"] == "paused")

            self._until(paused, "the replica to pause its replay", self.replica, timeout_s)
            yield
        finally:
            with self.connect_replica() as conn:
                conn.execute("SELECT pg_wal_replay_resume()")

    def _until(
        self,
        condition: Callable[[], bool],
        what: str,
        server: Server | None,
        timeout_s: float | None,
    ) -> None:
        deadline = time.monotonic() + (timeout_s or self.timeout_s)
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            try:
                if condition():
                    return
            except psycopg.OperationalError as e:  # not accepting connections yet
                last_error = e
            time.sleep(0.05)
        tail = server.log_tail() if server else ""
        raise ClusterError(
            f"timed out after {timeout_s or self.timeout_s:.0f} s waiting for {what}"
            f" (last error: {last_error})\n{tail}"
        )

    # -- the binaries ---------------------------------------------------------------------

    def _init_primary(self) -> Server:
        base = self._folder()
        server = Server("primary", base / "primary", free_port(), base / "primary.log")
        self._run(
            server,
            "initdb",
            "-D",
            str(server.datadir),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        settings = {
            **SERVER_SETTINGS,
            "port": str(server.port),
            "unix_socket_directories": f"'{base}'",
        }
        self._append_config(server, settings)
        (server.datadir / "pg_hba.conf").write_text(HBA)  # root keeps the file's owner
        return server

    def _clone(self, primary: Server) -> Server:
        base = self._folder()
        replica = Server("replica", base / "replica", free_port(), base / "replica.log")
        self._run(
            primary,
            "pg_basebackup",
            "-D",
            str(replica.datadir),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            SUPERUSER,
            "-R",  # standby.signal and primary_conninfo
            "-C",  # create the physical slot …
            "-S",  # … and stream through it
            SLOT,
            "-X",
            "stream",
            "--checkpoint=fast",
            "--no-sync",
        )
        self._append_config(replica, {"port": str(replica.port)})
        return replica

    def _start(self, server: Server, attempts: int = 3) -> None:
        """pg_ctl start; if another process took the port meanwhile, move to a free one."""
        for attempt in range(attempts):
            server.started = True  # from here on, stop() tries to stop it
            try:
                self._run(
                    server,
                    "pg_ctl",
                    "start",
                    "-w",
                    "-t",
                    str(int(self.timeout_s)),
                    "-D",
                    str(server.datadir),
                    "-l",
                    str(server.logfile),
                )
                return
            except ClusterError:
                if PORT_TAKEN not in server.log_tail() or attempt == attempts - 1:
                    raise
                self._stop(server)
                server.port = free_port()
                self._append_config(server, {"port": str(server.port)})

    def _stop(self, server: Server) -> None:
        for mode in ("fast", "immediate"):
            try:
                self._run(
                    server,
                    "pg_ctl",
                    "stop",
                    "-w",
                    "-t",
                    "15",
                    "-m",
                    mode,
                    "-D",
                    str(server.datadir),
                )
            except (ClusterError, OSError):
                continue
            server.started = False
            return
        pid = server.postmaster_pid()  # the postmaster this cluster started, by its pid
        if pid is not None and server.runs_as(pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        server.started = False

    def _run(self, server: Server, tool: str, *args: str) -> None:
        argv = self.binaries.command(tool, *args)
        try:
            done = subprocess.run(
                argv,
                cwd=self._folder(),
                capture_output=True,
                text=True,
                timeout=self.timeout_s + 15,
                check=False,
            )
        except subprocess.TimeoutExpired as e:
            raise ClusterError(f"{tool} timed out\n{server.log_tail()}") from e
        if done.returncode != 0:
            output = (done.stdout + done.stderr).strip()
            raise ClusterError(
                f"{tool} failed for the {server.name} (exit {done.returncode}): {output}\n"
                f"{server.log_tail()}"
            )

    # -- files ----------------------------------------------------------------------------

    def _folder(self) -> Path:
        if self.base is None:
            raise ClusterError("the cluster is not started")
        return self.base

    def _server(self, server: Server | None) -> Server:
        if server is None:
            raise ClusterError("the cluster is not started")
        return server

    def _give_to_os_user(self, path: Path) -> None:
        if self.binaries.run_as is not None:
            entry = pwd.getpwnam(self.binaries.run_as)
            os.chown(path, entry.pw_uid, entry.pw_gid)
        path.chmod(0o700)

    def _append_config(self, server: Server, settings: dict[str, str]) -> None:
        lines = "".join(f"{k} = {v}\n" for k, v in settings.items())
        path = server.datadir / "postgresql.conf"
        path.write_text(path.read_text() + "\n# PgCluster (tests)\n" + lines)
