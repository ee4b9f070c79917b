"""Baselines every pruning comparison should carry: keep-all, random and spatial pooling.

Surveys of visual token reduction find random dropping a strong baseline that papers rarely report
(e.g. Wen et al. 2025, "Token Pruning in Multimodal LLMs: Are We Solving the Right Problem?"), and
spatial average pooling is what LLaVA-style projectors and Qwen2-VL's 2x2 merger do. Unlike the
attention- and similarity-based rules in the neighbouring modules, these look at no activations.
"""

from __future__ import annotations

import math

import torch

from workbench.pruning.tokens import Reduction, Step, select, weighted_merge


def keep_all(step: Step) -> Reduction:
    """Keep every token unchanged: the patched forward with nothing removed (tests the patch itself)."""
    index = torch.arange(step.x.shape[1], device=step.x.device).expand(step.x.shape[0], -1)
    return select(step.x, index)


def random(step: Step) -> Reduction:
    """Keep ``n_out`` tokens drawn uniformly without replacement, in their original order.

    Seeded by the ``seed`` option (default 0) so that a sweep is reproducible.
    """
    b, t = step.x.shape[:2]
    scores = torch.rand(b, t, generator=step.generator)
    index = scores.topk(step.n_out, dim=1).indices.sort(dim=1).values
    return select(step.x, index)


def lattice(grid: tuple[int, int], n: int) -> torch.Tensor:
    """(n, 2) anchor centres spread evenly over a ``grid`` of patch centres, in raster order.

    Uses an exact ``a x b = n`` lattice when one fits the grid (16x16 grid: 128 -> 8x16, 64 -> 8x8),
    else the smallest enclosing near-square lattice with its last anchors dropped.

    >>> lattice((4, 4), 4).tolist()
    [[0.5, 0.5], [0.5, 2.5], [2.5, 0.5], [2.5, 2.5]]
    """
    rows, cols = grid
    pairs = [(a, n // a) for a in range(1, rows + 1) if n % a == 0 and n // a <= cols]
    if pairs:
        a, b = min(pairs, key=lambda p: abs(math.log(p[0] / p[1] * cols / rows)))
    else:
        a = min(rows, math.ceil(math.sqrt(n * rows / cols)))
        b = math.ceil(n / a)
    ys = (torch.arange(a) + 0.5) * rows / a - 0.5
    xs = (torch.arange(b) + 0.5) * cols / b - 0.5
    return torch.cartesian_prod(ys, xs)[:n]


def pool(step: Step) -> Reduction:
    """Spatial average pooling: each patch joins its nearest anchor of an even lattice (see :func:`lattice`).

    On a 16x16 grid, keep 0.25 is exactly 2x2 average pooling and keep 0.5 is 1x2 pooling. The merge is
    size-weighted. Needs the full, unreduced grid (apply it at one layer, before any other reduction).
    """
    rows, cols = step.grid
    if step.x.shape[1] != rows * cols or not bool((step.size == 1).all()):
        raise ValueError("'pool' needs the full patch grid: apply it at a single layer (at_layers=(L,))")
    cells = torch.cartesian_prod(torch.arange(rows), torch.arange(cols)).to(step.x.dtype)
    nearest = torch.cdist(cells, lattice(step.grid, step.n_out).to(step.x.dtype)).argmin(dim=1)
    members = torch.nn.functional.one_hot(nearest, step.n_out).T.to(step.x.dtype)
    members = members.expand(step.x.shape[0], -1, -1)
    return Reduction(weighted_merge(step.x, step.size, members), members)
