"""workbench.pruning on tiny random-weight encoders: counts, exact removal, size bookkeeping, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from transformers import (
    CLIPVisionConfig,
    CLIPVisionModel,
    DeiTConfig,
    DeiTModel,
    Dinov2Config,
    Dinov2Model,
    ViTConfig,
    ViTForImageClassification,
    ViTModel,
)

from workbench import pruning
from workbench.errors import UnknownNameError
from workbench.pruning import baselines, diversity, tome
from workbench.pruning.tokens import Step

SMALL = dict(hidden_size=32, num_hidden_layers=4, num_attention_heads=4, patch_size=4, image_size=32)


def tiny(kind: str) -> torch.nn.Module:
    """A random-weight encoder with an 8x8 patch grid."""
    torch.manual_seed(0)
    if kind == "dinov2":
        return Dinov2Model(Dinov2Config(mlp_ratio=2, **SMALL)).eval()
    if kind == "clip":
        return CLIPVisionModel(CLIPVisionConfig(intermediate_size=64, **SMALL)).eval()
    config = dict(intermediate_size=64, **SMALL)
    return (DeiTModel(DeiTConfig(**config)) if kind == "deit" else ViTModel(ViTConfig(**config))).eval()


KINDS = ["dinov2", "vit", "deit", "clip"]
PIXELS = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(1))


def run(model: torch.nn.Module) -> torch.Tensor:
    with torch.no_grad():
        return model(pixel_values=PIXELS).last_hidden_state


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("method", [m for m in pruning.METHODS if m != "keep-all"])
@pytest.mark.parametrize("keep", [0.75, 0.5, 0.25])
def test_every_method_returns_the_requested_number_of_tokens(kind, method, keep):
    model = tiny(kind)
    protected = 2 if kind == "deit" else 1
    pruning.apply(model, method, keep=keep)
    out = run(model)
    assert out.shape == (2, protected + round(keep * 64), 32)
    assert torch.isfinite(out).all()
    sources = pruning.info(model).sources
    assert sources.shape == (2, protected + round(keep * 64), protected + 64)
    assert sources.sum(dim=1).max() <= 1  # every original patch is in at most one token


@pytest.mark.parametrize("kind", KINDS)
def test_remove_restores_outputs_exactly_and_keep_all_equals_unpatched(kind):
    model = tiny(kind)
    before = run(model)
    pruning.apply(model, "tome", keep=0.5)
    assert run(model).shape[1] < before.shape[1]
    pruning.apply(model, "keep-all")
    assert torch.allclose(run(model), before, atol=1e-6)
    pruning.remove(model)
    assert not pruning.is_patched(model)
    assert torch.equal(run(model), before)


@pytest.mark.parametrize("method", sorted(pruning.MERGING))
def test_merges_preserve_total_token_size(method):
    model = tiny("dinov2")
    pruning.apply(model, method, keep=0.25)
    run(model)
    info = pruning.info(model)
    assert info.size.sum(dim=1).tolist() == [65.0, 65.0]
    assert torch.equal(info.sources.sum(dim=1), torch.ones(2, 65))  # every patch lands in exactly one token


def test_pruning_methods_lose_the_dropped_patches():
    model = tiny("dinov2")
    pruning.apply(model, "random", keep=0.5)
    run(model)
    assert pruning.info(model).size.sum(dim=1).tolist() == [33.0, 33.0]


def test_pool_at_a_quarter_is_two_by_two_pooling():
    model = tiny("vit")
    pruning.apply(model, "pool", keep=0.25)
    run(model)
    sources = pruning.info(model).sources[0, 1:, 1:].view(16, 8, 8)
    assert sources[0, :2, :2].sum() == 4 and sources[0].sum() == 4  # first anchor holds the top-left 2x2
    assert sources[5, 2:4, 2:4].sum() == 4                           # anchor (1, 1) holds rows 2-3, cols 2-3


def test_tome_merges_the_most_similar_pair_first_and_keeps_size():
    x = torch.tensor([[[1.0, 0.0], [0.0, 1.0], [0.0, 1.0], [1.0, 0.1]]])
    step = Step(x=x, size=torch.tensor([[1.0, 1.0, 3.0, 1.0]]), n_out=3, grid=(2, 2), keys=x)
    red = tome.tome(step)
    # A = {0, 2}, B = {1, 3}: token 2 is identical to token 1, so 2 merges into 1 with weights 3:1
    assert red.members.tolist() == [[[1, 0, 0, 0], [0, 1, 1, 0], [0, 0, 0, 1]]]
    assert torch.allclose(red.x[0, 1], torch.tensor([0.0, 1.0]))


def test_tome_schedule_matches_the_reference_parse_r():
    # tome/utils.py parse_r(12, (16, -1)): min_val = int(16 * 2) = 32, max_val = 0, step -32/11
    assert tome.schedule(12, 16, -1) == [int(32 - 32 / 11 * i) for i in range(12)]
    model = tiny("dinov2")
    pruning.apply(model, "tome", r=8)
    run(model)
    assert pruning.info(model).counts == [56, 48, 40, 32]


def test_divprune_picks_a_diverse_set():
    x = torch.tensor([[[1.0, 0.0], [1.0, 0.01], [0.99, 0.0], [0.0, 1.0]]])
    red = diversity.divprune(Step(x=x, size=torch.ones(1, 4), n_out=2, grid=(2, 2)))
    kept = red.members[0].argmax(dim=1).tolist()
    assert 3 in kept and len(set(kept)) == 2


def test_lattice_is_exact_when_it_can_be():
    assert baselines.lattice((16, 16), 128).shape == (128, 2)
    anchors = baselines.lattice((16, 16), 128)
    rows, cols = len(set(anchors[:, 0].tolist())), len(set(anchors[:, 1].tolist()))
    assert rows * cols == 128 and {rows, cols} == {8, 16}  # an exact 8x16 lattice, no partial row
    assert baselines.lattice((16, 16), 127).shape == (127, 2)


def test_works_through_a_classification_wrapper():
    torch.manual_seed(0)
    model = ViTForImageClassification(ViTConfig(intermediate_size=64, num_labels=3, **SMALL)).eval()
    pruning.apply(model, "evit", keep=0.5)
    with torch.no_grad():
        assert model(pixel_values=PIXELS).logits.shape == (2, 3)


def test_clear_errors():
    model = tiny("dinov2")
    with pytest.raises(TypeError, match="Supported encoders"):
        pruning.apply(torch.nn.Linear(2, 2), "tome", keep=0.5)
    for keep in (0, 1.5, -0.1, float("nan")):
        with pytest.raises(ValueError, match=r"\(0, 1\]"):
            pruning.apply(model, "random", keep=keep)
    with pytest.raises(ValueError, match="outside this model's blocks: use 0..3, or 4"):
        pruning.apply(model, "evit", keep=0.5, at_layers=[2, 7])
    with pytest.raises(UnknownNameError, match="Did you mean 'tome'"):
        pruning.apply(model, "tomee", keep=0.5)
    with pytest.raises(ValueError, match="needs keep="):
        pruning.apply(model, "fastv")
    pruning.apply(model, "tome", keep=0.1, at_layers=[1])
    with pytest.raises(ValueError, match="at most half"):
        run(model)
    model.train()
    with pytest.raises(RuntimeError, match="eval"):
        run(model)
    assert not pruning.is_patched(tiny("vit"))


def test_encoder_output_pruning_and_defaults():
    assert pruning.default_layers("evit", 12) == (3, 6, 9)
    assert pruning.place((12,), 12) == "output" and pruning.place((0,), 12) == "input"
    model = tiny("dinov2")
    pruning.apply(model, "divprune", keep=0.5)
    assert run(model).shape == (2, 33, 32)


# --- evaluation and widget layers, on a tiny 224-px DINOv2 (16x16 grid) -------------------------------

def tiny_224() -> torch.nn.Module:
    torch.manual_seed(0)
    config = Dinov2Config(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, mlp_ratio=2,
                          patch_size=14, image_size=224)
    return Dinov2Model(config).eval()


def test_evaluation_metrics_are_perfect_for_keep_all_and_lower_when_pruned():
    from workbench import vision_eval

    images = vision_eval.offline_images(n_named=2, n_labelled=12)
    pixels, labels = vision_eval.pixels_of(images), np.array([im.label for im in images])
    model = tiny_224()
    same = vision_eval.evaluate(model, pixels, labels, "keep-all", 1.0)
    assert np.allclose(same["cls_cos"], 1, atol=1e-5) and np.allclose(same["token_fidelity"], 1, atol=1e-5)
    assert same["knn_agree"].tolist() == [1.0] * 12
    pruned = vision_eval.evaluate(model, pixels, labels, "random", 0.25)
    assert pruned["pooled_cos"].mean() < 1 - 1e-4
    assert not pruning.is_patched(model)


def test_analytic_flops_follow_the_token_counts():
    from workbench import vision_eval

    model = tiny_224()
    full = vision_eval.model_flops(model, 256)
    assert full == 2 * vision_eval.block_flops(257, 257, 32, 64)
    pruning.apply(model, "random", keep=0.5)  # reduces in block 0 between attention and MLP
    assert vision_eval.model_flops(model, 256) == vision_eval.block_flops(257, 129, 32, 64) + \
        vision_eval.block_flops(129, 129, 32, 64)


def test_explorer_recomputes_when_its_controls_change():
    import matplotlib

    matplotlib.use("Agg")
    from workbench import pruning_view, vision_eval

    images = vision_eval.offline_images(n_named=2, n_labelled=0)
    box = pruning_view.pruning_explorer(tiny_224(), images)
    picker, method = box.children[0].children
    keep = box.children[1]
    assert box.view.method == "tome" and box.view.n_tokens == 128
    method.value, keep.value = "random", 0.25
    assert box.view.n_tokens == 64
    assert (box.view.status == pruning_view.DROPPED).sum() == 256 - 64
    method.value = "pool"
    assert (box.view.status == pruning_view.MERGED).sum() == 256


def test_sweep_rows_are_cached_and_keyed_by_the_weights(tmp_path, monkeypatch):
    from workbench import vision_eval

    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    images = vision_eval.offline_images(n_named=1, n_labelled=8)
    model = tiny_224()
    first = vision_eval.sweep(model, images, ["random", "tome"], [0.5], progress=False)
    assert len(list((tmp_path / "results" / "pruning").glob("*.json"))) == 2
    calls = []
    monkeypatch.setattr(vision_eval, "evaluate", lambda *a, **k: calls.append(a) or {})
    assert vision_eval.sweep(model, images, ["random", "tome"], [0.5], progress=False) == first
    assert calls == []  # every row came from the cache
    with torch.no_grad():
        model.embeddings.cls_token.add_(1.0)
    vision_eval.sweep(model, images, ["random"], [0.5], progress=False)
    assert len(calls) == 1  # new weights, new key
    vision_eval.sweep(model, images, ["random"], [0.5], progress=False, at_layers=(1,))
    assert len(calls) == 2  # another placement, another key


def test_speedup_is_paired_and_leaves_the_model_unpatched():
    from workbench import vision_eval

    model = tiny_224()
    pixels = torch.randn(2, 3, 224, 224)
    row = vision_eval.speedup(model, pixels, "evit", 0.5, at_layers=(1,), repeats=1)
    assert row["place"] == "layer" and row["speedup"] == pytest.approx(row["unpruned_ms"] / row["ms"])
    assert row["gflops"] < vision_eval.model_flops(model, 256) / 1e9
    assert -1.0 <= row["pooled_cos"] < 1.0 - 1e-6 and -1.0 <= row["cls_cos"] <= 1.0  # block 1 drops half
    assert not pruning.is_patched(model)
    assert vision_eval.speedup(model, pixels, "keep-all", repeats=1)["pooled_cos"] == pytest.approx(1.0)
