"""The user's own text: a parallel corpus from a folder, a table or a mapping; a monolingual corpus streamed.

Unlike :mod:`~workbench.corpora.flores` and :mod:`~workbench.corpora.udhr` (fixed corpora known by name)
these corpora are whatever the user brings, so every check is made on the way in and every error names
the file (and line). Accepted parallel sources (see :data:`PARALLEL_FORMATS`):

* a folder of ``<language>.txt`` files, one sentence a line, every file with the same number of lines;
* a ``.csv``, ``.tsv``, ``.parquet`` or ``.jsonl`` table with a language and a text column (defaults
  :data:`LANGUAGE_COLUMNS`, :data:`TEXT_COLUMNS`) and an optional sentence id (:data:`ID_COLUMNS`) that aligns
  the languages and orders the sentences (digit runs compare as numbers: ``s2`` before ``s10``); without
  it, rows align by their order within each language;
* a mapping ``{language: [sentences]}``.

Language labels may be FLORES codes (``tur_Latn``), ISO 639-3 or UDHR codes (``tur``) or free labels
(``my-dialect``): reading a corpus records the script detected in each label's text
(:func:`~workbench.corpora.scripts.detect_script`), so :func:`~workbench.corpora.languages.language_info`
answers for every label of a corpus read in this process.

A monolingual corpus (:class:`MonolingualCorpus`: a file, or a folder of ``.txt`` files) is never held in
memory: :meth:`MonolingualCorpus.lines` streams it through :func:`~workbench.corpora.files.iter_lines`.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from workbench.corpora.files import iter_lines
from workbench.corpora.scripts import detect_script
from workbench.errors import UsageError, WorkbenchError

TABLE_FORMATS = (".csv", ".tsv", ".parquet", ".jsonl")
PARALLEL_FORMATS = ("a folder of <language>.txt files", *TABLE_FORMATS, "a {language: [sentences]} mapping")
LANGUAGE_COLUMNS = ("language", "lang", "code")
TEXT_COLUMNS = ("text", "sentence")
ID_COLUMNS = ("id", "sentence_id")

#: Scripts detected in the labels of the user corpora read in this process (label -> ISO 15924 code).
_DETECTED: dict[str, str] = {}
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def corpus_label(source: str | Path | Mapping) -> str:
    """A file-name-safe label of a user corpus (``user-<folder or file stem>``, ``user`` for a mapping)."""
    if isinstance(source, Mapping):
        return "user"
    return "user-" + (_SAFE.sub("_", Path(source).stem) or "corpus")


def user_parallel_corpus(source: str | Path | Mapping[str, Sequence[str]], *, language_column: str | None = None,
                         text_column: str | None = None, id_column: str | None = None) -> dict[str, list[str]]:
    """Aligned sentences by language label from a folder, a table file or a mapping (see the module docstring).

    Every label's script is recorded for :func:`~workbench.corpora.languages.language_info`. A misaligned
    corpus, a missing column, an empty or non-UTF-8 file or an unknown format raises, naming the file.
    """
    if isinstance(source, Mapping):
        corpus = {str(lang): [str(s) for s in sentences] for lang, sentences in source.items()}
        _check_lengths({lang: (f"language '{lang}'", len(s)) for lang, s in corpus.items()}, "The mapping")
    else:
        path = Path(source)
        if path.is_dir():
            corpus = _folder_corpus(path)
        elif path.suffix.lower() in TABLE_FORMATS and path.is_file():
            corpus = _table_corpus(path, language_column, text_column, id_column)
        elif not path.exists():
            raise UsageError(f"No corpus at {path}: give flores200, udhr, or one of {', '.join(PARALLEL_FORMATS)}.")
        else:
            raise UsageError(f"Unknown corpus format of {path} ({path.suffix or 'no suffix'}). "
                             f"Accepted: {', '.join(PARALLEL_FORMATS)}.")
    if not corpus:
        raise UsageError(f"The corpus {source if not isinstance(source, Mapping) else 'mapping'} has no language.")
    register_scripts(corpus)
    return corpus


def register_scripts(corpus: Mapping[str, Sequence[str]]) -> None:
    """Record the script detected in the first sentences of each language (read by ``language_info``)."""
    for lang, sentences in corpus.items():
        _DETECTED[lang] = detect_script(" ".join(islice(sentences, 64)))


def detected_script(label: str) -> str | None:
    """The script recorded for ``label`` by a user corpus read in this process, else ``None``."""
    return _DETECTED.get(label)


def _folder_corpus(folder: Path) -> dict[str, list[str]]:
    files = sorted(folder.glob("*.txt"))
    if not files:
        others = sorted(p.name for p in folder.iterdir())[:5]
        raise UsageError(f"The corpus folder {folder} holds no <language>.txt files (found: {others or 'nothing'}). "
                         "Put one UTF-8 file per language there, one sentence a line, the same lines in each.")
    corpus = {f.stem: _file_lines(f) for f in files}
    _check_lengths({f.stem: (str(f), len(corpus[f.stem])) for f in files}, f"The corpus folder {folder}")
    return corpus


def _file_lines(path: Path) -> list[str]:
    """A file's lines (:func:`iter_lines`: bad UTF-8 names line and byte); empty lines are kept (alignment)."""
    lines = list(iter_lines(path))
    if not any(line.strip() for line in lines):
        raise WorkbenchError(f"Corpus file {path} is empty. Put one sentence a line in it.")
    return lines


