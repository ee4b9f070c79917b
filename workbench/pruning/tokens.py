"""The token set a pruning step sees and returns, and the bookkeeping that maps it back to the grid.

Every method in this package takes a :class:`Step` (the hidden states of one block, the attention
and keys of that block, the size of each token and which original tokens it stands for) and returns
a :class:`Reduction`: the new patch tokens and a 0/1 membership matrix saying which of the current
patch tokens each new token absorbed. The patch module turns memberships into the running
``sources`` matrix (as ``merge_source`` in ToMe, Bolya et al. 2023) so that any result can be drawn
on the image grid. Protected tokens ([CLS], and the distillation token of DeiT) never enter a method.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch


@dataclass
class Step:
    """What a selection rule may look at, for the patch tokens only (protected tokens removed).

    ``x``: (B, T, D) hidden states; ``size``: (B, T) original patches per token; ``attn``: (B, H, P+T,
    P+T) post-softmax attention of this block including protected rows/columns, or None;
    ``keys``: (B, T, Dh) keys averaged over heads; ``cls_attn``: (B, H, T) attention of the first
    protected token ([CLS]) to the patches; ``grid``: (rows, cols) of the patch grid; ``n_out``: how
    many patch tokens to return.
    """

    x: torch.Tensor
    size: torch.Tensor
    n_out: int
    grid: tuple[int, int]
    attn: torch.Tensor | None = None
    keys: torch.Tensor | None = None
    protected: int = 1
    generator: torch.Generator | None = None
    options: dict = field(default_factory=dict)

    @property
    def cls_attn(self) -> torch.Tensor:
        """(B, H, T): attention from [CLS] to each patch token (post-softmax)."""
        if self.attn is None:
            raise RuntimeError("this method needs the block's attention; the patch did not provide it")
        return self.attn[:, :, 0, self.protected :]


@dataclass
class Reduction:
    """New patch tokens ``x`` (B, n_out, D) and ``members`` (B, n_out, T): 1 where new token i absorbed
    current token j. A pure selection has one 1 per row; a dropped token has an all-zero column."""

    x: torch.Tensor
    members: torch.Tensor


def select(x: torch.Tensor, index: torch.Tensor) -> Reduction:
    """Keep the tokens at ``index`` (B, k) in that order.

    >>> r = select(torch.arange(6.).view(1, 3, 2), torch.tensor([[2, 0]]))
    >>> r.x.tolist(), r.members.tolist()
    ([[[4.0, 5.0], [0.0, 1.0]]], [[[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]])
    """
    kept = x.gather(1, index.unsqueeze(-1).expand(-1, -1, x.shape[-1]))
    members = torch.nn.functional.one_hot(index, x.shape[1]).to(x.dtype)
    return Reduction(kept, members)


def weighted_merge(x: torch.Tensor, size: torch.Tensor, members: torch.Tensor) -> torch.Tensor:
    """Size-weighted mean of the tokens each row of ``members`` groups (ToMe's ``merge_wavg``)."""
    weights = members * size.unsqueeze(1)
    return (weights @ x) / weights.sum(-1, keepdim=True).clamp_min(1e-12)


def complement(index: torch.Tensor, n: int) -> torch.Tensor:
    """(B, n - k) indices not in ``index`` (B, k), in increasing order (EViT's ``complement_idx``)."""
    mask = torch.ones(index.shape[0], n, dtype=torch.bool, device=index.device)
    mask.scatter_(1, index, False)
    return mask.nonzero()[:, 1].view(index.shape[0], n - index.shape[1])


def cosine(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """(B, Ta, Tb) cosine similarities between the rows of ``a`` and ``b``."""
    a = torch.nn.functional.normalize(a, dim=-1)
    b = torch.nn.functional.normalize(b, dim=-1)
    return a @ b.transpose(-1, -2)
