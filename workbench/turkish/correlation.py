"""The paper's claim, tested: does %TR track Turkish MMLU scores? Pearson, Spearman, bootstrap, permutation.

Bayram et al. (2025) report that %TR correlates with TR-MMLU accuracy over 8 tokenizers/models;
their table (:data:`~workbench.turkish.published.BAYRAM_2025_TABLE`, with its source) is the data
:func:`paper_correlation` runs on. Eight points are very few: the exact
permutation test enumerates all ``n!`` orderings when ``n ≤ 8`` (40,320), else draws
``permutations`` random ones; the bootstrap resamples rows (pairs) with replacement and reports a
percentile interval; resamples where a variable is constant (correlation undefined) are dropped
and counted. A model's MMLU score mixes model size, training data and tokenizer: a correlation
over 8 different models says nothing causal about tokenization.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import stats

from workbench.stats import bootstrap_interval
from workbench.turkish.published import BAYRAM_2025_TABLE, BAYRAM_2025_ZOO_EQUIVALENTS

SMALL_N_WARNING = ("n = {n} points: a single point can move r by ±0.5, the bootstrap interval is wide and unstable, "
                   "and the scores come from different models (size, data), not from tokenizers alone.")


@dataclass
class CorrelationResult:
    """Pearson and Spearman with bootstrap percentile CIs and permutation p-values (two-sided)."""

    n: int
    pearson: float
    pearson_ci: tuple[float, float]
    pearson_p_perm: float
    spearman: float
    spearman_ci: tuple[float, float]
    spearman_p_perm: float
    exact_permutation: bool
    bootstrap: int
    bootstrap_dropped: int
    warning: str


def _rowwise_pearson(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Pearson r of each row pair of two (k, n) arrays; NaN where a row is constant."""
    xc, yc = x - x.mean(axis=1, keepdims=True), y - y.mean(axis=1, keepdims=True)
    denom = np.sqrt((xc**2).sum(axis=1) * (yc**2).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denom > 1e-12, (xc * yc).sum(axis=1) / np.where(denom > 1e-12, denom, 1.0), np.nan)


def _pearson(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return _rowwise_pearson(np.atleast_2d(x), np.atleast_2d(y))


def _spearman(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return _pearson(stats.rankdata(np.atleast_2d(x), axis=1), stats.rankdata(np.atleast_2d(y), axis=1))


def _permutation_p(x: np.ndarray, y: np.ndarray, statistic, permutations: int, rng) -> tuple[float, bool]:
    observed = abs(float(statistic(x, y)[0]))
    exact = len(x) <= 8
    orders = (np.array(list(itertools.permutations(range(len(y))))) if exact
              else np.array([rng.permutation(len(y)) for _ in range(permutations)]))
    values = np.abs(statistic(np.broadcast_to(x, orders.shape), y[orders]))
    extreme = int(np.sum(values >= observed - 1e-12))
    return (extreme / len(values) if exact else (extreme + 1) / (len(values) + 1)), exact


def _bootstrap_ci(x: np.ndarray, y: np.ndarray, statistic, draws: int, rng) -> tuple[tuple[float, float], int]:
    low, high, dropped = bootstrap_interval(lambda idx: statistic(x[idx], y[idx]), len(x), draws=draws, rng=rng)
    return (float(low), float(high)), dropped


def correlate(x: Sequence[float], y: Sequence[float], *, bootstrap: int = 10000, permutations: int = 20000,
              seed: int = 0) -> CorrelationResult:
    """Correlation of ``x`` and ``y`` with uncertainty (see the module docstring); needs n ≥ 3.

    >>> r = correlate([1, 2, 3, 4], [2, 4, 5, 9], bootstrap=200)
    >>> round(r.pearson, 3), r.spearman, round(r.spearman_p_perm, 3)   # exact: 2 of 4! orders reach |rho| = 1
    (0.965, 1.0, 0.083)
    """
    x_arr, y_arr = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x_arr.shape != y_arr.shape or len(x_arr) < 3:
        raise ValueError(f"correlate needs two equally long sequences of at least 3 values (got {len(x_arr)}, "
                         f"{len(y_arr)}).")
    rng = np.random.default_rng(seed)
    p_ci, p_drop = _bootstrap_ci(x_arr, y_arr, _pearson, bootstrap, rng)
    s_ci, s_drop = _bootstrap_ci(x_arr, y_arr, _spearman, bootstrap, rng)
    p_p, exact = _permutation_p(x_arr, y_arr, _pearson, permutations, rng)
    s_p, _ = _permutation_p(x_arr, y_arr, _spearman, permutations, rng)
    n = len(x_arr)
    return CorrelationResult(
        n=n, pearson=float(_pearson(x_arr, y_arr)[0]), pearson_ci=p_ci, pearson_p_perm=p_p,
        spearman=float(_spearman(x_arr, y_arr)[0]),
        spearman_ci=s_ci, spearman_p_perm=s_p, exact_permutation=exact, bootstrap=bootstrap,
        bootstrap_dropped=max(p_drop, s_drop), warning=SMALL_N_WARNING.format(n=n) if n < 30 else "",
    )


def paper_correlation(metric: str = "tr", rows: Sequence[str] | None = None, **kwargs) -> CorrelationResult:
    """Correlation of a paper column (``tr``, ``pure``, ``tokens``, ``unique``) with TR-MMLU; all 8 rows by default."""
    table = [r for r in BAYRAM_2025_TABLE if rows is None or r["paper_name"] in rows]
    values = [float(r[metric]) for r in table]
    if any(math.isnan(v) for v in values):
        raise ValueError(f"The paper table has missing values in column {metric!r}.")
    return correlate(values, [float(r["mmlu"]) for r in table], **kwargs)


def paper_comparison(ours: pl.DataFrame) -> pl.DataFrame:
    """The paper's %TR/%Pure beside ours for the zoo equivalents.

    ``ours`` is a :func:`~workbench.turkish.scoring.purity_table` frame.

    Percentages are 0–100. Rows with no zoo equivalent keep the paper's values and nulls for ours.
    """
    mine = {r["tokenizer"]: r for r in ours.to_dicts()}
    rows = []
    for paper in BAYRAM_2025_TABLE:
        zoo_name, note = BAYRAM_2025_ZOO_EQUIVALENTS[str(paper["paper_name"])]
        row = mine.get(zoo_name or "", {})
        rows.append({"paper_name": paper["paper_name"], "zoo": zoo_name, "paper_tr": paper["tr"],
                     "paper_pure": paper["pure"], "ours_tr_type": _pct(row.get("tr_type")),
                     "ours_pure_type": _pct(row.get("pure_type")), "ours_tr_token": _pct(row.get("tr_token")),
                     "mmlu": paper["mmlu"], "note": note})
    return pl.DataFrame(rows)


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 2)
