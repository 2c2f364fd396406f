"""`lapor-verify sla` on real ledgers: Kota Serang's counts, and the service's figures compared.

The service's side is `projections.queries.compliance` on the same ledger, serialised here to
the compliance document of docs/verify.md (written out independently of verify/, so that the
documented shape is what is tested); the verifier's side reads only the exported bundle.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ledger.application import LedgerApplication
from ledger.export import write_bundle
from projections.queries import ClockFigure, ComplianceRow, GroupBy, Period, compliance
from projections.runner import Projections
from projections.scenarios import KotaSerang, build_kota_serang
from tests.integration.test_projections_support import SQLiteBackend
from verify.cli import main

REGISTRY = Path(__file__).resolve().parents[2] / "ledger" / "agencies" / "agencies.json"
AS_OF = datetime(2023, 6, 30, tzinfo=UTC)
AS_OF_TEXT = "2023-06-30T00:00:00+00:00"
Selection = tuple[datetime, Period | None, str | None]  # as_of, period, classification


@dataclass
class Exported:
    """A ledger with its projections caught up, and its bundle on disk."""

    app: LedgerApplication
    projections: Projections
    bundle: Path
    tree_size: int
    folder: Path


def export(app: LedgerApplication, folder: Path) -> Exported:
    p = Projections(app)
    assert [r.failure for r in p.catch_up()] == [None, None]
    bundle = folder / "ledger.jsonl"
    with bundle.open("w", encoding="utf-8") as out:
        entries = write_bundle(app.ledger, out)
    return Exported(app, p, bundle, entries, folder)


def _clock(c: ClockFigure) -> dict[str, Any]:
    return {"met": c.met, "missed": c.missed, "pending": c.pending, "rate": c.rate}


def row_json(row: ComplianceRow) -> dict[str, Any]:
    """One service row in the documented shape (docs/verify.md, "The compliance document")."""
    f, period = row.figures, row.period
    return {
        "group_by": row.group_by,
        "group": row.group,
        "as_of": row.as_of.isoformat(),
        "period": period and {"first": str(period.first), "last": str(period.last)},
        "classification": row.classification,
        "figures": {
            "received": f.received,
            "buckets": dict(f.buckets),
            "returns": f.returns,
            "re_dispositions": f.re_dispositions,
            "handling": f.handling,
            "followed_up": f.followed_up,
            "followed_up_share": f.followed_up_share,
            "target_met": f.target_met,
            "verification": _clock(f.verification),
            "first_follow_up": _clock(f.first_follow_up),
            "completion": _clock(f.completion),
        },
    }  # fmt: skip


def service_document(e: Exported, selections: list[Selection], hubs: bool = True) -> dict[str, Any]:
    """The service's figures for every group and selection, at the log size exported."""
    rows = []
    for as_of, period, kind in selections:
        group_bys: tuple[GroupBy, ...] = (
            ("national", "agency", "hub") if hubs else ("national", "agency")
        )
        for group_by in group_bys:
            rows += compliance(
                e.projections, group_by=group_by, period=period, classification=kind, as_of=as_of
            )
    body = [row_json(r) for r in rows]
    return {"format": "lapor-compliance/v1", "tree_size": e.tree_size, "rows": body}


def run(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(main, ["sla", *args, "--json"])
    return result.exit_code, json.loads(result.output)


def run_text(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["sla", *args])
    return result.exit_code, result.output


def write(folder: Path, name: str, document: dict[str, Any]) -> str:
    path = folder / name
    path.write_text(json.dumps(document))
    return str(path)


@pytest.fixture(scope="module")
def kota_serang(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Exported, KotaSerang]]:
    with SQLiteBackend.fresh_ledger() as app:
        built = build_kota_serang(app)
        yield export(app, tmp_path_factory.mktemp("kota-serang")), built


