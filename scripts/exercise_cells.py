"""Append (or regenerate) the "Your turn" cells of notebooks 01-05 from the registry of :mod:`workbench.exercises`.

    python scripts/exercise_cells.py            # rewrite the exercise cells at the end of each notebook
    python scripts/exercise_cells.py --check    # exit 1 if a notebook's exercise cells (kind, id, source, in
                                                # order, at the end) are not the registry's; outputs are not compared

Only the cells marked with ``workbench.exercises.METADATA_KEY`` are removed and re-added, at the end; every other
cell, and its outputs, is left byte for byte (nbformat writes these notebooks back unchanged).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

from workbench import exercises

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def regenerate(path: Path) -> nbformat.NotebookNode:
    """The notebook at ``path`` with its exercise cells replaced by the registry's, appended at the end."""
    nb = nbformat.read(path, as_version=4)
    kept = [c for c in nb.cells if exercises.METADATA_KEY not in c.metadata]
    nb.cells = kept + [nbformat.from_dict(c) for c in exercises.exercise_cells(path.name[:2])]
    return nb


def _tail(nb: nbformat.NotebookNode, cells: int) -> list[tuple]:
    """The last ``cells`` cells' kind, id, marker and source: what the registry decides (outputs are the run's)."""
    return [(c.cell_type, c.get("id"), c.metadata.get(exercises.METADATA_KEY), c.source) for c in nb.cells[-cells:]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    stale = []
    for number in sorted({e.notebook for e in exercises.EXERCISES.values()}):
        path = next(NOTEBOOKS.glob(f"{number}_*.ipynb"))
        fresh = regenerate(path)
        if _tail(nbformat.read(path, as_version=4), len(fresh.cells)) != _tail(fresh, len(fresh.cells)):
            stale.append(path.name)
            if not args.check:
                path.write_text(nbformat.writes(fresh) + "\n", encoding="utf-8")
    if stale:
        print(("stale: " if args.check else "rewrote: ") + ", ".join(stale))
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
