"""The tiktoken path (workbench.zoo.tiktoken_path): which zoo byte-level BPE files it takes, why it refuses
the others, and that a file it takes gives the ids of Hugging Face ``tokenizers``."""

from __future__ import annotations

import json

import pytest

from workbench import cache as verified_cache
from workbench import zoo
from workbench.zoo import registry, tiktoken_path

#: The first failing check of each zoo tokenizer.json (sufficient checks: a refusal is not a measured difference).
REFUSED = {
    "llama3": "overlap and tokenizers prefers the right one",
    "qwen2": "spell a token but are no merge",
    "command-r": "pre-tokenizer is Split + Split + ByteLevel",
    "deepseek-v3": "pre-tokenizer is Split + Split + Split + ByteLevel",
    "gemma3": "BPE has unk_token",
}
#: Refused by the merge-order checks only, and on tiktoken by measured equality (tiktoken_path.MEASURED_EQUAL).
MEASURED = ("llama3", "qwen2")


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_the_file_checks_refuse_every_zoo_tokenizer_json_with_its_reason(name):
    path = registry.loaded_file(registry.spec(name))
    assert REFUSED[name] in tiktoken_path.as_tiktoken(json.loads(path.read_text(encoding="utf-8"))).reason


@pytest.mark.parametrize("name", sorted(set(REFUSED) - set(MEASURED)))
def test_refused_files_stay_on_tokenizers_with_their_reason(load, name):
    load(name)
    library, reason = zoo.encoder(name)
    assert library == "tokenizers"
    assert REFUSED[name] in reason


@pytest.mark.parametrize("name", MEASURED)
def test_files_measured_equal_run_on_tiktoken_and_say_it_is_measured_not_proven(load, name):
    # the zoo file is the one whose ids were compared: a converter change would change its sha256
    assert tiktoken_path.MEASURED_EQUAL[verified_cache.digest(registry.loaded_file(registry.spec(name)))] == name
    load(name)
    library, why = zoo.encoder(name)
    assert library == "tiktoken"
    assert "measured equal" in why and "not proven" in why


def test_a_file_not_measured_is_decided_by_the_checks(tmp_path):
    # the same qwen2 vocabulary in another file (re-serialised: another sha256) was never measured: refused
    spec = json.loads(registry.loaded_file(registry.spec("qwen2")).read_text(encoding="utf-8"))
    (tmp_path / "tokenizer.json").write_text(json.dumps(spec), encoding="utf-8")
    verdict = tiktoken_path.from_file(tmp_path / "tokenizer.json")
    assert REFUSED["qwen2"] in verdict.reason
    assert tiktoken_path.describe(tmp_path / "tokenizer.json", verdict) == verdict.reason


def _tiny_bpe(merges: list[list[str]], extra: dict[str, int] | None = None) -> dict:
    """A byte-level BPE tokenizer.json: the 256 byte symbols, then one token per merge (ids in merge order)."""
    from workbench.zoo.hf_json import _byte_decoder

    vocab = {c: b for c, b in _byte_decoder().items()}
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    vocab.update(extra or {})
    pattern = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"
    return {"version": "1.0", "added_tokens": [], "normalizer": None, "post_processor": None, "decoder": None,
            "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": pattern}, "behavior": "Isolated", "invert": False},
                {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}]},
            "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                      "vocab": vocab, "merges": merges}}


def test_a_file_whose_merges_follow_rank_order_runs_on_tiktoken_with_the_same_ids():
    from tokenizers import Tokenizer as HFTokenizer

    spec = _tiny_bpe([["Ġ", "t"], ["h", "e"], ["Ġt", "he"], ["i", "n"], ["Ġ", "w"]])
    fast = tiktoken_path.as_tiktoken(spec)
    assert isinstance(fast, zoo.TiktokenBackend), fast
    slow = HFTokenizer.from_str(json.dumps(spec))
    texts = ["the wind in the willows", "  the\n\n1234 'sin'", "thethe ünïcödé 東京 🙂"]
    assert fast.encode_batch(texts, False) == [e.ids for e in slow.encode_batch(texts, add_special_tokens=False)]


