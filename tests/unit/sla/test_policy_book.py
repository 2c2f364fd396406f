"""Policy files: all load, versions are unique, fallbacks resolve; bad files are refused."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pytest

from ledger.sla import Clock, PolicyBook, PolicyFileError, UnknownPolicy

NATIONAL: dict[str, Any] = {
    "format": 1,
    "name": "base",
    "version": 1,
    "title": "Base",
    "effective_from": "2018-01-01",
    "source": "test",
    "clocks": {"verification": {"rules": [{"duration": {"working_days": 3}}]}},
}


def child(**clocks: Any) -> dict[str, Any]:
    return {**NATIONAL, "name": "child", "title": "Child", "clocks": clocks}


def shipped_documents() -> dict[str, Any]:
    folder = resources.files("ledger.sla.policies")
    return {
        f.name: json.loads(f.read_text("utf-8"))
        for f in folder.iterdir()
        if f.name.endswith(".json")
    }


def test_all_shipped_policies_load_with_unique_versions() -> None:
    book = PolicyBook.load_default()
    refs = [policy.ref for policy in book.all()]
    assert len(refs) == len(set(refs)) == len(shipped_documents())
    assert {"national-2018@1", "diy-2021@1", "covid-2020@1", "kip-2008@1"} <= set(refs)
    for policy in book.all():
        assert policy.source and policy.title and policy.clocks


def test_every_fallback_resolves_to_its_pinned_parent() -> None:
    book = PolicyBook.load_default()
    for policy in book.all():
        for clock, parent_ref in policy.inherits.items():
            parent = book.get_ref(parent_ref)
            assert clock in parent.clocks, (policy.ref, clock)
            assert policy.layers[clock][-len(parent.layers[clock]) :] == parent.layers[clock]
    diy, kip = book.get("diy-2021"), book.get("kip-2008")
    assert dict(diy.inherits) == {
        clock: "national-2018@1"
        for clock in (Clock.VERIFICATION, Clock.FIRST_FOLLOW_UP, Clock.AUTO_CLOSE, Clock.COMPLETION)
    }
    rule = kip.rule(Clock.VERIFICATION)
    assert rule is not None and rule.origin == "national-2018@1"
    assert kip.rule(Clock.FIRST_FOLLOW_UP) is None


def test_get_by_name_version_and_ref() -> None:
    documents = {"base.v1.json": NATIONAL, "base.v2.json": {**NATIONAL, "version": 2}}
    book = PolicyBook.from_documents(documents)
    assert book.get("base").version == 2  # latest
    assert book.get("base", 1).version == 1
    assert book.get_ref("base@1").ref == "base@1"
    with pytest.raises(UnknownPolicy, match="base@3"):
        book.get("base", 3)
    with pytest.raises(UnknownPolicy, match="nothing"):
        book.get("nothing")


def broken(mutate: Any) -> dict[str, Any]:
    documents = {"base.v1.json": copy.deepcopy(NATIONAL)}
    mutate(documents)
    return documents


@pytest.mark.parametrize(
    ("documents", "message"),
    [
        pytest.param(
            broken(
                lambda d: d.update({"child.v1.json": child(verification={"inherits": "base@9"})})
            ),
            "inherits unknown base@9",
            id="unknown-parent",
        ),
        pytest.param(
            broken(lambda d: d.update({"child.v1.json": child(completion={"inherits": "base@1"})})),
            "has no such clock",
            id="parent-lacks-clock",
        ),
        pytest.param(
            broken(
                lambda d: d["base.v1.json"]["clocks"].update({"completion": {"inherits": "base@1"}})
            ),
            "cycle",
            id="self-inheritance",
        ),
        pytest.param(
            broken(
                lambda d: d.update(
                    {
                        "child.v1.json": child(verification={"inherits": "other@1"}),
                        "other.v1.json": {
                            **child(verification={"inherits": "child@1"}),
                            "name": "other",
                        },
                    }
                )
            ),
            "cycle",
            id="cycle",
        ),
        pytest.param(
            broken(lambda d: d.update({"copy.v1.json": d["base.v1.json"]})),
            "must be named base.v1.json",
            id="file-name-mismatch",
        ),
        pytest.param(
            broken(lambda d: d["base.v1.json"]["clocks"].update({"lunch_break": {"rules": []}})),
            "unknown clock",
            id="unknown-clock",
        ),
        pytest.param(
            broken(
                lambda d: d["base.v1.json"]["clocks"]["verification"]["rules"][0].update(
                    {"duration": {"fortnights": 1}}
                )
            ),
            "unknown duration unit",
            id="bad-unit",
        ),
        pytest.param(
            broken(
                lambda d: d["base.v1.json"]["clocks"]["verification"]["rules"][0].update(
                    {"duration": {"working_days": -1}}
                )
            ),
            "non-negative",
            id="negative",
        ),
        pytest.param(
            broken(
                lambda d: d["base.v1.json"]["clocks"]["verification"]["rules"].append(
                    {"duration": {"hours": 1}}
                )
            ),
            "ambiguous",
            id="ambiguous-rules",
        ),
        pytest.param(
            broken(
                lambda d: d["base.v1.json"]["clocks"]["verification"]["rules"][0].update(
                    {"handling_class": "berat"}
                )
            ),
            "unknown handling_class",
            id="bad-class",
        ),
        pytest.param(
            broken(
                lambda d: d["base.v1.json"]["clocks"]["verification"]["rules"][0].update(
                    {"urgency": ["tsunami"]}
                )
            ),
            "urgency must be",
            id="bad-urgency",
        ),
        pytest.param(
            broken(lambda d: d["base.v1.json"].update({"version": 0})),
            "positive integer",
            id="version-zero",
        ),
        pytest.param(
            broken(lambda d: d["base.v1.json"].pop("source")),
            "exactly the fields",
            id="missing-source",
        ),
        pytest.param(
            broken(lambda d: d["base.v1.json"].update({"effective_from": "2018"})),
            "ISO date",
            id="bad-effective-from",
        ),
    ],
)
def test_bad_policy_files_are_refused(documents: dict[str, Any], message: str) -> None:
    with pytest.raises(PolicyFileError, match=message):
        PolicyBook.from_documents(documents)


def test_duplicate_versions_are_refused() -> None:
    policy = PolicyBook.from_documents({"base.v1.json": NATIONAL}).get("base")
    with pytest.raises(PolicyFileError, match="base@1 is defined twice"):
        PolicyBook([policy, policy])


def test_invalid_json_names_the_file() -> None:
    with pytest.raises(PolicyFileError, match=r"base\.v1\.json: not valid JSON"):
        PolicyBook.from_texts({"base.v1.json": "{"})
