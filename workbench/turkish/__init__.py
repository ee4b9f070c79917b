"""Turkish tokenization purity (%TR, %Pure of Bayram et al. 2025), offline, plus morphology-aware boundary metrics.

Bayram et al. (2025), "Tokenization Standards for Linguistic Integrity: Turkish as a Benchmark"
(arXiv 2502.07057), judged tokens with an online ITU service that no longer answers the way their
code expects; their numbers cannot be re-run. This package makes the same questions deterministic
and offline, and adds the boundary diagnostics of the morphology literature:

* :mod:`~workbench.turkish.normalise` — Turkish casing, NFC, apostrophes, markers, token surfaces;
* :mod:`~workbench.turkish.lexicon` — Zemberek roots and suffix allomorphs, TS Corpus forms, cached analyser;
* :mod:`~workbench.turkish.purity` — token classes, %TR and %Pure over types and occurrences;
* :mod:`~workbench.turkish.boundaries` — boundary P/R/F1, over/under-segmentation, MorphScore-style,
  lemma atomicity, root-boundary hits, fertility;
* :mod:`~workbench.turkish.correlation` — the paper's table and its %TR ↔ TR-MMLU claim, tested;
* :mod:`~workbench.turkish.evaluate` — corpora × tokenizers → one table; the ``workbench turkish`` CLI;
* :mod:`~workbench.turkish.explorer` — the coloured-token widget.
"""

from workbench.turkish.boundaries import BoundaryScores, gold_boundaries, root_end, score_words
from workbench.turkish.correlation import (
    PAPER_TABLE,
    ZOO_EQUIVALENTS,
    correlate,
    paper_comparison,
    paper_correlation,
)
from workbench.turkish.evaluate import CORPORA, load_documents, purity_table, register_cli, verdict_table
from workbench.turkish.explorer import (
    compute_token_classes,
    render_metric_bars,
    render_metric_scatter,
    render_token_classes,
    token_class_explorer,
)
from workbench.turkish.lexicon import Analysis, Analyzer, Lexicon
from workbench.turkish.normalise import normalise, surface_from_bytes, turkish_lower, turkish_upper
from workbench.turkish.purity import TOKEN_CLASSES, Judge, TokenClass, purity

__all__ = [
    "CORPORA", "PAPER_TABLE", "TOKEN_CLASSES", "ZOO_EQUIVALENTS", "Analysis", "Analyzer", "BoundaryScores",
    "Judge", "Lexicon", "TokenClass", "compute_token_classes", "correlate", "gold_boundaries", "load_documents",
    "normalise", "paper_comparison", "paper_correlation", "purity", "purity_table", "register_cli",
    "render_metric_bars", "render_metric_scatter", "render_token_classes",
    "root_end", "score_words", "surface_from_bytes", "token_class_explorer", "turkish_lower", "turkish_upper",
    "verdict_table",
]
