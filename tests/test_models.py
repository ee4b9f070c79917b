"""Tests of workbench.models: the registry, each model checked against its source, the hub path offline."""

from __future__ import annotations

import pytest
import torch

from workbench import assets
from workbench.errors import OfflineError, UnknownNameError
from workbench.models import MODELS, gguf_embedding_shape, gguf_vocabulary, list_models, load_model


def test_unknown_model_lists_known_names() -> None:
    with pytest.raises(UnknownNameError, match="Did you mean 'gemma3-270m'") as err:
        load_model("gemma3-207m")
    assert "minilm-l6" in str(err.value) and "hf:<repo>" in str(err.value)
    assert set(list_models(include_optional=False)) == {"gemma3-270m", "minilm-l6", "dinov2-s"}


def test_minilm_matches_resources_figures() -> None:
    """RESOURCES.md: the 994 [unused*] rows have mean norm 0.455 vs 1.086 for the rest."""
    model = load_model("minilm-l6")
    emb = model.input_embeddings()
    assert tuple(emb.shape) == (30522, 384) and model.output_embeddings() is None and model.tied
    tok = model.load_tokenizer()
    unused = torch.tensor([i for i, t in enumerate(tok.token_types) if t == "unused"])
    rest = torch.ones(len(emb), dtype=torch.bool)
    rest[unused] = False
    assert len(unused) == 994
    assert emb[unused].norm(dim=1).mean().item() == pytest.approx(0.455, abs=5e-4)
    assert emb[rest].norm(dim=1).mean().item() == pytest.approx(1.086, abs=5e-4)
    assert model.fingerprint == assets.get("model-minilm-l6").sha256


def test_hub_path_with_a_local_stand_in(tmp_path) -> None:
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    GPT2LMHeadModel(GPT2Config(vocab_size=97, n_positions=32, n_embd=16, n_layer=1, n_head=2)).save_pretrained(tmp_path)
    model = load_model(f"hf:{tmp_path}")
    assert model.kind == "causal-lm" and tuple(model.input_embeddings().shape) == (97, 16) and model.tied
    assert not model.model.training and model.source == "local directory"
    assert load_model(f"hf:{tmp_path}") is model  # memoized


