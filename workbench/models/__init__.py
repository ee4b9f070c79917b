"""The models: every model behind one registry, each model family built in its own module.

>>> from workbench.models import load_model
>>> load_model("gemma3-270m").input_embeddings().shape      # doctest: +SKIP
torch.Size([262144, 640])

- :mod:`~workbench.models.registry`: :class:`ModelSpec`, :class:`LoadedModel`, :func:`list_models`,
  :func:`load_model` (registry names, ``hf:<repo>`` hub models and local model directories);
- :mod:`~workbench.models.gguf_weights`: GGUF language models dequantized to fp32 and cached, and the
  shape and vocabulary stored in a GGUF;
- :mod:`~workbench.models.dinov2`: DINOv2 ViT-S/14 and its saliency decoder rebuilt from ONNX
  (``load_model("dinov2-s")``), with its image preprocessing.

Importing this package imports torch; ``import workbench`` alone does not.
"""

from workbench.models.registry import (
    MODELS,
    LoadedModel,
    ModelKind,
    ModelName,
    ModelSpec,
    directory_digest,
    gguf_embedding_shape,
    gguf_vocabulary,
    list_models,
    load_model,
)

__all__ = ["MODELS", "LoadedModel", "ModelKind", "ModelName", "ModelSpec", "directory_digest", "gguf_embedding_shape",
           "gguf_vocabulary", "list_models", "load_model"]