def test_kota_serang_counts_per_year_and_in_total(
    kota_serang: tuple[Exported, KotaSerang],
) -> None:
    e, built = kota_serang
    code, data = run(str(e.bundle), "--as-of", AS_OF_TEXT, "--by-year", "--agency", "kota-serang")
    assert code == 0, data
    assert data["tree_size"] == e.tree_size == data["bundle"]["entries"]
    mine = {
        r["period"]["first"][:4] if r["period"] else "total": r["figures"]
        for r in data["rows"]
        if r["group"] == "kota-serang"
    }
    expected = {**{str(y): c for y, c in built.years.items()}, "total": built.total}
    assert {k: f["received"] for k, f in mine.items()} == {
        "2020": 181, "2021": 132, "2022": 50, "total": 363
    }  # fmt: skip
    for key, counts in expected.items():
        f = mine[key]
        assert f["buckets"] == {
            "unverified": 0, "archived": counts.archived, "awaiting_disposition": 0,
            "forwarded": counts.forwarded, "not_followed_up": counts.not_followed_up,
            "in_process": counts.in_process, "resolved": counts.resolved, "escalated": 0,
        }  # fmt: skip
        assert f["returns"] == counts.forwarded
        assert f["handling"] == counts.not_followed_up + counts.in_process + counts.resolved
        assert f["followed_up"] == counts.in_process + counts.resolved
        assert f["target_met"] is False
    total = mine["total"]
    assert [total["buckets"][b] for b in ("not_followed_up", "in_process", "resolved")] == [
        39, 12, 65
    ]  # fmt: skip
    assert total["buckets"]["archived"] + total["buckets"]["forwarded"] == 363 - 39 - 12 - 65
    assert (total["followed_up"], total["handling"]) == (77, 116)
    assert round(total["followed_up_share"], 2) == 0.66


def test_kota_serang_hub_and_the_service_figures_compare_equal(
    kota_serang: tuple[Exported, KotaSerang],
) -> None:
    e, built = kota_serang
    years = [Period.year(y) for y in built.years]
    selections: list[Selection] = [(AS_OF, p, None) for p in [*years, None]]
    selections.append((AS_OF, None, "pengaduan"))
    document = service_document(e, selections)
    compare = write(e.folder, "service.json", document)
    code, data = run(str(e.bundle), "--compare", compare, "--agencies", str(REGISTRY))
    assert code == 0, data
    assert data["compared"]["rows"] == len(document["rows"])
    [hub] = [
        r for r in data["rows"]
        if r["group"] == "prov-banten" and r["group_by"] == "hub" and r["period"] is None
        and r["classification"] is None
    ]  # fmt: skip
    assert hub["figures"]["returns"] == built.total.forwarded
    code, output = run_text(str(e.bundle), "--compare", compare)
    assert code == 2 and "hub rows: give --agencies FILE" in output


def test_an_altered_service_figure_fails_check_12_naming_it(
    kota_serang: tuple[Exported, KotaSerang],
) -> None:
    e, _ = kota_serang
    document = service_document(e, [(AS_OF, Period.year(2021), None)], hubs=False)
    altered = copy.deepcopy(document)
    [row] = [r for r in altered["rows"] if r["group"] == "kota-serang"]
    row["figures"]["buckets"]["resolved"] += 1
    code, data = run(str(e.bundle), "--compare", write(e.folder, "altered.json", altered))
    assert code == 1 and data["result"] == "fail"
    assert (data["total_failures"], data["failures_by_check"]) == (1, {"12": 1})
    [failure] = data["failures"]
    assert failure["check"] == 12
    assert (failure["group_by"], failure["group"], failure["figure"]) == (
        "agency", "kota-serang", "buckets.resolved"
    )  # fmt: skip
    assert (failure["expected"], failure["actual"]) == (23, 22)
    assert failure["period"] == {"first": "2021-01-01", "last": "2021-12-31"}
    assert "buckets.resolved expected 23 (service), got 22 (recomputed)" in failure["message"]

    dropped = copy.deepcopy(document)
    dropped["rows"] = [r for r in dropped["rows"] if r["group"] != "kemenkes"]
    code, data = run(str(e.bundle), "--compare", write(e.folder, "dropped.json", dropped))
    [failure] = data["failures"]
    assert (code, failure["group"], failure["figure"], failure["expected"]) == (
        1, "kemenkes", "received", None
    )  # fmt: skip

    later = {**document, "tree_size": e.tree_size + 1}
    code, data = run(str(e.bundle), "--compare", write(e.folder, "later.json", later))
    assert (code, data["result"]) == (2, "malformed")
    assert f"only {e.tree_size} entries" in data["message"]
