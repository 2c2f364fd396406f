"""verify/ is written as if by another team: it imports nothing of the project it checks."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
FORBIDDEN = {"ledger", "api", "projections"}
ALLOWED_THIRD_PARTY = {"cryptography", "click", "rich"}
CLI_ONLY = {"click", "rich"}
MODULES = sorted((ROOT / "verify").rglob("*.py"))


def imported_roots(path: Path) -> set[str]:
    """The top-level names of every module a source file imports (absolute imports)."""
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_module_imports_only_stdlib_cryptography_and_itself(path: Path) -> None:
    roots = imported_roots(path)
    assert not roots & FORBIDDEN
    # _typeshed holds the standard library's own type stubs (imported under TYPE_CHECKING only)
    outside = roots - sys.stdlib_module_names - {"verify", "__future__", "_typeshed"}
    assert outside <= ALLOWED_THIRD_PARTY, f"unexpected imports {outside}"
    if path.name != "__main__.py" and "cli" not in path.relative_to(ROOT / "verify").parts[:-1]:
        assert not roots & CLI_ONLY, "click and rich belong to the command line (verify/cli/)"


def test_importing_the_verifier_loads_nothing_of_the_project() -> None:
    code = (
        "import verify.bundle, verify.merkle, verify.note, verify.cli, verify.receipt, "
        "verify.log_audit, verify.witness, verify.report; import sys; "
        "assert not any(m.split('.')[0] in {'ledger','api','projections'} for m in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
