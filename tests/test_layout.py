"""The shape rules of ``workbench/__init__.py``, checked on the code: every analysis is a package of the same
shape, and only its ``explorer.py`` imports the display layer (matplotlib, seaborn, ipywidgets, the token view,
the explorers)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "workbench"
ANALYSES = ("fairness", "turkish", "glitch", "pruning", "compare")
DISPLAY_LAYER = ("matplotlib", "seaborn", "ipywidgets", "workbench.token_view", "workbench.explorers")


def top_level_imports(path: Path) -> set[str]:
    """The modules a file imports at its top level (not inside functions)."""
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return names


@pytest.mark.parametrize("analysis", ANALYSES)
def test_every_analysis_has_the_same_shape(analysis):
    files = {p.name for p in (PACKAGE / analysis).glob("*.py")}
    assert {"__init__.py", "published.py", "explorer.py", "cli.py"} <= files, sorted(files)


@pytest.mark.parametrize("analysis", ANALYSES)
def test_only_the_explorer_imports_the_display_layer(analysis):
    package = PACKAGE / analysis
    offenders = {path.name: sorted(n for n in top_level_imports(path) if n.startswith(DISPLAY_LAYER))
                 for path in package.glob("*.py") if path.name != "explorer.py"}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_check_sees_imports():
    assert any(n.startswith(DISPLAY_LAYER) for n in top_level_imports(PACKAGE / "fairness" / "explorer.py"))
