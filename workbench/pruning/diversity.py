"""Diversity- and graph-based selection: keep tokens that cover the token set, not the salient ones.

- DivPrune (Alvar et al., CVPR 2025, "DivPrune: Diversity-based Visual Token Pruning for Large
  Multimodal Models"): greedy max-min diversity over token features.
- A G-Prune-style graph rule (Jiang et al., AAAI 2025, "What Kind of Visual Tokens Do We Need?
  Training-free Visual Token Pruning for Multi-modal Large Language Models from the Perspective of
  Graph"): importance propagated over a token-similarity graph.

Unlike ``attention`` (who is looked at) and ``tome`` (merge look-alikes), these rank tokens by their
place in the whole set. Both drop what they do not keep; both keep the original order.
"""

from __future__ import annotations

import torch

from workbench.pruning.tokens import Reduction, Step, cosine, select


def divprune(step: Step) -> Reduction:
    """DivPrune: greedy max-min diversity on cosine distance ``D = 1 - cos`` of the token features.

    Rule (vbdi/divprune ``llava_arch.py::DivPrune``): the first pick maximises the distance to its
    nearest *other* token; each next pick maximises its minimum distance to the picks so far; the
    picks are then sorted back to the original order. Deviation: picked tokens are masked out, so
    exact duplicates cannot be picked twice (the reference can re-pick them) and the count is exact.
    DivPrune works on the tokens the language model receives, so its default place is the encoder output.
    """
    dist = 1.0 - cosine(step.x, step.x)
    b, t = step.x.shape[:2]
    eye = torch.eye(t, dtype=torch.bool)
    nearest_other = dist.masked_fill(eye, float("inf")).min(dim=-1).values
    picks = [nearest_other.argmax(dim=1)]
    min_dist = dist.gather(1, picks[0].view(b, 1, 1).expand(-1, 1, t)).squeeze(1)
    taken = torch.zeros(b, t, dtype=torch.bool)
    taken[torch.arange(b), picks[0]] = True
    for _ in range(step.n_out - 1):
        pick = min_dist.masked_fill(taken, -float("inf")).argmax(dim=1)
        taken[torch.arange(b), pick] = True
        min_dist = torch.minimum(min_dist, dist[torch.arange(b), pick])
        picks.append(pick)
    return select(step.x, torch.stack(picks, dim=1).sort(dim=1).values)


def graph(step: Step) -> Reduction:
    """G-Prune-style: propagate [CLS]-attention importance over a key-similarity graph, keep the top.

    Our rendition (the authors' code was not available offline): nodes are patch tokens; an edge
    links i and j when the cosine of their head-averaged keys is at least ``threshold`` (default 0.5);
    rows are normalised into a transition matrix W. Starting from s0 = [CLS] attention (head mean,
    normalised), ``iterations`` (default 5) rounds of ``s <- alpha * W^T s + (1 - alpha) * s0``
    (``alpha`` default 0.5) spread importance from salient tokens to the regions they resemble;
    the ``n_out`` best-scored tokens are kept in original order.
    """
    threshold = step.options.get("threshold", 0.5)
    alpha = step.options.get("alpha", 0.5)
    sim = cosine(step.keys, step.keys)
    adj = sim * (sim >= threshold) * (1 - torch.eye(sim.shape[-1], dtype=sim.dtype))
    walk = adj / adj.sum(dim=-1, keepdim=True).clamp_min(1e-12)
    prior = step.cls_attn.mean(dim=1)
    prior = prior / prior.sum(dim=-1, keepdim=True)
    score = prior
    for _ in range(step.options.get("iterations", 5)):
        score = alpha * (walk.transpose(1, 2) @ score.unsqueeze(-1)).squeeze(-1) + (1 - alpha) * prior
    return select(step.x, score.topk(step.n_out, dim=1).indices.sort(dim=1).values)
