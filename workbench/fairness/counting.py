"""Token counts of a parallel corpus, per tokenizer, cached: the one module that runs tokenizers over whole corpora.

:mod:`~workbench.fairness.texts` picks the texts, this module encodes them, and
:mod:`~workbench.fairness.metrics` turns the counts into premiums, rates and inequality. It follows
Petrov et al. (2023), "Language Model Tokenizers Introduce Unfairness Between Languages" (NeurIPS),
and extends it with current tokenizers and sentence-level statistics.

Two counting modes (:data:`~workbench.fairness.texts.Mode`):

* ``petrov`` — their exact recipe: the **whole string** of each language encoded once without special
  tokens. One row per (language, tokenizer): :data:`PETROV_COLUMNS`.
* ``sentences`` — every sentence encoded on its own (batched), one tidy row per (language,
  sentence_id, tokenizer) with tokens, UTF-8 bytes, characters and words (script-aware, see
  :func:`workbench.fairness.metrics.word_spans`): :data:`SENTENCE_COLUMNS`. Everything
  sentence-level derives from this table.

Both also count ``unknown`` tokens (ids of the tokenizer's unknown token, type ``control``; nothing
else of that type can appear since no special tokens are added) and ``byte_fallback`` tokens
(``<0xAB>`` pieces, type ``byte``). Results are cached per tokenizer under
``cache_dir("results", "fairness")``, keyed by the tokenizer's content fingerprint
(:attr:`workbench.zoo.Tokenizer.fingerprint`: a zoo tokenizer's asset hashes, any other's vocabulary and
settings), the corpus hash, the mode and :data:`CODE_VERSION`, written through :mod:`workbench.cache`:
atomically (a failure leaves no partial entry) and with a sha256 sidecar checked before every read, so a
damaged entry is recounted, never served.

>>> counts(["cl100k_base"], languages=["eng_Latn"])["tokens"].item()   # doctest: +SKIP
52835
"""

from __future__ import annotations

import itertools
import sys
import warnings
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl
from tqdm.auto import tqdm

from workbench import cache as verified_cache
from workbench import corpora, zoo
from workbench.config import cache_dir
from workbench.errors import UnknownNameError, UsageError, WorkbenchError, unknown_name
from workbench.fairness.metrics import count_words
from workbench.fairness.texts import CorpusTexts, Mode, corpus_texts

CODE_VERSION = "2"  # 2: files carry a sha256 sidecar (workbench.cache); v1 files are never read
PETROV_COLUMNS = ("language", "tokenizer", "tokens", "bytes", "chars", "unknown", "byte_fallback")
SENTENCE_COLUMNS = ("language", "sentence_id", "tokenizer", "tokens", "bytes", "chars", "words", "unknown",
                    "byte_fallback")
TOTAL_COLUMNS = ("language", "tokenizer", "tokens", "bytes", "chars", "words", "unknown", "byte_fallback")
COUNT_SCHEMA = {c: pl.String if c in ("language", "tokenizer") else pl.Int64 for c in SENTENCE_COLUMNS}
_CHUNK = 8  # languages per encode_batch call in petrov mode (bounds memory, keeps both cores busy)
SHARD_BATCH = 4096  # sentences per count_rows call over shards (either engine)
Engine = Literal["local", "ray"]
ENGINES: tuple[Engine, ...] = ("local", "ray")


def cache_path(tokenizer: str | zoo.Tokenizer, texts: CorpusTexts) -> Path:
    """Where the counts of ``tokenizer`` (a name, path or :class:`~workbench.zoo.Tokenizer`) over ``texts`` are
    cached: keyed by its content fingerprint (the name stays in the key only because it is a column of the rows)."""
    tok = zoo.resolve(tokenizer)
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in tok.name)[-48:]
    key = f"{texts.mode}-{texts.name}-{safe}-{tok.fingerprint[:12]}-{texts.digest[:12]}-v{CODE_VERSION}"
    return cache_dir("results", "fairness") / f"{key}.parquet"


