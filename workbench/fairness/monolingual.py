"""Counts over one language's text of any size, streamed: compression and fertility without a parallel corpus.

:mod:`~workbench.fairness.counting` needs aligned languages (premiums compare them); this module takes a
:class:`~workbench.corpora.MonolingualCorpus` (a text file or a folder of them), encodes it a batch of lines
at a time and keeps only running totals, so memory stays bounded however big the file
(``benchmarks/bench_corpus.py`` measures it). Each non-empty line is encoded on its own, without special
tokens. Words are :func:`~workbench.fairness.metrics.word_spans` in the script detected in the first lines;
fertility and continued words follow :func:`~workbench.fairness.metrics.fertility` (Rust et al. 2021),
summed over words instead of listed. Each tokenizer's row is cached under ``cache_dir("results", "fairness")``,
keyed by the tokenizer's content fingerprint, the files' sha256 (:meth:`~workbench.corpora.MonolingualCorpus.digest`,
read in blocks), the language label, ``words`` and :data:`CODE_VERSION` (through :mod:`workbench.cache`: atomic,
verified), so a second run over the same file reads it once to hash it and encodes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from workbench import cache as verified_cache
from workbench import corpora, zoo
from workbench.config import cache_dir
from workbench.fairness import metrics

MONOLINGUAL_COLUMNS = ("language", "tokenizer", "lines", "tokens", "bytes", "chars", "words", "bytes_per_token",
                       "chars_per_token", "fertility", "continued")
CODE_VERSION = "1"


@dataclass
class _Totals:
    lines: int = 0
    tokens: int = 0
    bytes: int = 0
    chars: int = 0
    words: int = 0
    word_tokens: int = 0
    encoded_words: int = 0
    continued: int = 0

    def add_words(self, per_word: list[int]) -> None:
        counts = np.asarray(per_word, dtype=np.int64)
        counts = counts[counts > 0]
        self.words += len(per_word)
        self.word_tokens += int(counts.sum())
        self.encoded_words += len(counts)
        self.continued += int((counts >= 2).sum())


def monolingual_counts(tokenizers: Sequence[str | zoo.Tokenizer | object], corpus: corpora.MonolingualCorpus | str,
                       *, words: bool = True, batch: int = 1024, cache: bool = True) -> pl.DataFrame:
    """One :data:`MONOLINGUAL_COLUMNS` row per tokenizer over a streamed monolingual corpus (or its path).

    ``tokenizers`` are names, paths or tokenizer objects (:func:`workbench.zoo.resolve`). ``words=False`` skips
    the word measures (``words``, ``fertility`` and ``continued`` are then null) and encodes each batch in one
    ``encode_batch`` call, the fast path for compression alone. ``cache=False`` recounts and writes nothing
    (benchmarks).
    """
    corpus = corpora.monolingual_corpus(corpus) if not isinstance(corpus, corpora.MonolingualCorpus) else corpus
    toks = zoo.resolve_all(tokenizers)
    digest = corpus.digest() if cache else ""
    paths = {tok.name: _cache_path(tok, corpus, digest, words) for tok in toks} if cache else {}
    rows = {tok.name: verified_cache.read(paths[tok.name], pl.read_parquet) if cache else None for tok in toks}
    todo = [tok for tok in toks if rows[tok.name] is None]
    if todo:
        for tok, row in zip(todo, _count(todo, corpus, words, batch).iter_slices(1), strict=True):
            rows[tok.name] = row
            if cache:
                verified_cache.write(paths[tok.name], row.write_parquet)
    # a cached row keeps the name it was counted under: the same tokenizer may come under another name
    return pl.concat([rows[tok.name].with_columns(tokenizer=pl.lit(tok.name)) for tok in toks])


def _cache_path(tok: zoo.Tokenizer, corpus: corpora.MonolingualCorpus, digest: str, words: bool) -> Path:
    """One file per (tokenizer content, file content, settings), whatever the tokenizer's name."""
    key = verified_cache.key(tok.fingerprint, digest, corpus.language, words, CODE_VERSION)
    return cache_dir("results", "fairness") / f"monolingual-{corpus.label}-{key}.parquet"


def _count(toks: Sequence[zoo.Tokenizer], corpus: corpora.MonolingualCorpus, words: bool, batch: int) -> pl.DataFrame:
    """The :data:`MONOLINGUAL_COLUMNS` rows of ``toks``, one pass over the stream for all of them."""
    script = corpus.script()
    totals = [_Totals() for _ in toks]
    for lines in corpus.batches(batch):
        size, chars = sum(len(s.encode("utf-8")) for s in lines), sum(map(len, lines))
        spans = [metrics.word_spans(s, script) for s in lines] if words else None
        for tok, total in zip(toks, totals, strict=True):
            total.lines, total.bytes, total.chars = total.lines + len(lines), total.bytes + size, total.chars + chars
            if spans is None:
                total.tokens += sum(map(len, tok.encode_batch(lines)))
                continue
            for line, line_words in zip(lines, spans, strict=True):
                ids, pieces = tok.encode_with_spans(line)
                total.tokens += len(ids)
                total.add_words(metrics.tokens_per_word(line_words, pieces))
    return pl.DataFrame([_row(corpus.language, tok.name, t, words) for tok, t in zip(toks, totals, strict=True)],
                        schema=dict.fromkeys(MONOLINGUAL_COLUMNS[:2], pl.String) | dict.fromkeys(
                            MONOLINGUAL_COLUMNS[2:7], pl.Int64) | dict.fromkeys(MONOLINGUAL_COLUMNS[7:], pl.Float64))


def _row(language: str, tokenizer: str, t: _Totals, words: bool) -> dict:
    encoded = words and t.encoded_words > 0
    return {"language": language, "tokenizer": tokenizer, "lines": t.lines, "tokens": t.tokens, "bytes": t.bytes,
            "chars": t.chars, "words": t.words if words else None,
            "bytes_per_token": t.bytes / t.tokens if t.tokens else None,
            "chars_per_token": t.chars / t.tokens if t.tokens else None,
            "fertility": t.word_tokens / t.encoded_words if encoded else None,
            "continued": t.continued / t.encoded_words if encoded else None}
