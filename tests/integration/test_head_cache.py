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