def test_a_pair_that_spells_a_token_without_being_a_merge_is_refused():
    # 'Ġth' + 'e' spells 'Ġthe', which tiktoken would merge and tokenizers (only 'Ġt' + 'he' listed) would not
    spec = _tiny_bpe([["Ġ", "t"], ["h", "e"], ["Ġt", "h"], ["Ġt", "he"]])
    assert "'Ġth' + 'e' spell a token but are no merge" in tiktoken_path.as_tiktoken(spec).reason


def test_merges_out_of_rank_order_are_refused():
    spec = _tiny_bpe([["h", "e"], ["i", "n"]])
    spec["model"]["vocab"]["he"], spec["model"]["vocab"]["in"] = 257, 256
    assert "out of rank order" in tiktoken_path.as_tiktoken(spec).reason


def test_a_split_regex_that_leaves_gaps_is_refused():
    spec = _tiny_bpe([["h", "e"]])
    spec["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = r"\p{L}+"
    assert "leaves text unmatched" in tiktoken_path.as_tiktoken(spec).reason


@pytest.mark.parametrize("name", ["gemma3", "llama3"])
def test_a_verdict_is_cached_by_the_files_content_and_a_second_load_skips_the_checks(tmp_path, monkeypatch, name):
    from workbench.config import cache_dir

    path = registry.loaded_file(registry.spec(name))  # the real file; its verdicts go to an empty cache
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    first = registry._byte_level_json(path, name)
    cached = list(cache_dir("tokenizers").glob(f"{name}-*-tiktoken-v{tiktoken_path.CHECKS_VERSION}.verdict.json"))
    assert [json.loads(p.read_text(encoding="utf-8"))["why"] for p in cached] == [registry._PATHS[name]]
    checks = []
    monkeypatch.setattr(tiktoken_path, "_merge_order", lambda *a: checks.append("merge order"))
    monkeypatch.setattr(tiktoken_path, "_gap", lambda *a: checks.append("gaps"))
    second = registry._byte_level_json(path, name)
    assert checks == [] and type(second) is type(first)
    texts = ["Hello world, 1234 İstanbul 東京 🙂", "  two  spaces\n\n"]
    assert second.encode_batch(texts, False) == first.encode_batch(texts, False)


@pytest.mark.parametrize("name", ["llama3", "qwen2", "command-r", "deepseek-v3", "gemma3"])
def test_every_file_on_the_tiktoken_path_gives_the_ids_of_tokenizers_on_all_of_flores_and_the_vectors(load, name):
    from tokenizers import Tokenizer as HFTokenizer

    from workbench import assets, fairness
    from workbench.config import shared_data_dir
    from workbench.zoo import gguf_vocab

    library, reason = zoo.encoder(name)
    if library != "tiktoken":
        assert name not in MEASURED, f"{name} should run on tiktoken: {reason}"
        pytest.skip(f"{name} stays on tokenizers: {reason}")
    if shared_data_dir() is None:
        pytest.skip("../shared/data (FLORES-200) is not beside the checkout")
    tok = load(name)
    path = registry.loaded_file(registry.spec(name))
    slow = HFTokenizer.from_file(str(path))
    for mode in ("sentences", "petrov"):
        texts = fairness.corpus_texts("flores200", None, mode=mode).texts
        units = [u for code in texts for u in ([texts[code]] if mode == "petrov" else texts[code])]
        expected = [e.ids for e in slow.encode_batch_fast(units, add_special_tokens=False)]
        assert [i for i, (a, b) in enumerate(zip(tok.encode_batch(units), expected, strict=True)) if a != b] == []
    if name in zoo.GOLDEN_VECTORS:
        cases = gguf_vocab.read_vectors(assets.path("vectors-inp"), assets.path(zoo.GOLDEN_VECTORS[name]))
        assert [t for t, ids in cases if tok.encode(t) != ids] == []
