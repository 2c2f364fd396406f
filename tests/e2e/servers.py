"""Start the real service (`lapor-ledger serve` → gunicorn) on a free port, and stop it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running service: its base URL, environment and log file."""

    base: str
    env: dict[str, str]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def environment(url: str, tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of the service and of operator commands run beside it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update(
        LEDGER_DATABASE_URL=url,
        LEDGER_KEY_DIR=str(tmp / "keys"),
        LEDGER_LOG_ORIGIN="e2e.lapor.example/ledger",
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        **extra,
    )
    return env


@contextmanager
def serving(env: dict[str, str], tmp: Path, *args: str) -> Iterator[Server]:
    """Run `lapor-ledger serve --port P ARGS` until the block ends."""
    port = free_port()
    log = tmp / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(BIN / "lapor-ledger"), "serve", "--port", str(port), *args],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", env, log)
    try:
        _wait(server, process)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait(server: Server, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited:\n{server.output()}")
        try:
            if requests.get(f"{server.base}/readyz", timeout=10).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server did not become ready:\n{server.output()}")
