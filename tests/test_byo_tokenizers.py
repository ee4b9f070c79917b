"""Bring your own tokenizer (workbench.zoo.wrapping, workbench.zoo.training): every input kind from a real
artifact made here, the same ids as its own library on FLORES sentences of many scripts, identity by content."""

from __future__ import annotations

import base64

import pytest

from workbench import corpora, fairness, zoo
from workbench.errors import UnknownNameError, UsageError
from workbench.zoo import training

#: Languages of many scripts (Latin, Cyrillic, Arabic, Devanagari, Han, Kana, Thai, Georgian, Ge'ez, Hangul, Myanmar).
SCRIPTS = ("eng_Latn", "tur_Latn", "rus_Cyrl", "arb_Arab", "hin_Deva", "zho_Hans", "jpn_Jpan", "tha_Thai",
           "kat_Geor", "amh_Ethi", "kor_Hang", "mya_Mymr")
TRAIN = {"eng_Latn": 1.0, "tur_Latn": 1.0, "arb_Arab": 0.5, "hin_Deva": 0.5}


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    """FLORES devtest sentences (the training texts come from dev): 15 per language of :data:`SCRIPTS`."""
    return [s for code in SCRIPTS for s in corpora.load_flores(code, split="devtest")[:15]]


@pytest.fixture(scope="module")
def train_texts() -> list[str]:
    return training.training_texts(TRAIN)


def _hf(kind, texts, vocab_size=1500):
    tok, trainer = training.hf_model_and_trainer(kind, vocab_size)
    tok.train_from_iterator(texts, trainer=trainer)
    return tok


@pytest.fixture(scope="module")
def hf_tokenizers(train_texts):
    return {kind: _hf(kind, train_texts) for kind in ("bpe", "unigram", "wordpiece")}


@pytest.fixture(scope="module")
def spm_file(tmp_path_factory, train_texts):
    import sentencepiece

    prefix = tmp_path_factory.mktemp("spm") / "mine"
    sentencepiece.SentencePieceTrainer.train(sentence_iterator=iter(train_texts), model_prefix=str(prefix),
                                             vocab_size=1500, byte_fallback=True, minloglevel=2)
    return prefix.with_suffix(".model")


def _same_ids(tok: zoo.Tokenizer, encode, sentences: list[str]) -> int:
    """Assert ``tok`` gives the library's ids, one text at a time and batched; the number of ids compared."""
    for s in sentences:
        assert tok.encode(s) == encode(s), s
    expected = [encode(s) for s in sentences]
    assert tok.encode_batch(sentences) == expected
    return sum(map(len, expected))


@pytest.mark.parametrize("kind", ["bpe", "unigram", "wordpiece"])
def test_tokenizer_json_gives_the_librarys_ids(kind, hf_tokenizers, tmp_path, sentences):
    lib = hf_tokenizers[kind]
    lib.save(str(tmp_path / "tokenizer.json"))
    for tok in (zoo.load_tokenizer(tmp_path / "tokenizer.json"), zoo.load_tokenizer(str(tmp_path)), zoo.wrap(lib)):
        _same_ids(tok, lambda s: lib.encode(s, add_special_tokens=False).ids, sentences)
    tok = zoo.load_tokenizer(tmp_path / "tokenizer.json")
    assert tok.vocab_size == lib.get_vocab_size()
    if kind == "bpe":  # byte-level: the token bytes spell the text exactly
        for s in sentences:
            assert b"".join(tok.token_bytes(i) for i in tok.encode(s)) == s.encode("utf-8")


def test_sentencepiece_model_and_processor_give_the_librarys_ids(spm_file, sentences):
    import sentencepiece

    sp = sentencepiece.SentencePieceProcessor(model_file=str(spm_file))
    for tok in (zoo.load_tokenizer(spm_file), zoo.wrap(sp, name="mine")):
        _same_ids(tok, sp.encode, sentences)
    tok = zoo.load_tokenizer(spm_file)
    assert "byte" in tok.token_types and tok.token_type(sp.unk_id()) == "control"
    assert tok.token_bytes(sp.piece_to_id("<0xE3>")) == b"\xe3"


