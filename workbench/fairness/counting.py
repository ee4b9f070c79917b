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
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import polars as pl
from tqdm.auto import tqdm

from workbench import cache as verified_cache
from workbench import corpora, zoo
from workbench.config import cache_dir
from workbench.fairness.metrics import count_words
from workbench.fairness.texts import CorpusTexts, Mode, corpus_texts

CODE_VERSION = "2"  # 2: files carry a sha256 sidecar (workbench.cache); v1 files are never read
PETROV_COLUMNS = ("language", "tokenizer", "tokens", "bytes", "chars", "unknown", "byte_fallback")
SENTENCE_COLUMNS = ("language", "sentence_id", "tokenizer", "tokens", "bytes", "chars", "words", "unknown",
                    "byte_fallback")
_CHUNK = 8  # languages per encode_batch call in petrov mode (bounds memory, keeps both cores busy)


def cache_path(tokenizer: str | zoo.Tokenizer, texts: CorpusTexts) -> Path:
    """Where the counts of ``tokenizer`` (a name, path or :class:`~workbench.zoo.Tokenizer`) over ``texts`` are
    cached: keyed by its content fingerprint (the name stays in the key only because it is a column of the rows)."""
    tok = zoo.resolve(tokenizer)
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in tok.name)[-48:]
    key = f"{texts.mode}-{texts.name}-{safe}-{tok.fingerprint[:12]}-{texts.digest[:12]}-v{CODE_VERSION}"
    return cache_dir("results", "fairness") / f"{key}.parquet"


def counts(tokenizers: Sequence[str | zoo.Tokenizer | object], corpus: corpora.CorpusSource | None = None,
           languages: Sequence[str] | None = None, mode: Mode = "petrov", *, path: str | Path | None = None,
           progress: bool = True, texts: CorpusTexts | None = None, cache: bool = True,
           sample: int | None = None) -> pl.DataFrame:
    """Token counts of every tokenizer over every language (``mode``: see the module docstring), cached.

    Returns :data:`PETROV_COLUMNS` or :data:`SENTENCE_COLUMNS` rows, tokenizers in the order given.
    ``tokenizers`` are zoo names, ``hf:<repo>``, paths or tokenizer objects (:func:`workbench.zoo.resolve`).
    ``cache=False`` recounts and leaves the cache untouched (benchmarks); ``texts`` skips re-reading;
    ``sample`` counts that many aligned sentences per language (sentences mode, see :func:`corpus_texts`).
    """
    toks = zoo.resolve_all(tokenizers)  # unknown names and bad paths fail before any work
    texts = texts or corpus_texts(corpus, languages, mode, path, sample=sample)
    frames, todo = {}, []
    for tok in toks:
        cached = _read_cache(cache_path(tok, texts), texts) if cache else None
        frames[tok.name] = cached if cached is not None else todo.append(tok)
    size = len(todo) * len(texts.texts)
    with tqdm(total=size, desc=f"counting ({mode})", unit="lang", disable=not progress or not size,
              file=sys.stderr) as bar:
        for tok in todo:
            frames[tok.name] = _count_tokenizer(tok, texts, bar)
            if cache:
                verified_cache.write(cache_path(tok, texts), frames[tok.name].write_parquet)
    return pl.concat([frames[tok.name] for tok in toks])



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


def _count_tokenizer(tok: zoo.Tokenizer, texts: CorpusTexts, bar: tqdm) -> pl.DataFrame:
    bar.set_postfix_str(tok.name)
    count = _count_petrov if texts.mode == "petrov" else _count_sentences
    return count(tok, texts, bar)


def _count_petrov(tok: zoo.Tokenizer, texts: CorpusTexts, bar: tqdm) -> pl.DataFrame:
    rows = []
    codes = list(texts.texts)
    for start in range(0, len(codes), _CHUNK):
        chunk = codes[start:start + _CHUNK]
        encoded = tok.encode_batch([texts.texts[c] for c in chunk])
        for code, ids, flags in zip(chunk, encoded, _flag_counts(tok, *flatten(encoded)), strict=True):
            text = texts.texts[code]
            rows.append((code, tok.name, len(ids), len(text.encode("utf-8")), len(text), *map(int, flags)))
        bar.update(len(chunk))
    return pl.DataFrame(rows, schema=list(PETROV_COLUMNS), orient="row")


def _count_sentences(tok: zoo.Tokenizer, texts: CorpusTexts, bar: tqdm) -> pl.DataFrame:
    frames = []
    for code, sentences in texts.texts.items():
        frames.append(sentence_counts(tok, texts, code, tok.encode_batch(sentences)))
        bar.update(1)
    return pl.concat(frames)


def sentence_counts(tok: zoo.Tokenizer, texts: CorpusTexts, code: str, encoded: list[list[int]],
                    flat: tuple[np.ndarray, np.ndarray] | None = None) -> pl.DataFrame:
    """The :data:`SENTENCE_COLUMNS` rows of language ``code`` from its sentences' ids, already encoded.

    The one place a sentence-mode count row is made: :func:`counts` encodes and calls it, and the
    comparison report (:mod:`workbench.compare.report`) calls it on the ids of its own single encoding pass,
    with their :func:`flatten` (``flat``) when it has made it already.
    """
    sentences = texts.texts[code]
    ids, lengths = flat or flatten(encoded)
    flags = _flag_counts(tok, ids, lengths)
    return pl.DataFrame({
        "language": code, "sentence_id": texts.sentence_ids or np.arange(len(sentences)), "tokenizer": tok.name,
        "tokens": lengths, "bytes": [len(s.encode("utf-8")) for s in sentences],
        "chars": [len(s) for s in sentences], "words": _word_counts(texts.name, code, tuple(sentences)),
        "unknown": flags[:, 0], "byte_fallback": flags[:, 1]}).select(SENTENCE_COLUMNS)


@cache
def _word_counts(corpus: str, code: str, sentences: tuple[str, ...]) -> list[int]:
    script = corpora.language_info(code).script
    return [count_words(s, script) for s in sentences]
