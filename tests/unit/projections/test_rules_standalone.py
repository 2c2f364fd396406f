"""The rules package imports the standard library only, so an auditor can copy it."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import projections.rules

RULES = Path(projections.rules.__file__).parent


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_rules_import_only_the_standard_library_and_themselves() -> None:
    files = sorted(RULES.glob("*.py"))
    assert len(files) >= 6
    for path in files:
        for name in imported_roots(path):
            ours = name == "projections.rules" or name.startswith("projections.rules.")
            root = name.split(".")[0]
            assert ours or root in sys.stdlib_module_names or root == "__future__", (path, name)


def test_the_package_init_pulls_in_nothing() -> None:
    assert imported_roots(RULES.parent / "__init__.py") == set()
