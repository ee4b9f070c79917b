"""Tests of workbench.glitch: categories, indicators against ground truth, verification, error cases."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch

from workbench.glitch import categories as cat
from workbench.glitch import indicators as ind
from workbench.glitch import published
from workbench.glitch import verification as ver
from workbench.models import LoadedModel
from workbench.zoo import HFBackend, Tokenizer, TokenizerSpec


def _wrap(hf_tokenizer, name: str) -> Tokenizer:
    return Tokenizer(TokenizerSpec(name, "test", "hand-made", (), lambda s: None, "n/a"), HFBackend(hf_tokenizer))


@pytest.fixture(scope="module")
def byte_bpe() -> Tokenizer:
    """Byte-level BPE: 256 bytes, a reachable merge 'ac', 'é' (two bytes merged), 'ab' with no merge rule."""
    from tokenizers import AddedToken, decoders, models, pre_tokenizers
    from tokenizers import Tokenizer as HF

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    vocab = {ch: i for i, ch in enumerate(alphabet)}
    for extra in ("ac", "ab", "Ã©"):
        vocab[extra] = len(vocab)
    tok = HF(models.BPE(vocab, [("a", "c"), ("Ã", "©")]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens([AddedToken("<|end|>", special=True)])
    return _wrap(tok, "test-byte-bpe")


@pytest.fixture(scope="module")
def wordpiece() -> Tokenizer:
    """WordPiece: '##ing' is reachable only inside a word; '##!' never (punctuation is split off first)."""
    from tokenizers import Tokenizer as HF
    from tokenizers import decoders, models, pre_tokenizers

    vocab = {w: i for i, w in enumerate(["[UNK]", "[unused0]", "play", "ж", "##ing", "##!", "!", "a"])}
    tok = HF(models.WordPiece(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    return _wrap(tok, "test-wordpiece")


def test_byte_bpe_categories(byte_bpe: Tokenizer) -> None:
    cats = cat.categorize(byte_bpe)
    ids = {t: byte_bpe.encode(t) for t in ("ac", "é")}
    assert cats[256 + 1] == "unreachable"  # 'ab': in the vocabulary, but no merge produces it
    assert cats[ids["ac"][0]] == "normal" and len(ids["ac"]) == 1
    assert cats[ids["é"][0]] == "normal" and len(ids["é"]) == 1
    assert cats[byte_bpe.vocab_size - 1] == "special"
    high = [i for i in range(256) if byte_bpe.token_bytes(i)[0] >= 0x80]
    assert len(high) == 128 and set(cats[high]) == {"partial-utf8"}
    assert cat.census(byte_bpe) == {"tokenizer": "test-byte-bpe", "normal": 130, "special": 1, "byte": 0,
                                    "partial-utf8": 128, "unused": 0, "unreachable": 1, "total": 260}


def test_wordpiece_continuations(wordpiece: Tokenizer) -> None:
    cats = dict(zip(["[UNK]", "[unused0]", "play", "ж", "##ing", "##!", "!", "a"], cat.categorize(wordpiece),
                    strict=True))
    assert cats["##ing"] == "normal"  # reached after the anchor: 'жing' -> ж ##ing
    assert cats["##!"] == "unreachable"
    assert cats["[unused0]"] == "unused" and cats["play"] == "normal"


def test_reference_and_missing_reference(wordpiece: Tokenizer, byte_bpe: Tokenizer) -> None:
    ref = ind.find_reference(wordpiece, rows=wordpiece.vocab_size + 3)
    assert ref.source == "unused+padding" and ref.ids.tolist() == [1, 8, 9, 10]
    with pytest.raises(ind.MissingReferenceError, match="reference=") as err:
        ind.find_reference(byte_bpe, rows=byte_bpe.vocab_size)
    assert "l2_norm" in str(err.value)


def test_vocab_mismatch(byte_bpe: Tokenizer) -> None:
    assert ind.check_vocab(byte_bpe.vocab_size - 1, byte_bpe) == [byte_bpe.vocab_size - 1]  # only the special
    with pytest.raises(ind.VocabMismatchError, match="different models"):
        ind.check_vocab(200, byte_bpe)


def test_indicators_match_explicit_formulas() -> None:
    gen = torch.Generator().manual_seed(0)
    mat = torch.randn(3000, 32, generator=gen) + 2.0
    mat[:, 0] *= 4
    ref = np.arange(10)
    got = ind.matrix_indicators(mat, ref)
    x = mat.double().numpy()
    pc = np.linalg.svd(x - x.mean(0), full_matrices=False)[2][0]  # sklearn PCA(1) centres before fitting
    w = x - np.outer(x @ pc, pc)
    u = w[ref].mean(0)
    expected = 1 - (w @ u) / (np.linalg.norm(w, axis=1) * np.linalg.norm(u))
    np.testing.assert_allclose(got["cos_wo1pc"], expected, atol=1e-4)
    np.testing.assert_allclose(got["l2_norm"], np.linalg.norm(x, axis=1), rtol=1e-5)


def test_shortlist_keeps_magikarps_percentile_of_normal_tokens() -> None:
    values = np.arange(100.0)[::-1].copy()  # normal ids 0..97 have values 99..2; the unused ones are ignored
    cats = np.array(["normal"] * 98 + ["unused"] * 2)
    # the 2nd percentile of 99..2 is 2 + 0.02 * 97 = 3.94: ids 97 (value 2) and 96 (value 3), lowest first
    assert published.LAND_BARTOLO_2024_SHORTLIST_PERCENTILE == 2.0
    assert ind.shortlist_threshold(values, cats) == pytest.approx(3.94)
    assert ind.shortlist(values, cats).tolist() == [97, 96]


def test_prompts_are_magikarps() -> None:
    rendered = {p.name: p.render("XYZ") for p in ver.PROMPTS}
    assert [p[0] for p in published.LAND_BARTOLO_2024_PROMPTS] == list(rendered)
    assert rendered["input_output"].count("«XYZ»") == 2 * 20 + 1 and rendered["input_output"].endswith("Output: «")
    assert rendered["repeats"].endswith("XYZ" * 101)


def test_roc_auc_and_split() -> None:
    assert ind.roc_auc(np.array([0.1, 0.2]), np.array([0.3, 0.4])) == 1.0
    assert ind.roc_auc(np.array([0.5]), np.array([0.5])) == 0.5
    kept, held = ind.split_reference(ind.Reference(np.arange(100), "given", "x"), seed=1)
    assert len(kept.ids) == 50 and not set(kept.ids) & set(held)


def test_minilm_unused_rows_separated_on_held_out() -> None:
    """all-MiniLM-L6-v2: the 994 [unused*] rows are never trained (RESOURCES.md: mean norm 0.455 vs 1.086)."""
    from workbench.models import load_model

    model = load_model("minilm-l6")
    tok = model.load_tokenizer()
    cats = cat.categorize(tok)
    ref = ind.find_reference(tok, model.input_embeddings().shape[0], cats)
    assert ref.source == "unused" and len(ref.ids) == 994
    rows = {r["indicator"]: r for r in ind.evaluate_indicators(model, tok, ref, cats)}
    assert rows["input_cos_wo1pc"]["n_held_out"] == 497 and rows["input_cos_wo1pc"]["n_reference"] == 497
    assert rows["input_cos_wo1pc"]["roc_auc"] >= 0.95
    assert rows["input_l2_norm"]["roc_auc"] >= 0.95
    assert rows["input_cos_wo1pc"]["recall"] > 0.9


# --------------------------------------------------------------------------- verification on a tiny trained model

WORDS = ["Apple", "Zebra", "Cloud", "River", "Stone", "Lamp", "Tiger", "Mango", "Piano", "Robot", "Candle", "Pepper"]
SPLIT = r"[A-Z][a-z]*|[a-z]+|\d+|\s|[^\w\s]"


@pytest.fixture(scope="module")
def tiny_words() -> Tokenizer:
    """A word-level tokenizer covering the verification prompts and a dozen capitalised words."""
    from tokenizers import Regex, models, pre_tokenizers
    from tokenizers import Tokenizer as HF

    texts = [t.render(w) for t in ver.PROMPTS for w in WORDS]
    pieces = sorted({p for text in texts for p in re.findall(SPLIT, text)})
    vocab = {w: i for i, w in enumerate(["[UNK]", *pieces])}
    tok = HF(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Split(Regex(SPLIT), behavior="isolated")
    return _wrap(tok, "test-tiny-words")


@pytest.fixture(scope="module")
def tiny_model(tiny_words: Tokenizer) -> LoadedModel:
    """A 2-layer GPT-2 fitted for 150 steps to repeat the word of the two shorter repetition prompts.

    A random model would not do: it spreads probability evenly, so a zeroed row is not special.
    Trained, it repeats any of the 12 words (p > 0.5), and a zeroed row's logit (0) stays far below.
    """
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    config = GPT2Config(vocab_size=tiny_words.vocab_size, n_positions=512, n_embd=32, n_layer=2, n_head=4,
                        resid_pdrop=0, embd_pdrop=0, attn_pdrop=0, bos_token_id=0, eos_token_id=0)
    model = GPT2LMHeadModel(config)
    prompts = ver.prepare_prompts(tiny_words, placeholder=tiny_words.encode("Apple")[0])
    words = torch.tensor([tiny_words.encode(w)[0] for w in WORDS])
    optim = torch.optim.AdamW(model.parameters(), lr=1e-2)
    for step in range(150):  # the long input_output prompt is left out of training to keep this fast
        prompt = prompts[1 + step % 2]
        batch = torch.tensor(prompt.ids).repeat(4, 1)
        batch[:, list(prompt.positions)] = words[torch.randint(len(words), (4,))][:, None]
        full = torch.cat([batch, batch[:, list(prompt.positions[-1:])]], dim=1)  # the answer: the word again
        loss = model(input_ids=full, labels=full).loss
        optim.zero_grad()
        loss.backward()
        optim.step()
    return LoadedModel("tiny-copier", model.eval(), None, "causal-lm", "test", "n/a", "tiny-copier-seed0")


def _zeroed_copy(loaded: LoadedModel, token_id: int) -> LoadedModel:
    import copy

    model = copy.deepcopy(loaded.model)
    with torch.no_grad():
        model.get_input_embeddings().weight[token_id] = 0  # tied: the unembedding row is zeroed too
    return LoadedModel("tiny-zeroed", model, None, "causal-lm", "test", "n/a", f"tiny-zeroed-{token_id}")


def test_verification_flags_zeroed_row_not_frequent_word(tiny_model, tiny_words, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    zebra, tiger = tiny_words.encode("Zebra")[0], tiny_words.encode("Tiger")[0]
    before = ver.verify(tiny_model, tiny_words, [zebra, tiger], progress=False)
    assert not before[0].verified and before[0].max_prob > 0.5  # the model learned to repeat it
    after = ver.verify(_zeroed_copy(tiny_model, zebra), tiny_words, [zebra, tiger], progress=False)
    assert after[0].verified and after[0].max_prob < published.LAND_BARTOLO_2024_VERIFY_THRESHOLD
    assert not after[1].verified  # the untouched frequent word still is repeated


def test_batched_equals_generate_loop(tiny_model, tiny_words, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    ids = [tiny_words.encode(w)[0] for w in ("Lamp", "Piano", "Candle")]
    batched = ver.verify(tiny_model, tiny_words, ids, use_cache=False, progress=False, batch_size=2,
                         dtype=torch.float32)
    looped = ver.verify_one_at_a_time(tiny_model, tiny_words, ids, dtype=torch.float32)
    for a, b in zip(batched, looped, strict=True):
        for name in a.prompt_probs:
            assert a.prompt_probs[name] == pytest.approx(b.prompt_probs[name], rel=1e-4, abs=1e-7)


def test_sharing_the_prompt_prefix_gives_the_whole_prompt_scores(tiny_model, tiny_words) -> None:
    """score_batch runs the prefix before the first placeholder once; the scores are those of whole prompts."""
    model = tiny_model.in_dtype(torch.float32)
    ids = [tiny_words.encode(w)[0] for w in ("Zebra", "Lamp", "Piano")]
    prompts = ver.prepare_prompts(tiny_words)
    assert all(min(p.positions) > 0 for p in prompts)  # there is a prefix to share
    for prompt in prompts:
        shared, whole = ver.score_batch(model, prompt, ids), ver.score_batch(model, prompt, ids, share_prefix=False)
        assert shared == pytest.approx(whole, rel=1e-4, abs=1e-7)


def test_bfloat16_gives_the_float32_verdicts_and_its_own_cache(tiny_model, tiny_words, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    zeroed = _zeroed_copy(tiny_model, tiny_words.encode("Zebra")[0])
    ids = [tiny_words.encode(w)[0] for w in ("Zebra", "Tiger", "Lamp", "Piano")]
    full = ver.verify(zeroed, tiny_words, ids, progress=False, dtype=torch.float32)
    half = ver.verify(zeroed, tiny_words, ids, progress=False, dtype=torch.bfloat16)
    assert [r.verified for r in half] == [r.verified for r in full] == [True, False, False, False]
    assert max(abs(a.max_prob - b.max_prob) for a, b in zip(full, half, strict=True)) < 0.05
    assert next(zeroed.model.parameters()).dtype == torch.float32  # the loaded model is not converted
    assert len(list((tmp_path / "results" / "glitch").glob("verify-*.json"))) == 2  # one cache per dtype


def test_cache_resumes_and_is_never_half_written(tiny_model, tiny_words, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    ids = [tiny_words.encode(w)[0] for w in WORDS[:6]]
    calls = []
    real = ver.score_batch

    def failing(model, prompt, chunk):
        calls.append(list(chunk))
        if len(calls) > 3:  # the second batch (3 prompts per batch) fails
            raise RuntimeError("interrupted")
        return real(model, prompt, chunk)

    monkeypatch.setattr(ver, "score_batch", failing)
    with pytest.raises(RuntimeError, match="interrupted"):
        ver.verify(tiny_model, tiny_words, ids, batch_size=3, progress=False)
    cache = ver.ResultCache(tiny_model, tiny_words)
    assert sorted(json.loads(cache.path.read_text())) == sorted(str(i) for i in ids[:3])
    left = sorted(p.name for p in cache.path.parent.iterdir())
    assert left == [cache.path.name, cache.path.name + ".sha256"]  # the file and its checksum, no temp file
    monkeypatch.setattr(ver, "score_batch", real)
    counted = []
    monkeypatch.setattr(ver, "score_batch", lambda m, p, c: counted.append(list(c)) or real(m, p, c))
    results = ver.verify(tiny_model, tiny_words, ids, batch_size=3, progress=False)
    assert [r.token_id for r in results] == ids and all(c == ids[3:] for c in counted)


def test_token_that_cannot_be_inserted(tiny_model, tiny_words, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    with pytest.raises(ver.InsertionError, match="cannot be inserted"):
        ver.verify(tiny_model, tiny_words, [1, tiny_words.vocab_size + 5], progress=False)
    assert not list((tmp_path / "results").rglob("*.json")) if (tmp_path / "results").exists() else True
    encoder = LoadedModel("enc", tiny_model.model, None, "encoder", "test", "n/a", "x")
    with pytest.raises(ver.InsertionError, match="causal LM"):
        ver.verify(encoder, tiny_words, [1], progress=False)


def test_scan_and_explorer_on_the_tiny_model(tiny_model, tiny_words, tmp_path, monkeypatch) -> None:
    from workbench.glitch import explorer
    from workbench.glitch.scan import scan

    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    zebra = tiny_words.encode("Zebra")[0]
    zeroed = _zeroed_copy(tiny_model, zebra)
    ref = [tiny_words.encode(w)[0] for w in ("Input", "Output")]  # stand-ins: the tokenizer has no unused ids
    result = scan(zeroed, tiny_words, reference=ref, verify_top=3, percentile=5.0, progress=False)
    table = result.table
    assert table.height == tiny_words.vocab_size and result.main_indicator == "input_cos_wo1pc"
    assert table.row(zebra, named=True)["input_l2_norm"] == 0.0
    assert table["verified"].is_not_null().sum() == 3
    ex = explorer.glitch_explorer(result, zeroed, tiny_words, n=5)
    assert set(ex.controls) == {"candidate", "prompt"} and ex.result.answer is None
    last = ex.controls["candidate"].options[-1][1]
    ex.controls["candidate"].value = last
    assert ex.result.report.row["token_id"] == last and len(ex.result.report.neighbours) == 8
    assert f"id {last}" in explorer.render_candidate_view(ex.result)
    ex.controls["prompt"].value = "Zebra Zebra Zebra"
    assert ex.result.answer == explorer.compute_prompt(zeroed, tiny_words, "Zebra Zebra Zebra")
    assert "continuation" in explorer.render_candidate_view(ex.result)
    with pytest.raises(ind.MissingReferenceError, match="empty"):
        scan(zeroed, tiny_words, reference=[], progress=False)


# ------------------------------------------------------------- a local model directory with its own tokenizer


def _save_model_dir(loaded: LoadedModel, tok: Tokenizer, folder) -> None:
    """``folder`` as a user has it: the model's ``save_pretrained`` files and its tokenizer.json beside them."""
    loaded.model.save_pretrained(folder)
    tok._backend.tok.save(str(folder / "tokenizer.json"))


