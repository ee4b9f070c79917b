"""Notebook conventions: the same setup cell everywhere, narrative cells only, the anatomy of rule 7 (STYLE.md),
and an nbval sanitizer that rounds floats but still fails on a real change."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbval.plugin import find_comment_markers, get_sanitize_patterns, metadata_tags

from workbench.exercises import EXERCISES
from workbench.notebook import SETUP_CELL
from workbench.reports import numbered_notebooks

NOTEBOOKS = numbered_notebooks(Path(__file__).parent.parent / "notebooks")
EXERCISE_NOTEBOOKS = {e.notebook for e in EXERCISES.values()}


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
def test_nbval_markers_are_cell_tags_out_of_the_readers_sight(path):
    """``# NBVAL_IGNORE_OUTPUT`` and its kin live in the cell's ``tags`` (which nbval reads too), not in its source."""
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "code":
            assert list(find_comment_markers(cell.source)) == [], cell.source
            unknown = [t for t in cell.metadata.get("tags", []) if t.startswith("nbval") and t not in metadata_tags]
            assert unknown == [], f"nbval knows no tag {unknown}; it knows {sorted(metadata_tags)}"


def sections(nb) -> list[tuple[str, str]]:
    """The level-2 sections of a notebook's markdown, in order: (heading text, the markdown under it)."""
    found: list[tuple[str, list[str]]] = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if line.startswith("## "):
                found.append((line[3:].strip().replace("\u2019", "'"), []))
            elif found:
                found[-1][1].append(line)
    return [(heading, "\n".join(body)) for heading, body in found]


def anatomy_problems(nb, number: str, *, exercises: bool = False) -> list[str]:
    """What a notebook lacks of rule 7's anatomy (empty when it has it all).

    Title cell ``# NN · Title`` with the question and learning objectives (or "you will learn");
    then the level-2 headings exactly ``Overview``, ``Prerequisites`` (holding a table that gives the
    time to run in fast and in full mode), ``1. …``, ``2. …`` (at least one, numbered from 1 without
    gaps), ``Summary``,
    ``What's next`` and ``References`` (naming licences); with ``exercises``, then ``Your turn`` (the exercises
    of :mod:`workbench.exercises`, last so that ``scripts/exercise_cells.py`` can regenerate them in place).
    """
    problems = []
    first = nb.cells[0]
    if first.cell_type != "markdown" or not re.match(rf"# {number} · \S", first.source):
        problems.append(f"the first cell is not a markdown title '# {number} · Title'")
    elif "question" not in first.source.lower() or not re.search(r"learning objectives|you will learn",
                                                                    first.source, re.I):
        problems.append("the title cell lacks the question or the learning objectives")
    found = sections(nb)
    headings = [heading for heading, _ in found]
    numbered = [h for h in headings if re.match(r"\d+\. \S", h)]
    expected = ["Overview", "Prerequisites", *numbered, "Summary", "What's next", "References",
                *["Your turn"] * exercises]
    if headings != expected:
        problems.append(f"level-2 headings {headings} are not {expected}")
    if [int(h.split(".")[0]) for h in numbered] != list(range(1, len(numbered) + 1)) or not numbered:
        problems.append(f"numbered sections {numbered} do not run 1, 2, ...")
    body = dict(found)
    table = [line for line in body.get("Prerequisites", "").splitlines() if line.lstrip().startswith("|")]
    timing = [line.lower() for line in table if "time" in line.lower()]
    if not any(re.match(r"\s*\|\s*:?-{3,}", line) for line in table):
        problems.append("Prerequisites holds no markdown table")
    if not (any("fast" in line for line in timing) and any("full" in line for line in timing)):
        problems.append("the Prerequisites table does not give the time to run in fast and in full mode")
    if "licen" not in body.get("References", "").lower():
        problems.append("References name no licence")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_anatomy(path):
    number = path.name[:2]
    assert anatomy_problems(nbformat.read(path, as_version=4), number, exercises=number in EXERCISE_NOTEBOOKS) == []


