"""A whistleblower's receipt from a real ledger, verified offline; and log key rotation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger.application import LedgerApplication
from ledger.export import bundle_lines
from ledger.tlog import TransparencyLog
from ledger.tlog.keys import add_key, retire_key
from tests.conftest import TEST_ORIGIN
from tests.integration.ledgers import submit_wbs
from tests.integration.test_verify_support import KID, OMBUDSMAN, cosign, open_log, published
from verify.cli import main
from verify.errors import MalformedInput, VerificationFailed
from verify.note import parse_vkey
from verify.receipt import verify_receipt

WITNESS_OPTIONS = ["--witness-key", OMBUDSMAN.vkey, "--witness-key", KID.vkey, "--quorum", "2"]


def run(*args: str) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(main, [*args, "--json"])
    return result.exit_code, json.loads(result.output)


@pytest.fixture
def key_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "log-keys"
    add_key(folder, TEST_ORIGIN)
    return folder


@pytest.fixture
def ledger(
    sqlite_url: str, tmp_path: Path, key_dir: Path
) -> Iterator[tuple[LedgerApplication, TransparencyLog]]:
    app, tlog = open_log(sqlite_url, tmp_path / "keks", key_dir, [OMBUDSMAN, KID], 2)
    yield app, tlog
    app.close()


def test_a_whistleblowers_receipt_verifies_offline_and_any_byte_change_fails(
    ledger: tuple[LedgerApplication, TransparencyLog], tmp_path: Path
) -> None:
    app, tlog = ledger
    published(tlog, app, 2)
    report_id = submit_wbs(app)
    checkpoint = published(tlog, app, 2)
    cosign(tlog, checkpoint, OMBUDSMAN, KID)
    leaf = next(e.leaf_index for e in app.ledger.stream_entries(report_id))
    receipt = tmp_path / "laporan.tlog-proof"
    receipt.write_text(tlog.tlog_proof(leaf))
    log_keys = ["--log-key", *tlog.vkeys()]
    code, data = run(
        "receipt", str(receipt), *log_keys, *WITNESS_OPTIONS, "--report-id", str(report_id)
    )
    assert code == 0, data
    assert (data["stream_id"], data["stream_version"], data["leaf_index"]) == (str(report_id), 1, 2)
    assert data["event_type"] == "ledger.domain.report:Report.Submitted"
    assert data["checkpoint"]["tree_size"] == 5  # type: ignore[index]
    assert b"Siti" not in receipt.read_bytes()  # the reporter's identity stays sealed

    original = receipt.read_bytes()
    keys = [parse_vkey(v) for v in tlog.vkeys()]
    witnesses = [OMBUDSMAN.verifier, KID.verifier]
    for position in range(len(original)):  # every byte: the library, as the command runs it
        changed = bytearray(original)
        changed[position] ^= 0x01
        with pytest.raises((MalformedInput, VerificationFailed)):
            verify_receipt(bytes(changed), keys, witnesses, 2)
    for position in range(0, len(original), max(1, len(original) // 40)):  # and the command
        changed = bytearray(original)
        changed[position] ^= 0x01
        receipt.write_bytes(bytes(changed))
        code, data = run("receipt", str(receipt), *log_keys, *WITNESS_OPTIONS)
        assert code in (1, 2), (position, data)


def test_checkpoints_across_a_key_rotation(
    ledger: tuple[LedgerApplication, TransparencyLog], key_dir: Path, tmp_path: Path
) -> None:
    app, tlog = ledger
    old_vkey = tlog.vkeys()[0]
    before = published(tlog, app, 2)
    new_vkey = add_key(key_dir, TEST_ORIGIN)  # rotate: both keys sign from now on
    during = published(tlog, app, 2)
    retire_key(key_dir, TEST_ORIGIN, old_vkey.split("+")[1])
    after = published(tlog, app, 2)
    assert tlog.vkeys() == [new_vkey, old_vkey]  # active, then retired
    assert during.note.count("\u2014") == 2 and after.note.count("\u2014") == 1

    bundle = tmp_path / "rotated.jsonl"
    notes = [before.note, during.note, after.note]
    bundle.write_text("".join(bundle_lines(app.ledger, checkpoints=notes)))
    new_list = [arg for vkey in tlog.vkeys() for arg in ("--log-key", vkey)]
    code, data = run("bundle", str(bundle), *new_list)
    assert code == 0, data
    assert data["checkpoints_accepted"] == 3
    code, data = run("bundle", str(bundle), "--log-key", old_vkey)  # the retired key alone
    assert (code, data["check"], data["line"]) == (1, 7, 10)  # the checkpoint after retiring

    stranger_dir = tmp_path / "stranger-keys"
    stranger = add_key(stranger_dir, TEST_ORIGIN)  # same origin, a key nobody published
    app_b, tlog_b = open_log(f"sqlite:///{tmp_path / 'b.sqlite3'}", tmp_path / "kb", stranger_dir)
    try:
        published(tlog_b, app_b, 1)
        receipt = tmp_path / "stranger.tlog-proof"
        receipt.write_text(tlog_b.tlog_proof(0))
        code, data = run("receipt", str(receipt), *new_list)
        assert (code, data["check"]) == (1, 7)
        assert "no signature by a trusted key" in str(data["message"])
        assert run("receipt", str(receipt), "--log-key", stranger)[0] == 0
    finally:
        app_b.close()
