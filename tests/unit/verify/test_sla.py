"""lapor-verify sla on small bundles: the figures, check 12, and checks 1-6 still running."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from click.testing import CliRunner

from tests.unit.verify.bundles import A, B, Bundle, C, happy_bundle
from tests.unit.verify.sla_bundles import HISTORIES, REGISTRY, Event, report_bundle
from verify.cli import main

AS_OF = "2022-03-20T00:00:00+07:00"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["sla", *args])
    return result.exit_code, result.output


def run_json(*args: str) -> tuple[int, dict[str, Any]]:
    code, output = run(*args, "--json")
    return code, json.loads(output)


def write(path: Path, bundle: Bundle) -> str:
    path.write_bytes(bundle.render())
    return str(path)


@pytest.fixture
def bundle(tmp_path: Path) -> str:
    return write(tmp_path / "ledger.jsonl", report_bundle())


@pytest.fixture
def registry(tmp_path: Path) -> str:
    path = tmp_path / "agencies.json"
    path.write_text(json.dumps(REGISTRY))
    return str(path)


def rows(data: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["group_by"], r["group"]): r["figures"] for r in data["rows"]}


def test_figures_recomputed_from_the_clear_headers(bundle: str, registry: str) -> None:
    code, data = run_json(bundle, "--as-of", AS_OF, "--agencies", registry)
    assert code == 0, data
    assert (data["format"], data["tree_size"], data["bundle"]["reports"]) == (
        "lapor-compliance/v1", 12, 3
    )  # fmt: skip
    got = rows(data)
    assert list(got) == [
        ("national", "national"), ("agency", "kab-tangerang"), ("agency", "kota-serang"),
        ("hub", "kemenpanrb"), ("hub", "prov-banten"),
    ]  # fmt: skip
    nation, city, regency = (
        got["national", "national"],
        got["agency", "kota-serang"],
        got["agency", "kab-tangerang"],
    )
    assert nation["received"] == 3 and city["received"] == 3 and regency["received"] == 1
    assert {b: n for b, n in nation["buckets"].items() if n} == {
        "archived": 1, "not_followed_up": 1, "resolved": 1
    }  # fmt: skip
    assert {b: n for b, n in city["buckets"].items() if n} == {
        "archived": 1, "forwarded": 1, "resolved": 1
    }  # fmt: skip
    assert (city["returns"], city["re_dispositions"], city["handling"]) == (1, 0, 1)
    assert (regency["returns"], regency["re_dispositions"], regency["handling"]) == (0, 1, 1)
    assert (city["followed_up_share"], city["target_met"]) == (1.0, True)
    assert (nation["followed_up"], nation["handling"], nation["target_met"]) == (1, 2, False)
    assert city["verification"] == {"met": 2, "missed": 0, "pending": 0, "rate": 1.0}
    assert city["first_follow_up"] == {"met": 1, "missed": 0, "pending": 0, "rate": 1.0}
    assert city["completion"] == {"met": 0, "missed": 1, "pending": 0, "rate": 0.0}
    assert regency["first_follow_up"]["missed"] == 1
    assert got["hub", "prov-banten"]["received"] == 4 == got["hub", "kemenpanrb"]["received"]


def test_clocks_are_judged_at_as_of(bundle: str) -> None:
    code, data = run_json(bundle, "--as-of", "2022-03-03T12:00:00Z", "--agency", "kab-tangerang")
    assert code == 0
    assert [r["group"] for r in data["rows"]] == ["national", "kab-tangerang"]
    regency = rows(data)["agency", "kab-tangerang"]
    assert regency["first_follow_up"] == {"met": 0, "missed": 0, "pending": 1, "rate": None}


def test_periods_and_years(bundle: str) -> None:
    code, data = run_json(bundle, "--as-of", AS_OF, "--by-year", "--period", "2021")
    assert code == 0
    periods = [
        (r["period"], r["figures"]["received"]) for r in data["rows"] if r["group"] == "national"
    ]
    assert periods == [
        ({"first": "2021-01-01", "last": "2021-12-31"}, 0),
        ({"first": "2022-01-01", "last": "2022-12-31"}, 3),
        (None, 3),
    ]
    code, data = run_json(bundle, "--as-of", AS_OF, "--period", "2022-03-01..2022-03-01")
    assert rows(data)["national", "national"]["received"] == 3
    code, data = run_json(bundle, "--as-of", AS_OF, "--classification", "wbs")
    assert rows(data)["national", "national"]["received"] == 0


def test_own_output_compares_equal_and_an_altered_figure_fails(
    bundle: str, registry: str, tmp_path: Path
) -> None:
    code, output = run(bundle, "--as-of", AS_OF, "--agencies", registry, "--json")
    document = json.loads(output)
    (tmp_path / "same.json").write_text(output)
    code, data = run_json(bundle, "--compare", str(tmp_path / "same.json"), "--agencies", registry)
    assert code == 0, data
    assert data["compared"]["rows"] == 5 and data["rows"] == document["rows"]
    document["rows"][2]["figures"]["completion"]["rate"] = 0.5
    document["rows"][2]["figures"]["target_met"] = None
    (tmp_path / "altered.json").write_text(json.dumps(document))
    code, text = run(bundle, "--compare", str(tmp_path / "altered.json"), "--agencies", registry)
    assert code == 1
    assert "2 failure(s)" in text
    assert "[check 12] agency kota-serang (all report days, all classifications, as of " in text
    assert "target_met expected none (service), got true (recomputed)" in text
    assert "completion.rate expected 0.5 (service), got 0.0 (recomputed)" in text


def test_figures_at_the_services_log_size(bundle: str, tmp_path: Path) -> None:
    prefix = write(tmp_path / "prefix.jsonl", Bundle(report_bundle().entries[:7]))
    code, output = run(prefix, "--as-of", AS_OF, "--json")
    assert code == 0 and json.loads(output)["tree_size"] == 7
    (tmp_path / "at7.json").write_text(output)
    code, data = run_json(bundle, "--compare", str(tmp_path / "at7.json"))
    assert code == 0, data
    assert (data["tree_size"], data["bundle"]["entries"]) == (7, 12)
    code, data = run_json(prefix, "--compare", str(tmp_path / "at7.json"))
    assert code == 0
    full = json.loads(output) | {"tree_size": 12}
    (tmp_path / "at12.json").write_text(json.dumps(full))
    code, data = run_json(bundle, "--compare", str(tmp_path / "at12.json"))
    assert code == 1 and data["failures_by_check"] == {"12": data["total_failures"]}
    code, data = run_json(prefix, "--compare", str(tmp_path / "at12.json"))
    assert (code, data["result"]) == (2, "malformed")


def test_checks_1_to_6_still_run(tmp_path: Path) -> None:
    forged = report_bundle()
    forged.entries[4]["payload"] = forged.entries[0]["payload"]
    code, data = run_json(write(tmp_path / "forged.jsonl", forged))
    assert (code, data["failures_by_check"]) == (1, {"2": 1})
    code, data = run_json(write(tmp_path / "other.jsonl", happy_bundle()))
    assert (code, data["result"]) == (2, "malformed")
    assert "not a report's clear header" in data["message"]


def test_text_output_has_the_table(bundle: str) -> None:
    code, output = run(bundle, "--as-of", AS_OF)
    assert code == 0, output
    assert "bundle verified: 12 entries, 3 reports" in output
    assert (
        "Compliance: all report days, all classifications, as of 2022-03-20T00:00:00+07:00"
        in output
    )
    assert "kota-serang" in output and "2/2" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2022-03-20T00:00:00"], "give a time zone"),
        (["--as-of", "yesterday"], "an ISO 8601 time expected"),
        (["--period", "2022..2021"], "FROM is after TO"),
        (["--period", "22"], "YEAR or FROM..TO"),
        (["--compare", "{tmp}/x.json", "--by-year"], "--compare takes moments and periods"),
        (["--compare", "{tmp}/x.json", "--token-file", "{tmp}/t"], "only for a --compare URL"),
    ],
    ids=["naive as-of", "bad as-of", "reversed period", "bad period", "compare and period",
         "token for a file"],
)  # fmt: skip
def test_usage_errors(bundle: str, args: list[str], message: str, tmp_path: Path) -> None:
    (tmp_path / "t").write_text("token\n")
    code, output = run(bundle, *(a.format(tmp=tmp_path) for a in args))
    assert code == 2 and message in output, output


def _changed(report: UUID, version: int, **values: Any) -> dict[UUID, list[Event]]:
    histories = copy.deepcopy(HISTORIES)
    name, stored = histories[report][version - 1]
    histories[report][version - 1] = (name, {**stored, **values})
    return histories


@pytest.mark.parametrize(
    ("histories", "want_err"),
    [
        (_changed(A, 2, state="lost"), "unknown report state 'lost'"),
        (_changed(A, 3, deadlines=["x"]), f"entry 6 (stream {A} v3)"),
        (_changed(C, 5, agency_id=7), f"entry 11 (stream {C} v5)"),
        (_changed(B, 1, at=1646100000), "at must be an aware time"),
        (_changed(B, 2, actor=None), "actor with a role is required"),
        (_changed(A, 1, classification=None), "classification missing"),
    ],
    ids=["unknown state", "deadlines not an object", "agency not a string", "time as a number",
         "no actor", "no classification"],
)  # fmt: skip
def test_payloads_the_rules_cannot_read_are_malformed(
    histories: dict[UUID, list[Event]], want_err: str, tmp_path: Path
) -> None:
    code, data = run_json(write(tmp_path / "odd.jsonl", report_bundle(histories)))
    assert (code, data["result"]) == (2, "malformed"), data
    assert "not a report's clear header" in data["message"] and want_err in data["message"]


def test_binary_bundle_gives_the_same_figures(tmp_path: Path, registry: str) -> None:
    built = report_bundle()
    lines, binary = tmp_path / "ledger.jsonl", tmp_path / "ledger.bundle"
    lines.write_bytes(built.render())
    binary.write_bytes(built.render_binary())
    outcomes = [run_json(str(p), "--as-of", AS_OF, "--agencies", registry) for p in (lines, binary)]
    assert [code for code, _ in outcomes] == [0, 0]
    assert outcomes[0][1]["rows"] == outcomes[1][1]["rows"]
    assert outcomes[1][1]["bundle"]["entries"] == 12
