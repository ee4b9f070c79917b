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

import numpy as np
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
        _convert(gguf_file, target)
    return AutoModelForCausalLM.from_pretrained(str(target), dtype=torch.float32)


def _convert(gguf_file: Path, target: Path) -> None:
    """Dequantize ``gguf_file`` to fp32 safetensors in ``target``, holding the weights once.

    ``from_pretrained(gguf_file=...)`` holds the dequantized tensors, the model built from them and, while it
    dequantizes the 262,144-row embedding, three fp32 copies of it (2.45-2.6 GB peak for Gemma-3-270M; 1.75 GB
    here). Here the model is built on the ``meta`` device (names and shapes only), each tensor is dequantized a
    block of rows at a time into its final array and mapped to its ``transformers`` name by ``transformers``'
    own GGUF processor, then all are written. The same tensors and config as ``from_pretrained``'s (compared
    tensor by tensor for Gemma-3-270M with transformers 5.23; Qwen2.5 was not re-checked). The model is then
    loaded from ``target``, as on every later run.
    """
    from gguf import GGUFReader
    from transformers import AutoConfig, AutoModelForCausalLM
    from transformers.modeling_gguf_pytorch_utils import (
        TENSOR_PROCESSORS,
        TensorProcessor,
        get_gguf_hf_weights_map,
        load_gguf_checkpoint,
        read_field,
    )

    parsed = load_gguf_checkpoint(str(gguf_file))  # metadata only, as from_pretrained reads it
    del parsed["tokenizer"], parsed["tokenizer_config"]  # the vocabulary, 0.2 GB of strings, is not needed here
    with torch.device("meta"):
        skeleton = AutoModelForCausalLM.from_config(AutoConfig.for_model(**parsed["config"]), dtype=torch.float32)
    skeleton.config.name_or_path = str(gguf_file.parent)
    reader = GGUFReader(str(gguf_file))
    architecture = read_field(reader, "general.architecture")[0]
    reader.fields.clear()  # the metadata read (0.5 GB of small arrays for the vocabulary); tensors stay mapped
    processor = TENSOR_PROCESSORS.get(architecture, TensorProcessor)(config=parsed["config"])
    names = get_gguf_hf_weights_map(skeleton, processor)
    tensors = parsed["tensors"] = {}  # as load_gguf_checkpoint's loop: some processors read it
    for tensor in reader.tensors:
        result = processor.process(weights=_dequantized(tensor), name=tensor.name, tensor_key_mapping=names,
                                   parsed_parameters=parsed)
        if result.name in names:
            weights = result.weights if result.weights.flags.owndata else result.weights.copy()
            tensors[names[result.name]] = torch.from_numpy(weights)
    _save_converted(skeleton.config, tensors, target)


def _dequantized(tensor, rows: int = 16384) -> np.ndarray:
    """One GGUF tensor in fp32, dequantized ``rows`` rows at a time (one fp32 array, no whole-size temporaries)."""
    from gguf import dequantize

    data = tensor.data
    if data.ndim < 2 or len(data) <= rows:
        return np.array(dequantize(data, tensor.tensor_type), dtype=np.float32)
    first = dequantize(data[:rows], tensor.tensor_type)
    out = np.empty((len(data), *first.shape[1:]), dtype=np.float32)
    out[:rows] = first
    for start in range(rows, len(data), rows):
        out[start:start + rows] = dequantize(data[start:start + rows], tensor.tensor_type)
    return out


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


def _save_converted(config, tensors: dict[str, torch.Tensor], target: Path) -> None:
    """Write config + weights into ``target`` atomically (a temp dir, then rename)."""
    import tempfile

    from safetensors.torch import save_file

    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-"))
    config = config.to_dict()
    config.pop("quantization_config", None)
    (tmp / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
    save_file({key: tensor.contiguous() for key, tensor in tensors.items()}, str(tmp / "model.safetensors"))
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
