"""What a pruning method keeps, merges and drops, drawn over the image: compute -> render -> explorer.

The three widget layers of the contract (:mod:`workbench.explorers`): :func:`compute_view` (pure: runs
the patched model once and maps tokens back to the 16x16 grid through ``pruning.info(model).sources``),
:func:`render_view` (a matplotlib figure, from the view alone) and :func:`pruning_explorer` (an
:class:`~workbench.explorers.Explorer`: image picker, method dropdown, keep slider, with the fidelity and
time of the setting). The only pruning module that imports the display layer; the metrics it shows are
those of :mod:`~workbench.pruning.fidelity`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from torch import nn

from workbench import explorers, pruning
from workbench.models import dinov2
from workbench.pruning import fidelity
from workbench.pruning.images import folder_images
from workbench.pruning.sweep import Image, offline_images, pixels_of

KEPT, MERGED, DROPPED = 0, 1, 2


@dataclass(frozen=True)
class View:
    """One setting on one image: per-patch status (KEPT/MERGED/DROPPED) and token id (-1 if dropped),
    fidelity to the unpruned model, tokens left, the forward time (ms, one image) and the image itself
    ((H, W, 3) RGB in [0, 1], as the model saw it)."""

    method: str
    keep: float
    status: np.ndarray
    token: np.ndarray
    cls_cos: float
    pooled_cos: float
    n_tokens: int
    ms: float
    image: np.ndarray


def compute_view(model: nn.Module, pixels: torch.Tensor, method: str, keep: float) -> View:
    """Run ``model`` unpruned and pruned on ``pixels`` (1, 3, H, W); the model is left unpatched."""
    pruning.remove(model)
    reference = fidelity.encode(model, pixels)
    pruning.apply(model, method, keep=keep)
    try:
        start = time.perf_counter()
        out = fidelity.encode(model, pixels)
        ms = 1e3 * (time.perf_counter() - start)
        grid = pruning.info(model).grid
    finally:
        pruning.remove(model)
    sources = out.sources[0]  # (T, N)
    size = sources.sum(1)
    held = sources.sum(0) > 0
    token = torch.where(held, sources.argmax(0), torch.tensor(-1))
    merged = held & (size[token.clamp_min(0)] > 1)
    status = torch.full_like(token, KEPT).masked_fill(merged, MERGED).masked_fill(~held, DROPPED)
    image = pixels[0].permute(1, 2, 0).numpy() * np.array(dinov2.IMAGENET_STD) + np.array(dinov2.IMAGENET_MEAN)
    return View(method, keep, status.view(grid).numpy(), token.view(grid).numpy(),
                float(fidelity.cosine_rows(reference.cls, out.cls)[0]),
                float(fidelity.cosine_rows(fidelity.pooled(reference), fidelity.pooled(out))[0]),
                int(out.tokens.shape[1]), ms, image.clip(0, 1))


def render_view(view: View) -> Figure:
    """A figure: the image with dropped patches greyed out and merged groups outlined in one colour each."""
    rows, cols = view.status.shape
    patch = view.image.shape[0] // rows
    fig, ax = plt.subplots(figsize=(4.2, 4.4))
    ax.imshow(view.image)
    colours = plt.get_cmap("tab20")
    for r in range(rows):
        for c in range(cols):
            box = dict(xy=(c * patch - 0.5, r * patch - 0.5), width=patch, height=patch)
            if view.status[r, c] == DROPPED:
                ax.add_patch(plt.Rectangle(**box, color="black", alpha=0.65, lw=0))
            elif view.status[r, c] == MERGED:
                ax.add_patch(plt.Rectangle(**box, color=colours(view.token[r, c] % 20), alpha=0.45, lw=0))
    ax.set_title(f"{view.method}, keep {view.keep:.2f}: {view.n_tokens} tokens\n"
                 f"CLS cos {view.cls_cos:.3f}, pooled cos {view.pooled_cos:.3f}, {view.ms:.0f} ms", fontsize=9)
    ax.axis("off")
    fig.tight_layout()
    return fig


def pruning_explorer(model: nn.Module | None = None,
                     images: list[Image] | str | Path | None = None) -> explorers.Explorer:
    """A widget: pick an image, a method and a keep ratio; see the kept/merged/dropped patches and fidelity.

    ``model`` defaults to the registry's ``dinov2-s``; ``ex.controls`` holds ``image`` (an index into
    ``images``), ``method`` and ``keep``; ``ex.result`` is the current :class:`View`. ``images`` may be a
    folder of the user's photos (:func:`~workbench.pruning.images.folder_images`).
    """
    from workbench.models import load_model

    images = folder_images(images) if isinstance(images, str | Path) else images or offline_images(n_labelled=0)
    model = model or load_model("dinov2-s").model
    controls = {"image": widgets.Dropdown(options=[(im.name, i) for i, im in enumerate(images)], description="image"),
                "method": widgets.Dropdown(options=list(pruning.METHODS), value="tome", description="method"),
                "keep": widgets.FloatSlider(value=0.5, min=0.05, max=1.0, step=0.05, description="keep")}

    def compute(image: int, method: str, keep: float) -> View:
        return compute_view(model, pixels_of([images[image]]), method, keep)

    return explorers.explorer(controls, compute, render_view)
