"""Where the workbench keeps things, and the one fast-mode switch.

Everything heavy (registry downloads, converted tokenizers, model weights, cached results) lives
under one cache directory outside the repository: ``$WORKBENCH_HOME`` if set, else the user cache
directory (``~/.cache/token-workbench`` on Linux). Nothing is ever written into ``notebooks/``.

Fast mode (``WORKBENCH_FAST=1``) is read here and only here. It shrinks sizes (fewer sentences,
images, candidates); it never switches to a different algorithm.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import socket
import tempfile
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path

import platformdirs

from workbench.errors import CacheError, OutputError

log = logging.getLogger(__name__)

APP_NAME = "token-workbench"


def home() -> Path:
    """The cache root (``$WORKBENCH_HOME`` or the user cache dir), created on first use.

    The first call of a process also removes temporary files that killed writers left behind
    (:func:`clean_stale_temps`).
    """
    root = _home_path()
    _writable_dir(root)
    _clean_once(str(root))
    return root


def _home_path() -> Path:
    return Path(os.environ.get("WORKBENCH_HOME") or platformdirs.user_cache_dir(APP_NAME))


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
        f"The workbench cache directory {path} cannot be used ({reason}). Free space there, or set WORKBENCH_HOME "
        "to a writable directory with free space (e.g. export WORKBENCH_HOME=/tmp/token-workbench), and run again.")


def output_problem(path: Path, reason: str) -> OutputError:
    """The one message for an output file (``--out``) that cannot be written: which file, why, and what to do."""
    return OutputError(
        f"Cannot write {path} ({reason}). Free space in {path.parent} or make it writable, "
        "or choose another --out path.")


def _writable_dir(path: Path) -> None:
    """Create ``path`` if needed; a read-only or unwritable directory raises :func:`cache_problem`."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cache_problem(path, exc.strerror or type(exc).__name__) from exc
    if not os.access(path, os.W_OK | os.X_OK):
        raise cache_problem(path, "read-only or no write permission")


#: The errors of a disk that is full, read-only or not ours: the user can fix them, so they get a message.
STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM})


def write_atomic(target: Path, write: Callable[[Path], object] | bytes | str) -> Path:
    """Write ``target`` through a temporary file in the same directory and a rename.

    ``write`` is the content (bytes or UTF-8 text) or a function that writes a given path (e.g.
    ``frame.write_parquet``). Whatever fails, the temporary file is removed, so no partial file is
    left. A full, read-only or forbidden disk (:data:`STORAGE_ERRNOS`, also when a library reports it
    as its own exception, as polars does) raises :func:`cache_problem` for a file under the cache and
    :func:`output_problem` for any other (an ``--out``); other errors are raised as they came. The
    file gets the permissions of any new file (``0o666`` less the umask), not ``mkstemp``'s ``0o600``.
    Its temporary name carries this host and pid, so :func:`clean_stale_temps` can tell a killed
    writer's leftover from a live writer's file.
    """
    target = Path(target)
    tmp: Path | None = None
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.{owner_tag()}.", suffix=".tmp")
        os.close(fd)
        tmp = Path(name)
        if callable(write):
            write(tmp)
        else:
            tmp.write_bytes(write.encode("utf-8") if isinstance(write, str) else write)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except Exception as exc:
        code = _storage_errno(exc)
        if code is None:
            raise
        problem = cache_problem if target.parent.resolve().is_relative_to(_home_path().resolve()) else output_problem
        raise problem(target.parent if problem is cache_problem else target, os.strerror(code)) from exc
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    return target


def _storage_errno(exc: BaseException) -> int | None:
    """The :data:`STORAGE_ERRNOS` code behind ``exc`` (or its causes), also when only its message names it."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in STORAGE_ERRNOS:
            return seen.errno
        for code in STORAGE_ERRNOS:  # polars, sentencepiece: "ComputeError: No space left on device"
            if os.strerror(code) in str(seen):
                return code
        seen = seen.__cause__ or seen.__context__
    return None


def _umask() -> int:
    """The process umask, read without changing it where /proc allows (changing it races other threads)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def check_out(path: str | Path) -> Path:
    """Check an output path before the work starts: its directory is created if missing, and must be writable.

    Call it on every ``--out`` before computing, so a bad path fails at once and not after the work. A
    missing parent directory is created (and logged); an existing directory as ``path``, or a directory
    that cannot be created or written, raises :func:`output_problem`.
    """
    out = Path(path).expanduser()
    if out.is_dir():
        raise output_problem(out, "it is a directory; give a file name")
    if not out.parent.is_dir():
        try:
            out.parent.mkdir(parents=True)
        except OSError as exc:
            raise output_problem(out, f"its directory cannot be created: {exc.strerror}") from exc
        log.warning("created directory %s for %s", out.parent, out.name)
    try:
        fd, probe = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.{owner_tag()}.", suffix=".tmp")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise output_problem(out, exc.strerror or type(exc).__name__) from exc
    return out


_TEMP_OWNER = re.compile(r"\.(?P<host>[^.~]+)~(?P<pid>\d+)\.[^.]*\.tmp$")

#: A temporary file older than this is removed whoever wrote it (another host, or a pid since reused).
STALE_AFTER_SECONDS = 24 * 3600


def owner_tag() -> str:
    """``host~pid`` of this process, put into every temporary name (see :func:`is_stale_temp`)."""
    return f"{socket.gethostname().split('.')[0] or 'host'}~{os.getpid()}"


def is_stale_temp(path: Path, *, max_age: float = STALE_AFTER_SECONDS) -> bool:
    """True when ``path`` is a temporary file or folder whose writer is gone.

    Its writer is gone when the name's ``host~pid`` is this host and no such process runs, or when
    it is older than ``max_age`` seconds (any host; also names without an owner). A live writer's
    temporary file, including one of a concurrent process filling the same cache, is never stale.
    """
    try:
        age = time.time() - path.lstat().st_mtime
    except OSError:
        return False
    owner = _TEMP_OWNER.search(path.name)
    if owner and owner["host"] == owner_tag().split("~")[0] and not _pid_alive(int(owner["pid"])):
        return True
    return age > max_age


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_temps(root: Path) -> list[Path]:
    """Remove the ``.*.tmp`` files under ``root`` that killed writers left (:func:`is_stale_temp`); returns them."""
    removed = []
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            if name.startswith(".") and name.endswith(".tmp") and is_stale_temp(path):
                try:
                    path.unlink()
                except OSError:
                    continue
                removed.append(path)
    if removed:
        log.info("removed %d temporary file(s) left by killed writers under %s", len(removed), root)
    return removed


@cache
def _clean_once(root: str) -> None:
    clean_stale_temps(Path(root))


def fast_mode() -> bool:
    """True when ``WORKBENCH_FAST`` is set to a true value (CI and nbval runs)."""
    return os.environ.get("WORKBENCH_FAST", "").strip().lower() in {"1", "true", "yes", "on"}


def mode_chosen() -> bool:
    """True when ``WORKBENCH_FAST`` is set at all (to a true or a false value): someone chose the mode."""
    return bool(os.environ.get("WORKBENCH_FAST", "").strip())


def set_fast_mode(fast: bool) -> None:
    """Switch this process to the fast or the full mode (``WORKBENCH_FAST``), as the app's mode switch does."""
    os.environ["WORKBENCH_FAST"] = "1" if fast else "0"


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
