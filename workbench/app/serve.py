"""Serve the app: Voila on the dashboard notebook that ships inside the package (``workbench app``, ``make app``).

The notebook (:data:`NOTEBOOK`, ``workbench/app/dashboard.ipynb``) is package data, so a ``pip install`` serves
the same app as a clone. Its one code cell displays :func:`workbench.app.dashboard`; Voila runs it with the
sources stripped, so a reader sees the widgets and their text, never code. This module imports neither
ipywidgets nor any analysis: ``workbench app --help`` stays light.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

#: The dashboard notebook Voila serves.
NOTEBOOK = Path(__file__).resolve().with_name("dashboard.ipynb")
DEFAULT_PORT = 8866


def voila_command(port: int = DEFAULT_PORT, *, full: bool = False, browser: bool = False,
                  ip: str = "localhost") -> tuple[list[str], dict[str, str]]:
    """The argv and environment that serve the app on ``ip:port``, in fast mode unless ``full``.

    >>> argv, env = voila_command(9000)
    >>> argv[1:3], "--port=9000" in argv, env["WORKBENCH_FAST"]
    (['-m', 'voila'], True, '1')
    """
    argv = [sys.executable, "-m", "voila", str(NOTEBOOK), f"--port={port}", f"--Voila.ip={ip}",
            "--strip_sources=True", *([] if browser else ["--no-browser"])]
    return argv, dict(os.environ, WORKBENCH_FAST="0" if full else "1")


def serve(port: int = DEFAULT_PORT, *, full: bool = False, browser: bool = False, ip: str = "localhost") -> int:
    """Run Voila on the app until it is stopped (Ctrl-C); returns Voila's exit code.

    A missing Voila raises ``ModuleNotFoundError`` (the CLI names the extra that installs it).
    """
    if importlib.util.find_spec("voila") is None:
        raise ModuleNotFoundError("No module named 'voila'", name="voila")
    argv, env = voila_command(port, full=full, browser=browser, ip=ip)
    print(f"serving the app on http://{ip}:{port} in {'full' if full else 'fast'} mode (Ctrl-C stops it)",
          file=sys.stderr)
    return subprocess.call(argv, env=env)
