"""FLORES-200 (NLLB Team et al. 2022): 2,009 sentences (dev 997 + devtest 1,012) aligned across 204 languages.

Read from a directory (argument, ``$WORKBENCH_FLORES_DIR``, ``../shared/data/flores200``) or, when a
model hub is reachable, downloaded once into the cache. :func:`flores_raw` rebuilds the exact
corpus-total string of Petrov et al. (2023), "Language Model Tokenizers Introduce Unfairness Between
Languages". Codes are ``iso6393_Script`` (``tur_Latn``). Unlike :mod:`~workbench.corpora.udhr` (30
articles, read from a verified asset) this corpus may be missing; :func:`flores_available` says so.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Literal

from workbench.config import cache_dir, owner_tag, shared_data_dir
from workbench.corpora.files import read_corpus_file
from workbench.errors import OfflineError, UsageError, WorkbenchError, unknown_name

Split = Literal["dev", "devtest", "both"]

FLORES_SPLITS: tuple[str, ...] = ("dev", "devtest")
FLORES_HUB_REPOS = ("facebook/flores", "openlanguagedata/flores_plus")
FLORES_LAYOUT = (
    "A FLORES-200 directory holds dev/<code>.dev and devtest/<code>.devtest (the layout of "
    "flores200_dataset.tar.gz). Pass path=..., or set WORKBENCH_FLORES_DIR to that directory."
)

_FLORES_CODE = re.compile(r"[a-z]{3}_[A-Z][a-z]{3}")


def flores_dir(path: str | Path | None = None) -> Path:
    """The FLORES-200 directory: ``path``, else ``$WORKBENCH_FLORES_DIR``, else the shared data, else the hub.

    The hub download (``facebook/flores``, then ``openlanguagedata/flores_plus``) happens once, into
    the cache, and only when a model hub is reachable; otherwise an :class:`OfflineError` says where
    to put the files. A directory the user named (``path`` or ``$WORKBENCH_FLORES_DIR``) that is not a
    FLORES layout raises a :class:`UsageError` naming it: it is never replaced by another corpus.
    """
    if path is not None:
        return _checked_flores_dir(Path(path), "the path argument")
    if os.environ.get("WORKBENCH_FLORES_DIR"):
        return _checked_flores_dir(Path(os.environ["WORKBENCH_FLORES_DIR"]), "$WORKBENCH_FLORES_DIR")
    shared = shared_data_dir()
    if shared is not None and _is_flores_layout(shared / "flores200"):
        return shared / "flores200"
    found = _flores_from_hub()
    if isinstance(found, Path):
        return found
    raise OfflineError(f"FLORES-200 is not on this machine and the hub is unreachable ({found}). {FLORES_LAYOUT}")


def flores_available(path: str | Path | None = None) -> bool:
    """True when :func:`flores_dir` finds FLORES-200, False when it is nowhere (no directory configured, hub offline).

    A configured directory that is not a FLORES layout is not "unavailable": its :class:`UsageError` propagates.
    """
    try:
        flores_dir(path)
    except OfflineError:
        return False
    return True


def _is_flores_layout(root: Path) -> bool:
    return all((root / split).is_dir() and any((root / split).glob(f"*.{split}")) for split in FLORES_SPLITS)


def _checked_flores_dir(root: Path, origin: str) -> Path:
    if not _is_flores_layout(root):
        raise UsageError(f"{root} (from {origin}) is not a FLORES-200 directory. {FLORES_LAYOUT}")
    return root


@cache
def _flores_from_hub() -> Path | str:
    """The cached hub copy, downloading it on first use; a failure is returned as a message (and memoized)."""
    target = cache_dir("corpora", "flores200")
    if _is_flores_layout(target):
        return target
    failures = []
    for repo in FLORES_HUB_REPOS:
        try:
            _convert_hub_parquet(_hub_snapshot(repo), target)
            return target
        except (ImportError, OSError) as err:  # offline, gated, or huggingface_hub not installed
            failures.append(f"{repo}: {type(err).__name__}")
    return "; ".join(failures)


def _hub_snapshot(repo: str) -> Path:
    from huggingface_hub import snapshot_download

    return Path(snapshot_download(repo, repo_type="dataset", allow_patterns=["*.parquet", "*/*.parquet"]))


def _convert_hub_parquet(snapshot: Path, target: Path) -> None:
    """Write each hub parquet file as ``<split>/<code>.<split>`` (one sentence a line), atomically."""
    import polars as pl

    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".flores.{owner_tag()}.", suffix=".tmp"))
    try:
        for file in sorted(snapshot.rglob("*.parquet")):
            key = _hub_file_key(file.relative_to(snapshot))
            if key is None:
                continue
            frame = pl.read_parquet(file)
            frame = frame.sort("id") if "id" in frame.columns else frame
            column = "sentence" if "sentence" in frame.columns else "text"
            out = tmp / key[1] / f"{key[0]}.{key[1]}"
            out.parent.mkdir(exist_ok=True)
            out.write_text("".join(f"{s}\n" for s in frame[column]), encoding="utf-8")
        if not _is_flores_layout(tmp):
            raise OSError(f"no FLORES parquet files in {snapshot}")
        shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # gone after the rename; a partial copy after a failure


def _hub_file_key(relative: Path) -> tuple[str, str] | None:
    """(code, split) of a hub parquet file such as ``eng_Latn/dev-00000-of-00001.parquet``."""
    names = [*relative.parent.parts, relative.stem]
    codes = [n for n in names if _FLORES_CODE.fullmatch(n)]
    if not codes:
        return None
    return codes[0], "devtest" if "devtest" in relative.as_posix() else "dev"


def flores_languages(path: str | Path | None = None) -> list[str]:
    """The FLORES codes with both a dev and a devtest file, sorted (204 for FLORES-200)."""
    return sorted(_flores_listing(flores_dir(path)))


@cache
def _flores_listing(root: Path) -> frozenset[str]:
    return frozenset(f.stem for f in (root / "dev").glob("*.dev") if (root / "devtest" / f"{f.stem}.devtest").is_file())


def _check_flores_code(lang: str, path: str | Path | None) -> Path:
    root = flores_dir(path)
    if not (root / "dev" / f"{lang}.dev").is_file():
        raise unknown_name("FLORES-200 language", lang, flores_languages(path))
    return root


def _flores_lines(root: Path, lang: str, split: str) -> list[str]:
    """One split file split on "\\n", the trailing empty string after the final newline kept.

    Every language must have as many sentences as the reference language of the directory
    (:func:`_reference_length`), whichever way the corpus is then counted (sentences or Petrov's
    corpus-total string): a file with a missing or extra line raises, naming both files and counts.
    """
    lines = read_corpus_file(root / split / f"{lang}.{split}").split("\n")
    reference, expected = _reference_length(root, split)
    if _sentence_count(lines) != expected:
        raise WorkbenchError(
            f"FLORES file {root / split / f'{lang}.{split}'} has {_sentence_count(lines)} sentences, but "
            f"{reference} has {expected}: the languages are not line-aligned, so their counts would not compare. "
            "Replace the file with a complete copy.")
    return lines


def _sentence_count(lines: list[str]) -> int:
    return len(lines) - (lines[-1] == "")


@cache
def _reference_length(root: Path, split: str) -> tuple[Path, int]:
    """(file, sentences) of the split's reference language: ``eng_Latn`` if present, else the first code."""
    codes = sorted(_flores_listing(root))
    ref = "eng_Latn" if "eng_Latn" in codes else codes[0]
    path = root / split / f"{ref}.{split}"
    return path, _sentence_count(read_corpus_file(path).split("\n"))


