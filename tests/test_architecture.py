"""Fitness tests for the layers (docs/architecture.md): views and API endpoints read and write only through
selectors, services and workflows; imports sit at the top of a module unless a comment says why; modules stay
small unless they say why not. The import-linter contracts in pyproject.toml (run by `make test`) add the layers,
the ban on cycles between calaim's packages and the ban on Django in the rule engines; a test here runs them too."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRESENTATION = sorted([*(ROOT / "calaim" / "web" / "views").glob("*.py"), *(ROOT / "calaim" / "api").glob("*.py")])
SOURCES = sorted(
    path
    for package in ("calaim", "config", "identification")
    for path in (ROOT / package).rglob("*.py")
    if "migrations" not in path.parts
)
MODULE_LINES = 400
WHY_LONG = "Over 400 lines on purpose"


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", PRESENTATION, ids=_name)
def test_views_and_endpoints_use_no_model_manager(path: Path) -> None:
    """`Model.objects` in a view or an endpoint would skip the caller's scope; selectors are the one way in."""
    found = [
        f"{_name(path)}:{node.lineno}"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute) and node.attr == "objects"
    ]
    assert not found, f"read through a selector, write through a service: {found}"


@pytest.mark.parametrize("path", SOURCES, ids=_name)
def test_imports_are_at_the_top_unless_a_comment_says_why(path: Path) -> None:
    lines = path.read_text().splitlines()
    tree = ast.parse("\n".join(lines))
    top = set(map(id, tree.body))
    nested = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in top and not _type_checking(tree, node)
    ]
    unexplained = [f"{_name(path)}:{n.lineno}" for n in nested if "#" not in lines[n.lineno - 1]]
    assert not unexplained, f"import at the top, or say on the line why it cannot be: {unexplained}"


def _type_checking(tree: ast.Module, node: ast.AST) -> bool:
    return any(
        isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test) and node in ast.walk(block)
        for block in tree.body
    )


@pytest.mark.parametrize("path", SOURCES, ids=_name)
def test_modules_stay_small_unless_they_say_why(path: Path) -> None:
    text = path.read_text()
    assert len(text.splitlines()) <= MODULE_LINES or WHY_LONG in text, f"split {_name(path)} by concept"


def test_the_layer_contracts_hold() -> None:
    """The same contracts `lint-imports` checks in CI: layers, no cycles between packages, pure rule engines."""
    command = [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    assert result.returncode == 0, result.stdout + result.stderr
