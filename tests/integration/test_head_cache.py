"""Two ledgers on one database take turns appending to the same report: each notices the
other's appends (the log head moved), so its cached chain heads are never used stale."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest

from ledger.domain import Actor, Report, Role
from ledger.storage.keys import KeyRing
from tests.integration.ledgers import open_ledger, submit_complaint
from tests.integration.test_ledger_behaviour import recompute

AUDITOR = Actor("ombudsman-1", Role.OMBUDSMAN_AUDITOR, "ombudsman")
# Who appends each next event: both in turn, and each twice in a row.
TURNS = (0, 1, 0, 0, 1, 1)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_two_writers_keep_one_chain(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "pg_url")
    keyring = KeyRing.ephemeral()  # one key ring: both can open the report's data key
    ledgers = [open_ledger(url, tmp_path / "keys", keyring) for _ in range(2)]
    try:
        rid = submit_complaint(ledgers[0])
        for n, turn in enumerate(TURNS):
            ledgers[turn].change(rid, partial(_annotate, note=f"catatan pemeriksaan {n}"))
        for app in ledgers:
            recompute(app, rid)  # every link is the previous entry's hash
            assert app.get_report(rid).version == 1 + len(TURNS)
    finally:
        for app in ledgers:
            app.close()


def _annotate(report: Report, note: str) -> None:
    report.annotate(AUDITOR, datetime.now(UTC), note=note)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_an_append_to_another_report_moves_the_log_under_a_known_head(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """The first writer still knows its own report's head, but the log moved on: its next
    append must take the leaf after the other writer's, not the one after its own last."""
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "pg_url")
    keyring = KeyRing.ephemeral()
    first, second = (open_ledger(url, tmp_path / "keys", keyring) for _ in range(2))
    try:
        mine = submit_complaint(first)
        first.change(mine, partial(_annotate, note="catatan 1"))  # its heads are known now
        theirs = submit_complaint(second)
        second.change(theirs, partial(_annotate, note="catatan lain"))
        first.change(mine, partial(_annotate, note="catatan 2"))
        first.change(mine, partial(_annotate, note="catatan 3"))
        for rid in (mine, theirs):
            recompute(first, rid)
        leaves = sorted(e.leaf_index for rid in (mine, theirs) for e in first.history(rid))
        assert leaves == list(range(len(leaves)))  # gap-free, no leaf taken twice
        assert [e.stream_version for e in first.history(mine)] == [1, 2, 3, 4]
    finally:
        first.close()
        second.close()