def load_flores(lang: str, split: Split = "both", path: str | Path | None = None) -> list[str]:
    """The sentences of FLORES language ``lang`` (dev, devtest, or dev then devtest), line-aligned.

    >>> len(load_flores("eng_Latn"))                                 # doctest: +SKIP
    2009
    """
    if split not in (*FLORES_SPLITS, "both"):
        raise unknown_name("FLORES split", split, (*FLORES_SPLITS, "both"))
    root = _check_flores_code(lang, path)
    sentences: list[str] = []
    for part in FLORES_SPLITS if split == "both" else (split,):
        lines = _flores_lines(root, lang, part)
        sentences.extend(lines[:-1] if lines[-1] == "" else lines)
    return sentences


def flores_raw(lang: str, path: str | Path | None = None) -> str:
    """Petrov et al.'s corpus-total string: dev then devtest lines (split on "\\n", trailing "" kept), joined by " ".

    It is what their code encodes once, without special tokens, to count a language's tokens.
    """
    root = _check_flores_code(lang, path)
    return " ".join(line for split in FLORES_SPLITS for line in _flores_lines(root, lang, split))


@cache
def _flores_metadata(root: Path) -> dict[str, dict]:
    """Names, script names/groups and RTL codes from the FLORES side files (empty when absent)."""
    names, scripts = {}, {}
    if (root / "language_names.csv").is_file():
        for line in read_corpus_file(root / "language_names.csv").splitlines()[1:]:
            name, _, code = line.rpartition(",")
            names[code.strip()] = name.strip()
    if (root / "script_groups.csv").is_file():
        for row in csv.reader(read_corpus_file(root / "script_groups.csv").splitlines()[1:]):
            scripts[row[0].strip()] = (row[1].strip(), row[2].strip())
    rtl_file = root / "rtl_languages.txt"
    rtl = set(read_corpus_file(rtl_file).split()) if rtl_file.is_file() else set()
    return {"names": names, "scripts": scripts, "rtl": rtl}


def _flores_codes(path: str | Path | None) -> frozenset[str]:
    """The FLORES codes, or none when FLORES is absent (lookups must not fail on that, but on a bad directory)."""
    try:
        return _flores_listing(flores_dir(path))
    except OfflineError:
        return frozenset()