def test_tiktoken_rank_file_written_from_a_zoo_vocabulary_gives_the_zoo_ids(tmp_path, sentences):
    gpt2 = zoo.load_tokenizer("gpt2")
    ranks = gpt2._backend.enc._mergeable_ranks
    target = tmp_path / "gpt2.tiktoken"
    target.write_text("".join(f"{base64.b64encode(t).decode()} {r}\n" for t, r in ranks.items()))
    for tok in (zoo.load_tokenizer(target, pattern="gpt2"), zoo.load_tokenizer(f"{target}:gpt2")):
        _same_ids(tok, gpt2.encode, sentences)
        assert tok.token_bytes(1917) == gpt2.token_bytes(1917)
    with pytest.raises(UsageError, match="pattern="):
        zoo.load_tokenizer(target)
    assert zoo.wrapping.split_pattern("llama3") != zoo.wrapping.split_pattern("cl100k_base")


def test_tiktoken_encoding_object_gives_its_own_ids(sentences):
    import tiktoken

    enc = zoo.load_tokenizer("cl100k_base")._backend.enc
    own = tiktoken.Encoding("mine", pat_str=enc._pat_str, mergeable_ranks=enc._mergeable_ranks, special_tokens={})
    _same_ids(zoo.wrap(own), own.encode_ordinary, sentences)
    assert zoo.wrap(own).fingerprint != zoo.load_tokenizer("cl100k_base").fingerprint  # specials differ


def test_transformers_directory_fast_and_slow_give_the_librarys_ids(hf_tokenizers, tmp_path, sentences):
    from transformers import AutoTokenizer, BertTokenizer, PreTrainedTokenizerFast

    fast = PreTrainedTokenizerFast(tokenizer_object=hf_tokenizers["bpe"])
    fast.save_pretrained(tmp_path / "fast")
    loaded = AutoTokenizer.from_pretrained(str(tmp_path / "fast"))
    for tok in (zoo.load_tokenizer(tmp_path / "fast"), zoo.wrap(loaded, name="fast")):
        assert _same_ids(tok, lambda s: loaded.encode(s, add_special_tokens=False), sentences) > len(sentences)
    vocab = tmp_path / "vocab.txt"
    words = hf_tokenizers["wordpiece"].get_vocab()
    vocab.write_text("".join(f"{w}\n" for w, _ in sorted(words.items(), key=lambda kv: kv[1])), encoding="utf-8")
    slow = BertTokenizer(str(vocab), do_lower_case=False, tokenize_chinese_chars=True)
    compared = _same_ids(zoo.wrap(slow, name="slow"), lambda s: slow.encode(s, add_special_tokens=False),
                         sentences[:60])
    assert compared > 60  # the slow tokenizer really encoded the sentences (not all unknown or empty)


def test_gguf_file_written_with_gguf_gives_the_librarys_ids(hf_tokenizers, tmp_path, sentences):
    import json

    import gguf

    lib = hf_tokenizers["bpe"]
    model = json.loads(lib.to_str())["model"]
    tokens = [t for t, _ in sorted(model["vocab"].items(), key=lambda kv: kv[1])]
    writer = gguf.GGUFWriter(str(tmp_path / "mine.gguf"), "llama")
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("gpt-2")
    writer.add_token_list(tokens)
    writer.add_token_types([3 if t == "<|endoftext|>" else 1 for t in tokens])
    writer.add_token_merges([" ".join(m) if isinstance(m, list) else m for m in model["merges"]])
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.close()
    compared = _same_ids(zoo.load_tokenizer(tmp_path / "mine.gguf"),
                         lambda s: lib.encode(s, add_special_tokens=False).ids, sentences)
    assert compared > len(sentences)  # every sentence had ids to compare


