"""Glitch and under-trained tokens (Land & Bartolo 2024, "Fishing for Magikarp"), in three stages.

1. :mod:`~workbench.glitch.categories`: what each id of a tokenizer is (normal, special, byte,
   partial UTF-8, unused, unreachable), from the vocabulary alone;
2. :mod:`~workbench.glitch.indicators`: weight-based indicators (cosine distance to never-trained
   rows, with and without the first principal component; L2 norm) and their ground-truth evaluation;
3. :mod:`~workbench.glitch.verification`: verification by prompting the model to repeat the token.

:mod:`~workbench.glitch.scan` runs them together; :mod:`~workbench.glitch.explorer` holds the
widget layers and :mod:`~workbench.glitch.cli` the ``workbench glitch`` commands. Each stage can be
used alone.
"""

from workbench.glitch.categories import CATEGORIES, Category, categorize, census, token_text
from workbench.glitch.cli import register_cli
from workbench.glitch.indicators import (
    MissingReferenceError,
    Reference,
    VocabMismatchError,
    compute_indicators,
    evaluate,
    find_reference,
    shortlist,
)
from workbench.glitch.scan import Scan, missed_by_shortlist, scan
from workbench.glitch.verification import PROMPTS, InsertionError, Verification, verify, verify_one_at_a_time

__all__ = ["CATEGORIES", "Category", "InsertionError", "MissingReferenceError", "PROMPTS", "Reference", "Scan",
           "Verification", "VocabMismatchError", "categorize", "census", "compute_indicators", "evaluate",
           "find_reference", "missed_by_shortlist", "register_cli", "scan", "shortlist", "token_text", "verify",
           "verify_one_at_a_time"]
