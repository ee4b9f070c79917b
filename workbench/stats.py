"""Statistics shared by every analysis: the one percentile bootstrap.

Fairness (median sentence premium), Turkish (correlation intervals) and pruning (mean fidelity over
images) all resample rows with replacement and report a percentile interval. They differ only in the
statistic, so the resampling lives here once: draw ``draws`` index vectors of length ``n`` from one
generator, apply the statistic to the resampled rows, drop resamples where it is undefined (NaN), and
take the two quantiles (linear interpolation, numpy's default).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

#: Resamples whose index matrix is built at once; larger runs are cut into pieces of this many draws.
_PIECE = 50


def bootstrap_interval(statistic: Callable[[np.ndarray], np.ndarray], n: int, *, draws: int = 1000,
                       level: float = 0.95, rng: np.random.Generator | int = 0) -> tuple[np.ndarray, np.ndarray, int]:
    """Percentile bootstrap interval of ``statistic`` over ``n`` rows resampled with replacement.

    ``statistic`` takes an index matrix of shape ``(k, n)`` (each row one resample of row numbers) and
    returns ``k`` values, or a ``(k, m)`` array for ``m`` statistics resampled together (paired). ``rng``
    is a seed or a generator (to continue a stream already in use). Returns ``(low, high, dropped)``:
    the interval at ``level`` per statistic, and how many resamples gave NaN and were left out.

    >>> values = np.array([1.0, 2.0, 3.0, 4.0])
    >>> low, high, dropped = bootstrap_interval(lambda idx: values[idx].mean(axis=1), len(values))
    >>> bool(1.0 <= low < 2.5 < high <= 4.0), dropped
    (True, 0)
    """
    rng = np.random.default_rng(rng) if isinstance(rng, int) else rng
    idx = rng.integers(0, n, size=(draws, n))
    boot = np.concatenate([np.asarray(statistic(piece)) for piece in np.array_split(idx, max(1, draws // _PIECE))])
    undefined = np.isnan(boot) if boot.ndim == 1 else np.isnan(boot).any(axis=1)
    alpha = (1 - level) / 2
    with warnings.catch_warnings():  # an all-NaN column is a NaN interval, said by ``dropped``
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = np.nanquantile(boot, [alpha, 1 - alpha], axis=0)
    return low, high, int(undefined.sum())
