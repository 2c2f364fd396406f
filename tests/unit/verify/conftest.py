"""Shared conformance vectors (../shared/vectors) for the verifier's tests.

Tests ask for `inclusion_case`, `consistency_case` or `signed_note_case` and get one case per
vector, with the vector's relative path and desc as the test id. When the folder is missing the
case is skipped with a message saying where the vectors are expected, except in CI
(CI=true), where it fails: CI always has the vectors, so their absence is a broken setup.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

SHARED_VECTORS = Path(__file__).resolve().parents[3].parent / "shared" / "vectors"


@dataclass(frozen=True)
class MissingVectors:
    """Stands in for the cases of a vector set that is not there."""

    where: Path

    def message(self) -> str:
        return f"shared test vectors not found: expected them at {self.where}"


def shared_vectors_dir() -> Path:
    """Where the shared vectors are expected: ../shared/vectors next to the project root."""
    return SHARED_VECTORS


def _json_files(subdir: str) -> list[Any]:
    folder = shared_vectors_dir() / subdir
    files = sorted(folder.rglob("*.json"))
    if not files:
        return [_missing(folder)]
    cases = []
    for path in files:
        vector = json.loads(path.read_text())
        case_id = f"{path.relative_to(folder).parent.as_posix()}/{vector['desc']}"
        cases.append(pytest.param(vector, id=case_id))
    return cases


def _signed_note_cases() -> list[Any]:
    path = shared_vectors_dir() / "signed-note" / "examples.json"
    if not path.is_file():
        return [_missing(path)]
    vectors = json.loads(path.read_text())["vectors"]
    return [pytest.param(vector, id=vector["desc"]) for vector in vectors]


def _missing(where: Path) -> Any:
    missing = MissingVectors(where)
    if os.environ.get("CI") == "true":
        return pytest.param(missing, id="missing-shared-vectors")
    return pytest.param(
        missing, id="missing-shared-vectors", marks=pytest.mark.skip(reason=missing.message())
    )


_CASES = {
    "inclusion_case": lambda: _json_files("rfc6962/inclusion"),
    "consistency_case": lambda: _json_files("rfc6962/consistency"),
    "signed_note_case": _signed_note_cases,
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    for name, cases in _CASES.items():
        if name in metafunc.fixturenames:
            metafunc.parametrize(name, cases())


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    """In CI, a case standing for missing vectors fails instead of running."""
    callspec = getattr(item, "callspec", None)
    for value in callspec.params.values() if callspec else ():
        if isinstance(value, MissingVectors):
            pytest.fail(f"{value.message()} (CI=true: the vectors must be present)")
