"""The patch API of :mod:`workbench.pruning` (re-exported there): :func:`apply`, :func:`remove`, :func:`info`, the
default places and ``METHOD_RULES``. Read it as ``from workbench import pruning``; this module imports torch, the
package itself does not (so ``workbench prune eval --help`` stays light).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from workbench.errors import unknown_name
from workbench.pruning import METHODS, Method, attention, baselines, diversity, tome
from workbench.pruning.patch import (
    Patch,
    check_keep,
    find_encoder,
    fixed_r_counts,
    geometric_counts,
    layers_of,
    scheduled_counts,
)
from workbench.pruning.published import FASTV_LAYER
from workbench.pruning.tokens import Reduction, Step

Place = Literal["input", "layer", "spread", "output"]

METHOD_RULES: dict[str, Callable[[Step], Reduction]] = {
    "keep-all": baselines.keep_all, "random": baselines.random, "pool": baselines.pool,
    "evit": attention.evit, "fastv": attention.fastv, "visionzip": attention.visionzip,
    "tome": tome.tome, "divprune": diversity.divprune, "graph": diversity.graph,
}
NEEDS_ATTENTION = frozenset({"evit", "fastv", "visionzip", "graph"})
MERGING = frozenset({"pool", "evit", "visionzip", "tome"})
PATCH_ATTRIBUTE = "_workbench_pruning"


def default_layers(method: str, depth: int) -> tuple[int, ...]:
    """Where each method reduces by default: its paper's place, scaled to ``depth`` blocks.

    >>> default_layers("evit", 12), default_layers("fastv", 12), default_layers("divprune", 12)
    ((3, 6, 9), (2,), (12,))
    """
    if method in ("keep-all", "random", "pool"):
        return (0,)
    if method == "evit":
        return tuple(sorted({int(depth * f) for f in (0.25, 0.5, 0.75)}))
    if method == "fastv":
        return (min(FASTV_LAYER, depth - 1),)
    if method == "tome":
        return tuple(range(depth))
    return (depth,)


def place(at_layers: Sequence[int], depth: int) -> Place:
    """Where a configuration acts: the input (block 0 only), one layer, several layers, or the output."""
    if tuple(at_layers) == (depth,):
        return "output"
    if tuple(at_layers) == (0,):
        return "input"
    return "layer" if len(at_layers) == 1 else "spread"


def apply(
    model: nn.Module,
    method: Method,
    keep: float | None = None,
    at_layers: Iterable[int] | None = None,
    *,
    prop_attn: bool | None = None,
    track_sources: bool = True,
    **options,
) -> nn.Module:
    """Patch ``model`` in place so that its encoder prunes/merges tokens with ``method``; returns it.

    ``keep``: fraction of patch tokens left at the end, in (0, 1] (ignored by "keep-all"; for "tome" an
    ``r=`` option may replace it). ``at_layers``: blocks where to reduce (see the module docstring);
    the method's default place if None. ``prop_attn``: ToMe's proportional attention (default on for
    "tome" only). ``track_sources``: keep the tokens-to-patches matrix for :func:`info`. Other options go
    to the rule (e.g. ``seed``, ``fuse``, ``contextual``, ``inflect``, ``threshold``). Re-applying replaces
    the previous patch.
    """
    if method not in METHODS:
        raise unknown_name("pruning method", str(method), METHODS)
    encoder, family = find_encoder(model)
    depth = len(layers_of(encoder, family))
    layers = tuple(sorted(set(default_layers(method, depth) if at_layers is None else at_layers)))
    _check_layers(layers, depth, method)
    counts = _counter(method, keep, len(layers), options)
    remove(model)
    patch = Patch(encoder, family, METHOD_RULES[method], layers, counts, method in NEEDS_ATTENTION,
                  method == "tome" if prop_attn is None else prop_attn, track_sources, options)
    patch.install()
    setattr(encoder, PATCH_ATTRIBUTE, patch)
    return model


def _check_layers(layers: tuple[int, ...], depth: int, method: str) -> None:
    """Refuse empty layer lists, layers beyond the model, and pooling at several layers."""
    if not layers:
        raise ValueError("at_layers is empty: give at least one block index")
    bad = [i for i in layers if not isinstance(i, int) or not 0 <= i <= depth]
    if bad:
        raise ValueError(f"at_layers {bad} outside this model's blocks: use 0..{depth - 1}, or {depth} "
                         "for the encoder output")
    if method == "pool" and len(layers) != 1:
        raise ValueError("'pool' reduces the full grid once: give a single layer")


def _counter(method: str, keep: float | None, steps: int, options: dict) -> Callable[[int], list[int]]:
    """A function from the number of patches N to the token count after each reduction step."""
    if method == "keep-all":
        return lambda n: [n] * steps
    if method == "tome" and "r" in options:
        if keep is not None:
            raise ValueError("give ToMe either keep= or r=, not both")
        return lambda n: fixed_r_counts(n, options["r"], steps)
    if keep is None:
        raise ValueError(f"'{method}' needs keep=, the fraction in (0, 1] of patch tokens to keep")
    check_keep(keep)
    if method == "tome":
        return lambda n: scheduled_counts(n, keep, steps, options.get("inflect", 0.0))
    return lambda n: geometric_counts(n, keep, steps)


def remove(model: nn.Module) -> nn.Module:
    """Undo :func:`apply` (a no-op on an unpatched model); returns the model."""
    encoder, _ = find_encoder(model)
    patch = getattr(encoder, PATCH_ATTRIBUTE, None)
    if patch is not None:
        patch.uninstall()
        delattr(encoder, PATCH_ATTRIBUTE)
    return model


@dataclass(frozen=True)
class Info:
    """What the last forward of a patched model did.

    ``sources``: (B, P + n, P + N) 0/1, token i holds original token j (protected first, then patches
    in raster order) or None when not tracked; ``size``: (B, P + n) original tokens per token;
    ``counts``: patch tokens after each step; ``grid``: (rows, cols); ``protected``: P.
    """

    sources: torch.Tensor | None
    size: torch.Tensor
    counts: list[int]
    grid: tuple[int, int]
    protected: int


def info(model: nn.Module) -> Info:
    """The token bookkeeping of the last forward of a patched ``model``."""
    encoder, _ = find_encoder(model)
    patch = getattr(encoder, PATCH_ATTRIBUTE, None)
    if patch is None or patch.run is None:
        raise RuntimeError("no pruned forward yet: call pruning.apply(model, ...) and run the model first")
    run = patch.run
    return Info(run.sources, run.size, run.counts, run.grid, patch.family.protected)


def is_patched(model: nn.Module) -> bool:
    """True if :func:`apply` is in effect on ``model``."""
    return hasattr(find_encoder(model)[0], PATCH_ATTRIBUTE)


__all__ = ["METHOD_RULES", "MERGING", "NEEDS_ATTENTION", "PATCH_ATTRIBUTE", "Info", "Place", "apply", "default_layers",
           "info", "is_patched", "place", "remove"]