def _check_lengths(sizes: dict[str, tuple[str, int]], where: str) -> None:
    """Raise when the (name, count) pairs differ, naming the most common count's first holder and the odd ones."""
    common = Counter(n for _, n in sizes.values()).most_common(1)[0][0] if sizes else 0
    odd = [(name, n) for name, n in sizes.values() if n != common]
    if odd:
        ref = next(name for name, n in sizes.values() if n == common)
        listed = "; ".join(f"{name} has {n}" for name, n in odd)
        raise WorkbenchError(f"{where} is not aligned: {ref} has {common} sentences, but {listed}. "
                             "Every language needs the same sentences, in the same order.")


def _table_corpus(path: Path, language_column: str | None, text_column: str | None,
                  id_column: str | None) -> dict[str, list[str]]:
    frame = _read_table(path)
    lang = _column(frame.columns, language_column, LANGUAGE_COLUMNS, "language", path)
    text = _column(frame.columns, text_column, TEXT_COLUMNS, "text", path)
    ident = id_column or next((c for c in ID_COLUMNS if c in frame.columns), None)
    if ident is not None:
        _column(frame.columns, ident, (), "sentence id", path)
    if frame.is_empty():
        raise WorkbenchError(f"Corpus table {path} has no rows. Put one row per (language, sentence) in it.")
    corpus: dict[str, dict] = {}
    for row, (code, sentence, key) in enumerate(zip(frame[lang], frame[text],
                                                    frame[ident] if ident else range(len(frame)), strict=True)):
        by_id = corpus.setdefault(str(code), {})
        if ident and key in by_id:
            raise WorkbenchError(f"Corpus table {path}, row {row + 1}: language '{code}' has sentence id "
                                 f"{key!r} twice.")
        by_id[key if ident else len(by_id)] = "" if sentence is None else str(sentence)
    return _align_ids(corpus, path, ident)


def _align_ids(corpus: dict[str, dict], path: Path, ident: str | None) -> dict[str, list[str]]:
    if ident is None:
        _check_lengths({lang: (f"language '{lang}'", len(s)) for lang, s in corpus.items()}, f"Corpus table {path}")
        return {lang: list(by_id.values()) for lang, by_id in corpus.items()}
    order = sorted({key for by_id in corpus.values() for key in by_id}, key=_natural)
    for lang, by_id in corpus.items():
        missing = [key for key in order if key not in by_id]
        if missing:
            raise WorkbenchError(f"Corpus table {path} is not aligned: language '{lang}' lacks {len(missing)} "
                                 f"sentence id(s) of column '{ident}' that others have, e.g. {missing[:3]}.")
    return {lang: [by_id[key] for key in order] for lang, by_id in corpus.items()}


