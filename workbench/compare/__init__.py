"""Tokenizer comparison: every intrinsic measure side by side, and one report a user can hand on.

Its modules, one concept each:

* :mod:`~workbench.compare.measures` — the pure measures the peers have and :mod:`workbench.fairness.metrics`
  lacked: Rényi entropy and efficiency (Zouhar et al. 2023), Shannon efficiency, vocabulary
  utilisation, token lengths, vocabulary overlap, segmentation agreement;
* :mod:`~workbench.compare.published` — tokenization-scorer's published values, with their source;
* :mod:`~workbench.compare.report` — compute the report (these measures and the fairness metrics per
  tokenizer, language, script group, family and pair), write it (.html/.md/.tex/.csv/.parquet) and
  keep the cumulative leaderboard keyed by tokenizer fingerprint;
* :mod:`~workbench.compare.explorer` — the plots and the HTML page (the only module that draws);
* :mod:`~workbench.compare.cli` — ``workbench report``.

>>> from workbench import compare
>>> round(compare.renyi_efficiency([3, 2, 1, 1], alpha=3.0), 6)
0.803153
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(__name__, submod_attrs={
    "measures": ["DEFAULT_ALPHA", "TokenLengths", "char_count", "renyi_efficiency", "renyi_entropy",
                 "segmentation_agreement", "shannon_efficiency", "token_lengths", "vocabulary_overlap",
                 "vocabulary_utilisation", "word_cuts"],
    "published": ["SCORER_RENYI_EFFICIENCY", "SCORER_STREAMS"],
    "report": ["LEADERBOARD_KEY", "REPORT_FORMATS", "ComparisonReport", "append_leaderboard", "check_output",
               "compute_report", "compute_unigram_measures", "leaderboard_rows",
               "ordinary_vocabulary", "report_latex", "report_markdown", "report_tables", "write_report"],
    "explorer": ["render_efficiency_vs_vocab", "render_fertility_by_script", "render_report_html"],
    "cli": ["register_cli"],
})