def counts(tokenizers: Sequence[str | zoo.Tokenizer | object],
           corpus: corpora.CorpusSource | corpora.Shards | None = None, languages: Sequence[str] | None = None,
           mode: Mode = "petrov", *, path: str | Path | None = None, progress: bool = True,
           texts: CorpusTexts | None = None, cache: bool = True, sample: int | None = None, engine: Engine = "local",
           address: str | None = None, totals: bool = False, skip_bad_shards: bool = False) -> pl.DataFrame:
    """Token counts of every tokenizer over every language (``mode``: see the module docstring), cached.

    Returns :data:`PETROV_COLUMNS` or :data:`SENTENCE_COLUMNS` rows, tokenizers in the order given.
    ``tokenizers`` are zoo names, ``hf:<repo>``, paths or tokenizer objects (:func:`workbench.zoo.resolve`).
    ``cache=False`` recounts and leaves the cache untouched (benchmarks); ``texts`` skips re-reading;
    ``sample`` counts that many aligned sentences per language (sentences mode, see :func:`corpus_texts`).

    ``engine="ray"`` counts on a Ray cluster (:mod:`~workbench.fairness.cluster`; ``address``: an existing
    cluster, default a local Ray instance), the same rows to the token. ``corpus`` may also be
    :func:`corpora.shards <workbench.corpora.shards.shards>` (sentences mode, not cached: streamed a shard at a
    time by either engine; languages sorted by label); a bad shard raises naming its file, or with
    ``skip_bad_shards`` is left out with a warning naming it. ``totals=True`` sums the sentence rows per
    (language, tokenizer) (:data:`TOTAL_COLUMNS`; for shards, summed as they stream, so memory stays bounded).
    """
    if engine not in ENGINES:
        raise unknown_name("counting engine", engine, ENGINES)
    toks = zoo.resolve_all(tokenizers)  # unknown names and bad paths fail before any work
    if isinstance(corpus, corpora.Shards):
        return _shard_counts(toks, corpus, languages, mode, engine, address, totals, skip_bad_shards, progress)
    texts = texts or corpus_texts(corpus, languages, mode, path, sample=sample)
    frames, todo = {}, []
    for tok in toks:
        cached = _read_cache(cache_path(tok, texts), texts) if cache else None
        frames[tok.name] = cached if cached is not None else todo.append(tok)
    if todo:
        rows = _count_local(todo, texts, progress) if engine == "local" else _cluster().count_texts(
            todo, texts, address, progress)
        parts = rows.partition_by("tokenizer", as_dict=True)
        for tok in todo:
            frames[tok.name] = aggregate(parts[(tok.name,)], mode, list(texts.texts))
            if cache:
                verified_cache.write(cache_path(tok, texts), frames[tok.name].write_parquet)
    frame = pl.concat([frames[tok.name] for tok in toks])
    return sum_totals(frame) if totals and mode == "sentences" else frame


def aggregate(rows: pl.DataFrame, mode: Mode, languages: Sequence[str]) -> pl.DataFrame:
    """One tokenizer's :func:`count_rows` output (either engine, any order) as the frame :func:`counts` returns.

    :data:`PETROV_COLUMNS` or :data:`SENTENCE_COLUMNS`, the languages in the order given, then by sentence id.
    """
    rank = pl.col("language").replace_strict(list(languages), range(len(languages)), return_dtype=pl.Int64)
    return rows.sort(rank, "sentence_id", maintain_order=True).select(
        PETROV_COLUMNS if mode == "petrov" else SENTENCE_COLUMNS)


def sum_totals(rows: pl.DataFrame) -> pl.DataFrame:
    """Sentence rows (or partial totals) summed per (language, tokenizer), in order of first appearance."""
    return rows.group_by("language", "tokenizer", maintain_order=True).agg(pl.col(TOTAL_COLUMNS[2:]).sum())


def count_rows(toks: Sequence[zoo.Tokenizer], batch: Mapping[str, Sequence], scripts: dict[str, str] | None,
               ) -> pl.DataFrame:
    """The per-batch count both engines run: :data:`SENTENCE_COLUMNS` rows of every tokenizer over a batch.

    ``batch`` holds :data:`~workbench.corpora.shards.ROW_COLUMNS` sequences: a sentence a row, or in petrov mode a
    language's whole string. ``scripts`` maps a language to its script for the word counts, filled for a label
    it lacks (:func:`_script`); ``None`` counts no words (petrov mode: ``words`` is null).
    """
    texts = list(batch["text"])
    words = None
    if scripts is not None:
        words = [count_words(text, scripts.get(code) or scripts.setdefault(code, _script(code, texts)))
                 for code, text in zip(batch["language"], texts, strict=True)]
    return pl.concat([_encoded_rows(tok, batch, texts, tok.encode_batch(texts), words) for tok in toks])


def _script(code: str, texts: Sequence[str]) -> str:
    """The script of language ``code``: the one :func:`corpora.language_info` knows, else detected in ``texts``."""
    try:
        return corpora.language_info(code).script
    except UnknownNameError:
        return corpora.detect_script(" ".join(texts[:64]))


