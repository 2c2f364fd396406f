"""Concurrent writers: leaf indexes stay gap-free and every chain verifies."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger.export import write_bundle
from tests.integration.ledgers import ADMIN, T0, open_ledger, submit_complaint
from verify.cli import main as verify_main

THREADS = 8
SECONDS = 10.0


@pytest.mark.postgres
@pytest.mark.slow
def test_eight_threads_for_ten_seconds_on_postgres(pg_url: str, tmp_path: Path) -> None:
    app = open_ledger(pg_url, tmp_path / "keys")
    try:
        reports = [submit_complaint(app) for _ in range(THREADS)]
        appended = [0] * THREADS
        errors: list[BaseException] = []
        stop = time.monotonic() + SECONDS

        def writer(n: int) -> None:
            try:
                while time.monotonic() < stop:
                    app.change(reports[n], lambda r: r.annotate(actor=ADMIN, at=T0, note="cek"))
                    appended[n] += 1
            except BaseException as e:  # reported below; a thread must not die silently
                errors.append(e)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        assert all(count > 0 for count in appended), appended
        size = app.ledger.tree_size()
        assert size == THREADS + sum(appended)
        assert [e.leaf_index for e in app.iter_entries()] == list(range(size))
        bundle = tmp_path / "bundle.jsonl"
        with bundle.open("w") as out:
            write_bundle(app.ledger, out)
        result = CliRunner().invoke(verify_main, ["bundle", str(bundle), "--json"])
        assert result.exit_code == 0, result.stdout
        outcome = json.loads(result.stdout)
        assert outcome["entries"] == size
        assert outcome["reports"] == THREADS
    finally:
        app.close()


@pytest.mark.postgres
def test_group_commit_keeps_conflicts_per_report(pg_url: str, tmp_path: Path) -> None:
    """Sixteen threads race on four reports: batches form, each version is won once, no gap."""
    from eventsourcing.persistence import IntegrityError

    from ledger.storage.postgres import LedgerPostgresRecorder

    app = open_ledger(pg_url, tmp_path / "keys")
    try:
        reports = [submit_complaint(app) for _ in range(4)]
        won = {rid: 0 for rid in reports}
        lost = [0]
        lock = threading.Lock()
        errors: list[BaseException] = []

        def writer(n: int) -> None:
            try:
                for i in range(40):
                    rid = reports[(n + i) % 4]
                    report = app.get_report(rid)
                    report.annotate(actor=ADMIN, at=T0, note=f"{n}-{i}")
                    try:
                        app.save(report)
                    except IntegrityError:
                        with lock:
                            lost[0] += 1
                    else:
                        with lock:
                            won[rid] += 1
            except BaseException as e:
                errors.append(e)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        assert sum(won.values()) + lost[0] == 16 * 40
        for rid in reports:  # every success is exactly one version, in order
            assert app.get_report(rid).version == 1 + won[rid]
            assert [e.stream_version for e in app.history(rid)] == list(range(1, 2 + won[rid]))
        size = app.ledger.tree_size()
        assert [e.leaf_index for e in app.iter_entries()] == list(range(size))
        recorder = app.recorder
        assert isinstance(recorder, LedgerPostgresRecorder)
        assert recorder.group.batches < recorder.group.requests  # requests did share commits
        bundle = tmp_path / "bundle.jsonl"
        with bundle.open("w") as out:
            write_bundle(app.ledger, out)
        result = CliRunner().invoke(verify_main, ["bundle", str(bundle), "--json"])
        assert result.exit_code == 0, result.stdout
    finally:
        app.close()
