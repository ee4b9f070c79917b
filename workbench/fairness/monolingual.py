"""Counts over one language's text of any size, streamed: compression and fertility without a parallel corpus.

:mod:`~workbench.fairness.counting` needs aligned languages (premiums compare them); this module takes a
:class:`~workbench.corpora.MonolingualCorpus` (a text file or a folder of them), encodes it a batch of lines
at a time and keeps only running totals, so memory stays bounded however big the file
(``benchmarks/bench_corpus.py`` measures it). Each non-empty line is encoded on its own, without special
tokens. Words are :func:`~workbench.fairness.metrics.word_spans` in the script detected in the first lines;
fertility and continued words follow :func:`~workbench.fairness.metrics.fertility` (Rust et al. 2021),
summed over words instead of listed. Not cached: a stream is read once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from workbench import corpora, zoo
from workbench.fairness import metrics

MONOLINGUAL_COLUMNS = ("language", "tokenizer", "lines", "tokens", "bytes", "chars", "words", "bytes_per_token",
                       "chars_per_token", "fertility", "continued")


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


def monolingual_counts(tokenizers: Sequence[str], corpus: corpora.MonolingualCorpus | str, *,
                       words: bool = True, batch: int = 1024) -> pl.DataFrame:
    """One :data:`MONOLINGUAL_COLUMNS` row per tokenizer over a streamed monolingual corpus (or its path).

    ``words=False`` skips the word measures (``words``, ``fertility`` and ``continued`` are then null) and
    encodes each batch in one ``encode_batch`` call, the fast path for compression alone.
    """
    corpus = corpora.monolingual_corpus(corpus) if not isinstance(corpus, corpora.MonolingualCorpus) else corpus
    toks = [zoo.load_tokenizer(name) for name in tokenizers]
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
