"""Execute the numbered notebooks and export them: the engine behind ``make reproduce``.

Each notebook runs top to bottom in a fresh kernel with the notebooks folder as working directory;
the executed copy and a standalone HTML export go to ``reports/``. The notebooks themselves are
never rewritten. Fast mode is passed to the kernel through ``WORKBENCH_FAST``.

nbclient mirrors ipywidgets ``Output`` widgets by writing their state back to the kernel on the shell
socket while it awaits the cell's reply on that same socket; the reply can then be missed and the run
hangs for good with an idle kernel (jupyter/nbclient#312; it hit notebook 04's explorer in 2 of 3
runs). The workbench's explorers no longer use ``Output`` widgets (see :mod:`workbench.explorers`); the
mirroring is switched off all the same, so an ``Output`` widget of other code (a user's cell) cannot hang
a run either: what it displays lands in the cell's own outputs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from workbench.notebook import bundle_dirs

#: Seconds one cell may run before the run is declared stuck.
CELL_TIMEOUT = 3600


def numbered_notebooks(folder: Path | None = None) -> list[Path]:
    """The ``NN_*.ipynb`` notebooks of ``folder`` (default: this install's, :func:`workbench.notebook.bundle_dirs`)."""
    folder = folder or bundle_dirs()[0]
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def run_notebooks(paths: Sequence[str | Path] | None = None, *, out_dir: str | Path = "reports",
                  fast: bool = False) -> list[Path]:
    """Execute notebooks (default: all numbered ones) and write ``.ipynb`` + ``.html`` into ``out_dir``."""
    import nbformat
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter
    from tqdm.auto import tqdm

    notebooks = [Path(p) for p in paths] if paths else numbered_notebooks()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    os.environ["WORKBENCH_FAST"] = "1" if fast else "0"  # inherited by the kernels
    written = []
    for path in tqdm(notebooks, desc="notebooks", unit="nb", file=sys.stderr):
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent.resolve())}})
        client.widget_registry = {}  # see the module docstring: no Output-widget mirroring
        client.execute()
        executed = out / path.name
        nbformat.write(nb, executed)
        html, _ = HTMLExporter().from_notebook_node(nb)
        executed.with_suffix(".html").write_text(html, encoding="utf-8")
        written += [executed, executed.with_suffix(".html")]
    return written

