"""Where the workbench keeps things, and the one fast-mode switch.

Everything heavy (registry downloads, converted tokenizers, model weights, cached results) lives
under one cache directory outside the repository: ``$WORKBENCH_HOME`` if set, else the user cache
directory (``~/.cache/token-workbench`` on Linux). Nothing is ever written into ``notebooks/``.

Fast mode (``WORKBENCH_FAST=1``) is read here and only here. It shrinks sizes (fewer sentences,
images, candidates); it never switches to a different algorithm.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import platformdirs

from workbench.errors import CacheError

APP_NAME = "token-workbench"


def home() -> Path:
    """The cache root (``$WORKBENCH_HOME`` or the user cache dir), created on first use."""
    root = Path(os.environ.get("WORKBENCH_HOME") or platformdirs.user_cache_dir(APP_NAME))
    _writable_dir(root)
    return root


def cache_dir(*parts: str) -> Path:
    """A sub-directory of :func:`home`, created on first use.

    >>> cache_dir("results").name
    'results'
    """
    path = home().joinpath(*parts)
    _writable_dir(path)
    return path


def cache_problem(path: Path, reason: str) -> CacheError:
    """The one message for an unusable cache: which directory, why, and what to do."""
    return CacheError(
        f"The workbench cache directory {path} cannot be used ({reason}). Set WORKBENCH_HOME to a writable "
        "directory with free space (e.g. export WORKBENCH_HOME=/tmp/token-workbench) and run again.")


def _writable_dir(path: Path) -> None:
    """Create ``path`` if needed; a read-only or unwritable directory raises :func:`cache_problem`."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cache_problem(path, exc.strerror or type(exc).__name__) from exc
    if not os.access(path, os.W_OK | os.X_OK):
        raise cache_problem(path, "read-only or no write permission")


def write_atomic(target: Path, write: Callable[[Path], object] | bytes | str) -> Path:
    """Write ``target`` through a temporary file in the same directory and a rename.

    ``write`` is the content (bytes or UTF-8 text) or a function that writes a given path (e.g.
    ``frame.write_parquet``). A failure, or a full disk, leaves no partial file behind (the
    ``OSError`` is raised as it came).
    """
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        if callable(write):
            write(Path(tmp))
        else:
            Path(tmp).write_bytes(write.encode("utf-8") if isinstance(write, str) else write)
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target


def fast_mode() -> bool:
    """True when ``WORKBENCH_FAST`` is set to a true value (CI and nbval runs)."""
    return os.environ.get("WORKBENCH_FAST", "").strip().lower() in {"1", "true", "yes", "on"}


def pick(fast: int, full: int) -> int:
    """A size for the current mode: ``fast`` under :func:`fast_mode`, else ``full``."""
    return fast if fast_mode() else full


def repo_root() -> Path | None:
    """The checkout this package was installed from in editable mode, if any."""
    candidate = Path(__file__).resolve().parent.parent
    return candidate if (candidate / "pyproject.toml").exists() else None


def shared_data_dir() -> Path | None:
    """``../shared/data`` beside the checkout (the developers' and CI's corpora), if present."""
    root = repo_root()
    if root is None:
        return None
    candidate = root.parent / "shared" / "data"
    return candidate if candidate.is_dir() else None