def test_a_workbench_tokenizer_is_returned_or_renamed():
    gpt2 = zoo.load_tokenizer("gpt2")
    assert zoo.wrap(gpt2) is gpt2
    renamed = zoo.wrap(gpt2, name="mine")
    assert renamed.name == "mine" and renamed.encode("Hello") == gpt2.encode("Hello")
    assert renamed.fingerprint == zoo.wrapping.content_fingerprint(gpt2._backend) != gpt2.fingerprint


def test_bad_tokenizers_get_clear_errors(tmp_path):
    with pytest.raises(UnknownNameError, match="Did you mean 'gpt2'.*tokenizer.json"):
        zoo.load_tokenizer("gtp2")
    with pytest.raises(UsageError, match="does not exist"):
        zoo.load_tokenizer(tmp_path / "missing.json")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(UsageError, match="Unrecognised tokenizer file.*SentencePiece"):
        zoo.load_tokenizer(tmp_path / "notes.txt")
    (tmp_path / "broken.json").write_text("{}")
    with pytest.raises(UsageError, match="broken.json is not a readable tokenizer.json"):
        zoo.load_tokenizer(tmp_path / "broken.json")
    with pytest.raises(UsageError, match="holds no tokenizer"):
        zoo.load_tokenizer(tmp_path)
    with pytest.raises(UsageError, match="Cannot wrap a builtins.dict"):
        zoo.wrap({})


# ------------------------------------------------------------------------------------------ cache identity


def test_counts_of_a_wrapped_tokenizer_equal_the_librarys_own(hf_tokenizers, home_with_assets):
    lib = hf_tokenizers["unigram"]
    frame = fairness.counts([zoo.wrap(lib, name="mine")], languages=SCRIPTS, progress=False)
    texts = fairness.corpus_texts(None, SCRIPTS, "petrov")
    own = {code: len(lib.encode(text, add_special_tokens=False).ids) for code, text in texts.texts.items()}
    assert dict(zip(frame["language"], frame["tokens"], strict=True)) == own


def test_cache_identity_is_by_content_not_by_name(train_texts, tmp_path, home_with_assets):
    path = tmp_path / "tokenizer.json"
    languages = ["eng_Latn", "tur_Latn", "arb_Arab"]

    def counts_of(tokenizer):
        return fairness.counts([tokenizer], languages=languages, progress=False)["tokens"].to_list()

    _hf("bpe", train_texts, 600).save(str(path))
    small = counts_of(str(path))
    _hf("bpe", train_texts, 3000).save(str(path))  # retrained in place: same name, new content
    assert counts_of(str(path)) != small and counts_of(str(path)) == counts_of(zoo.load_tokenizer(path))
    one = zoo.load_tokenizer(path)
    assert counts_of(zoo.wrap(one, name="a")) == counts_of(zoo.wrap(one, name="b"))  # two names, one result
    assert zoo.wrap(one, name="a").fingerprint == zoo.wrap(one, name="b").fingerprint
    with pytest.raises(UsageError, match="both named 'x'"):
        fairness.counts([zoo.wrap(one, name="x"), zoo.wrap(zoo.load_tokenizer("gpt2"), name="x")],
                        languages=languages, progress=False)


def test_comparison_report_takes_objects_and_records_their_fingerprint(hf_tokenizers):
    from workbench.compare import report

    mine = zoo.wrap(hf_tokenizers["bpe"], name="mine")
    result = report.compute_report(["gpt2", mine], languages=["eng_Latn", "tur_Latn"], sample=10, word_sample=5)
    assert result.summary["tokenizer"].to_list() == ["gpt2", "mine"]
    assert result.summary["fingerprint"].to_list() == [zoo.fingerprint("gpt2"), mine.fingerprint]


