"""The three glitch-token stages run together for one model: one row per token id.

:func:`scan` joins :mod:`~workbench.glitch.categories` (what each id is),
:mod:`~workbench.glitch.indicators` (how untrained its rows look) and, for the top of the shortlist,
:mod:`~workbench.glitch.verification` (whether the model can repeat it), as Land & Bartolo (2024) do in
``magikarp``, into a table with the columns the CLI writes: ``token_id, token, category``, the
indicator values, ``candidate``, ``verified``, ``max_prob``. :func:`missed_by_shortlist` estimates
how many verified tokens lie outside the shortlist by verifying a seeded sample of the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from workbench.glitch import categories as cat
from workbench.glitch import indicators as ind
from workbench.glitch import verification as ver
from workbench.zoo import Tokenizer


@dataclass
class Scan:
    """The result of :func:`scan`: the table, the reference set used, and the main indicator's name."""

    table: pl.DataFrame
    reference: ind.Reference | None
    main_indicator: str
    notes: list[str]


def main_indicator(names: list[str]) -> str:
    """The indicator that ranks the shortlist: input cosine distance without the 1st PC, else L2 norm."""
    return "input_cos_wo1pc" if "input_cos_wo1pc" in names else "input_l2_norm"


def scan(loaded, tok: Tokenizer | None = None, *, reference: list[int] | None = None, verify_top: int = 0,
         percentile: float = ind.DEFAULT_PERCENTILE, threshold: float = ver.DEFAULT_THRESHOLD,
         progress: bool = True) -> Scan:
    """Categories and indicators for every row of ``loaded``; verification for the top ``verify_top`` candidates.

    ``reference`` (token ids) overrides the automatic reference set. Rows past the tokenizer
    (padding) are kept with category ``unused``; tokenizer ids past the matrix are reported in ``notes``.
    """
    tok = tok or loaded.load_tokenizer()
    rows = loaded.input_embeddings().shape[0]
    cats = cat.categorize(tok)
    notes = [f"tokenizer ids without an embedding row (skipped): {m}" for m in [ind.check_vocab(rows, tok)] if m]
    categories = np.concatenate([cats[:rows], np.full(max(rows - len(cats), 0), "unused", dtype="<U12")])
    ref = _reference(tok, rows, cats, reference)
    values = ind.compute_indicators(loaded, tok, ref)
    main = main_indicator(list(values))
    candidates = ind.shortlist(values[main], categories, percentile)
    table = _table(tok, rows, categories, values, candidates)
    if verify_top:
        results = ver.verify(loaded, tok, candidates[:verify_top].tolist(), threshold=threshold, progress=progress)
        table = _with_verification(table, results)
    return Scan(table, ref, main, notes + ([ref.description] if ref else ["no reference set: L2 norm only"]))


def _reference(tok: Tokenizer, rows: int, cats: np.ndarray, given: list[int] | None) -> ind.Reference | None:
    if given is not None:
        if not given:
            raise ind.MissingReferenceError("The given reference set is empty; pass ids known never to be trained.")
        return ind.Reference(np.asarray(given), "given", f"{len(given):,} given reference rows")
    try:
        return ind.find_reference(tok, rows, cats)
    except ind.MissingReferenceError:
        return None


def _table(tok: Tokenizer, rows: int, categories: np.ndarray, values: dict[str, np.ndarray],
           candidates: np.ndarray) -> pl.DataFrame:
    texts = [cat.token_text(tok, i) if i < tok.vocab_size else "" for i in range(rows)]
    is_candidate = np.zeros(rows, dtype=bool)
    is_candidate[candidates] = True
    return pl.DataFrame({"token_id": np.arange(rows), "token": texts, "category": categories.tolist(),
                         **{k: v.astype(np.float64) for k, v in values.items()}, "candidate": is_candidate,
                         "verified": pl.Series([None] * rows, dtype=pl.Boolean),
                         "max_prob": pl.Series([None] * rows, dtype=pl.Float64)})


def _with_verification(table: pl.DataFrame, results: list[ver.Verification]) -> pl.DataFrame:
    found = pl.DataFrame({"token_id": [r.token_id for r in results], "_v": [r.verified for r in results],
                          "_p": [r.max_prob for r in results]}, schema_overrides={"token_id": table["token_id"].dtype})
    joined = table.join(found, on="token_id", how="left")
    return joined.with_columns(verified=pl.col("_v"), max_prob=pl.col("_p")).drop("_v", "_p")


def missed_by_shortlist(loaded, tok: Tokenizer, result: Scan, *, sample: int = 50, seed: int = 0,
                        threshold: float = ver.DEFAULT_THRESHOLD, progress: bool = True) -> dict[str, float]:
    """Verify a seeded random sample of normal tokens *outside* the shortlist; extrapolate the misses.

    Returns the sample size, how many of it verified, and the estimated number of verified tokens
    among all normal non-candidates (the sample fraction times their count).
    """
    table = result.table
    outside = table.filter((pl.col("category") == "normal") & ~pl.col("candidate"))["token_id"].to_numpy()
    picked = np.random.default_rng(seed).choice(outside, size=min(sample, len(outside)), replace=False)
    found = ver.verify(loaded, tok, picked.tolist(), threshold=threshold, progress=progress)
    hits = sum(r.verified for r in found)
    return {"sampled": len(picked), "verified_in_sample": hits, "outside_shortlist": len(outside),
            "estimated_missed": hits / max(len(picked), 1) * len(outside)}