def test_hub_unreachable_is_a_clear_error(monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(OfflineError, match="hub"):
        load_model("hf:no-such-org/no-such-model-xyz")


@pytest.mark.slow
def test_gemma3_against_its_gguf() -> None:
    model = load_model("gemma3-270m")
    rows, hidden = gguf_embedding_shape("gemma3-270m")
    assert (rows, hidden) == (262_144, 640) == tuple(model.input_embeddings().shape)
    assert model.tied and model.kind == "causal-lm"
    tok = model.load_tokenizer()
    assert sum(t == "unused" for t in tok.token_types[:rows]) == 6242
    vocab = gguf_vocabulary("gemma3-270m")
    for text in ["Hello world", " Straße über den Fluß", "日本語のテキスト", "def f(x):\n    return x", "<unused5>"]:
        ids = tok.encode(text)
        # both sides normalised: the zoo keeps '▁' in the bytes of added tokens such as '▁▁▁▁' (reported)
        assert [vocab[i].replace("▁", " ") for i in ids] == [tok.token_bytes(i).decode().replace("▁", " ") for i in ids]


@pytest.mark.slow
def test_qwen_untied_with_padded_rows() -> None:
    try:
        assets.path("model-qwen2.5-0.5b", fetch_missing=False)
    except assets.AssetError:
        pytest.skip("opt-in model not fetched (workbench assets fetch model-qwen2.5-0.5b)")
    model = load_model("qwen2.5-0.5b")
    assert not model.tied and tuple(model.input_embeddings().shape) == (151_936, 896)
    assert tuple(model.output_embeddings().shape) == (151_936, 896)


def test_registry_names_the_assets() -> None:
    for spec in MODELS.values():
        assert assets.get(spec.asset).optional == spec.optional


def test_a_local_directory_is_a_model_by_its_path_and_its_contents(tmp_path) -> None:
    from transformers import GPT2Config, GPT2LMHeadModel

    from workbench.models import directory_digest

    config = GPT2Config(vocab_size=97, n_positions=32, n_embd=16, n_layer=1, n_head=2)
    for seed, folder in ((0, tmp_path / "a"), (1, tmp_path / "b")):
        torch.manual_seed(seed)
        GPT2LMHeadModel(config).save_pretrained(folder)
    a, b = load_model(tmp_path / "a"), load_model(str(tmp_path / "b"))
    assert a.kind == "causal-lm" and a.source == "local directory" and a.tokenizer is None
    assert a.fingerprint == directory_digest(tmp_path / "a") != b.fingerprint  # same names and sizes, other weights
    assert load_model(f"hf:{tmp_path / 'a'}") is a  # the hf: spelling is the same model
    with pytest.raises(Exception, match="has no tokenizer: pass one"):
        a.load_tokenizer()
    (tmp_path / "copy").mkdir()
    for path in (tmp_path / "a").iterdir():
        (tmp_path / "copy" / path.name).write_bytes(path.read_bytes())
    assert directory_digest(tmp_path / "copy") == a.fingerprint


def test_a_folder_that_is_no_model_says_what_to_give(tmp_path) -> None:
    from workbench.errors import WorkbenchError

    (tmp_path / "notes.txt").write_text("not a model", encoding="utf-8")
    with pytest.raises(WorkbenchError, match="save_pretrained"):
        load_model(tmp_path)
    with pytest.raises(UnknownNameError, match="local model directory"):
        load_model("./no/such/model_dir")


def test_loading_weights_shows_a_progress_bar_only_when_asked(tmp_path, capfd) -> None:
    """transformers prints "Loading weights" bars on stderr; ``progress=False`` (the default) keeps stderr clean."""
    from transformers import GPT2Config, GPT2LMHeadModel
    from transformers.utils import logging as hf_logging

    config = GPT2Config(vocab_size=97, n_positions=32, n_embd=16, n_layer=1, n_head=2)
    for seed, folder in ((0, tmp_path / "quiet"), (1, tmp_path / "default"), (2, tmp_path / "shown")):
        torch.manual_seed(seed)
        GPT2LMHeadModel(config).save_pretrained(folder)
    capfd.readouterr()
    before = hf_logging.is_progress_bar_enabled()
    load_model(tmp_path / "quiet", progress=False)
    load_model(tmp_path / "default")
    assert capfd.readouterr().err == ""
    load_model(tmp_path / "shown", progress=True)
    assert "Loading weights" in capfd.readouterr().err  # the bar exists, so the quiet runs measured something
    assert hf_logging.is_progress_bar_enabled() == before  # the setting is restored


def test_dtype_copy_equals_deepcopy_then_cast() -> None:
    """``in_dtype``'s copy (cast tensor by tensor, no full-precision copy in between) is the same module as
    ``copy.deepcopy(model).to(dtype)``: same tensors and dtypes, weights still tied, the original untouched."""
    import copy

    from transformers import GPT2Config, GPT2LMHeadModel

    from workbench.models.registry import LoadedModel

    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(vocab_size=50, n_positions=16, n_embd=8, n_layer=1, n_head=2)).eval()
    loaded = LoadedModel("tiny", model, None, "causal-lm", "test", "test", "0")
    cast, expected = loaded.in_dtype(torch.bfloat16), copy.deepcopy(model).to(torch.bfloat16)
    got, want = cast.state_dict(), expected.state_dict()
    assert got.keys() == want.keys()
    assert all(got[k].dtype == want[k].dtype and torch.equal(got[k], want[k]) for k in want)
    assert cast.lm_head.weight.data_ptr() == cast.transformer.wte.weight.data_ptr()
    assert next(model.parameters()).dtype == torch.float32 and loaded.in_dtype(torch.bfloat16) is cast
    ids = torch.tensor([[1, 2, 3]])
    assert torch.equal(cast(ids).logits, expected(ids).logits)
