"""Premium tables: premiums with each language's script, family and validity, and the cost of the same service.

:func:`~workbench.fairness.metrics.premium` is the bare ratio of corpus totals; this module joins it with
what the heatmaps and the cost view need: the language's name, script, script group and family (from
:mod:`workbench.corpora`), the unknown-token rate, and whether Petrov et al. (2023) would have shown the
cell (:data:`~workbench.fairness.published.UNKNOWN_THRESHOLD`). It reads counts, never tokenizes.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from workbench import corpora
from workbench.fairness.metrics import premium
from workbench.fairness.published import UNKNOWN_THRESHOLD

#: The price (USD per million tokens) a cost starts from: notebook 01's, and the cost explorer's first value.
DEFAULT_PRICE_PER_MILLION = 2.50


def languages_frame(codes: Sequence[str]) -> pl.DataFrame:
    """Name, script, script group, family and direction of each language code (FLORES or UDHR)."""
    rows = [corpora.language_info(c) for c in codes]
    return pl.DataFrame([{"language": r.code, "name": r.name, "script": r.script, "script_name": r.script_name,
                          "script_group": r.script_group or r.script_name, "family": r.family or "other",
                          "direction": r.direction} for r in rows])


def compute_premium_table(counts_: pl.DataFrame, reference: str = "eng_Latn") -> pl.DataFrame:
    """Premiums (tokens vs ``reference``) with each language's name, script, family and unknown-token rate.

    ``valid`` is false where more than :data:`UNKNOWN_THRESHOLD` of the tokens are unknown tokens:
    Petrov et al. blank such cells (their fraction is of characters lost, ours of tokens), since a
    tokenizer that maps a script to ``<unk>`` looks cheap while it erases the text.
    """
    prem = premium(counts_, reference)
    unknown = counts_.group_by("language", "tokenizer").agg((pl.col("unknown").sum() / pl.col("tokens").sum())
                                                             .alias("unknown_rate"))
    return (prem.join(unknown, on=["language", "tokenizer"], how="left")
            .with_columns((pl.col("unknown_rate") <= UNKNOWN_THRESHOLD).alias("valid"))
            .join(languages_frame(prem["language"].unique().to_list()), on="language", how="left"))


def compute_cost(counts_: pl.DataFrame, price_per_million: float = DEFAULT_PRICE_PER_MILLION,
                 reference: str = "eng_Latn") -> pl.DataFrame:
    """The cost of the same service: ``cost_L = T(L) · price / 10⁶`` (USD) and its ratio to the reference's cost.

    With one price per token, the cost ratio equals the premium; with different tokenizers the
    absolute cost is what a user pays for the same content in each language. The price is kept in a
    ``price_per_million`` column, so a chart of the frame can name it.
    """
    prem = premium(counts_, reference)
    totals = counts_.group_by("language", "tokenizer").agg(pl.col("tokens").sum())
    return (prem.join(totals, on=["language", "tokenizer"])
            .with_columns((pl.col("tokens") * price_per_million / 1e6).alias("cost"),
                          pl.lit(float(price_per_million)).alias("price_per_million")))