def test_glitch_census_and_turkish_purity_take_objects(hf_tokenizers):
    from workbench import glitch, turkish

    mine = zoo.wrap(hf_tokenizers["bpe"], name="mine")
    assert glitch.census(mine)["total"] == mine.vocab_size
    table = turkish.purity_table([mine], limit=20)
    assert table["tokenizer"].to_list() == ["mine"] and 0 <= table["tr_type"][0] <= 100


def test_explorer_pickers_list_the_users_tokenizer(hf_tokenizers):
    from workbench.fairness.explorer import sentence_explorer

    mine = zoo.wrap(hf_tokenizers["bpe"], name="mine")
    ex = sentence_explorer(tokenizers=["gpt2", mine], languages=("eng_Latn",))
    assert [row.tokens.keys() for row in ex.result.languages][0] == {"gpt2", "mine"}


# ------------------------------------------------------------------------------------------ training


@pytest.mark.parametrize("kind", ["bpe", "spm-bpe", "spm-unigram"])
def test_training_is_deterministic_for_a_seed(kind):
    first = training.train_tokenizer(kind=kind, vocab_size=800, mix=TRAIN, cache=False)
    again = training.train_tokenizer(kind=kind, vocab_size=800, mix=TRAIN, cache=False)
    assert first.fingerprint == again.fingerprint and first.vocab_size == 800


def test_training_is_cached_by_texts_and_settings(home_with_assets, monkeypatch):
    texts = training.training_texts({"eng_Latn": 1.0, "tur_Latn": 0.5}, seed=1)
    assert len(texts) == 997 + round(997 * 0.5)
    made = training.train_tokenizer(texts, kind="wordpiece", vocab_size=500)
    monkeypatch.setattr(training, "_train_hf", lambda *a: pytest.fail("should have been read from the cache"))
    assert training.train_tokenizer(texts, kind="wordpiece", vocab_size=500).fingerprint == made.fingerprint
    monkeypatch.undo()
    assert training.train_tokenizer(texts, kind="wordpiece", vocab_size=600).fingerprint != made.fingerprint
    with pytest.raises(UnknownNameError, match="Known: bpe"):
        training.train_tokenizer(texts, kind="bpe2")


def test_measuring_texts_of_one_split_share_nothing_with_the_training_texts():
    held_out = fairness.flores_split_texts(["eng_Latn", "tur_Latn"], "devtest")
    assert held_out.name == "flores200-devtest" and len(held_out.texts["eng_Latn"]) == 1012
    assert not set(held_out.texts["eng_Latn"]) & set(training.training_texts("english"))
    petrov = fairness.flores_split_texts(["eng_Latn"], "devtest", mode="petrov")
    assert petrov.texts["eng_Latn"] == " ".join(held_out.texts["eng_Latn"])


def test_sentencepiece_vocabulary_below_the_alphabet_is_a_usage_error():
    with pytest.raises(UsageError, match="Vocabulary size is smaller than required_chars"):
        training.train_tokenizer(training.training_texts({"zho_Hans": 1.0}), kind="spm-bpe", vocab_size=300,
                                 cache=False)


def test_cli_tokenizers_take_paths(hf_tokenizers, tmp_path, home_with_assets, capsys):
    import polars as pl

    from workbench import cli

    hf_tokenizers["bpe"].save(str(tmp_path / "tokenizer.json"))
    mine = str(tmp_path / "tokenizer.json")
    out = tmp_path / "counts.csv"
    assert cli.main(["fairness", "counts", "--tokenizers", f"gpt2,{mine}", "--languages", "eng_Latn,tur_Latn",
                     "--out", str(out)]) == cli.EXIT_OK
    frame = pl.read_csv(out)
    assert frame["tokenizer"].unique(maintain_order=True).to_list() == ["gpt2", mine]
    assert cli.main(["tokenize", "--tokenizers", mine, "--text", "Merhaba", "--json"]) == cli.EXIT_OK
    assert cli.main(["tokenize", "--tokenizers", str(tmp_path / "nope.json"), "--text", "x"]) == cli.EXIT_USAGE
