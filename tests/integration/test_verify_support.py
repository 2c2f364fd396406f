"""Support for the verifier's integration tests: real ledgers and the /v1/log contract.

`LogServer` answers the requests of docs/transparency-log.md ("HTTP API of the log") straight
from a `TransparencyLog` and its ledger, so `verify.witness.witness_round` and
`verify.client.LogClient` can run against a real log without the service. `serve_http` puts
the same answers behind a real HTTP server on 127.0.0.1 for the command-line tests, until the
service's own endpoints exist. This module holds no tests.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

from ledger.application import LedgerApplication
from ledger.export import entry_line
from ledger.tlog import (
    CheckpointNotFound,
    CosignatureRejected,
    InconsistentCosignature,
    SignedCheckpoint,
    TlogConfig,
    TransparencyLog,
    UnknownCheckpoint,
    build_tlog,
)
from tests.conftest import TEST_ORIGIN
from tests.integration.ledgers import open_ledger, submit_complaint
from verify.client import Response
from verify.witness_key import WitnessKey

OMBUDSMAN = WitnessKey.generate("ombudsman.go.id/witness")
KID = WitnessKey.generate("komisiinformasi.go.id/witness")
T = 1_767_225_600  # 2026-01-01T00:00:00Z


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def open_log(
    url: str,
    keks: Path,
    key_dir: Path,
    witnesses: Sequence[WitnessKey] = (),
    quorum: int | None = None,
) -> tuple[LedgerApplication, TransparencyLog]:
    """A ledger on `url` (data keys under `keks`) and its log, signing with `key_dir`'s keys."""
    app = open_ledger(url, keks)
    vkeys = tuple(w.vkey for w in witnesses)
    config = TlogConfig(TEST_ORIGIN, key_dir, vkeys, quorum, create_dev_keys=False)
    return app, build_tlog(app, config)


def published(tlog: TransparencyLog, app: LedgerApplication, reports: int) -> SignedCheckpoint:
    """Submit `reports` complaints and sign a checkpoint over them."""
    for _ in range(reports):
        submit_complaint(app)
    checkpoint = tlog.publish_once()
    assert checkpoint is not None
    return checkpoint


def cosign(tlog: TransparencyLog, checkpoint: SignedCheckpoint, *witnesses: WitnessKey) -> str:
    """Have each witness cosign the checkpoint and the log accept it; the cosigned note."""
    for witness in witnesses:
        tlog.accept_cosignature(
            checkpoint.note + witness.cosign(checkpoint.text, T) + "\n", witness.name
        )
    return tlog.cosigned_note(checkpoint)


@dataclass
class LogServer:
    """The /v1/log contract served from a transparency log, as fetch and post functions."""

    tlog: TransparencyLog
    app: LedgerApplication
    token: str | None = None  # the witness token a POST must carry, for serve_http

    def fetch(self, target: str) -> Response:
        parts = urlsplit(target)
        q = {k: v[0] for k, v in parse_qs(parts.query).items()}
        route = parts.path.split("/")
        if parts.path == "/v1/log/checkpoint":
            try:
                found = (
                    self.tlog.latest_witnessed_checkpoint()
                    if "witnessed" in q
                    else self.tlog.latest_checkpoint()
                )
            except CheckpointNotFound:
                found = None
            if found is None:
                return self._problem(404, "no checkpoint yet")
            return self._text(self.tlog.cosigned_note(found))
        if parts.path == "/v1/log/proof/consistency":
            m, n = int(q["from"]), int(q["to"])
            proof = self.tlog.consistency_proof(m, n)
            return self._json({"size1": m, "size2": n, "hashes": [b64(h) for h in proof]})
        if parts.path == "/v1/log/entries":
            start, end = int(q["start"]), min(int(q["end"]), int(q["start"]) + 1000)
            lines = "".join(entry_line(e) for e in self.app.ledger.iter_entries(start, end))
            return Response(200, lines.encode())
        if route[1:3] == ["v1", "reports"] and route[-1] == "proof":
            return self._json(self.report_proof(UUID(route[3])))
        return self._problem(404, f"no route {parts.path}")

    def report_proof(self, report_id: UUID) -> dict[str, Any]:
        checkpoint = self.tlog.latest_checkpoint()
        entries = [
            {
                **json.loads(entry_line(e)),
                "inclusion": [
                    b64(h) for h in self.tlog.inclusion_proof(e.leaf_index, checkpoint.tree_size)
                ],
            }
            for e in self.app.ledger.stream_entries(report_id)
            if e.leaf_index < checkpoint.tree_size
        ]
        return {"checkpoint": self.tlog.cosigned_note(checkpoint), "entries": entries}

    def post(self, target: str, body: bytes) -> Response:
        note = body.decode()
        name = note.rstrip("\n").rsplit("\n", 1)[-1].split(" ")[1]
        try:
            accepted = self.tlog.accept_cosignature(note, name)
        except (InconsistentCosignature, UnknownCheckpoint) as exc:
            return self._problem(409, str(exc))
        except CosignatureRejected as exc:
            return self._problem(403, str(exc))
        return self._json({"tree_size": accepted.tree_size, "witness": accepted.witness})

    @staticmethod
    def _text(text: str) -> Response:
        return Response(200, text.encode())

    @staticmethod
    def _json(data: dict[str, Any]) -> Response:
        return Response(200, json.dumps(data).encode())

    @staticmethod
    def _problem(status: int, detail: str) -> Response:
        return Response(status, json.dumps({"title": "refused", "detail": detail}).encode())


@contextmanager
def serve_http(server: LogServer) -> Iterator[str]:
    """Serve the LogServer over HTTP on 127.0.0.1; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.startswith("/moved/"):  # a redirect that would carry the token away
                self.send_response(302)
                self.send_header("Location", self.path.removeprefix("/moved"))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self._send(server.fetch(self.path))

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.headers.get("Authorization") != f"Bearer {server.token}":
                self._send(LogServer._problem(401, "a witness token is required"))
            else:
                self._send(server.post(self.path, body))

        def _send(self, answer: Response) -> None:
            self.send_response(answer.status)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
