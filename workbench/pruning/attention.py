"""Attention-based selection: keep the tokens the model attends to.

Three rules that differ in *whose* attention counts and what happens to the rest:

- EViT (Liang et al., ICLR 2022, "Not All Patches Are What You Need"): [CLS] attention, the rest fused
  into one token;
- FastV (Chen et al., ECCV 2024, "An Image is Worth 1/2 Tokens After Layer 2"): attention *received*
  from all queries at layer K, the rest dropped;
- VisionZip (Yang et al., CVPR 2025): [CLS] attention for "dominant" tokens, the rest merged into a few
  "contextual" tokens by key similarity.

The similarity- and diversity-based rules (ToMe, DivPrune, graph) are in ``tome`` and ``diversity``.
"""

from __future__ import annotations

import torch

from workbench.pruning.published import VISIONZIP_CONTEXTUAL, VISIONZIP_DOMINANT
from workbench.pruning.tokens import Reduction, Step, complement, cosine, select


def evit(step: Step) -> Reduction:
    """EViT: keep the top tokens by head-averaged [CLS] attention; fuse the inattentive ones into one.

    Rule (youweiliang/evit ``evit.py``): ``cls_attn = attn[:, :, 0, 1:].mean(1)``; keep ``topk`` (sorted
    by attention); with ``fuse=True`` (default) append ``sum_{j not kept} cls_attn_j * x_j``, the
    attention-weighted *sum* (not renormalised) as in the paper. The fused token counts towards
    ``n_out``, so ``n_out - 1`` tokens are kept when fusing.
    """
    scores = step.cls_attn.mean(dim=1)
    fuse = step.options.get("fuse", True) and step.n_out < step.x.shape[1]
    kept = scores.topk(step.n_out - int(fuse), dim=1).indices
    picked = select(step.x, kept)
    if not fuse:
        return picked
    rest = complement(kept, step.x.shape[1])
    weights = scores.gather(1, rest)
    fused = (weights.unsqueeze(-1) * step.x.gather(1, rest.unsqueeze(-1).expand(-1, -1, step.x.shape[-1])))
    rest_members = 1.0 - picked.members.sum(dim=1, keepdim=True)
    return Reduction(
        torch.cat([picked.x, fused.sum(dim=1, keepdim=True)], dim=1),
        torch.cat([picked.members, rest_members], dim=1),
    )


def fastv(step: Step) -> Reduction:
    """FastV: keep the tokens that receive the most attention at this layer, in their original order.

    Score of token j = attention to j averaged over heads and over every query (protected ones too);
    the others are dropped. FastV's default is K=2 (prune after the 2nd layer) with half the tokens kept.
    """
    if step.attn is None:
        raise RuntimeError("fastv needs the block's attention")
    received = step.attn.mean(dim=1).mean(dim=1)[:, step.protected :]
    kept = received.topk(step.n_out, dim=1).indices.sort(dim=1).values
    return select(step.x, kept)


def visionzip(step: Step) -> Reduction:
    """VisionZip: dominant tokens by [CLS] attention, plus contextual tokens merged by key similarity.

    Rule (dvlab-research/VisionZip ``utils.py``): dominant = top-k of [CLS] attention *summed* over
    heads, kept in original order. Of the rest, ``contextual`` targets are taken at a uniform stride;
    every other remaining token joins the target with the highest key cosine, and each contextual
    token is ``target + mean(assigned)`` (the target *plus* the mean, as in the reference code).
    ``contextual`` defaults to VisionZip's 30-of-220 share of ``n_out`` (at least 1; see ``published``).
    """
    share = step.n_out * VISIONZIP_CONTEXTUAL / (VISIONZIP_DOMINANT + VISIONZIP_CONTEXTUAL)
    n_ctx = step.options.get("contextual") or max(1, round(share))
    n_ctx = min(n_ctx, step.n_out)
    dominant = step.cls_attn.sum(dim=1).topk(step.n_out - n_ctx, dim=1).indices.sort(dim=1).values
    rest = complement(dominant, step.x.shape[1])
    stride = max(1, rest.shape[1] // n_ctx)
    is_target = torch.zeros(rest.shape[1], dtype=torch.bool)
    is_target[torch.arange(0, rest.shape[1], stride)[:n_ctx]] = True
    targets, others = rest[:, is_target], rest[:, ~is_target]
    keys = step.keys
    sim = cosine(_rows(keys, others), _rows(keys, targets))
    assign = torch.nn.functional.one_hot(sim.argmax(dim=-1), n_ctx).to(step.x.dtype).transpose(1, 2)
    merged = _rows(step.x, targets) + (assign @ _rows(step.x, others)) / assign.sum(-1, keepdim=True).clamp_min(1)
    members = select(step.x, targets).members + assign @ select(step.x, others).members
    kept = select(step.x, dominant)
    return Reduction(torch.cat([kept.x, merged], dim=1), torch.cat([kept.members, members], dim=1))


def _rows(x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """Gather the rows ``index`` (B, k) of ``x`` (B, T, D)."""
    return x.gather(1, index.unsqueeze(-1).expand(-1, -1, x.shape[-1]))
