"""Tampering by a database administrator is detected by `lapor-verify bundle`, naming the entry.

Each case bypasses the append-only triggers the way an administrator could (a superuser
session on PostgreSQL, editing the SQLite file), exports a bundle and runs the verifier.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger.application import LedgerApplication
from ledger.demo import run_demo
from ledger.export import write_binary_bundle, write_bundle
from ledger.storage.records import EntryRecord
from tests.integration.ledgers import open_ledger
from tests.integration.tampering import Dba
from verify.cli import main as verify_main

SET_STATE = "UPDATE ledger_events SET state = ? WHERE originator_id = ? AND originator_version = ?"
SET_EVENT_VERSION = (
    "UPDATE ledger_events SET originator_version = ?"
    " WHERE originator_id = ? AND originator_version = ?"
)
INSERT_EVENT = (
    "INSERT INTO ledger_events (originator_id, originator_version, topic, state)"
    " VALUES (?, ?, ?, ?)"
)
DELETE_EVENT = "DELETE FROM ledger_events WHERE originator_id = ? AND originator_version = ?"


@dataclass
class Log:
    """The ledger under attack and a snapshot of its entries before the attack."""

    app: LedgerApplication
    dba: Dba
    entries: list[EntryRecord]

    def middle_of_a_stream(self) -> EntryRecord:
        """An entry with both an earlier and a later entry in its own stream."""
        last = {e.stream_id: e.stream_version for e in self.entries}
        return next(e for e in self.entries[5:] if 1 < e.stream_version < last[e.stream_id])

    def last_of_a_stream_not_last_in_log(self) -> EntryRecord:
        """The final entry of some report, followed in the log by other reports' entries."""
        last = {e.stream_id: e.stream_version for e in self.entries}
        return next(
            e
            for e in self.entries[: len(self.entries) // 2]
            if e.stream_version == last[e.stream_id] and e.stream_version > 1
        )


def verify(
    app: LedgerApplication, tmp_path: Path, bundle_format: str
) -> tuple[int, dict[str, object]]:
    """Export in the given format and verify; returns the exit code and the JSON result."""
    path = tmp_path / "bundle"
    if bundle_format == "binary":
        with path.open("wb") as binary:
            write_binary_bundle(app.ledger, binary)
    else:
        with path.open("w", encoding="utf-8") as text:
            write_bundle(app.ledger, text)
    result = CliRunner().invoke(verify_main, ["bundle", str(path), "--json"])
    return result.exit_code, json.loads(result.stdout)


def failed_leaves(outcome: dict[str, object]) -> set[int]:
    """Leaf indexes the verifier named in its failures."""
    failures = outcome["failures"]
    assert isinstance(failures, list)
    return {f["leaf_index"] for f in failures if "leaf_index" in f}


def change_payload_byte(log: Log) -> set[int]:
    e = log.middle_of_a_stream()
    tampered = bytearray(e.payload or b"")
    tampered[len(tampered) // 2] ^= 0x01
    log.dba.execute(
        SET_STATE,
        bytes(tampered),
        log.dba.sid(e.stream_id),
        e.stream_version,
    )
    return {e.leaf_index}


def delete_event(log: Log) -> set[int]:
    e = log.middle_of_a_stream()
    with log.dba.session() as conn:
        conn.execute(
            log.dba.p(DELETE_EVENT),
            (log.dba.sid(e.stream_id), e.stream_version),
        )
        log.dba.entry(conn, "delete", e.leaf_index)
    following = next(
        x
        for x in log.entries
        if x.stream_id == e.stream_id and x.stream_version == e.stream_version + 1
    )
    return {e.leaf_index + 1, following.leaf_index}  # the gap, and the broken link


def swap_payloads(log: Log) -> set[int]:
    a = log.middle_of_a_stream()
    b = next(e for e in log.entries if e.stream_id != a.stream_id and e.stream_version > 1)
    with log.dba.session() as conn:
        for target, source in ((a, b), (b, a)):
            conn.execute(
                log.dba.p(SET_STATE),
                (source.payload, log.dba.sid(target.stream_id), target.stream_version),
            )
    return {a.leaf_index, b.leaf_index}


def append_copy(
    log: Log, conn: object, e: EntryRecord, *, prev_hash: bytes, entry_hash: bytes
) -> None:
    """Store, at the end of the log, a copy of event `e` as its report's next version, with
    the given entry hashes."""
    size = len(log.entries)
    event = (e.stream_id, e.stream_version + 1, e.event_type, e.payload)
    log.dba.insert_event(conn, size, *event, e.recorded_at_us, prev_hash, entry_hash)


def insert_forged_event(log: Log) -> set[int]:
    """A fake follow-up slipped into a report's past: later versions are shifted up by one."""
    e = log.middle_of_a_stream()
    later = sorted(
        (
            x
            for x in log.entries
            if x.stream_id == e.stream_id and x.stream_version > e.stream_version
        ),
        key=lambda x: -x.stream_version,
    )
    size = len(log.entries)
    with log.dba.session() as conn:
        sid = log.dba.sid(e.stream_id)
        for x in later:  # make room at version v+1, from the top down
            conn.execute(
                log.dba.p(SET_EVENT_VERSION),
                (x.stream_version + 1, sid, x.stream_version),
            )
            log.dba.entry(conn, "set_version", x.stream_version + 1, x.leaf_index)
        append_copy(log, conn, e, prev_hash=e.entry_hash, entry_hash=bytes(32))
    return {size, later[-1].leaf_index}


def insert_unlinked_event(log: Log) -> set[int]:
    """An event stored without a ledger entry of its own. PostgreSQL: the verifier lists it
    as unlinked. SQLite, where an event row cannot lack its entry columns: the row gets the
    entry columns of the report's last real event, and is named at its own leaf."""
    e = log.last_of_a_stream_not_last_in_log()
    if not log.dba.sqlite:
        log.dba.execute(
            INSERT_EVENT, log.dba.sid(e.stream_id), e.stream_version + 1, e.event_type, e.payload
        )
        return set()
    with log.dba.session() as conn:
        append_copy(log, conn, e, prev_hash=e.prev_hash, entry_hash=e.entry_hash)
    return {len(log.entries)}


def remove_last_event_of_a_report(log: Log) -> set[int]:
    e = log.last_of_a_stream_not_last_in_log()
    with log.dba.session() as conn:
        conn.execute(
            log.dba.p(DELETE_EVENT),
            (log.dba.sid(e.stream_id), e.stream_version),
        )
        log.dba.entry(conn, "delete", e.leaf_index)
    return {e.leaf_index + 1}


def change_recorded_time(log: Log) -> set[int]:
    e = log.middle_of_a_stream()
    with log.dba.session() as conn:
        log.dba.entry(conn, "backdate", e.leaf_index)
    return {e.leaf_index}


def swap_leaf_indexes(log: Log) -> set[int]:
    a, b = log.entries[10], log.entries[20]
    with log.dba.session() as conn:
        for leaf, new in ((a.leaf_index, -1), (b.leaf_index, a.leaf_index), (-1, b.leaf_index)):
            log.dba.entry(conn, "set_leaf", new, leaf)
    return {a.leaf_index, b.leaf_index}


CASES: list[Callable[[Log], set[int]]] = [
    change_payload_byte,
    delete_event,
    swap_payloads,
    insert_forged_event,
    insert_unlinked_event,
    remove_last_event_of_a_report,
    change_recorded_time,
    swap_leaf_indexes,
]


class TamperBehaviour:
    """Every case on every backend and in both bundle formats: exit 1, the entries named."""

    @pytest.fixture
    def url(self) -> str:
        raise NotImplementedError

    @pytest.fixture(params=["binary", "jsonl"])
    def bundle_format(self, request: pytest.FixtureRequest) -> str:
        return str(request.param)

    @pytest.fixture
    def log(self, url: str, tmp_path: Path) -> Iterator[Log]:
        app = open_ledger(url, tmp_path / "keys")
        run_demo(app, reports=40, seed=7)
        yield Log(app, Dba(url), list(app.iter_entries()))
        app.close()

    def test_untouched_log_verifies(self, log: Log, tmp_path: Path, bundle_format: str) -> None:
        code, outcome = verify(log.app, tmp_path, bundle_format)
        assert code == 0, outcome
        assert outcome["entries"] == len(log.entries)
        assert outcome["reports"] == 40

    @pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
    def test_tampering_is_detected(
        self, log: Log, tmp_path: Path, case: Callable[[Log], set[int]], bundle_format: str
    ) -> None:
        named = case(log)
        code, outcome = verify(log.app, tmp_path, bundle_format)
        assert code == 1, outcome
        assert named <= failed_leaves(outcome), outcome
        if case is insert_unlinked_event:
            assert outcome["failures_by_check"], outcome


class TestTamperSQLite(TamperBehaviour):
    @pytest.fixture
    def url(self, sqlite_url: str) -> str:
        return sqlite_url


@pytest.mark.postgres
class TestTamperPostgres(TamperBehaviour):
    @pytest.fixture
    def url(self, pg_url: str) -> str:
        return pg_url
