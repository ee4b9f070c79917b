"""workbench.pruning on tiny random-weight encoders and hand-built token sets: counts, exact removal, size
bookkeeping, errors, what each rule keeps where the right answer is known, ToMe against its reference."""

from __future__ import annotations

from pathlib import Path

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
from transformers.modeling_outputs import ImageClassifierOutput

from workbench import pruning
from workbench.errors import UnknownNameError
from workbench.pruning import attention, baselines, cost, diversity, fidelity, published, sweep, tome
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
    assert pruning.default_layers("evit", 12) == published.EVIT_LAYERS_12
    assert pruning.default_layers("fastv", 12) == (published.FASTV_LAYER,)
    assert pruning.place((12,), 12) == "output" and pruning.place((0,), 12) == "input"
    model = tiny("dinov2")
    pruning.apply(model, "divprune", keep=0.5)
    assert run(model).shape == (2, 33, 32)


# --- what each rule keeps, on hand-built token sets where the right answer is known ------------------

def attention_from_cls(cls_row: list[float], heads: int = 2) -> torch.Tensor:
    """(1, heads, 1 + T, 1 + T) attention whose [CLS] row gives ``cls_row`` to the T patches (uniform elsewhere)."""
    t = len(cls_row)
    attn = torch.full((1, heads, 1 + t, 1 + t), 1.0 / (1 + t))
    attn[:, :, 0, 0] = 0.0
    attn[:, :, 0, 1:] = torch.tensor(cls_row)
    return attn


def kept_tokens(red) -> list[set[int]]:
    """For each output token, the set of input tokens it holds."""
    return [set(row.nonzero().flatten().tolist()) for row in red.members[0]]


X8 = torch.randn(1, 8, 4, generator=torch.Generator().manual_seed(3))


def test_evit_keeps_the_tokens_cls_attends_to_most_and_fuses_the_rest_into_one():
    scores = [0.05, 0.05, 0.05, 0.30, 0.05, 0.05, 0.05, 0.40]
    red = attention.evit(Step(x=X8, size=torch.ones(1, 8), n_out=3, grid=(2, 4), attn=attention_from_cls(scores)))
    assert kept_tokens(red) == [{7}, {3}, {0, 1, 2, 4, 5, 6}]  # top by attention first, then the fused token
    assert torch.allclose(red.x[0, :2], X8[0, [7, 3]])
    assert torch.allclose(red.x[0, 2], 0.05 * X8[0, [0, 1, 2, 4, 5, 6]].sum(0))  # attention-weighted sum
    unfused = attention.evit(Step(x=X8, size=torch.ones(1, 8), n_out=2, grid=(2, 4),
                                  attn=attention_from_cls(scores), options={"fuse": False}))
    assert kept_tokens(unfused) == [{7}, {3}]


def test_fastv_keeps_the_most_attended_tokens_in_order_and_drops_the_rest():
    attn = torch.full((1, 2, 9, 9), 0.02)
    attn[..., 1 + 5] = 0.5   # every query looks at patch 5 most, then at patch 2
    attn[..., 1 + 2] = 0.3
    red = attention.fastv(Step(x=X8, size=torch.ones(1, 8), n_out=2, grid=(2, 4), attn=attn))
    assert kept_tokens(red) == [{2}, {5}]
    assert torch.equal(red.x[0], X8[0, [2, 5]])


def test_visionzip_keeps_dominant_tokens_and_merges_the_rest_into_contextual_ones_by_key():
    scores = [0.05, 0.30, 0.05, 0.05, 0.05, 0.05, 0.40, 0.05]   # dominant: patches 1 and 6
    # the rest is [0, 2, 3, 4, 5, 7]; with 2 contextual tokens the targets are its 1st and 4th: 0 and 4
    keys = torch.tensor([[[1.0, 0.0], [0.0, 0.0], [0.9, 0.1], [1.0, 0.2], [0.0, 1.0], [0.1, 0.9], [0.0, 0.0],
                          [0.2, 1.0]]])
    step = Step(x=X8, size=torch.ones(1, 8), n_out=4, grid=(2, 4), attn=attention_from_cls(scores), keys=keys,
                options={"contextual": 2})
    red = attention.visionzip(step)
    assert kept_tokens(red) == [{1}, {6}, {0, 2, 3}, {4, 5, 7}]
    assert torch.allclose(red.x[0, 2], X8[0, 0] + X8[0, [2, 3]].mean(0))  # target plus the mean of its group
    assert torch.allclose(red.x[0, 3], X8[0, 4] + X8[0, [5, 7]].mean(0))


