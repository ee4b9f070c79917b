"""Our numbers beside the published ones: the reproduction tables of Petrov et al. (2023).

:mod:`~workbench.fairness.published` holds their figures (and nothing else); this module joins them
with counts and premiums computed here, cell by cell, with the difference.
"""

from __future__ import annotations

import polars as pl

from workbench.fairness.published import (
    PETROV_2023_COUNTED_LANGUAGES,
    PETROV_2023_COUNTS,
    PETROV_2023_LANGUAGES,
    PETROV_2023_PREMIUMS,
)


def petrov_comparison(premiums: pl.DataFrame) -> pl.DataFrame:
    """Our premiums beside the published ones (:data:`PETROV_2023_PREMIUMS`), with the difference.

    ``published`` is null where Petrov et al. blanked the cell (> 10% unknown tokens).
    """
    rows = [{"tokenizer": tok, "language": lang, "published": value}
            for tok, values in PETROV_2023_PREMIUMS.items()
            for lang, value in zip(PETROV_2023_LANGUAGES, values, strict=True)]
    ours = premiums.select("tokenizer", "language", pl.col("premium").round(2).alias("ours"))
    return (pl.DataFrame(rows, schema={"tokenizer": pl.String, "language": pl.String, "published": pl.Float64})
            .join(ours, on=["tokenizer", "language"])
            .with_columns((pl.col("ours") - pl.col("published")).round(2).alias("difference")))


def petrov_count_comparison(counts_: pl.DataFrame) -> pl.DataFrame:
    """Our petrov-mode counts beside :data:`PETROV_2023_COUNTS` (the zoo tokenizers present in ``counts_``)."""
    ours = {(r["tokenizer"], r["language"]): r["tokens"] for r in counts_.iter_rows(named=True)}
    rows = [{"petrov_column": column, "tokenizer": tok, "language": lang, "published": published,
             "ours": ours.get((tok, lang))}
            for column, (tok, *values) in PETROV_2023_COUNTS.items()
            for lang, published in zip(PETROV_2023_COUNTED_LANGUAGES, values, strict=True)]
    frame = pl.DataFrame(rows).filter(pl.col("ours").is_not_null())
    return frame.with_columns((pl.col("ours") == pl.col("published")).alias("equal"))
