"""GGUF weights: llama.cpp model files dequantized to fp32 ``torch`` modules, and what their headers say.

Unlike :mod:`workbench.zoo.gguf_vocab`, which rebuilds a *tokenizer* from a GGUF's
``tokenizer.ggml.*`` metadata, this module is about a GGUF's *tensors*: ``transformers`` dequantizes
a registry GGUF (Gemma-3-270M, Qwen2.5-0.5B) into a causal LM, which takes tens of seconds, so the
fp32 weights are cached once under ``cache_dir("models")`` as safetensors, keyed by the asset's
sha256 and :data:`CONVERTER_VERSION`. :func:`embedding_shape` and :func:`vocabulary` read
the stored file without dequantizing, to check a loaded model against its source. The registry
(:mod:`workbench.models.registry`) calls :func:`load_causal_lm`; users call ``load_model``.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from workbench import assets
from workbench import cache as verified_cache
from workbench.config import cache_dir, write_atomic

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from workbench.models.registry import ModelSpec

CONVERTER_VERSION = "2"  # 2: the folder has a sha256 sidecar, checked before every load


def _converted_dir(spec: ModelSpec) -> Path:
    return cache_dir("models") / f"{spec.name}-{assets.get(spec.asset).sha256[:16]}-v{CONVERTER_VERSION}"


def load_causal_lm(spec: ModelSpec, gguf_file: Path) -> torch.nn.Module:
    """A causal LM from a GGUF, dequantized to fp32 once and cached as safetensors."""
    from transformers import AutoModelForCausalLM

    target = _converted_dir(spec)
    if not _verified(target):
        model = AutoModelForCausalLM.from_pretrained(str(gguf_file.parent), gguf_file=gguf_file.name,
                                                     dtype=torch.float32)
        _save_converted(model, target)
        return model
    model = AutoModelForCausalLM.from_pretrained(str(target), dtype=torch.float32)
    return model


def _verified(target: Path) -> bool:
    """True when the converted folder matches the sha256 recorded beside it (``<folder>.sha256``, the
    digest of its files, :func:`workbench.cache.digest`); a damaged, partial or unrecorded folder is
    deleted (one warning line) so it is converted again, never loaded."""
    if not target.exists():
        return False
    try:
        recorded = verified_cache.sidecar(target).read_text(encoding="ascii").split()[0]
    except (OSError, IndexError):
        recorded = None
    if recorded is not None and recorded == verified_cache.digest(target):
        return True
    log.warning("converted model %s is discarded and will be converted again: it differs from its recorded sha256",
                target)
    shutil.rmtree(target, ignore_errors=True)
    verified_cache.sidecar(target).unlink(missing_ok=True)
    return False


def _save_converted(model: torch.nn.Module, target: Path) -> None:
    """Write config + weights (tied copies once) into ``target`` atomically (a temp dir, then rename)."""
    import tempfile

    from safetensors.torch import save_file

    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-"))
    config = model.config.to_dict()
    config.pop("quantization_config", None)
    (tmp / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
    state, seen = {}, set()
    for key, tensor in model.state_dict().items():
        if tensor.data_ptr() not in seen:
            state[key] = tensor.contiguous()
            seen.add(tensor.data_ptr())
    save_file(state, str(tmp / "model.safetensors"))
    if target.exists():  # another process converted it meanwhile
        shutil.rmtree(tmp)
    else:
        os.replace(tmp, target)
    write_atomic(verified_cache.sidecar(target), f"{verified_cache.digest(target)}  {target.name}\n")


def embedding_shape(gguf_file: Path) -> tuple[int, int]:
    """(rows, hidden) of ``token_embd.weight`` as stored in a GGUF file (no dequantization)."""
    import gguf

    reader = gguf.GGUFReader(str(gguf_file))
    tensor = next(t for t in reader.tensors if t.name == "token_embd.weight")
    hidden, rows = (int(x) for x in tensor.shape[:2])  # GGUF lists dimensions innermost first
    return rows, hidden


def vocabulary(gguf_file: Path) -> list[str]:
    """The token strings stored in a GGUF file (``tokenizer.ggml.tokens``)."""
    from workbench.zoo import gguf_vocab

    return list(gguf_vocab.read_fields(gguf_file)["tokens"])
