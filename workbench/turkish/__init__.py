"""Turkish tokenization purity (%TR, %Pure of Bayram et al. 2025), offline, plus morphology-aware boundary metrics.

Bayram et al. (2025), "Tokenization Standards for Linguistic Integrity: Turkish as a Benchmark"
(arXiv 2502.07057), judged tokens with an online ITU service that no longer answers the way their
code expects; their numbers cannot be re-run. This package makes the same questions deterministic
and offline, and adds the boundary diagnostics of the morphology literature. Read it as
``from workbench import turkish``; everything below is re-exported here, loaded on first use
(``lazy_loader``), so importing :mod:`workbench.turkish.cli` to build ``workbench --help`` loads no widget.

Modules, each importing only those above it:

* :mod:`~workbench.turkish.published` — the paper's table (%TR, %Pure, TR-MMLU) with its source;
* :mod:`~workbench.turkish.normalise` — Turkish casing, NFC, apostrophes, markers, word spans, token surfaces;
* :mod:`~workbench.turkish.lexicon` — Zemberek roots and suffix allomorphs, TS Corpus forms, cached analyser;
* :mod:`~workbench.turkish.purity` — token classes, %TR and %Pure over types and occurrences;
* :mod:`~workbench.turkish.boundaries` — boundary P/R/F1, over/under-segmentation, MorphScore-style,
  lemma atomicity, root-boundary hits, fertility;
* :mod:`~workbench.turkish.correlation` — the paper's %TR ↔ TR-MMLU claim, tested on its own table;
* :mod:`~workbench.turkish.scoring` — corpora × tokenizers → one table of every metric;
* :mod:`~workbench.turkish.explorer` — ``render_*`` figures and HTML, the token-class explorer;
* :mod:`~workbench.turkish.cli` — ``workbench turkish purity|tokens|paper``.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(__name__, submod_attrs={
    "published": ["BAYRAM_2025_GEMMA2_TYPES", "BAYRAM_2025_TABLE", "BAYRAM_2025_ZOO_EQUIVALENTS"],
    "normalise": ["letter_word_spans", "normalise", "surface_from_bytes", "turkish_lower", "turkish_upper"],
    "lexicon": ["Analysis", "Analyzer", "Lexicon"],
    "purity": ["TOKEN_CLASSES", "Judge", "TokenClass", "purity"],
    "boundaries": ["BoundaryScores", "gold_boundaries", "root_end", "score_words"],
    "correlation": ["correlate", "paper_comparison", "paper_correlation"],
    "scoring": ["TURKISH_CORPORA", "load_documents", "purity_table", "score_tokenizer", "verdict_table"],
    "explorer": ["compute_token_classes", "render_metric_bars", "render_metric_scatter", "render_token_classes",
                 "token_class_explorer"],
    "cli": ["register_cli"],
})
