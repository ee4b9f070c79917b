"""The reversible patch: replace each block's forward of a Hugging Face ViT-style encoder by one that
can reduce tokens between attention and MLP (where ToMe and EViT do it) or after the last block.

Modifications to the upstream blocks (transformers==5.23.0, the pinned version; its ViT-family
layers all expose ``q/k/v`` projections, so one forward serves them all):

- attention is recomputed here from the block's own ``q_proj``/``k_proj``/``v_proj`` and output
  projection: PyTorch SDPA where no probabilities are needed (as upstream), an explicit softmax at the
  layers where a method reads the attention;
- proportional attention (ToMe): ``log(size)`` added to the logits when enabled;
- the running token ``size`` and ``sources`` (original tokens each current token stands for) are kept
  on the patch, reset at every forward;
- dropout and stochastic depth are skipped: the patch is for inference, and refuses training mode.

Supported: ``Dinov2Model``, ``ViTModel``, ``DeiTModel`` (two protected tokens) and ``CLIPVisionModel``,
or a model holding one of them (``*ForImageClassification``). Anything else raises a ``TypeError``.
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
from torch import nn

from workbench.pruning.tokens import Reduction, Step


@dataclass(frozen=True)
class Family:
    """Where a model family keeps its blocks and the parts of a block."""

    layers: str
    norm1: str
    attention: str
    out_proj: str
    norm2: str
    layer_scale: tuple[str, str] | None
    protected: int


FAMILIES: dict[str, Family] = {
    "Dinov2Model": Family("encoder.layer", "norm1", "attention", "o_proj", "norm2",
                          ("layer_scale1", "layer_scale2"), 1),
    "ViTModel": Family("layers", "layernorm_before", "attention", "o_proj", "layernorm_after", None, 1),
    "DeiTModel": Family("layers", "layernorm_before", "attention", "o_proj", "layernorm_after", None, 2),
    "CLIPVisionModel": Family("encoder.layers", "layer_norm1", "self_attn", "out_proj", "layer_norm2", None, 1),
}
WRAPPER_ATTRIBUTES = ("dinov2", "vit", "deit", "vision_model")


def find_encoder(model: nn.Module) -> tuple[nn.Module, Family]:
    """The supported encoder inside ``model`` (itself or a wrapped one) and its family."""
    for candidate in [model, *(getattr(model, a, None) for a in WRAPPER_ATTRIBUTES)]:
        if candidate is not None and type(candidate).__name__ in FAMILIES:
            return candidate, FAMILIES[type(candidate).__name__]
    raise TypeError(
        f"Token pruning does not support {type(model).__name__}. Supported encoders: "
        f"{', '.join(FAMILIES)} (or a model that holds one, such as ViTForImageClassification)."
    )


def layers_of(encoder: nn.Module, family: Family) -> nn.ModuleList:
    """The encoder's list of transformer blocks."""
    module = encoder
    for name in family.layers.split("."):
        module = getattr(module, name)
    return module


@dataclass
class Run:
    """Per-forward state: token sizes and sources (over the P + N original tokens), next step."""

    grid: tuple[int, int]
    counts: list[int]
    size: torch.Tensor
    sources: torch.Tensor | None
    step: int = 0
    generator: torch.Generator | None = None