def _natural(key: object) -> list:
    """A sort key putting ``s2`` before ``s10`` (and ``2`` before ``10``): digit runs compare as numbers."""
    return [int(part) if i % 2 else part for i, part in enumerate(re.split(r"(\d+)", str(key)))]


def _read_table(path: Path):
    """The table as a polars frame; text formats are checked as UTF-8 first (so an error names line and byte)."""
    import polars as pl

    if path.suffix.lower() != ".parquet":
        for _ in iter_lines(path):  # names the line and byte offset of bad UTF-8
            pass
    try:
        match path.suffix.lower():
            case ".csv":
                return pl.read_csv(path, infer_schema=False)
            case ".tsv":
                return pl.read_csv(path, separator="\t", infer_schema=False, quote_char=None)
            case ".jsonl":
                return pl.read_ndjson(path)
            case _:
                return pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as err:
        raise WorkbenchError(f"Corpus table {path} cannot be read as {path.suffix}: {err}") from None


def _column(found: Sequence[str], asked: str | None, defaults: Sequence[str], role: str, path: Path) -> str:
    if asked is not None and asked in found:
        return asked
    if asked is None:
        hit = next((c for c in defaults if c in found), None)
        if hit is not None:
            return hit
    wanted = f"'{asked}'" if asked else " or ".join(f"'{c}'" for c in defaults)
    raise WorkbenchError(f"Corpus table {path} has no {role} column {wanted}. Columns found: {', '.join(found)}. "
                         f"Name the column (e.g. {role.replace(' ', '_')}_column=...).")


@dataclass(frozen=True)
class MonolingualCorpus:
    """Text of one language in one file or a folder of ``.txt`` files, streamed a line at a time.

    ``language`` is a label for the results (and for :func:`language_info` once :meth:`script` ran).
    """

    paths: tuple[Path, ...]
    label: str
    language: str

    def lines(self) -> Iterator[str]:
        """Every line of every file, in order, without newlines (bounded memory; bad UTF-8 names file and line)."""
        for path in self.paths:
            yield from iter_lines(path)

    def batches(self, size: int = 1024) -> Iterator[list[str]]:
        """The non-empty lines in lists of at most ``size`` (the unit a tokenizer's ``encode_batch`` takes)."""
        lines = (line for line in self.lines() if line.strip())
        while batch := list(islice(lines, size)):
            yield batch

    def script(self) -> str:
        """The script of the first lines (:func:`detect_script`), recorded for ``language_info(self.language)``."""
        register_scripts({self.language: list(islice(self.lines(), 64))})
        return _DETECTED[self.language]

    def digest(self) -> str:
        """A sha256 over the files' bytes (read in blocks), for result-cache keys."""
        digest = hashlib.sha256()
        for path in self.paths:
            with path.open("rb") as handle:
                while block := handle.read(1 << 20):
                    digest.update(block)
        return digest.hexdigest()


def monolingual_corpus(path: str | Path, language: str | None = None) -> MonolingualCorpus:
    """A :class:`MonolingualCorpus` over a UTF-8 text file or a folder of ``.txt`` files (nothing is read yet).

    ``language`` defaults to the file (or folder) name stem.
    """
    path = Path(path)
    if path.is_dir():
        paths = tuple(sorted(path.glob("*.txt")))
        if not paths:
            raise UsageError(f"The folder {path} holds no .txt files: put the text in UTF-8 .txt files there.")
    elif path.is_file():
        paths = (path,)
    else:
        raise UsageError(f"No text file or folder at {path}.")
    for file in paths:
        if file.stat().st_size == 0:
            raise WorkbenchError(f"Corpus file {file} is empty. Put text in it (one sentence or document a line).")
    return MonolingualCorpus(paths, corpus_label(path), language or path.stem)

