"""The adapter contract, on every zoo tokenizer: encode/decode, token bytes, pieces, types, errors."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench import corpora, fairness, zoo
from workbench.errors import UnknownNameError
from workbench.zoo import ranks

ALL = zoo.list_tokenizers()
#: Tokenizers that are lossless on any text: byte-level BPE, tiktoken, and the byte/char baselines.
BYTE_LEVEL = ["utf8-bytes", "unicode-chars", "gpt2", "p50k_base", "cl100k_base", "o200k_base", "llama3",
              "mistral-tekken", "qwen1", "qwen2", "deepseek-v3", "command-r"]
#: SentencePiece BPE with byte fallback: lossless up to the dummy-prefix space handling.
BYTE_FALLBACK = ["llama2", "mistral-v1", "phi3", "gemma3"]
TEXT = "Hello wörld, İstanbul'da 👩‍🔬 — ภาษาไทย 中文 שלום"


def test_registry_has_every_required_name():
    required = {"gpt2", "p50k_base", "cl100k_base", "o200k_base", "llama2", "llama3", "mistral-v1",
                "mistral-tekken", "qwen1", "qwen2", "gemma3", "xlm-roberta", "bert-base-uncased", "deepseek-v3",
                "command-r", "phi3", "turkish-hybrid", "utf8-bytes", "unicode-chars"}
    assert required <= set(zoo.list_tokenizers())
    assert "turkish-hybrid" not in zoo.list_tokenizers(default_only=True)


def test_unknown_name_lists_known_ones_and_closest():
    with pytest.raises(UnknownNameError, match=r"Unknown tokenizer 'lama3'\. Did you mean 'llama3'\?.*gpt2"):
        zoo.load_tokenizer("lama3")


def test_load_is_memoized(load):
    assert load("gpt2") is load("gpt2")


@pytest.mark.parametrize("name", BYTE_LEVEL)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_byte_level_round_trip_on_random_unicode(load, name, text):
    tok = load(name)
    ids = tok.encode(text)
    seen = tok.normalized(text)  # the text itself, except NFC for qwen1 (e.g. U+2F800 -> U+4E3D)
    assert tok.decode(ids) == seen
    assert b"".join(tok.token_bytes(i) for i in ids) == seen.encode("utf-8")


@pytest.mark.parametrize("name", BYTE_FALLBACK)
def test_byte_fallback_tokens_give_exact_bytes(load, name):
    tok = load(name)
    ids = tok.encode("𓀀 x")  # an Egyptian hieroglyph: in no 32k/262k vocabulary as a piece
    joined = b"".join(tok.token_bytes(i) for i in ids)
    assert joined.lstrip(b" ") == "𓀀 x".encode()
    if name != "gemma3":
        assert any(tok.token_type(i) == "byte" for i in ids)


@pytest.mark.parametrize("name", ALL)
def test_pieces_cover_the_text_in_order(load, name):
    tok = load(name)
    pieces = tok.pieces(TEXT)
    assert [p.id for p in pieces] == tok.encode(TEXT)
    assert all(0 <= p.start <= p.end <= len(TEXT) for p in pieces)
    assert all(a.start <= b.start for a, b in zip(pieces, pieces[1:], strict=False))
    assert pieces[-1].end == len(TEXT)


@pytest.mark.parametrize("name", [n for n in ALL if n != "turkish-hybrid"])  # it marks capitals by design
def test_no_special_tokens_unless_asked(load, name):
    tok = load(name)
    types = {tok.token_type(i) for i in tok.encode("Hello world")}
    assert types <= {"normal", "byte"}


def test_special_token_text_is_encoded_as_text(load):
    tok = load("cl100k_base")
    assert 100257 not in tok.encode("<|endoftext|>")
    assert tok.token_type(100257) == "control"


@pytest.mark.parametrize(("name", "token_id", "kind"), [
    ("gemma3", 7, "unused"), ("bert-base-uncased", 1, "unused"), ("bert-base-uncased", 101, "control"),
    ("llama2", 0, "control"), ("llama2", 3, "byte"), ("llama3", 128002, "unused"),
    ("mistral-tekken", 20, "unused"), ("qwen1", 151646, "unused"), ("gpt2", 50256, "control"),
])
def test_token_types(load, name, token_id, kind):
    assert load(name).token_type(token_id) == kind


def test_gemma3_has_6242_unused_tokens(load):
    # RESOURCES.md: Gemma 3's 6,242 <unusedN> tokens (a natural never-trained reference set)
    assert load("gemma3").token_types.count("unused") == 6242


def test_token_bytes_rejects_ids_outside_the_vocabulary(load):
    with pytest.raises(IndexError, match="outside gpt2's vocabulary"):
        load("gpt2").token_bytes(50_257)


def test_wordpiece_and_unigram_are_lossy_as_documented(load):
    assert load("bert-base-uncased").decode(load("bert-base-uncased").encode("Hello World")) == "hello world"
    assert load("xlm-roberta").decode(load("xlm-roberta").encode("🦙")).strip() == "<unk>"  # XLM-R: no byte fallback


@pytest.mark.parametrize(("name", "text", "normalized"), [
    ("xlm-roberta", "ﬁ  x", "fi x"),                      # NFKC (the ligature) and white space collapsed
    ("xlm-roberta", " \tHello   World \n", "Hello World"),  # leading, trailing and inner runs
    ("bert-base-uncased", "Héllo Wörld", "hello world"),  # lower-cased, accents stripped
    ("bert-base-uncased", "中文", " 中  文 "),              # CJK characters spaced
    ("qwen1", "\U0002F800", "\u4e3d"),                    # NFC
    ("llama2", "ﬁ  x", "ﬁ  x"), ("gemma3", "ﬁ  x", "ﬁ  x"), ("cl100k_base", "ﬁ  x", "ﬁ  x"),
    ("unicode-chars", "ﬁ  x", "ﬁ  x"), ("turkish-hybrid", "İstanbul IRAK", "istanbul ırak"),
])
def test_normalized_is_what_the_tokenizers_normaliser_makes(load, name, text, normalized):
    assert load(name).normalized(text) == normalized


@pytest.mark.parametrize(("name", "text", "reason"), [
    ("xlm-roberta", "ﬁ  x", "normalisation"), ("xlm-roberta", "ཀ་ཁ་ག", "unknown"),
    ("bert-base-uncased", "Héllo Wörld", "normalisation"), ("bert-base-uncased", "a (b)", "other"),
    ("qwen1", "\U0002F800", "normalisation"), ("gpt2", "ﬁ  x", None),
])
def test_round_trip_says_why_a_text_is_lost(load, name, text, reason):
    trip = zoo.round_trip(load(name), text)
    assert trip.reason == reason and trip.ok == (reason is None)
    assert (trip.decoded == trip.normalized != text) == (reason == "normalisation")


@pytest.mark.skipif(not corpora.flores_available(), reason="FLORES-200 is not on this machine")
def test_which_tokenizers_round_trip_flores_sentences_of_many_scripts():
    languages = ["eng_Latn", *fairness.PETROV_2023_LANGUAGES]  # 12 scripts, Latin to Tibetan and Ol Chiki
    texts = fairness.corpus_texts("flores200", languages, "sentences", sample=20).texts
    table = zoo.round_trip_table(zoo.list_tokenizers(default_only=True), [s for code in languages for s in texts[code]])
    rows = {row["tokenizer"]: row for row in table.iter_rows(named=True)}
    assert {name for name, row in rows.items() if row["lost"]} == {"qwen1", "xlm-roberta", "bert-base-uncased"}
    assert rows["qwen1"]["lost"] == rows["qwen1"]["normalisation"]  # NFC only
    xlmr = rows["xlm-roberta"]
    assert xlmr["other"] == 0 and xlmr["unknown"] > 0 and xlmr["normalisation"] > 0  # every loss explained
    tibetan = zoo.round_trips(zoo.load_tokenizer("xlm-roberta"), texts["dzo_Tibt"])
    assert {t.reason for t in tibetan} == {"unknown"}
    bert = rows["bert-base-uncased"]
    assert bert["lost"] == bert["texts"] and min(bert["unknown"], bert["normalisation"], bert["other"]) > 0


def test_turkish_hybrid_marks_capitals(load):
    tok = load("turkish-hybrid")
    pieces = tok.pieces("Kitaplarımızı okudum")
    assert pieces[0].text == "" and tok.token_type(pieces[0].id) == "control"  # <uppercase>
    assert "".join(p.text for p in pieces).lower() == "kitaplarımızı okudum"


@pytest.mark.parametrize("name", [n for n in ALL if n != "unicode-chars"])
def test_every_id_has_bytes(load, name):
    # a byte-level vocabulary may hold characters outside GPT-2's byte alphabet (e.g. U+200D in
    # some vocabularies): they stand for their own UTF-8, as Hugging Face's ByteLevel decoder reads them
    tok = load(name)
    assert sum(isinstance(tok.token_bytes(i), bytes) for i in range(tok.vocab_size)) == tok.vocab_size


@pytest.mark.parametrize("name", ALL)
def test_encode_batch_equals_encoding_one_at_a_time_in_order(load, name):
    texts = ["Hello world", "", "İstanbul'da 3 kedi", "東京タワー", "naïve café " * 20, "a", "\n\t x"] * 3
    tok = load(name)
    assert tok.encode_batch(texts) == [tok.encode(t) for t in texts]


@given(st.lists(st.integers(0, 50), min_size=1, max_size=30), st.integers(1, 4))
def test_balanced_cuts_are_contiguous_and_no_worse_than_counting_items(sizes, parts):
    cuts = ranks._balanced_cuts(sizes, parts)
    assert cuts[0] == 0 and cuts[-1] == len(sizes) and len(cuts) == parts + 1 and cuts == sorted(cuts)
    heaviest = max(sum(sizes[a:b]) for a, b in itertools.pairwise(cuts))
    assert heaviest <= sum(sizes) / parts + max(sizes)  # each run ends within one item of its share


@pytest.mark.parametrize("name", zoo.list_tokenizers())
def test_encode_with_spans_gives_the_ids_of_encode(load, name):
    """The report's word-level sentences are encoded once, with their spans: the ids must be encode's."""
    from workbench import corpora

    tok = load(name)
    texts = [a for code in ("eng", "tur", "arb", "hin", "cmn_hans", "jpn", "kor", "tha", "amh", "heb", "bod")
             for a in corpora.load_udhr(code)[:6]]
    assert [tok.encode_with_spans(t)[0] for t in texts] == [tok.encode(t) for t in texts]
    ids, spans = tok.encode_with_spans(texts[0])
    assert spans == [(p.start, p.end) for p in tok.pieces(texts[0])] and len(ids) == len(spans)


@pytest.mark.parametrize("name", zoo.list_tokenizers())
def test_encode_batch_with_spans_equals_one_text_at_a_time(load, name):
    """The batch path (Hugging Face's encode_batch, tiktoken on threads) gives each text's own ids and spans."""
    tok = load(name)
    texts = [a for code in ("eng", "tur", "arb", "hin", "cmn_hans", "jpn", "kor", "tha", "amh", "heb", "bod")
             for a in corpora.load_udhr(code)[:6]] + ["", "ﬁ Å e\u0301", "\n\t x"]
    assert tok.encode_batch_with_spans(texts) == [tok.encode_with_spans(t) for t in texts]
