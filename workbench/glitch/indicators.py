"""Stage 2: weight-based indicators of under-trained tokens, and their evaluation against ground truth.

Land & Bartolo (2024) rank tokens by how close their (un)embedding row is to rows known never to
have been trained. ``magikarp/utils.py::embedding_distance_metrics`` computes, for a matrix ``M``
and a reference set ``R``: the cosine distance of each row to the mean of ``M[R]``, the same after
projecting out the first principal component of ``M`` (the paper's description; sklearn's PCA
centres before fitting), and the L2 norm (their default for untied models' input embedding).
Here every indicator is oriented the same way: **lower means more likely under-trained**. We
compute them for the input embedding and, when untied, for the unembedding too.

The reference set is given, or found from the tokenizer: reserved/unused tokens and padded rows
past the tokenizer's vocabulary (:func:`find_reference`). The shortlist follows magikarp: tokens of
category ``normal`` whose indicator is at or below the 2nd percentile of the normal tokens (the values
taken from magikarp are in :mod:`~workbench.glitch.published`).

:func:`evaluate_indicators` is what the paper could not do: it splits the known never-trained rows in two,
builds the indicator from one half and measures precision, recall and ROC AUC on the other half
against the normal tokens (which are *assumed* trained, so precision is a lower bound).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch

from workbench.errors import WorkbenchError
from workbench.glitch import published
from workbench.glitch.categories import categorize
from workbench.zoo import Tokenizer

IndicatorKind = Literal["cos_wo1pc", "cos", "l2_norm"]
INDICATOR_KINDS: tuple[IndicatorKind, ...] = ("cos_wo1pc", "cos", "l2_norm")
ReferenceSource = Literal["given", "unused", "padding", "unused+padding"]
DEFAULT_PERCENTILE = published.LAND_BARTOLO_2024_SHORTLIST_PERCENTILE


class VocabMismatchError(WorkbenchError):
    """The model's embedding rows and the tokenizer's ids do not line up."""


class MissingReferenceError(WorkbenchError):
    """No never-trained rows are known, so the distance indicators cannot be computed."""


@dataclass(frozen=True)
class Reference:
    """The rows used as 'never trained', and where they came from."""

    ids: np.ndarray
    source: ReferenceSource
    description: str


def check_vocab(rows: int, tok: Tokenizer) -> list[int]:
    """Tokenizer ids that have no row in the model (must be special tokens, else :class:`VocabMismatchError`).

    More rows than ids is fine (padding); ids past the matrix are tolerated only if none is an
    ordinary token (Gemma 3's tokenizer has ``<image_soft_token>`` at 262,144, one past the 270M model).
    """
    missing = list(range(rows, tok.vocab_size))
    if not missing:
        return []
    kinds = {tok.token_type(i) for i in missing}
    if not kinds <= {"special", "control", "unused"}:
        raise VocabMismatchError(
            f"The model has {rows:,} embedding rows but tokenizer '{tok.name}' has {tok.vocab_size:,} ids, "
            f"including ordinary tokens past the last row: they belong to different models. "
            "Pair the model with its own tokenizer (LoadedModel.tokenizer).")
    return missing


def find_reference(tok: Tokenizer, rows: int, categories: np.ndarray | None = None) -> Reference:
    """Never-trained rows known from the vocabulary: unused/reserved tokens, and rows past the tokenizer."""
    categories = categorize(tok) if categories is None else categories
    unused = np.flatnonzero(categories[:rows] == "unused")
    padding = np.arange(tok.vocab_size, rows)
    if len(unused) and len(padding):
        return Reference(np.concatenate([unused, padding]), "unused+padding",
                         f"{len(unused):,} unused/reserved tokens and {len(padding):,} padded rows past the tokenizer")
    if len(unused):
        return Reference(unused, "unused", f"{len(unused):,} unused/reserved tokens of '{tok.name}'")
    if len(padding):
        return Reference(padding, "padding",
                         f"{len(padding):,} padded rows past the tokenizer's {tok.vocab_size:,} ids")
    raise MissingReferenceError(
        f"Tokenizer '{tok.name}' has no unused/reserved tokens and the model has no padded rows, so there is no "
        "known never-trained row to compare with. Pass reference=[ids...] (e.g. magikarp's UNUSED_TOKENS), "
        "or use only the 'l2_norm' indicator.")


def first_pc(mat: torch.Tensor) -> torch.Tensor:
    """The unit first principal component of ``mat``'s rows (centred, as sklearn's PCA).

    Lanczos (ARPACK ``eigsh``) on the centred covariance applied as ``M^T (M v) - n m (m . v)``,
    without forming it (``V x d^2`` would dominate the run time for a 262k-row vocabulary).
    """
    from scipy.sparse.linalg import LinearOperator, eigsh

    mat64 = mat.double() if len(mat) * mat.shape[1] <= 2**22 else mat
    mean = mat64.mean(0)

    def apply(v: np.ndarray) -> np.ndarray:
        vec = torch.as_tensor(np.ravel(v), dtype=mat64.dtype)
        return (mat64.T @ (mat64 @ vec) - len(mat64) * mean * (mean @ vec)).double().numpy()

    dim = mat.shape[1]
    op = LinearOperator((dim, dim), matvec=apply, dtype=np.float64)
    _, vecs = eigsh(op, k=1, which="LA", v0=np.ones(dim), tol=1e-10)
    return torch.as_tensor(vecs[:, 0], dtype=mat.dtype)


def matrix_indicators(mat: torch.Tensor, reference: np.ndarray | None) -> dict[IndicatorKind, np.ndarray]:
    """All indicators of one matrix; without a reference only ``l2_norm``.

    The matrix without its first PC, ``W = M - (M c) c^T``, is never materialised: ``W_i . w`` and
    ``|W_i|`` follow from ``M_i . w``, ``M_i . c`` and ``|M_i|`` (three matrix-vector products).
    """
    mat, clip = mat.detach().float(), published.LAND_BARTOLO_2024_NORM_CLIP
    norms = mat.norm(dim=1)
    out: dict[IndicatorKind, np.ndarray] = {"l2_norm": norms.numpy()}
    if reference is None or len(reference) == 0:
        return out
    ref = torch.as_tensor(np.asarray(reference), dtype=torch.long)
    centre = mat[ref].mean(0)
    out["cos"] = (1 - (mat @ centre) / (norms * centre.norm()).clamp(min=clip)).numpy()
    pc = first_pc(mat)
    along = mat @ pc
    centre_wo = centre - (along[ref].mean()) * pc
    norms_wo = (norms.square() - along.square()).clamp(min=0).sqrt()
    dots_wo = mat @ centre_wo - along * (pc @ centre_wo)
    out["cos_wo1pc"] = (1 - dots_wo / (norms_wo * centre_wo.norm()).clamp(min=clip)).numpy()
    return out


def compute_indicators(loaded, tok: Tokenizer, reference: Reference | None) -> dict[str, np.ndarray]:
    """Indicators named ``{input|output}_{kind}`` for the input embedding and, if untied, the unembedding."""
    mats = {"input": loaded.input_embeddings()}
    out_mat = loaded.output_embeddings()
    if out_mat is not None and not loaded.tied:
        mats["output"] = out_mat
    ids = None if reference is None else reference.ids
    return {f"{where}_{kind}": values for where, mat in mats.items()
            for kind, values in matrix_indicators(mat, ids).items()}


def shortlist_threshold(values: np.ndarray, categories: np.ndarray, percentile: float = DEFAULT_PERCENTILE) -> float:
    """The indicator value at ``percentile`` of the normal tokens (magikarp's ``DEFAULT_THRESHOLD_PERCENTILE``)."""
    normal = values[categories[: len(values)] == "normal"]
    return float(np.percentile(normal, percentile))


def shortlist(values: np.ndarray, categories: np.ndarray, percentile: float = DEFAULT_PERCENTILE) -> np.ndarray:
    """Ids of normal tokens at or below the percentile threshold, most suspicious first."""
    threshold = shortlist_threshold(values, categories, percentile)
    ids = np.flatnonzero((values <= threshold) & (categories[: len(values)] == "normal"))
    return ids[np.argsort(values[ids], kind="stable")]


def roc_auc(scores_pos: np.ndarray, scores_neg: np.ndarray) -> float:
    """ROC AUC where *lower* scores mean positive (Mann-Whitney U with average ranks for ties)."""
    from scipy.stats import rankdata

    ranks = rankdata(np.concatenate([-scores_pos, -scores_neg]))
    n_pos, n_neg = len(scores_pos), len(scores_neg)
    return float((ranks[:n_pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def split_reference(reference: Reference, fraction: float = 0.5, seed: int = 0) -> tuple[Reference, np.ndarray]:
    """A seeded split of the known never-trained rows: (reference used to build indicators, held-out ids)."""
    if len(reference.ids) < 4:
        raise MissingReferenceError(f"Only {len(reference.ids)} known never-trained rows: too few to split.")
    ids = np.random.default_rng(seed).permutation(reference.ids)
    cut = int(round(len(ids) * fraction))
    kept = Reference(np.sort(ids[:cut]), reference.source, f"{cut:,} of {reference.description} (seed {seed})")
    return kept, np.sort(ids[cut:])


def evaluate_indicators(loaded, tok: Tokenizer, reference: Reference, categories: np.ndarray, *,
             percentile: float = DEFAULT_PERCENTILE, seed: int = 0) -> list[dict[str, object]]:
    """Precision, recall and ROC AUC of each indicator on held-out never-trained rows vs normal tokens.

    The indicator is built from one half of ``reference``; positives are the other half, negatives
    the tokens of category ``normal``. A row is predicted positive when its value is at or below the
    shortlist threshold (``percentile`` of the normal tokens).
    """
    kept, held_out = split_reference(reference, seed=seed)
    values = compute_indicators(loaded, tok, kept)
    negatives = np.flatnonzero(categories[: len(next(iter(values.values())))] == "normal")
    rows = []
    for name, vals in values.items():
        threshold = shortlist_threshold(vals, categories, percentile)
        tp, fp = int((vals[held_out] <= threshold).sum()), int((vals[negatives] <= threshold).sum())
        rows.append({"indicator": name, "roc_auc": roc_auc(vals[held_out], vals[negatives]),
                     "precision": tp / max(tp + fp, 1), "recall": tp / len(held_out), "threshold": threshold,
                     "n_reference": len(kept.ids), "n_held_out": len(held_out), "n_negative": len(negatives)})
    return rows
