"""Notebook conventions: the same setup cell everywhere, narrative cells only, the anatomy of STYLE.md."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from workbench.notebook import SETUP_CELL
from workbench.reports import numbered_notebooks

NOTEBOOKS = numbered_notebooks(Path(__file__).parent.parent / "notebooks")


def _code(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def test_there_are_numbered_notebooks():
    assert [p.name[:2] for p in NOTEBOOKS][:1] == ["00"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_code_cell_is_the_shared_setup_cell(path):
    assert _code(nbformat.read(path, as_version=4))[0] == SETUP_CELL


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_cells_are_narrative(path):
    for source in _code(nbformat.read(path, as_version=4))[1:]:
        lines = [line for line in source.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        assert not re.search(r"^\s*class\s", source, re.M), source
        assert not re.search(r"^\s*def\s", source, re.M), source
        assert len(lines) <= 8, source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_anatomy(path):
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith(f"# {path.name[:2]}")
    for heading in ("Time to run", "## Summary", "## What's next", "## References"):
        assert heading in text, f"{path.name} lacks '{heading}'"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_stored_with_outputs_for_nbval(path):
    nb = nbformat.read(path, as_version=4)
    assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), "run it in fast mode and save"
