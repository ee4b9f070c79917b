"""How each language uses a tokenizer's pieces, on a sample of aligned sentences: fertility and allocation.

:mod:`~workbench.fairness.counting` counts how many tokens whole corpora need; this module looks at
*which* tokens: how words split into tokens (fertility and continued words, Rust et al. 2021) and how
much of the vocabulary each language uses and shares (average rank and Jensen–Shannon overlap,
Limisiewicz et al. 2023). The formulas are in :mod:`~workbench.fairness.metrics`; here they meet the
tokenizers. Not cached: it runs on a few hundred sentences.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import polars as pl

from workbench import corpora, zoo
from workbench.fairness import metrics
from workbench.fairness.texts import corpus_texts


def compute_fertility(tokenizers: Sequence[str | zoo.Tokenizer], corpus: corpora.CorpusSource,
                      languages: Sequence[str], n: int = 200, seed: int = 0) -> pl.DataFrame:
    """Fertility and proportion of continued words (Rust et al. 2021) on ``n`` aligned sentences per language.

    Words come from :func:`~workbench.fairness.metrics.word_spans` (grapheme clusters in unspaced
    scripts, flagged in ``word_unit``); a word's tokens are the tokens of the running sentence that
    overlap it; :func:`~workbench.fairness.metrics.fertility` says how words without tokens are treated.
    """
    texts = corpus_texts(corpus, languages, "sentences", sample=n, seed=seed).texts
    rows, toks = [], zoo.resolve_all(tokenizers)
    for code, sentences in texts.items():
        script = corpora.language_info(code).script
        for tok in toks:
            per_word = [k for s in sentences for k in metrics.tokens_per_word(
                metrics.word_spans(s, script), [(p.start, p.end) for p in tok.pieces(s)])]
            rows.append({"language": code, "tokenizer": tok.name, "word_unit": metrics.word_unit(script),
                         "fertility": metrics.fertility(per_word), "continued": metrics.continued_words(per_word)})
    return pl.DataFrame(rows)


def compute_allocation(tokenizer: str | zoo.Tokenizer, corpus: corpora.CorpusSource, languages: Sequence[str],
                       n: int = 500, seed: int = 0) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Vocabulary allocation and overlap after Limisiewicz et al. (2023) for one tokenizer.

    Each sentence is encoded with special tokens (as their ``compute_token_frequency.py`` does);
    characters count each line plus its newline. Returns (``language, average_rank, chars_per_token``,
    the pairwise JSD table of :func:`~workbench.fairness.metrics.jsd_matrix`).
    """
    tok = zoo.resolve(tokenizer)
    texts = corpus_texts(corpus, languages, "sentences", sample=n, seed=seed).texts
    distributions, rows = {}, []
    for code, sentences in texts.items():
        ids = list(itertools.chain.from_iterable(tok.encode_batch(sentences, add_special_tokens=True)))
        distributions[code] = np.bincount(np.asarray(ids, dtype=np.int64), minlength=tok.vocab_size)
        rows.append({"language": code, "average_rank": metrics.average_rank(distributions[code]),
                     "chars_per_token": sum(len(s) + 1 for s in sentences) / len(ids)})
    return pl.DataFrame(rows), metrics.jsd_matrix(distributions)
