"""Verified caches: every cached file carries its own sha256, so damage is a cache miss, never a wrong number.

Unlike :mod:`workbench.assets` (third-party files whose hash is known *before* they are fetched, from the
committed manifest) the files here are made by the workbench itself (parsed corpora, converted tokenizers,
result tables), so nobody knows their hash in advance: :func:`write` records it when the file is made and
:func:`read` checks it before every use. Unlike :func:`workbench.config.write_atomic` (which only makes a
write atomic) a file written here can be trusted later.

The hash lives in a sidecar ``<file>.sha256`` in ``sha256sum`` format (``<hex>  <name>``), written
atomically *after* the data. A sidecar rather than a header because the cached files are ordinary
parquet, JSON or SentencePiece files that libraries read straight from a path (``pl.read_parquet``,
``SentencePieceProcessor(model_file=...)``): a header would need a copy without it before every read,
and ``sha256sum -c`` can check a sidecar by hand. Two processes may write the same file at once: a
reader that sees one writer's data with the other's sidecar finds a mismatch and treats it as a miss,
so a race costs a rebuild, never a wrong value.

:func:`read` returns ``None`` (a miss) and deletes the file when the sidecar is missing, differs from
the data, or ``read_fn`` cannot parse the data; it logs one line saying which. Callers rebuild on
``None``::

    value = cache.read(target, read_fn)
    if value is None:
        value = compute()
        cache.write(target, serialise(value))

Keying results by what was really used. A result's file name must change whenever its inputs change,
so it is keyed by :func:`key` over the *files actually read*, not over the names that led to them:
for a tokenizer converted from a registry asset that is the converted file (e.g. the ``.model`` file the
backend loads), so a damaged or re-converted file cannot be served results computed with the old one::

    tokenizer_file = zoo_converted_path("llama2")          # the file the backend really loads
    target = cache_dir("results") / f"counts-{cache.key(tokenizer_file, corpus_digest, CODE_VERSION)}.parquet"
    frame = cache.read(target, pl.read_parquet)
    if frame is None:
        frame = count(...)
        cache.write(target, frame.write_parquet)

:func:`key` hashes the content of a :class:`~pathlib.Path` (memoized per process by the file's
:func:`fingerprint`) and the ``repr`` of anything else (versions, options, corpus digests).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

from workbench.config import write_atomic

log = logging.getLogger(__name__)

T = TypeVar("T")

SIDECAR_SUFFIX = ".sha256"


def sidecar(target: Path) -> Path:
    """The checksum file of ``target`` (``target`` + ``.sha256``)."""
    return target.with_name(target.name + SIDECAR_SUFFIX)


def write(target: Path, write_fn: Callable[[Path], object] | bytes | str) -> Path:
    """Write ``target`` atomically, then its sha256 sidecar; returns ``target``.

    ``write_fn`` is the content (bytes or UTF-8 text) or a function that writes a given path
    (e.g. ``frame.write_parquet``), as for :func:`workbench.config.write_atomic`, whose errors
    (a full or read-only disk becomes a :class:`~workbench.errors.CacheError`) it raises.
    The hash is taken of the file as written, so what :func:`read` checks is what is on disk.
    """
    target = Path(target)
    sidecar(target).unlink(missing_ok=True)  # never leave an old sidecar next to new data
    write_atomic(target, write_fn)
    write_atomic(sidecar(target), f"{digest(target)}  {target.name}\n")
    return target


def read(target: Path, read_fn: Callable[[Path], T]) -> T | None:
    """``read_fn(target)`` if ``target`` exists and matches its sidecar, else ``None`` (a cache miss).

    A missing sidecar, a hash mismatch, or any exception of ``read_fn`` deletes the file and its
    sidecar and logs one warning naming the file and why; a missing file returns ``None`` silently.
    """
    target = Path(target)
    if not target.is_file():
        return None
    try:
        recorded = sidecar(target).read_text(encoding="ascii").split()[0]
    except (OSError, UnicodeDecodeError, IndexError):
        return _miss(target, "it has no readable checksum")
    if recorded != digest(target):
        return _miss(target, "its sha256 differs from the one recorded when it was written")
    try:
        return read_fn(target)
    except Exception as exc:  # any parse failure of any format is a miss: the file is rebuilt
        return _miss(target, f"it cannot be read ({type(exc).__name__})")


def _miss(target: Path, reason: str) -> None:
    log.warning("cache file %s is discarded and will be rebuilt: %s", target, reason)
    target.unlink(missing_ok=True)
    sidecar(target).unlink(missing_ok=True)
    return None


def digest(target: Path) -> str:
    """sha256 of a file, or of a directory's sorted ``relpath  sha256`` lines; a missing path raises.

    >>> import tempfile, pathlib; f = pathlib.Path(tempfile.mkdtemp()) / "x"; _ = f.write_text("abc")
    >>> digest(f)[:16]
    'ba7816bf8f01cfea'
    """
    target = Path(target)
    if target.is_file():
        return _sha256_file(target)
    if not target.is_dir():
        raise FileNotFoundError(f"{target} does not exist, so it has no sha256")
    lines = [f"{p.relative_to(target).as_posix()}  {_sha256_file(p)}\n" for p in tree(target)]
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def tree(root: Path) -> list[Path]:
    """The files under ``root``, sorted by relative path (the order :func:`digest` hashes them in)."""
    return sorted((p for p in root.rglob("*") if p.is_file()), key=lambda p: p.relative_to(root).as_posix())


def fingerprint(target: Path) -> list:
    """What an in-place edit cannot leave unchanged: size, mtime, ctime and inode of each file.

    Size and mtime alone are forgeable (write the same number of bytes, then ``touch -d`` the old
    mtime back). The inode change time ``st_ctime_ns`` is set by the kernel on every write and on
    every ``utime`` call, and cannot be set from user space; the inode number ``st_ino`` changes when
    a file is replaced by another. Copying a cache elsewhere changes both, which costs one re-hash.
    """
    files = [target] if target.is_file() else tree(target)
    stats = [(p, p.stat()) for p in files]
    return [[p.relative_to(target).as_posix() if p != target else "", s.st_size, s.st_mtime_ns, s.st_ctime_ns,
             s.st_ino] for p, s in stats]


def key(*parts: object) -> str:
    """A 16-hex-digit cache key over ``parts``: the content hash of each :class:`Path`, the ``repr`` of the rest.

    >>> key("counts", 3) == key("counts", 3) != key("counts", 4)
    True
    """
    h = hashlib.sha256()
    for part in parts:
        text = _memo_digest(str(part), repr(fingerprint(part))) if isinstance(part, Path) else repr(part)
        h.update(text.encode("utf-8") + b"\0")
    return h.hexdigest()[:16]


@cache
def _memo_digest(path: str, stamp: str) -> str:
    """:func:`digest` memoized by path and :func:`fingerprint` (any change of the file changes ``stamp``)."""
    return digest(Path(path))


def _sha256_file(file: Path) -> str:
    h = hashlib.sha256()
    with open(file, "rb", buffering=0) as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()

