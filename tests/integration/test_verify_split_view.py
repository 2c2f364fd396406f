"""Split view: two copies of one log (same origin, same key), extended differently.

The auditor's `--since` file and the witness's state file both remember the checkpoint they
accepted from copy A; copy B's checkpoints are then refused, by the bundle check and by the
witness, which never cosigns B.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger.application import LedgerApplication
from ledger.export import bundle_lines
from ledger.settings import DatabaseUrl
from ledger.tlog import TransparencyLog
from ledger.tlog.keys import add_key
from tests.conftest import TEST_ORIGIN
from tests.integration.test_verify_support import OMBUDSMAN, LogServer, open_log, published
from verify.cli import main
from verify.client import Response
from verify.errors import VerificationFailed
from verify.note import parse_vkey
from verify.witness import witness_round


@dataclass
class Copy:
    """One copy of the log."""

    app: LedgerApplication
    tlog: TransparencyLog

    @property
    def server(self) -> LogServer:
        return LogServer(self.tlog, self.app)

    def bundle(self, path: Path) -> Path:
        notes = [self.tlog.cosigned_note(self.tlog.latest_checkpoint())]
        path.write_text("".join(bundle_lines(self.app.ledger, checkpoints=notes)))
        return path


@pytest.fixture
def copies(tmp_path: Path) -> Iterator[tuple[Copy, Copy]]:
    """Copies A and B of a log of 3 entries, A then grown by 2 reports and B by 2 others."""
    key_dir = tmp_path / "log-keys"
    add_key(key_dir, TEST_ORIGIN)
    url_a, url_b = (f"sqlite:///{tmp_path / name}" for name in ("a.sqlite3", "b.sqlite3"))
    app_a, tlog_a = open_log(url_a, tmp_path / "keks", key_dir, [OMBUDSMAN], 1)
    published(tlog_a, app_a, 3)
    source = sqlite3.connect(DatabaseUrl.parse(url_a).path)
    target = sqlite3.connect(DatabaseUrl.parse(url_b).path)
    source.backup(target)  # the common prefix
    source.close()
    target.close()
    app_b, tlog_b = open_log(url_b, tmp_path / "keks", key_dir, [OMBUDSMAN], 1)
    a, b = Copy(app_a, tlog_a), Copy(app_b, tlog_b)
    for copy in (a, b):
        published(copy.tlog, copy.app, 2)
    assert a.tlog.root(5) != b.tlog.root(5) and a.tlog.root(3) == b.tlog.root(3)
    yield a, b
    app_a.close()
    app_b.close()


def verify_bundle(path: Path, vkeys: list[str], since: Path) -> tuple[int, dict[str, object]]:
    keys = [arg for vkey in vkeys for arg in ("--log-key", vkey)]
    result = CliRunner().invoke(main, ["bundle", str(path), *keys, "--since", str(since), "--json"])
    return result.exit_code, json.loads(result.output)


def test_the_auditor_refuses_the_other_copys_bundle(
    copies: tuple[Copy, Copy], tmp_path: Path
) -> None:
    a, b = copies
    since = tmp_path / "auditor" / "lapor.checkpoint"
    since.parent.mkdir()
    vkeys = a.tlog.vkeys()
    code, data = verify_bundle(b.bundle(tmp_path / "b.jsonl"), vkeys, since)
    assert code == 0, data  # B alone is a perfectly good log
    since.unlink()
    code, data = verify_bundle(a.bundle(tmp_path / "a.jsonl"), vkeys, since)
    assert (code, data["since"]) == (0, {"file": str(since), "action": "created"})
    saved = since.read_text()
    code, data = verify_bundle(b.bundle(tmp_path / "b.jsonl"), vkeys, since)
    assert (code, data["check"]) == (1, 9)
    root_a, root_b = a.tlog.root(5).hex(), b.tlog.root(5).hex()
    message = str(data["message"])
    assert f"size 5, root {root_b}" in message and f"size 5, root {root_a}" in message
    assert (data["expected"], data["actual"]) == (root_a, root_b)
    assert since.read_text() == saved  # unchanged after a failure

    published(a.tlog, a.app, 1)  # A moves on, consistently
    code, data = verify_bundle(a.bundle(tmp_path / "a6.jsonl"), vkeys, since)
    assert (code, data["since"]["action"]) == (0, "updated")  # type: ignore[index]
    assert "\n6\n" in since.read_text()


def test_the_witness_cosigns_one_copy_and_refuses_the_other(
    copies: tuple[Copy, Copy], tmp_path: Path
) -> None:
    a, b = copies
    state = tmp_path / "ombudsman.state"
    log_keys = [parse_vkey(v) for v in a.tlog.vkeys()]
    server_a, server_b = a.server, b.server
    first = witness_round(server_a.fetch, server_a.post, state, OMBUDSMAN, log_keys)
    assert first.cosigned_at is not None and first.previous is None
    assert a.tlog.latest_witnessed_checkpoint() == a.tlog.latest_checkpoint()
    saved = state.read_text()

    posted: list[bytes] = []

    def post_b(path: str, body: bytes) -> Response:
        posted.append(body)
        return server_b.post(path, body)

    with pytest.raises(VerificationFailed, match="split view") as raised:
        witness_round(server_b.fetch, post_b, state, OMBUDSMAN, log_keys)
    assert raised.value.check == 9
    published(b.tlog, b.app, 2)  # B grows: the consistency proof from A's size 5 fails
    with pytest.raises(VerificationFailed, match="not consistent with the saved checkpoint"):
        witness_round(server_b.fetch, post_b, state, OMBUDSMAN, log_keys)
    assert posted == [] and b.tlog.latest_witnessed_checkpoint() is None
    assert state.read_text() == saved

    published(a.tlog, a.app, 3)  # A grows: the witness follows it
    again = witness_round(server_a.fetch, server_a.post, state, OMBUDSMAN, log_keys)
    assert again.previous is not None and again.previous.tree_size == 5
    assert again.checkpoint.checkpoint.tree_size == 8
    assert a.tlog.latest_witnessed_checkpoint() == a.tlog.latest_checkpoint()