@dataclass
class Patch:
    """A method applied to one encoder; holds the original forwards so :meth:`remove` can restore them."""

    encoder: nn.Module
    family: Family
    rule: Callable[[Step], Reduction]
    at_layers: tuple[int, ...]
    counts: Callable[[int], list[int]]
    needs_attention: bool
    prop_attn: bool
    track_sources: bool
    options: dict = field(default_factory=dict)
    run: Run | None = None

    @property
    def depth(self) -> int:
        """Number of blocks."""
        return len(layers_of(self.encoder, self.family))

    def install(self) -> None:
        """Swap in the patched forwards (instance attributes, so the class is untouched)."""
        self.encoder.forward = types.MethodType(_make_forward(self), self.encoder)
        for index, layer in enumerate(layers_of(self.encoder, self.family)):
            layer.forward = types.MethodType(_make_block(self, index), layer)

    def uninstall(self) -> None:
        """Restore the class forwards."""
        del self.encoder.forward
        for layer in layers_of(self.encoder, self.family):
            del layer.forward

    def start(self, pixel_values: torch.Tensor) -> None:
        """Reset the per-forward state for a batch of images."""
        patch = self.encoder.config.patch_size
        patch = patch if isinstance(patch, int) else patch[0]
        grid = (pixel_values.shape[-2] // patch, pixel_values.shape[-1] // patch)
        b, total = pixel_values.shape[0], self.family.protected + grid[0] * grid[1]
        sources = torch.eye(total).expand(b, -1, -1) if self.track_sources else None
        generator = torch.Generator().manual_seed(self.options.get("seed", 0))
        self.run = Run(grid, self.counts(grid[0] * grid[1]), torch.ones(b, total), sources, 0, generator)

    def reduce(self, x: torch.Tensor, probs: torch.Tensor | None, keys: torch.Tensor) -> torch.Tensor:
        """Apply the method once to ``x`` (B, P + T, D); update sizes and sources."""
        run, p = self.run, self.family.protected
        n_out = run.counts[run.step]
        step = Step(x[:, p:], run.size[:, p:], n_out, run.grid, probs, keys[:, p:], p, run.generator, self.options)
        red = self.rule(step)
        if red.x.shape != (x.shape[0], n_out, x.shape[-1]) or red.members.shape[1] != n_out:
            expected = (x.shape[0], n_out, x.shape[-1])
            raise RuntimeError(f"pruning step returned {tuple(red.x.shape)}, expected {expected}")
        run.size = torch.cat([run.size[:, :p], (red.members @ run.size[:, p:, None]).squeeze(-1)], dim=1)
        if run.sources is not None:
            run.sources = torch.cat([run.sources[:, :p], red.members @ run.sources[:, p:]], dim=1)
        run.step += 1
        return torch.cat([x[:, :p], red.x.to(x.dtype)], dim=1)


def _make_forward(patch: Patch) -> Callable:
    """The encoder's forward: reset state, run the original, refuse a result of the wrong length."""
    original = type(patch.encoder).forward

    def forward(self: nn.Module, pixel_values: torch.Tensor | None = None, *args, **kwargs):
        if self.training:
            raise RuntimeError("token pruning is for inference: call model.eval() first")
        if kwargs.get("attention_mask") is not None or kwargs.get("bool_masked_pos") is not None:
            raise ValueError("token pruning does not support attention_mask or bool_masked_pos")
        patch.start(pixel_values)
        out = original(self, pixel_values, *args, **kwargs)
        expected = patch.family.protected + patch.run.counts[-1] if patch.run.counts else None
        got = out.last_hidden_state.shape[1]
        if patch.run.step != len(patch.run.counts) or (expected is not None and got != expected):
            raise RuntimeError(f"pruned encoder returned {got} tokens after {patch.run.step} steps; expected "
                               f"{expected} after {len(patch.run.counts)}: the patch no longer fits this model")
        return out

    return forward


def _make_block(patch: Patch, index: int) -> Callable:
    """A block forward that may reduce tokens between attention and MLP, or after the MLP (last block)."""
    fam = patch.family
    mid = index in patch.at_layers
    after = index == patch.depth - 1 and patch.depth in patch.at_layers

    def forward(self: nn.Module, hidden_states: torch.Tensor, *args, **kwargs) -> torch.Tensor:
        need = patch.needs_attention and (mid or after)
        bias = patch.run.size.log()[:, None, None, :] if patch.prop_attn else None
        out, probs, keys = attend(getattr(self, fam.attention), fam.out_proj,
                                  getattr(self, fam.norm1)(hidden_states), bias, need)
        scale1, scale2 = (getattr(self, n) for n in fam.layer_scale) if fam.layer_scale else (nn.Identity(),) * 2
        x = hidden_states + scale1(out)
        if mid:
            x = patch.reduce(x, probs, keys)
        x = x + scale2(self.mlp(getattr(self, fam.norm2)(x)))
        return patch.reduce(x, probs, keys) if after else x

    return forward


def attend(attn: nn.Module, out_name: str, h: torch.Tensor, bias: torch.Tensor | None, need_probs: bool):
    """Multi-head self-attention with the block's own projections; returns (output, probs|None, mean keys)."""
    b, t, _ = h.shape
    head_dim = attn.head_dim
    scale = getattr(attn, "scaling", None) or getattr(attn, "scale", None) or head_dim**-0.5

    def heads(x: torch.Tensor) -> torch.Tensor:
        return x.view(b, t, -1, head_dim).transpose(1, 2)

    q, k, v = heads(attn.q_proj(h)), heads(attn.k_proj(h)), heads(attn.v_proj(h))
    probs = None
    if need_probs:
        logits = (q @ k.transpose(-1, -2)) * scale
        probs = (logits if bias is None else logits + bias).softmax(dim=-1)
        out = probs @ v
    else:
        out = nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=bias, scale=scale)
    out = getattr(attn, out_name)(out.transpose(1, 2).reshape(b, t, -1))
    return out, probs, k.mean(dim=1)


def geometric_counts(n: int, keep: float, steps: int) -> list[int]:
    """Patch tokens left after each of ``steps`` reductions, falling geometrically to ``round(keep*n)``.

    >>> geometric_counts(256, 0.5, 1), geometric_counts(256, 0.25, 2)
    ([128], [128, 64])
    """
    final = max(1, round(keep * n))
    return [round(n * (final / n) ** ((i + 1) / steps)) for i in range(steps - 1)] + [final]


def scheduled_counts(n: int, keep: float, steps: int, inflect: float = 0.0) -> list[int]:
    """Counts for ToMe: ``n - round(keep*n)`` merges spread over ``steps`` layers with ToMe's schedule shape.

    >>> scheduled_counts(16, 0.5, 4), scheduled_counts(16, 0.5, 4, -1)
    ([14, 12, 10, 8], [12, 9, 8, 8])
    """
    total = n - max(1, round(keep * n))
    weights = [1.0 - inflect + 2.0 * inflect * i / max(steps - 1, 1) for i in range(steps)]
    cumulative = [round(total * sum(weights[: i + 1]) / sum(weights)) for i in range(steps)]
    return [n - c for c in cumulative]


def fixed_r_counts(n: int, r: int | Sequence[int], steps: int) -> list[int]:
    """Counts for ToMe with an explicit ``r`` (int, or one per reducing layer), capped at half per layer."""
    rs = [r] * steps if isinstance(r, int) else list(r) + [0] * (steps - len(r))
    counts, t = [], n
    for r_i in rs[:steps]:
        t -= min(r_i, t // 2)
        counts.append(t)
    return counts


def check_keep(keep: float) -> None:
    """Refuse a keep ratio outside (0, 1]."""
    if not (isinstance(keep, int | float) and 0.0 < keep <= 1.0 and math.isfinite(keep)):
        raise ValueError(f"keep must be a fraction in (0, 1] of the patch tokens to keep; got {keep!r}")