def test_a_local_model_directory_is_scanned_with_its_own_tokenizer_and_keyed_by_its_contents(
        tiny_model, tiny_words, tmp_path, monkeypatch) -> None:
    from workbench.glitch.scan import scan
    from workbench.models import load_model

    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    zebra = tiny_words.encode("Zebra")[0]
    folder = tmp_path / "my_model"
    _save_model_dir(tiny_model, tiny_words, folder)
    trained = load_model(str(folder))  # a plain path, no hf: prefix
    assert trained.load_tokenizer().fingerprint == _wrap(tiny_words._backend.tok, "x").fingerprint
    first = scan(trained, reference=[0], verify_top=0, progress=False)
    assert first.table.height == tiny_words.vocab_size
    assert not ver.verify(trained, trained.load_tokenizer(), [zebra], progress=False)[0].verified

    _save_model_dir(_zeroed_copy(tiny_model, zebra), tiny_words, folder)  # another model, same place, same names
    zeroed = load_model(str(folder))
    assert zeroed is not trained and zeroed.fingerprint != trained.fingerprint
    assert ver.verify(zeroed, zeroed.load_tokenizer(), [zebra], progress=False)[0].verified  # not the cached verdict
    assert len(list((tmp_path / "home" / "results" / "glitch").glob("verify-*.json"))) == 2
