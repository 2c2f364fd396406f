"""The service under test of `bench/batch.py`: gunicorn on a fresh PostgreSQL schema."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from append import ORIGIN
from common import postgres_schema

from ledger.application import LedgerApplication
from ledger.bootstrap import build_ledger
from ledger.settings import DatabaseUrl, Settings
from ledger.storage.keys import KeyRing


def _bench_api() -> ModuleType:
    """`bench/api.py`, by path: its module name is also the name of the service's package."""
    spec = importlib.util.spec_from_file_location("bench_api", Path(__file__).with_name("api.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_api"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


bench_api = _bench_api()
BIN: Path = bench_api.BIN
ROOT: Path = bench_api.ROOT
TOKEN_COMMAND = (str(BIN / "lapor-ledger"), "tokens", "create", "--label", "bench")


@dataclass(frozen=True)
class Server:
    """A running service: its port, an auditor's token, and the ledger on its database."""

    port: int
    token: str
    url: str
    app: LedgerApplication
    pid: int  # gunicorn's master: its children are the workers


def _token(env: dict[str, str]) -> str:
    created = subprocess.run(
        [*TOKEN_COMMAND, "--role", "ombudsman_auditor", "--agency", "ombudsman-ri"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return created.stdout.strip().splitlines()[-1]


@contextmanager
def serving(
    base_url: str,
    tmp: Path,
    workers: int,
    threads: int,
    server_log: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Server]:
    """Start `lapor-ledger serve` on a new schema; stop it and drop the schema afterwards."""
    with postgres_schema(base_url) as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
        env |= {
            "LEDGER_DATABASE_URL": url,
            "LEDGER_KEY_DIR": str(tmp / "keys"),
            "LEDGER_LOG_ORIGIN": ORIGIN,
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        }
        env |= extra_env or {}
        port, log = bench_api.free_port(), tmp / "server.log"
        command = [str(BIN / "lapor-ledger"), "serve", "--port", str(port)]
        command += ["--workers", str(workers), "--threads", str(threads)]
        with log.open("wb") as sink:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT
            )
        try:
            bench_api.wait_ready(port, process, log)
            token = _token(env)
            settings = Settings(database=DatabaseUrl.parse(url), origin=ORIGIN)
            app = build_ledger(settings, keyring=KeyRing.load(tmp / "keys", create=False))
            try:
                yield Server(port, token, url, app, process.pid)
            finally:
                app.close()
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if server_log:
                Path(server_log).write_bytes(log.read_bytes())