def test_anatomy_check_finds_what_is_missing():
    cells = [nbformat.v4.new_markdown_cell(text) for text in (
        "# 07 · A title\n**Question.** Why?\n**Learning objectives.** This.",
        "## Overview\nA plan.", "## Prerequisites\n| | |\n|---|---|\n| Time to run, fast mode | 1 min |\n"
        "| Time to run, full mode | 9 min |", "## 1. First", "## 2. Second",
        "## Summary\nDone.\n\n## What's next\nMore.\n\n## References\n* Data, CC BY 4.0 licence.")]
    nb = nbformat.v4.new_notebook(cells=cells)
    assert anatomy_problems(nb, "07") == []
    assert anatomy_problems(nb, "08") == ["the first cell is not a markdown title '# 08 · Title'"]
    assert len(anatomy_problems(nb, "07", exercises=True)) == 1  # no "Your turn"
    practised = nbformat.v4.new_notebook(cells=[*cells, nbformat.v4.new_markdown_cell("## Your turn\nTry.")])
    assert anatomy_problems(practised, "07", exercises=True) == [] and len(anatomy_problems(practised, "07")) == 1
    untitled = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 07 · A title\nWhy?"), *cells[1:]])
    assert anatomy_problems(untitled, "07") == ["the title cell lacks the question or the learning objectives"]
    swapped = nbformat.v4.new_notebook(cells=[cells[0], cells[2], cells[1], *cells[3:]])
    assert len(anatomy_problems(swapped, "07")) == 1
    gap = nbformat.v4.new_notebook(cells=[*cells[:3], cells[4], cells[5]])
    assert anatomy_problems(gap, "07") == ["numbered sections ['2. Second'] do not run 1, 2, ..."]
    no_full = nbformat.v4.new_notebook(cells=[cells[0], cells[1], nbformat.v4.new_markdown_cell(
        "## Prerequisites\n| | |\n|---|---|\n| Time to run | 1 min |"), *cells[3:]])
    assert anatomy_problems(no_full, "07") == [
        "the Prerequisites table does not give the time to run in fast and in full mode"]


SANITIZE = Path(__file__).parent.parent / "notebooks" / "nbval_sanitize.cfg"


def sanitized(text: str) -> str:
    """``text`` as nbval sees it with ``notebooks/nbval_sanitize.cfg`` (its regex, in file order)."""
    for pattern, replacement in get_sanitize_patterns(SANITIZE.read_text(encoding="utf-8")):
        text = re.sub(pattern, replacement, text)
    return text


def test_sanitizer_rounds_floats_but_still_sees_real_changes():
    assert sanitized("premium 1.91234, gini 0.2149") == sanitized("premium 1.91249, gini 0.21498")
    assert sanitized("premium 1.912") != sanitized("premium 1.913")
    assert sanitized("tokens 52835") != sanitized("tokens 52836")
    assert sanitized("<Figure at 0x7f3a2b1c9d10>") == sanitized("<Figure at 0x7f00aa11bb22>")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_stored_with_outputs_for_nbval(path):
    nb = nbformat.read(path, as_version=4)
    assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), "run it in fast mode and save"


def test_check_reference_passes_within_the_tolerance_and_names_each_cell_beyond_it(tmp_path, monkeypatch):
    """notebook.check_reference: floats within atol agree; a far float, a changed string or a missing row fails."""
    import polars as pl

    from workbench import notebook
    from workbench.errors import WorkbenchError

    monkeypatch.setenv("WORKBENCH_FAST", "1")
    monkeypatch.setattr(notebook, "REFERENCE_DIR", tmp_path)
    frame = pl.DataFrame({"method": ["tome", "evit"], "keep": [0.5, 0.5], "place": ["spread", "spread"],
                          "cos": [0.996, 0.989]})
    notebook.check_reference(frame, "ref", ["method", "keep"], record=True)
    near = frame.with_columns(pl.col("cos") + 0.009)
    assert notebook.check_reference(near, "ref", ["method", "keep"]).startswith("all 4 cells of 2 rows agree")
    with pytest.raises(WorkbenchError, match=r"'method': 'evit'.*cos: reference 0.989, now 1.0"):
        notebook.check_reference(frame.with_columns(pl.when(pl.col("method") == "evit").then(1.0)
                                                    .otherwise(pl.col("cos")).alias("cos")), "ref", ["method", "keep"])
    with pytest.raises(WorkbenchError, match="place: reference spread, now layer"):
        notebook.check_reference(frame.with_columns(pl.lit("layer").alias("place")), "ref", ["method", "keep"])
    with pytest.raises(WorkbenchError, match="reference 0.989, now None"):
        notebook.check_reference(frame.head(1), "ref", ["method", "keep"])
    with pytest.raises(WorkbenchError, match="No reference run 'other'"):
        notebook.check_reference(frame, "other", ["method"])
