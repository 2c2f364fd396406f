"""An entry rewritten below a witnessed checkpoint is detected by `lapor-verify bundle`.

The administrator edits the SQLite file with the append-only triggers dropped
(tests/integration/tampering.py). A clumsy edit changes a stored event and leaves its entry
hash: checks 2 and 6 name the entry and the root. A careful one also rewrites the entry hash,
on the last event of a report so that no later link breaks: checks 2 to 5 pass, and only the
witnessed checkpoint's root (check 6) gives the rewrite away.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger.application import LedgerApplication
from ledger.export import bundle_lines
from ledger.storage.records import EntryRecord
from ledger.tlog import TransparencyLog
from ledger.tlog.keys import add_key
from tests.conftest import TEST_ORIGIN
from tests.integration.ledgers import handle_fully, submit_complaint, submit_wbs
from tests.integration.tampering import Dba
from tests.integration.test_verify_support import OMBUDSMAN, cosign, open_log
from verify.cli import main
from verify.entry import EntryFields, entry_hash

SET_STATE = "UPDATE ledger_events SET state = ? WHERE originator_id = ? AND originator_version = ?"


@pytest.fixture
def witnessed(
    sqlite_url: str, tmp_path: Path
) -> Iterator[tuple[LedgerApplication, TransparencyLog, str]]:
    """Report 1 handled fully (leaves 0-4), then reports 2 and 3; size 7 cosigned."""
    key_dir = tmp_path / "log-keys"
    add_key(key_dir, TEST_ORIGIN)
    app, tlog = open_log(sqlite_url, tmp_path / "keks", key_dir, [OMBUDSMAN], 1)
    handle_fully(app, submit_complaint(app))
    submit_complaint(app)
    submit_wbs(app)
    checkpoint = tlog.publish_once()
    assert checkpoint is not None and checkpoint.tree_size == 7
    yield app, tlog, cosign(tlog, checkpoint, OMBUDSMAN)
    app.close()


def verify(
    app: LedgerApplication, note: str, tlog: TransparencyLog, tmp_path: Path
) -> tuple[int, dict[str, object]]:
    path = tmp_path / "bundle.jsonl"
    path.write_text("".join(bundle_lines(app.ledger, checkpoints=[note])))
    keys = [arg for vkey in tlog.vkeys() for arg in ("--log-key", vkey)]
    options = [*keys, "--witness-key", OMBUDSMAN.vkey, "--json"]
    result = CliRunner().invoke(main, ["bundle", str(path), *options])
    return result.exit_code, json.loads(result.output)


def entry(app: LedgerApplication, leaf: int) -> EntryRecord:
    return next(iter(app.ledger.iter_entries(leaf, leaf + 1)))


def test_a_changed_event_is_named_with_the_root_mismatch(
    witnessed: tuple[LedgerApplication, TransparencyLog, str], sqlite_url: str, tmp_path: Path
) -> None:
    app, tlog, note = witnessed
    assert verify(app, note, tlog, tmp_path)[0] == 0
    target = entry(app, 2)
    payload = bytearray(target.payload or b"")
    payload[len(payload) // 2] ^= 0x01
    dba = Dba(sqlite_url)
    dba.execute(SET_STATE, bytes(payload), dba.sid(target.stream_id), target.stream_version)
    code, data = verify(app, note, tlog, tmp_path)
    assert code == 1 and data["failures_by_check"] == {"2": 1, "6": 1}
    failures = data["failures"]
    assert isinstance(failures, list)
    assert (failures[0]["check"], failures[0]["leaf_index"]) == (2, 2)
    assert failures[0]["stream_id"] == str(target.stream_id)
    assert failures[1]["check"] == 6 and failures[1]["expected"] == tlog.root(7).hex()
    assert "checkpoint at line 9 (size 7): Merkle root expected" in failures[1]["message"]


def test_a_careful_rewrite_is_caught_by_the_witnessed_root_alone(
    witnessed: tuple[LedgerApplication, TransparencyLog, str], sqlite_url: str, tmp_path: Path
) -> None:
    app, tlog, note = witnessed
    target = entry(app, 5)  # report 2's only, so last, event
    payload = (target.payload or b"").replace(b'"sms_1708"', b'"web"')
    assert payload != target.payload
    fields = EntryFields(
        TEST_ORIGIN,
        target.leaf_index,
        target.stream_id,
        target.stream_version,
        target.event_type or "",
        target.recorded_at_us,
        target.prev_hash,
        payload,
    )
    dba = Dba(sqlite_url)
    with dba.session() as conn:
        conn.execute(SET_STATE, (payload, dba.sid(target.stream_id), target.stream_version))
        dba.entry(conn, "set_hash", entry_hash(fields), target.leaf_index)
    code, data = verify(app, note, tlog, tmp_path)
    assert code == 1 and data["failures_by_check"] == {"6": 1}
    failure = data["failures"][0]  # type: ignore[index]
    assert failure["expected"] == tlog.root(7).hex() and failure["actual"] != failure["expected"]
