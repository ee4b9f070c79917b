"""Token Merging (ToMe; Bolya et al., ICLR 2023, "Token Merging: Your ViT But Faster").

Unlike the attention-based rules (``attention``), ToMe never asks which tokens matter: in every layer
it merges the ``r`` most similar pairs, so nothing is dropped, only averaged. Follows
facebookresearch/ToMe @ af95e4b (``tome/merge.py``, ``tome/utils.py``):

- similarity metric = the block's keys averaged over heads, cosine;
- bipartite split by alternation (even positions = set A, odd = set B); each A token's best B partner;
  the ``r`` A tokens with the best matches merge into their partners;
- size-weighted averaging (``merge_wavg``); the output is [unmerged A..., B...] (order not preserved);
- proportional attention (``log(size)`` added to the attention logits) is done by the patch, on by
  default for this method (``prop_attn=False`` turns it off);
- at most half of the tokens can merge in one layer.

Protected tokens ([CLS], distillation) are outside the matching here, which is what ToMe's ``-inf``
scores achieve.
"""

from __future__ import annotations

import torch

from workbench.pruning.tokens import Reduction, Step, cosine, weighted_merge


def schedule(num_layers: int, r: int, inflect: float = 0.0) -> list[int]:
    """ToMe's per-layer ``r`` (``tome.utils.parse_r`` for a ``(r, inflect)`` tuple).

    ``inflect=0`` is a constant ``r``; ``inflect=-1`` the paper's decreasing schedule (2r down to 0).

    >>> schedule(4, 8), schedule(4, 8, -1)
    ([8, 8, 8, 8], [16, 10, 5, 0])
    """
    min_val = int(r * (1.0 - inflect))
    max_val = 2 * r - min_val
    step = (max_val - min_val) / max(num_layers - 1, 1)
    return [int(min_val + step * i) for i in range(num_layers)]


def tome(step: Step) -> Reduction:
    """Bipartite soft matching: merge ``r = T - n_out`` tokens of set A into their most similar B token."""
    t = step.x.shape[1]
    r = t - step.n_out
    a_idx, b_idx = torch.arange(0, t, 2), torch.arange(1, t, 2)
    if r > len(a_idx):
        raise ValueError(
            f"ToMe merges at most half the tokens of a layer ({len(a_idx)} of {t}), asked for {r}: "
            "spread the reduction over more layers (at_layers) or raise keep"
        )
    scores = cosine(step.keys[:, a_idx], step.keys[:, b_idx])
    node_max, node_idx = scores.max(dim=-1)
    order = node_max.argsort(dim=-1, descending=True)
    src, unm = order[:, :r], order[:, r:]
    b, dtype = step.x.shape[0], step.x.dtype
    members_a = torch.nn.functional.one_hot(a_idx[unm], t).to(dtype)
    members_b = torch.nn.functional.one_hot(b_idx, t).to(dtype).expand(b, -1, -1).clone()
    dst = node_idx.gather(1, src)
    members_b.scatter_add_(1, dst.unsqueeze(-1).expand(-1, -1, t),
                           torch.nn.functional.one_hot(a_idx[src], t).to(dtype))
    members = torch.cat([members_a, members_b], dim=1)
    return Reduction(weighted_merge(step.x, step.size, members), members)
