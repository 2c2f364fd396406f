"""The agency registry: the shipped sample, hierarchy queries and validation of bad files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ledger.agencies import AgencyRegistry, AgencyRegistryError, UnknownAgency
from ledger.deadlines import DeadlineStamper
from ledger.sla import PolicyBook


@pytest.fixture(scope="module")
def registry() -> AgencyRegistry:
    return AgencyRegistry.load_default()


def record(agency_id: str, parent: str | None = None, **fields: Any) -> dict[str, Any]:
    base = {
        "id": agency_id,
        "name": agency_id.title(),
        "level": "unit" if parent else "national",
        "tier": "micro" if parent else "macro",
        "parent": parent,
        "time_zone": "Asia/Jakarta",
        "sla_policy": "national-2018",
        "is_hub": False,
    }
    return base | fields


def write(tmp_path: Path, *records: dict[str, Any]) -> Path:
    path = tmp_path / "agencies.json"
    path.write_text(json.dumps({"format": 1, "agencies": list(records)}), "utf-8")
    return path


def test_the_sample_loads_with_every_level_and_zone(registry: AgencyRegistry) -> None:
    assert len(registry) >= 30
    assert {a.level for a in registry.all()} == {
        "national",
        "ministry",
        "agency",
        "province",
        "regency",
        "city",
        "unit",
    }
    assert {a.time_zone for a in registry.all()} >= {
        "Asia/Jakarta",
        "Asia/Makassar",
        "Asia/Jayapura",
    }
    assert registry.get("kemenpanrb").level == "national"
    assert registry.get("kota-serang").name == "Pemerintah Kota Serang"


def test_every_default_policy_exists_in_the_policy_book(registry: AgencyRegistry) -> None:
    names = PolicyBook.load_default().names()
    assert {a.sla_policy for a in registry.all()} <= names
    assert registry.get("kab-sleman.rsud").sla_policy == "diy-2021"
    assert registry.get("kota-serang.dinkes").sla_policy == "national-2018"


def test_children_descendants_and_units(registry: AgencyRegistry) -> None:
    assert [a.id for a in registry.children("prov-banten")] == ["kab-tangerang", "kota-serang"]
    assert [a.id for a in registry.units("kota-serang")] == [
        "kota-serang.dinkes",
        "kota-serang.dpupr",
        "kota-serang.disdukcapil",
    ]
    below_diy = {a.id for a in registry.descendants("prov-diy")}
    assert "kab-sleman.rsud" in below_diy and "prov-diy" not in below_diy
    assert {a.id for a in registry.units("prov-kalbar")} == {
        "kab-sanggau.dinkes",
        "kab-sanggau.dpupr",
        "kab-sanggau.disdukcapil",
        "kab-sanggau.rsud",
    }
    assert registry.children("kab-sanggau.rsud") == ()


def test_ancestors_are_nearest_first(registry: AgencyRegistry) -> None:
    chain = [a.id for a in registry.ancestors("kab-sleman.dinkes")]
    assert chain == ["kab-sleman", "prov-diy", "kemenpanrb"]
    assert registry.ancestors("kemenpanrb") == ()


def test_is_within_counts_the_agency_itself(registry: AgencyRegistry) -> None:
    assert registry.is_within("kota-serang.dinkes", "prov-banten")
    assert registry.is_within("prov-banten", "prov-banten")
    assert not registry.is_within("kab-badung.dinkes", "prov-banten")
    assert not registry.is_within("prov-banten", "kota-serang")


def test_hub_of_is_the_nearest_hub_above(registry: AgencyRegistry) -> None:
    def hub_id(agency_id: str) -> str | None:
        hub = registry.hub_of(agency_id)
        return None if hub is None else hub.id

    assert hub_id("kab-badung.rsd-mangusada") == "prov-bali"
    assert hub_id("kab-sleman") == "prov-diy"
    assert hub_id("kemenkes") == "kemenko-pmk"
    assert hub_id("prov-papua") == "kemenpanrb"  # a hub's own hub is the one above it
    assert hub_id("kemenpanrb") is None


def test_time_zones_follow_the_region(registry: AgencyRegistry) -> None:
    assert registry.time_zone("kab-badung") == ZoneInfo("Asia/Makassar")  # WITA
    assert registry.time_zone("kota-jayapura.dinkes") == ZoneInfo("Asia/Jayapura")  # WIT
    assert registry.time_zone("kab-sanggau") == ZoneInfo("Asia/Pontianak")  # WIB, Kalimantan
    assert registry.time_zone("kota-serang") == ZoneInfo("Asia/Jakarta")  # WIB


def test_unknown_ids_raise_unknown_agency(registry: AgencyRegistry) -> None:
    for query in (registry.get, registry.children, registry.ancestors, registry.time_zone):
        with pytest.raises(UnknownAgency, match="kota-atlantis"):
            query("kota-atlantis")
    with pytest.raises(UnknownAgency):
        registry.is_within("kota-serang", "kota-atlantis")


def test_a_valid_file_loads(tmp_path: Path) -> None:
    path = write(tmp_path, record("root"), record("root.unit", parent="root"))
    loaded = AgencyRegistry.from_file(path)
    assert [a.id for a in loaded.descendants("root")] == ["root.unit"]


@pytest.mark.parametrize(
    ("records", "message"),
    [
        pytest.param([record("a"), record("a")], "'a': duplicate id", id="duplicate-id"),
        pytest.param(
            [record("a.b", parent="a")], "'a.b': parent 'a' does not exist", id="missing-parent"
        ),
        pytest.param([record("a", parent="b"), record("b", parent="a")], "cycle", id="cycle"),
        pytest.param([record("a", parent="a")], "cycle", id="self-parent"),
        pytest.param(
            [record("a", time_zone="Asia/Atlantis")],
            "'a'.*unknown time zone 'Asia/Atlantis'",
            id="bad-time-zone",
        ),
        pytest.param([record("a", time_zone="UTC+7")], "unknown time zone", id="offset-zone"),
        pytest.param(
            [record("a", level="village")], "'a'.*unknown level 'village'", id="unknown-level"
        ),
        pytest.param([record("a", tier="nano")], "unknown tier", id="unknown-tier"),
        pytest.param([record("Kota Serang")], "lowercase slug", id="bad-slug"),
        pytest.param([record("a", is_hub="yes")], "is_hub", id="hub-not-bool"),
        pytest.param([{"id": "a", "name": "A"}], "missing fields", id="missing-fields"),
        pytest.param([record("a", extra=1)], "unknown fields", id="unknown-field"),
    ],
)
def test_invalid_files_name_the_bad_record(
    tmp_path: Path, records: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(AgencyRegistryError, match=message):
        AgencyRegistry.from_file(write(tmp_path, *records))


def test_a_file_of_the_wrong_shape_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "agencies.json"
    path.write_text("[]", "utf-8")
    with pytest.raises(AgencyRegistryError, match="format 1"):
        AgencyRegistry.from_file(path)
    path.write_text("{not json", "utf-8")
    with pytest.raises(AgencyRegistryError, match="not valid JSON"):
        AgencyRegistry.from_file(path)


def test_unit_ids_extend_their_parent_id(registry: AgencyRegistry) -> None:
    for agency in registry.all():
        if agency.level == "unit":
            assert agency.parent is not None and agency.id.startswith(agency.parent + ".")


def test_the_configured_file_replaces_the_sample(tmp_path: Path) -> None:
    path = write(tmp_path, record("root", level="national", is_hub=True))
    configured = AgencyRegistry.load_default({"LEDGER_AGENCY_REGISTRY": str(path)})
    assert [a.id for a in configured.all()] == ["root"]
    sample = AgencyRegistry.load_default({"LEDGER_AGENCY_REGISTRY": ""})
    assert "kota-serang" in {a.id for a in sample.all()}


def test_a_configured_file_that_is_missing_or_invalid_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.json"
    with pytest.raises(AgencyRegistryError, match=r"LEDGER_AGENCY_REGISTRY=.*cannot read"):
        AgencyRegistry.load_default({"LEDGER_AGENCY_REGISTRY": str(missing)})
    bad = write(tmp_path, record("a"), record("a"))
    with pytest.raises(AgencyRegistryError, match="duplicate id"):
        AgencyRegistry.load_default({"LEDGER_AGENCY_REGISTRY": str(bad)})


def test_the_deadline_stamper_uses_the_configured_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(
        tmp_path,
        record("root", level="national", is_hub=True),
        record("root.papua", parent="root", level="province", time_zone="Asia/Jayapura"),
    )
    monkeypatch.setenv("LEDGER_AGENCY_REGISTRY", str(path))
    stamper = DeadlineStamper.load_default()
    assert stamper.registry.time_zone("root.papua") == ZoneInfo("Asia/Jayapura")
    with pytest.raises(UnknownAgency):
        stamper.registry.get("kota-serang")  # the sample is not loaded beside it


def test_a_registry_written_out_reads_back_the_same(registry: AgencyRegistry) -> None:
    again = AgencyRegistry.from_json(registry.to_json())
    assert again.all() == registry.all()
    assert again.hub_of("kota-serang") == registry.hub_of("kota-serang")