def _encoded_rows(tok: zoo.Tokenizer, batch: Mapping[str, object], texts: Sequence[str], encoded: list[list[int]],
                  words: Sequence[int] | None, flat: tuple[np.ndarray, np.ndarray] | None = None) -> pl.DataFrame:
    """The :data:`SENTENCE_COLUMNS` rows of ``texts`` from their ids: the one place a count row is made."""
    ids, lengths = flat or flatten(encoded)
    flags = _flag_counts(tok, ids, lengths)
    return pl.DataFrame({
        "language": batch["language"], "sentence_id": batch["sentence_id"], "tokenizer": tok.name,
        "tokens": lengths, "bytes": [len(s.encode("utf-8")) for s in texts], "chars": [len(s) for s in texts],
        "words": words, "unknown": flags[:, 0], "byte_fallback": flags[:, 1]}, schema=COUNT_SCHEMA)


def _count_local(toks: Sequence[zoo.Tokenizer], texts: CorpusTexts, progress: bool) -> pl.DataFrame:
    """:func:`count_rows` of ``texts`` on this machine, tokenizer by tokenizer (a progress bar over languages)."""
    frames = []
    with tqdm(total=len(toks) * len(texts.texts), desc=f"counting ({texts.mode})", unit="lang",
              disable=not progress, file=sys.stderr) as bar:
        for tok in toks:
            bar.set_postfix_str(tok.name)
            count = _count_petrov if texts.mode == "petrov" else _count_sentences
            frames += count(tok, texts, bar)
    return pl.concat(frames)


def _shard_counts(toks: Sequence[zoo.Tokenizer], shards: corpora.Shards, languages: Sequence[str] | None, mode: Mode,
                  engine: Engine, address: str | None, totals: bool, skip: bool, progress: bool) -> pl.DataFrame:
    """:func:`counts` of a sharded corpus: each shard read, counted (and summed if ``totals``) on its own."""
    if mode != "sentences":
        raise UsageError("Petrov mode encodes each language as one whole string, which a sharded corpus does not "
                         "hold: count shards with mode='sentences' (totals=True sums them per language).")
    wanted = set(languages) if languages is not None else None
    if engine == "local":
        rows, bad = _count_shards_local(toks, shards, wanted, totals, skip, progress)
    else:
        rows, bad = _cluster().count_shards(toks, shards, wanted, address, totals, skip, progress)
    if bad:
        warnings.warn(f"Skipped {len(bad)} bad shard(s): " + " ".join(bad), stacklevel=3)
    if rows.is_empty():
        raise WorkbenchError(f"No sentence to count in {shards.label}" + (f" for languages {sorted(wanted)}."
                                                                            if wanted else "."))
    order = sorted(rows["language"].unique())
    if totals:
        summed = sum_totals(rows)
        return pl.concat(aggregate_totals(summed.filter(tokenizer=tok.name), order) for tok in toks)
    return pl.concat(aggregate(rows.filter(tokenizer=tok.name), mode, order) for tok in toks)


def aggregate_totals(totals: pl.DataFrame, languages: Sequence[str]) -> pl.DataFrame:
    """One tokenizer's :func:`sum_totals` rows with the languages in the order given (:data:`TOTAL_COLUMNS`)."""
    rank = pl.col("language").replace_strict(list(languages), range(len(languages)), return_dtype=pl.Int64)
    return totals.sort(rank).select(TOTAL_COLUMNS)


def _count_shards_local(toks: Sequence[zoo.Tokenizer], shards: corpora.Shards, languages: set[str] | None,
                        totals: bool, skip: bool, progress: bool) -> tuple[pl.DataFrame, list[str]]:
    """(the :func:`count_rows` of every shard, or their partial totals; the messages of the shards skipped)."""
    from pyarrow import fs

    filesystem = shards.filesystem or fs.LocalFileSystem()
    frames, bad, scripts = [], [], {}
    for path in tqdm(shards.paths, desc="counting shards", unit="shard", disable=not progress, file=sys.stderr):
        with filesystem.open_input_stream(path) as handle:
            data = handle.read()
        try:
            table = corpora.read_shard(path, data, shards.format)
        except WorkbenchError as err:
            if not skip:
                raise
            bad.append(str(err))
            continue
        for batch in select_languages(table, languages).to_batches(max_chunksize=SHARD_BATCH):
            rows = count_rows(toks, batch.to_pydict(), scripts)
            frames.append(sum_totals(rows) if totals else rows)
    return (pl.concat(frames) if frames else pl.DataFrame(schema=COUNT_SCHEMA)), bad