def test_divprune_keeps_one_token_of_each_cluster_of_near_duplicates():
    centres = torch.eye(3)
    noise = 0.01 * torch.randn(3, 3, 3, generator=torch.Generator().manual_seed(0))
    x = (centres[:, None, :] + noise).reshape(1, 9, 3)   # tokens 0-2, 3-5 and 6-8 are three clusters
    red = diversity.divprune(Step(x=x, size=torch.ones(1, 9), n_out=3, grid=(3, 3)))
    kept = [t for group in kept_tokens(red) for t in group]
    assert sorted(k // 3 for k in kept) == [0, 1, 2] and kept == sorted(kept)  # one per cluster, in order


def test_graph_spreads_importance_to_the_tokens_that_resemble_a_salient_one():
    prior = [0.40, 0.05, 0.10, 0.09, 0.09, 0.09, 0.09, 0.09]
    keys = torch.eye(8)[None].clone()
    keys[0, 1] = keys[0, 0]   # patch 1 looks like the salient patch 0; no other pair is similar
    step = Step(x=X8, size=torch.ones(1, 8), n_out=2, grid=(2, 4), attn=attention_from_cls(prior), keys=keys)
    assert kept_tokens(diversity.graph(step)) == [{0}, {1}]
    step.options = {"alpha": 0.0}   # no propagation: the plain [CLS]-attention top-2
    assert kept_tokens(diversity.graph(step)) == [{0}, {2}]


def test_tome_matches_the_reference_bipartite_soft_matching():
    """The fixture is facebookresearch/ToMe (``published.TOME_COMMIT``) ``bipartite_soft_matching(metric, r)``
    followed by ``merge_wavg(merge, x, size)`` and ``merge_source(merge, x)``, run outside this repository on
    seeded random inputs (torch.Generator seed 12; B=2, T=16, 8-dim metric, 4-dim x, sizes 1-3, r=5)."""
    ref = np.load(Path(__file__).parent / "fixtures" / "tome_reference.npz")
    t, r = ref["x"].shape[1], int(ref["r"])
    step = Step(x=torch.from_numpy(ref["x"]), size=torch.from_numpy(ref["size"]), n_out=t - r, grid=(4, 4),
                keys=torch.from_numpy(ref["metric"]))
    red = tome.tome(step)
    assert torch.equal(red.members, torch.from_numpy(ref["source_out"]))
    assert torch.allclose(red.x, torch.from_numpy(ref["x_out"]), atol=1e-6)
    assert torch.equal(red.members @ step.size.unsqueeze(-1), torch.from_numpy(ref["size_out"]).unsqueeze(-1))


# --- evaluation and widget layers, on a tiny 224-px DINOv2 (16x16 grid) -------------------------------

def tiny_224() -> torch.nn.Module:
    torch.manual_seed(0)
    config = Dinov2Config(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, mlp_ratio=2,
                          patch_size=14, image_size=224)
    return Dinov2Model(config).eval()


def test_evaluation_metrics_are_perfect_for_keep_all_and_lower_when_pruned():
    images = sweep.offline_images(n_named=2, n_labelled=12)
    pixels, labels = sweep.pixels_of(images), np.array([im.label for im in images])
    model = tiny_224()
    same = fidelity.evaluate_method(model, pixels, labels, "keep-all", 1.0)
    assert np.allclose(same["cls_cos"], 1, atol=1e-5) and np.allclose(same["token_fidelity"], 1, atol=1e-5)
    assert same["knn_agree"].tolist() == [1.0] * 12
    pruned = fidelity.evaluate_method(model, pixels, labels, "random", 0.25)
    assert pruned["pooled_cos"].mean() < 1 - 1e-4
    assert not pruning.is_patched(model)


def test_top1_accuracy_of_a_stand_in_classifier_with_known_outputs():
    class FirstPixels(torch.nn.Module):
        """Logits = the first three pixel values of channel 0, so the prediction is set by the input."""

        def forward(self, pixel_values):
            return ImageClassifierOutput(logits=pixel_values[:, 0, 0, :3])

    pixels = torch.zeros(5, 3, 4, 4)
    pixels[torch.arange(5), 0, 0, torch.tensor([0, 1, 2, 0, 1])] = 1.0   # predicts 0, 1, 2, 0, 1
    labels = torch.tensor([0, 1, 2, 2, 2])                               # the first three are right
    assert fidelity.top1_accuracy(FirstPixels(), pixels, labels, batch=2) == pytest.approx(0.6)

    torch.manual_seed(0)
    vit = ViTForImageClassification(ViTConfig(intermediate_size=64, num_labels=3, **SMALL)).eval()
    with torch.no_grad():
        predicted = vit(pixel_values=PIXELS).logits.argmax(-1)
    pruning.apply(vit, "keep-all")   # a patched classifier goes through the same path
    assert fidelity.top1_accuracy(vit, PIXELS, predicted) == 1.0
    assert fidelity.top1_accuracy(vit, PIXELS, (predicted + 1) % 3) == 0.0


def test_analytic_flops_follow_the_token_counts():
    model = tiny_224()
    full = cost.model_flops(model, 256)
    assert full == 2 * cost.block_flops(257, 257, 32, 64)
    pruning.apply(model, "random", keep=0.5)  # reduces in block 0 between attention and MLP
    assert cost.model_flops(model, 256) == cost.block_flops(257, 129, 32, 64) + cost.block_flops(129, 129, 32, 64)


def test_explorer_recomputes_when_its_controls_change():
    import matplotlib

    matplotlib.use("Agg")
    from workbench.explorers import Explorer
    from workbench.pruning import explorer

    images = sweep.offline_images(n_named=2, n_labelled=0)
    ex = explorer.pruning_explorer(tiny_224(), images)
    assert isinstance(ex, Explorer) and set(ex.controls) == {"image", "method", "keep"}
    assert ex.result.method == "tome" and ex.result.n_tokens == 128
    ex.controls["method"].value, ex.controls["keep"].value = "random", 0.25
    assert ex.result.n_tokens == 64
    assert (ex.result.status == explorer.DROPPED).sum() == 256 - 64
    ex.controls["method"].value = "pool"
    assert (ex.result.status == explorer.MERGED).sum() == 256


def test_sweep_rows_are_cached_and_keyed_by_the_weights(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    images = sweep.offline_images(n_named=1, n_labelled=8)
    model = tiny_224()
    first = sweep.sweep(model, images, ["random", "tome"], [0.5], progress=False)
    assert len(list((tmp_path / "results" / "pruning").glob("*.json"))) == 2
    calls = []
    monkeypatch.setattr(fidelity, "evaluate_method", lambda *a, **k: calls.append(a) or {})
    assert sweep.sweep(model, images, ["random", "tome"], [0.5], progress=False) == first
    assert calls == []  # every row came from the cache
    with torch.no_grad():
        model.embeddings.cls_token.add_(1.0)
    sweep.sweep(model, images, ["random"], [0.5], progress=False)
    assert len(calls) == 1  # new weights, new key
    sweep.sweep(model, images, ["random"], [0.5], progress=False, at_layers=(1,))
    assert len(calls) == 2  # another placement, another key


def test_speedup_is_paired_and_leaves_the_model_unpatched():
    model = tiny_224()
    pixels = torch.randn(2, 3, 224, 224)
    row = cost.speedup(model, pixels, "evit", 0.5, at_layers=(1,), repeats=1)
    assert row["place"] == "layer" and row["speedup"] == pytest.approx(row["unpruned_ms"] / row["ms"])
    assert row["gflops"] < cost.model_flops(model, 256) / 1e9
    assert row["pooled_cos"] < 1.0 - 1e-6  # block 1 drops half of the tokens
    assert not pruning.is_patched(model)
    assert cost.speedup(model, pixels, "keep-all", repeats=1)["pooled_cos"] == pytest.approx(1.0)
