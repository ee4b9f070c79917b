"""Glitch and under-trained tokens (Land & Bartolo 2024, "Fishing for Magikarp"), in three stages.

1. :mod:`~workbench.glitch.categories`: what each id of a tokenizer is (normal, special, byte,
   partial UTF-8, unused, unreachable), from the vocabulary alone;
2. :mod:`~workbench.glitch.indicators`: weight-based indicators (cosine distance to never-trained
   rows, with and without the first principal component; L2 norm) and their ground-truth evaluation;
3. :mod:`~workbench.glitch.verification`: verification by prompting the model to repeat the token.

Read it as ``from workbench import glitch``; everything below is re-exported here, loaded on first
use (``lazy_loader``), so importing :mod:`workbench.glitch.cli` to build ``workbench --help`` loads no
torch. Modules, each importing only those above it:

* :mod:`~workbench.glitch.published` — magikarp's settings (percentile, threshold, prompts), with their source;
* :mod:`~workbench.glitch.categories`, :mod:`~workbench.glitch.indicators`,
  :mod:`~workbench.glitch.verification` — the three stages, each usable alone;
* :mod:`~workbench.glitch.scan` — the three stages together, one row per token id;
* :mod:`~workbench.glitch.explorer` — ``render_*`` figures and HTML, the candidate explorer;
* :mod:`~workbench.glitch.cli` — ``workbench glitch scan|census``.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(__name__, submod_attrs={
    "published": ["LAND_BARTOLO_2024_NEW_TOKENS", "LAND_BARTOLO_2024_NORM_CLIP", "LAND_BARTOLO_2024_PROMPTS",
                  "LAND_BARTOLO_2024_SHORTLIST_PERCENTILE", "LAND_BARTOLO_2024_VERIFY_THRESHOLD"],
    "categories": ["CATEGORIES", "Category", "categorize", "census", "token_text"],
    "indicators": ["MissingReferenceError", "Reference", "VocabMismatchError", "compute_indicators",
                   "evaluate_indicators", "find_reference", "shortlist"],
    "verification": ["PROMPTS", "InsertionError", "Verification", "verify", "verify_one_at_a_time"],
    "scan": ["Scan", "missed_by_shortlist", "scan"],
    "explorer": ["CandidateView", "compute_candidate_view", "compute_candidates", "glitch_explorer",
                 "render_candidate_view", "render_candidates", "render_census", "render_indicator_histogram"],
    "cli": ["register_cli"],
})
