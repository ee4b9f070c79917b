"""Multilingual tokenizer fairness: does the same text cost every language the same number of tokens?

Petrov et al. (2023) reproduced to the token (their counts, 8 columns x 204 languages, each cell
compared by ``tests/test_petrov_golden.py``), extended with current tokenizers, sentence-level
confidence intervals, the cost of the same service, fertility (Rust et al. 2021) and vocabulary
allocation and overlap (Limisiewicz et al. 2023). Read it as ``from workbench import fairness``;
everything below is re-exported here, loaded on first use (``lazy_loader``), so importing
:mod:`workbench.fairness.cli` to build ``workbench --help`` loads nothing heavy.

Modules, each importing only those above it:

* :mod:`~workbench.fairness.published` — Petrov et al.'s counts and premiums, with their source;
* :mod:`~workbench.fairness.metrics` — premium, parity, rates, fertility, continued words, Gini, JSD (pure arithmetic);
* :mod:`~workbench.fairness.texts` — the corpus texts a count runs on (petrov strings or sentences);
* :mod:`~workbench.fairness.counting` — token counts of every (language, tokenizer), cached: one per-batch count and
  one aggregation, run by the local engine or by
* :mod:`~workbench.fairness.cluster` — ``engine="ray"``: the same count in Ray Data actors (the ``scale`` extra);
* :mod:`~workbench.fairness.premiums` — premium tables with language info and validity; cost of the same service;
* :mod:`~workbench.fairness.comparison` — our counts and premiums beside the published ones;
* :mod:`~workbench.fairness.monolingual` — compression and fertility over one language's text of any size, streamed;
* :mod:`~workbench.fairness.vocabulary` — fertility and vocabulary allocation on sampled sentences;
* :mod:`~workbench.fairness.balance` — tokenizers trained on English or a balanced mix, measured on held-out text;
* :mod:`~workbench.fairness.exports` — CSV, Parquet and LaTeX files;
* :mod:`~workbench.fairness.explorer` — ``render_*`` figures and HTML, the report, the sentence and cost explorers;
* :mod:`~workbench.fairness.cli` — ``workbench fairness counts|report|monolingual``.

>>> from workbench import fairness
>>> fairness.premium_matrix(fairness.premium(fairness.counts(["gpt2"], "flores200", ["eng_Latn", "tur_Latn"])))
... # doctest: +SKIP
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(__name__, submod_attrs={
    "published": ["PETROV_2023_COUNTED_LANGUAGES", "PETROV_2023_COUNTS", "PETROV_2023_EQUIVALENT",
                  "PETROV_2023_LANGUAGES", "PETROV_2023_PREMIUMS", "PETROV_2023_UNAVAILABLE", "UNKNOWN_THRESHOLD",
                  "published_tokens"],
    "metrics": ["NO_SPACE_SCRIPTS", "Value", "WordUnit", "average_rank", "check_complete", "continued_words",
                "count_words", "fertility", "gini", "inequality", "jensen_shannon", "jsd_matrix", "max_min_ratio",
                "parity", "premium", "premium_matrix", "rates", "sentence_premium", "token_distribution",
                "tokens_per_word", "word_spans", "word_unit"],
    "texts": ["MODES", "CorpusTexts", "Mode", "corpus_texts", "flores_split_texts"],
    "counting": ["CODE_VERSION", "ENGINES", "Engine", "PETROV_COLUMNS", "SENTENCE_COLUMNS", "TOTAL_COLUMNS",
                 "aggregate", "cache_path", "count_rows", "counts", "sentence_counts", "sum_totals"],
    "premiums": ["DEFAULT_PRICE_PER_MILLION", "compute_cost", "compute_premium_table", "languages_frame"],
    "comparison": ["petrov_comparison", "petrov_count_comparison"],
    "monolingual": ["MONOLINGUAL_COLUMNS", "monolingual_counts"],
    "vocabulary": ["compute_allocation", "compute_fertility"],
    "balance": ["MIXES", "HeldOut", "Trained", "compute_mix_view", "grid_frame", "held_out_split", "mix_effect",
                "mix_texts", "summary", "train_grid"],
    "exports": ["export", "premium_latex"],
    "explorer": ["GroupBy", "SentenceTokens", "SentenceView", "compute_sentence_view", "cost_explorer",
                 "render_cost", "render_premium_heatmap", "render_premium_spread", "render_report",
                 "render_sentence_premiums", "render_sentence_view", "sentence_explorer", "training_explorer"],
    "cli": ["register_cli"],
})
