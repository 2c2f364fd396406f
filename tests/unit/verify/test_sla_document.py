"""verify.sla_document and verify.sla_agencies: one good input, and mutations to refuse."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.unit.verify.sla_bundles import REGISTRY
from verify.errors import InputUnavailable, MalformedInput
from verify.sla import Selection, SlaRow
from verify.sla_agencies import load_agency_tree
from verify.sla_document import FIGURE_NAMES, document, flat_figures, parse_document
from verify.sla_rules.figures import Figures, Period

AS_OF = datetime(2023, 6, 30, tzinfo=UTC)


def good_document() -> dict[str, Any]:
    figures = Figures(received=3, handling=2, followed_up=1)
    figures.buckets["resolved"] = 1
    figures.verification.met = 2
    rows = [
        SlaRow("national", "national", Selection(AS_OF), figures),
        SlaRow("agency", "kota-serang", Selection(AS_OF, Period.year(2021), "wbs"), Figures()),
    ]
    return document(40, rows)


def test_good_document_reads_back() -> None:
    good = good_document()
    tree_size, rows = parse_document(json.dumps(good).encode(), "service.json")
    assert tree_size == 40 and [r.group for r in rows] == ["national", "kota-serang"]
    assert rows[1].selection == Selection(AS_OF, Period.year(2021), "wbs")
    assert rows[0].values["followed_up_share"] == 0.5 and rows[0].values["verification.rate"] == 1
    assert rows[1].values == flat_figures(Figures())
    assert list(rows[0].values) == list(FIGURE_NAMES) and len(FIGURE_NAMES) == 27
    good["rows"][0]["figures"]["followed_up_share"] = 1  # an integer share is a number too
    good["extra"] = {"ignored": True}
    assert parse_document(json.dumps(good).encode(), "x")[1][0].values["followed_up_share"] == 1


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        target: Any = doc
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if value is _DELETE:
            del target[last]
        else:
            target[last] = value

    return change


_DELETE = object()
F0 = "rows/0/figures"
MUTATIONS = [
    ("another format", _set("format", "lapor-compliance/v2"), "format expected"),
    ("tree_size missing", _set("tree_size", _DELETE), "field 'tree_size' is missing"),
    ("tree_size negative", _set("tree_size", -1), "tree_size must be an integer"),
    ("rows not a list", _set("rows", {}), "rows must be a list"),
    ("unknown group_by", _set("rows/0/group_by", "province"), "group_by must be one of"),
    ("as_of without zone", _set("rows/0/as_of", "2023-06-30T00:00:00"), "time zone"),
    ("as_of not a time", _set("rows/0/as_of", "soon"), "rows[0]: Invalid isoformat"),
    ("period without last", _set("rows/1/period/last", _DELETE), "field 'last' is missing"),
    ("figure missing", _set(f"{F0}/received", _DELETE), "figures.received is missing"),
    ("clock missing", _set(f"{F0}/completion", _DELETE), "figures.completion must be an object"),
    ("rate missing", _set(f"{F0}/verification/rate", _DELETE), "verification.rate is missing"),
    ("unknown bucket", _set(f"{F0}/buckets/lost", 0), "unknown buckets ['lost']"),
    ("negative count", _set(f"{F0}/returns", -1), "figures.returns has the wrong type"),
    ("count as float", _set(f"{F0}/handling", 2.0), "figures.handling has the wrong type"),
    ("boolean count", _set(f"{F0}/buckets/resolved", True), "buckets.resolved has the wrong"),
    ("rate as text", _set(f"{F0}/verification/rate", "1"), "verification.rate has the wrong"),
    ("share as boolean", _set(f"{F0}/followed_up_share", True), "followed_up_share has the"),
    ("target_met as 1", _set(f"{F0}/target_met", 1), "figures.target_met has the wrong type"),
]


@pytest.mark.parametrize(
    ("change", "want_err"), [m[1:] for m in MUTATIONS], ids=[m[0] for m in MUTATIONS]
)
def test_malformed_documents_are_refused(
    change: Callable[[dict[str, Any]], None], want_err: str
) -> None:
    doc = copy.deepcopy(good_document())
    change(doc)
    with pytest.raises(MalformedInput, match=r"^compliance document service\.json: ") as caught:
        parse_document(json.dumps(doc).encode(), "service.json")
    assert want_err in caught.value.message


def test_duplicate_keys_and_non_json_are_refused() -> None:
    with pytest.raises(MalformedInput, match="duplicate key 'tree_size'"):
        parse_document(b'{"format": "lapor-compliance/v1", "tree_size": 1, "tree_size": 2}', "x")
    with pytest.raises(MalformedInput, match="a JSON object expected, got list"):
        parse_document(b"[]", "x")


# --- the agency registry ------------------------------------------------------------------


def write_registry(tmp_path: Path, registry: object) -> Path:
    path = tmp_path / "agencies.json"
    path.write_text(json.dumps(registry))
    return path


def test_registry_hubs_and_descendants(tmp_path: Path) -> None:
    tree = load_agency_tree(write_registry(tmp_path, REGISTRY))
    assert tree.hubs() == ("kemenpanrb", "prov-banten")
    assert list(tree.descendants("kemenpanrb")) == ["prov-banten", "kota-serang", "kab-tangerang"]
    assert list(tree.descendants("kota-serang")) == []
    assert list(tree.descendants("unknown")) == []


def test_the_services_registry_file_reads() -> None:
    path = Path(__file__).resolve().parents[3] / "ledger" / "agencies" / "agencies.json"
    tree = load_agency_tree(path)
    assert "prov-banten" in tree.hubs() and "kota-serang" in tree.descendants("prov-banten")


def _agency(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(REGISTRY), "agencies": [*REGISTRY["agencies"], changes]}  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("registry", "want_err"),
    [
        ({"format": 2, "agencies": []}, "format expected 1, got 2"),
        ({"format": 1, "agencies": {}}, "'agencies' must be a list"),
        (_agency(id="x", parent="nowhere", is_hub=False), "parent 'nowhere' not listed"),
        (_agency(id="x", parent=None), "is_hub must be true or false"),
        (_agency(id="kota-serang", parent=None, is_hub=False), "'kota-serang' appears twice"),
        (_agency(id=7, parent=None, is_hub=False), "id must be a string"),
        ({"format": 1, "agencies": [{"id": "a", "parent": "b", "is_hub": False},
                                    {"id": "b", "parent": "a", "is_hub": False}]}, "loops"),
    ],
    ids=["format", "agencies not a list", "unknown parent", "is_hub missing", "duplicate id",
         "id not a string", "parent loop"],
)  # fmt: skip
def test_malformed_registries_are_refused(tmp_path: Path, registry: object, want_err: str) -> None:
    with pytest.raises(MalformedInput, match=r"^agency registry ") as caught:
        load_agency_tree(write_registry(tmp_path, registry))
    assert want_err in caught.value.message


def test_missing_registry_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(InputUnavailable, match="No such file"):
        load_agency_tree(tmp_path / "missing.json")