def select_languages(table, languages: set[str] | None):
    """The rows of a shard's ``pyarrow.Table`` whose language is in ``languages`` (all for ``None``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if languages is None:
        return table
    return table.filter(pc.is_in(table["language"], pa.array(sorted(languages), pa.string())))


def _cluster():
    """:mod:`workbench.fairness.cluster`, imported when ``engine="ray"`` is asked for (it imports Ray lazily too)."""
    from workbench.fairness import cluster

    return cluster


def _read_cache(target: Path, texts: CorpusTexts) -> pl.DataFrame | None:
    """The cached counts if the file matches its checksum and covers ``texts``' languages; else ``None``."""
    frame = verified_cache.read(target, pl.read_parquet)
    return frame if frame is not None and set(frame["language"].unique()) == set(texts.texts) else None


@cache
def _flag_codes(tok: zoo.Tokenizer) -> np.ndarray:
    """Per vocabulary id: 0 for an ordinary token, 1 for unknown/control, 2 for byte fallback."""
    types = np.array(tok.token_types)
    return np.select([types == "control", types == "byte"], [1, 2], 0).astype(np.int8)


def flatten(encoded: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """(all ids in one int64 array, the length of each list): one pass from Python ints to numpy.

    That pass is the cost of sentence-mode bookkeeping (about a third of SentencePiece's own encoding
    time on sentences), so it is made once per language and shared: :func:`sentence_counts` takes it,
    and so does the comparison report, which reads the same ids for its unigram measures.
    """
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    return np.fromiter(itertools.chain.from_iterable(encoded), dtype=np.int64, count=int(lengths.sum())), lengths


def _flag_counts(tok: zoo.Tokenizer, flat: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(unknown, byte-fallback) token counts of each id list (``flat`` and ``lengths`` of :func:`flatten`).

    An array of shape (len(lengths), 2); only the flagged tokens are placed back into their list, by offset.
    """
    table = _flag_codes(tok)
    if not table.any():  # nothing to flag in this vocabulary (unicode-chars, mistral-tekken)
        return np.zeros((len(lengths), 2), dtype=np.int64)
    codes = table[flat]
    hits = np.flatnonzero(codes)
    owner = np.searchsorted(np.cumsum(lengths), hits, side="right")
    flags = np.bincount(2 * owner + codes[hits] - 1, minlength=2 * len(lengths))
    return flags.reshape(len(lengths), 2)


def _count_petrov(tok: zoo.Tokenizer, texts: CorpusTexts, bar: tqdm) -> list[pl.DataFrame]:
    """Petrov rows: each language's whole string one row, :data:`_CHUNK` languages a batch."""
    frames, codes = [], list(texts.texts)
    for start in range(0, len(codes), _CHUNK):
        chunk = codes[start:start + _CHUNK]
        frames.append(count_rows([tok], petrov_batch(texts, chunk), None))
        bar.update(len(chunk))
    return frames


def petrov_batch(texts: CorpusTexts, codes: Sequence[str]) -> dict[str, list]:
    """The :func:`count_rows` batch of petrov mode: one row per language of ``codes``, its whole string."""
    return {"language": list(codes), "sentence_id": [0] * len(codes), "text": [texts.texts[c] for c in codes]}


def _count_sentences(tok: zoo.Tokenizer, texts: CorpusTexts, bar: tqdm) -> list[pl.DataFrame]:
    frames = []
    for code, sentences in texts.texts.items():
        frames.append(sentence_counts(tok, texts, code, tok.encode_batch(sentences)))
        bar.update(1)
    return frames


def sentence_counts(tok: zoo.Tokenizer, texts: CorpusTexts, code: str, encoded: list[list[int]],
                    flat: tuple[np.ndarray, np.ndarray] | None = None) -> pl.DataFrame:
    """The :data:`SENTENCE_COLUMNS` rows of language ``code`` from its sentences' ids, already encoded.

    :func:`counts` encodes and calls it, and the comparison report (:mod:`workbench.compare.report`) calls it
    on the ids of its own single encoding pass, with their :func:`flatten` (``flat``) when it has made it already.
    Rows are made by the same function as :func:`count_rows`'; the word counts are cached per language here,
    since every tokenizer of a run shares them.
    """
    sentences = texts.texts[code]
    batch = {"language": code, "sentence_id": texts.sentence_ids or np.arange(len(sentences))}
    return _encoded_rows(tok, batch, sentences, encoded, _word_counts(texts.name, code, tuple(sentences)), flat)


@cache
def _word_counts(corpus: str, code: str, sentences: tuple[str, ...]) -> list[int]:
    script = corpora.language_info(code).script
    return [count_words(s, script) for s in sentences]
