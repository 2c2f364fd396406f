"""`lapor-verify sla` on demo data: the recomputed figures equal the projection's, every row."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import tests.integration.test_projections_figures as figures_tests  # not its test classes
from ledger.demo import run_demo
from projections.queries import Period
from tests.integration.test_projections_support import SQLiteBackend
from tests.integration.test_verify_sla import (
    REGISTRY,
    Selection,
    export,
    run,
    service_document,
    write,
)


class TestDemo(SQLiteBackend):
    def test_recomputed_figures_equal_the_projection_for_every_agency(self, tmp_path: Path) -> None:
        with self.fresh_ledger() as app:
            run_demo(app, reports=300, seed=62)
            figures_tests.add_unverified(app)  # on hold, unverified, returned: none in the demo
            e = export(app, tmp_path)
            moments = [datetime(2026, 2, 20, 3, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC)]
            selections: list[Selection] = [(m, None, None) for m in moments]
            selections += [(moments[0], Period.year(2026), "pengaduan"), (moments[1], None, "wbs")]
            document = service_document(e, selections)
            agencies = {r["group"] for r in document["rows"] if r["group_by"] == "agency"}
            assert len(agencies) > 10
            national = document["rows"][0]["figures"]
            assert national["buckets"]["unverified"] and national["buckets"]["escalated"]
            compare = write(e.folder, "service.json", document)
            code, data = run(str(e.bundle), "--compare", compare, "--agencies", str(REGISTRY))
            assert code == 0, data
            assert data["compared"]["rows"] == len(document["rows"])
