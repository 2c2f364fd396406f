"""verify/sla_rules/ is a copy of projections/rules/, kept identical file by file.

The verifier must not import the writer's code (test_independence.py), so it carries its own
copy of the compliance rules. The only difference allowed is the package name in imports and
docstrings; a change made to one copy and not to the other fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
ORIGINAL = ROOT / "projections" / "rules"
COPY = ROOT / "verify" / "sla_rules"


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.py"))


def test_both_copies_have_the_same_files() -> None:
    assert _names(ORIGINAL), "projections/rules/ not found"
    assert _names(COPY) == _names(ORIGINAL)


@pytest.mark.parametrize("name", _names(ORIGINAL))
def test_file_is_identical_up_to_the_package_name(name: str) -> None:
    original = (ORIGINAL / name).read_text(encoding="utf-8")
    copy = (COPY / name).read_text(encoding="utf-8")
    expected = original.replace("projections.rules", "verify.sla_rules")
    assert copy == expected, (
        f"verify/sla_rules/{name} differs from projections/rules/{name}: make the same change "
        "in both (the copy differs only by its package name, verify.sla_rules)"
    )
