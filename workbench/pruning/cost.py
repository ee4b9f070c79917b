"""What a pruning setting saves: analytic FLOPs from the token counts, and measured CPU latency.

Analytic FLOPs follow the patch's token count at each block (:func:`model_flops`); latency is the
model only, fixed threads, warm-up, median of repeats (:func:`latency`); :func:`speedup` pairs a pruned
and an unpruned timing with the fidelity of the same setting. Unlike :mod:`~workbench.pruning.fidelity`
(what a setting loses), this module measures what it gains; neither changes the model for good.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import torch
from torch import nn

from workbench import pruning
from workbench.pruning.fidelity import evaluate_method


def block_flops(t_attn: int, t_mlp: int, dim: int, hidden: int) -> int:
    """FLOPs (2 per multiply-add) of one block: q/k/v/o projections and attention on ``t_attn`` tokens,
    MLP on ``t_mlp`` (fewer when the block reduces between attention and MLP).

    >>> block_flops(257, 257, 384, 1536) / 1e6
    1010.959872
    """
    return 2 * (4 * t_attn * dim * dim + 2 * t_attn * t_attn * dim + 2 * t_mlp * dim * hidden)


def model_flops(model: nn.Module, n_patches: int) -> int:
    """Analytic FLOPs of the encoder blocks for one image, following the patch's token counts."""
    encoder, family = pruning.patch.find_encoder(model)
    config = encoder.config
    depth, p = config.num_hidden_layers, family.protected
    dim = config.hidden_size
    hidden = getattr(config, "intermediate_size", None) or int(dim * config.mlp_ratio)
    patch = getattr(encoder, pruning.PATCH_ATTRIBUTE, None)
    counts = iter(patch.counts(n_patches)) if patch else iter(())
    t, total = n_patches, 0
    for layer in range(depth):
        t_attn = t
        if patch and layer in patch.at_layers:
            t = next(counts)
        total += block_flops(p + t_attn, p + t, dim, hidden)
    return total


def latency(model: nn.Module, pixels: torch.Tensor, threads: int = 2, warmup: int = 2, repeats: int = 7) -> float:
    """Median wall time (s) of one forward of ``pixels`` at ``threads`` torch threads, after ``warmup`` runs."""
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with torch.no_grad():
            for _ in range(warmup):
                model(pixel_values=pixels)
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                model(pixel_values=pixels)
                times.append(time.perf_counter() - start)
    finally:
        torch.set_num_threads(previous)
    return statistics.median(times)


def speedup(model: nn.Module, pixels: torch.Tensor, method: str, keep: float = 0.5, *, threads: int = 2,
            repeats: int = 7, **options) -> dict:
    """Latency of ``model`` patched with ``method`` (``options`` go to :func:`pruning.apply`) against the
    unpruned model, timed right after it so that drifting machine load cancels out of the ratio, with the
    fidelity of that setting on the same images next to it.

    Timed as deployed: no source tracking (it only serves visualisation; ToMe's ``trace_source`` is off
    by default too), token sizes still kept. Returns place, analytic GFLOPs per image, both times (ms),
    the speed-up and the mean CLS and pooled-feature cosine to the unpruned model; the model is left
    unpatched.
    """
    fidelity = evaluate_method(model, pixels, np.full(len(pixels), -1), method, keep, **options)
    pruning.apply(model, method, keep=keep, track_sources=False, **options)
    try:
        place, gflops = patched_cost(model, pixels)
        pruned = latency(model, pixels, threads, repeats=repeats)
    finally:
        pruning.remove(model)
    unpruned = latency(model, pixels, threads, repeats=repeats)
    return {"method": method, "keep": keep, "place": place, "gflops": gflops, "ms": 1e3 * pruned,
            "unpruned_ms": 1e3 * unpruned, "speedup": unpruned / pruned,
            "cls_cos": float(fidelity["cls_cos"].mean()), "pooled_cos": float(fidelity["pooled_cos"].mean())}


def patched_cost(model: nn.Module, pixels: torch.Tensor) -> tuple[str, float]:
    """Where the installed patch acts (``pruning.place``) and the analytic GFLOPs per image of ``pixels``."""
    encoder = pruning.patch.find_encoder(model)[0]
    patch, size = getattr(encoder, pruning.PATCH_ATTRIBUTE), encoder.config.patch_size
    n_patches = (pixels.shape[-2] // size) * (pixels.shape[-1] // size)
    return pruning.place(patch.at_layers, patch.depth), model_flops(model, n_patches) / 1e9
