"""Fidelity and cost over many settings: the offline image set, and the cached (method x keep) sweep.

:func:`offline_images` gives the images every pruning measurement runs on (``skimage.data`` photos and
labelled ``lfw_subset`` faces / non-faces); :func:`sweep` runs :func:`~workbench.pruning.fidelity.evaluate_method`
and :func:`~workbench.pruning.cost.patched_cost` for every (method, keep) and summarises each metric as a
mean with a 95 % percentile bootstrap CI over images (:func:`workbench.stats.bootstrap_interval`). Rows
are cached by a key of the weights, images, setting and this package's code. Where
:mod:`~workbench.pruning.fidelity` and :mod:`~workbench.pruning.cost` measure one setting, this module
chooses the images and the settings and keeps the results.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from workbench import cache as verified_cache
from workbench import pruning
from workbench.config import cache_dir, pick
from workbench.errors import UsageError
from workbench.models import dinov2
from workbench.pruning import fidelity
from workbench.pruning.cost import patched_cost
from workbench.stats import bootstrap_interval

NAMED_IMAGES = ("astronaut", "chelsea", "coffee", "rocket", "horse", "camera", "cat", "immunohistochemistry",
                "brick", "grass", "gravel", "coins", "clock", "moon", "hubble_deep_field", "page")


@dataclass(frozen=True)
class Image:
    """An offline image with a name and, for lfw_subset, a label (1 face, 0 not a face; -1 unlabelled)."""

    name: str
    pixels: np.ndarray
    label: int = -1


#: Images in ``skimage.data.lfw_subset`` (the first 100 faces, the rest not).
LFW_IMAGES = 200


def offline_images(n_named: int | None = None, n_labelled: int | None = None) -> list[Image]:
    """``skimage.data`` photos, then an even face/non-face slice of ``lfw_subset`` (first 100 are faces)."""
    import skimage.data

    n_named = pick(2, len(NAMED_IMAGES)) if n_named is None else n_named
    n_labelled = pick(8, LFW_IMAGES) if n_labelled is None else n_labelled
    if not (0 <= n_named <= len(NAMED_IMAGES) and 0 <= n_labelled <= LFW_IMAGES):
        raise UsageError(f"The offline set has {len(NAMED_IMAGES)} photos and {LFW_IMAGES} labelled faces/non-faces: "
                         f"ask for 0..{len(NAMED_IMAGES)} and 0..{LFW_IMAGES}, not {n_named} and {n_labelled}.")
    named = [Image(n, getattr(skimage.data, n)()) for n in NAMED_IMAGES[:n_named]]
    faces = skimage.data.lfw_subset()
    half = n_labelled // 2
    index = list(range(half)) + list(range(100, 100 + n_labelled - half))
    return named + [Image(f"lfw-{i}", faces[i], int(i < 100)) for i in index]


def pixels_of(images: list[Image]) -> torch.Tensor:
    """(n, 3, 224, 224) preprocessed pixels of ``images``."""
    return torch.cat([dinov2.preprocess(im.pixels) for im in images])


def sweep(model: nn.Module, images: list[Image], methods: Sequence[str], keeps: Sequence[float],
          decoder: nn.Module | None = None, *, use_cache: bool = True, progress: bool = True,
          **options) -> list[dict]:
    """One row per (method, keep): mean, 95 % bootstrap CI per metric, analytic GFLOPs and place.

    ``options`` go to :func:`pruning.apply` for every method (e.g. ``at_layers=(0, 1, 2, 3)``). Each row
    is cached under ``cache_dir("results", "pruning")``, keyed by :func:`sweep_key` (weights, images,
    method, keep, options, decoder and the source code of the measurement), so a second run, or one
    interrupted half-way, only computes the rows it does not have.
    """
    from tqdm.auto import tqdm

    pixels, labels = pixels_of(images), np.array([im.label for im in images])
    pruning.remove(model)
    base = _sweep_base_key(model, pixels, decoder) if use_cache else None
    reference = None
    rows = []
    for method, keep in tqdm([(m, k) for m in methods for k in keeps], desc="pruning sweep", unit="setting",
                             disable=not progress, file=sys.stderr):
        path = cache_dir("results", "pruning") / f"{sweep_key(base, method, keep, options)}.json" if base else None
        cached = verified_cache.read(path, lambda p: json.loads(p.read_text(encoding="utf-8"))) if path else None
        if cached is not None:
            rows.append(cached)
            continue
        reference = reference or fidelity.encode(model, pixels)
        per_image = fidelity.evaluate_method(model, pixels, labels, method, keep, reference=reference,
                                             decoder=decoder, **options)
        pruning.apply(model, method, keep=keep, **options)
        place, gflops = patched_cost(model, pixels)
        pruning.remove(model)
        row = {"method": method, "keep": keep, "place": place, "gflops": gflops}
        for name, values in per_image.items():
            if len(values):
                resampled = np.asarray(values, dtype=float)
                low, high, _ = bootstrap_interval(lambda idx, v=resampled: v[idx].mean(axis=1), len(resampled))
                row.update({name: float(np.mean(values)), f"{name}_low": float(low), f"{name}_high": float(high)})
        rows.append(row)
        if path is not None:
            verified_cache.write(path, json.dumps(row))
    return rows


def sweep_key(base: str, method: str, keep: float, options: dict | None = None) -> str:
    """The cache key of one sweep row: the shared part (:func:`_sweep_base_key`), method, keep, options."""
    extra = f"|{sorted(options.items())!r}" if options else ""
    return hashlib.sha256(f"{base}|{method}|{keep!r}{extra}".encode()).hexdigest()[:24]


def _sweep_base_key(model: nn.Module, pixels: torch.Tensor, decoder: nn.Module | None) -> str:
    """Hash of everything a sweep row depends on besides (method, keep): weights, pixels, code."""
    h = hashlib.sha256()
    for module in (model, decoder):
        for name, tensor in (module.state_dict().items() if module is not None else ()):
            h.update(name.encode())
            h.update(tensor.detach().contiguous().numpy().tobytes())
    h.update(pixels.contiguous().numpy().tobytes())
    for source in sorted(Path(pruning.__file__).parent.glob("*.py")):
        h.update(source.read_bytes())
    return h.hexdigest()
