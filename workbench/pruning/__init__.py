"""Visual token pruning and merging behind one reversible call, for ViT-style encoders.

>>> from workbench import pruning                                   # doctest: +SKIP
>>> pruning.apply(model, "tome", keep=0.5)                          # doctest: +SKIP
>>> out = model(pixel_values=x)         # 1 + 128 tokens instead of 1 + 256     # doctest: +SKIP
>>> pruning.info(model).sources.shape   # which original patches each token holds  # doctest: +SKIP
>>> pruning.remove(model)                                           # doctest: +SKIP

``keep`` is the fraction of the N patch tokens left after the *last* reduction (round(keep*N), at
least 1); with several layers the count falls geometrically (ToMe: by its ``r`` schedule). Layer
indices in ``at_layers`` are blocks: a reduction at block L happens between its attention and MLP,
using that block's attention and keys; L = depth (one past the last block) reduces the encoder
output, as a vision-language model would receive it. Protected tokens ([CLS], DeiT's distillation
token) are never removed. Each method's rule and paper is in its docstring (``METHOD_RULES``).

This package is the whole pruning analysis (notebook 04), one concept per module:

* :mod:`~workbench.pruning.api` — the patch API, re-exported here: :func:`apply`, :func:`remove`, :func:`info`,
  default places (``METHODS`` is defined here, without torch);
* :mod:`~workbench.pruning.patch` — how an encoder is patched, and the token-count schedules;
* :mod:`~workbench.pruning.tokens` — the :class:`~workbench.pruning.tokens.Step` a rule sees and what it returns;
* the rules: :mod:`~workbench.pruning.baselines` (keep-all, random, pool), :mod:`~workbench.pruning.attention`
  (EViT, FastV, VisionZip), :mod:`~workbench.pruning.tome` (ToMe), :mod:`~workbench.pruning.diversity`
  (DivPrune, graph) — a new method is one function in one of these, named in ``METHOD_RULES``;
* :mod:`~workbench.pruning.published` — the papers' settings this package follows, with their source;
* :mod:`~workbench.pruning.fidelity` — what a setting loses (per-image fidelity metrics, top-1 accuracy);
* :mod:`~workbench.pruning.cost` — what it saves (analytic FLOPs, latency, paired speed-up);
* :mod:`~workbench.pruning.sweep` — the offline images and the cached (method x keep) sweep;
* :mod:`~workbench.pruning.images` — the user's own images, a folder read and checked;
* :mod:`~workbench.pruning.explorer` — the kept/merged/dropped view and its widget (the only display module);
* :mod:`~workbench.pruning.cli` — ``workbench prune eval``.

Everything is loaded on first use (``lazy_loader``), so importing the package, or its ``cli`` to build
``workbench prune --help``, imports no torch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

import lazy_loader

Method = Literal["keep-all", "random", "pool", "evit", "fastv", "visionzip", "tome", "divprune", "graph"]
METHODS: tuple[str, ...] = get_args(Method)

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submodules=sorted(p.stem for p in Path(__file__).parent.glob("*.py") if p.stem != "__init__"),
    submod_attrs={"api": ["METHOD_RULES", "MERGING", "NEEDS_ATTENTION", "PATCH_ATTRIBUTE", "Info", "Place", "apply",
                          "default_layers", "info", "is_patched", "place", "remove"]})
__all__ += ["METHODS", "Method"]
