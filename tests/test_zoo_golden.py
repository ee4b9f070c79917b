"""Golden tests: the zoo against llama.cpp's reference vectors, tiktoken's published hashes, and the
FLORES English totals published by Petrov et al. (2023) (read from :mod:`workbench.fairness.published`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench import assets, zoo
from workbench.config import shared_data_dir
from workbench.fairness.published import published_tokens
from workbench.zoo import gguf_vocab


@pytest.mark.parametrize("name", sorted(zoo.GOLDEN_VECTORS))
def test_llama_cpp_reference_vectors_all_pass(load, name):
    cases = gguf_vocab.read_vectors(assets.path("vectors-inp"), assets.path(zoo.GOLDEN_VECTORS[name]))
    assert len(cases) >= 46
    tok = load(name)
    failures = [(text, ids, tok.encode(text)) for text, ids in cases if tok.encode(text) != ids]
    assert failures == []


def test_p50k_ranks_converted_from_js_tiktoken_match_tiktokens_published_hash(load):
    load("p50k_base")
    converted = next(Path(assets.cache_dir("tokenizers")).glob("p50k_base-*.tiktoken"))
    # tiktoken_ext/openai_public.py: expected_hash of p50k_base.tiktoken
    assert assets.digest(converted) == "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069"


def _petrov_string(lang: str) -> str:
    """The corpus-total recipe of ../shared/data/README.md, written out here independently of the package."""
    root = shared_data_dir() / "flores200"
    parts = []
    for split in ("dev", "devtest"):
        parts += (root / split / f"{lang}.{split}").read_text(encoding="utf-8").split("\n")
    return " ".join(parts)


needs_flores = pytest.mark.skipif(shared_data_dir() is None,
                                  reason="../shared/data (FLORES-200) is not beside the checkout")


@needs_flores
@pytest.mark.parametrize("name", ["gpt2", "cl100k_base", "llama2", "xlm-roberta"])
def test_flores_english_totals_match_petrov_et_al(load, name):
    text = _petrov_string("eng_Latn")
    # their UTF-32 and ByT5 columns count the code points and UTF-8 bytes of the same string
    assert (len(text), len(text.encode("utf-8"))) == (published_tokens("unicode-chars", "eng_Latn"),
                                                      published_tokens("utf8-bytes", "eng_Latn"))
    assert len(load(name).encode(text)) == published_tokens(name, "eng_Latn")


@pytest.mark.parametrize(("name", "vocab_size"), [
    ("gpt2", 50_257), ("p50k_base", 50_281), ("cl100k_base", 100_277), ("o200k_base", 200_019),
    ("llama2", 32_000), ("llama3", 128_256), ("mistral-v1", 32_000), ("mistral-tekken", 131_072),
    ("qwen1", 151_851), ("qwen2", 151_936), ("xlm-roberta", 250_048), ("bert-base-uncased", 30_522),
    ("phi3", 32_064), ("command-r", 256_000),
])
def test_vocabulary_sizes_are_the_published_ones(load, name, vocab_size):
    assert load(name).vocab_size == vocab_size


@pytest.mark.parametrize(("name", "text", "ids"), [
    ("cl100k_base", "Hello world", [9906, 1917]),          # OpenAI tiktoken README example
    ("xlm-roberta", "Hello world", [35378, 8999]),         # XLM-R ids (RESOURCES.md), no <s>/</s>
    ("gpt2", " SolidGoldMagikarp", [43453]),               # Rumbelow & Watkins 2023: one glitch token
    ("llama2", "Hello world", [15043, 3186]),              # Llama 2 tokenizer.model
])
def test_known_encodings(load, name, text, ids):
    assert load(name).encode(text) == ids


def test_unigram_json_is_only_for_unigram_gguf_vocabularies():
    with pytest.raises(ValueError, match="needs a 't5'"):
        gguf_vocab.to_unigram_json(gguf_vocab.read_fields(assets.path("gguf-llama-spm")))


@pytest.mark.parametrize(("text", "pieces"), [
    # FLORES writes Kannada ೀ decomposed (U+0CBF U+0CD5): the fast tokenizer's Precompiled normaliser leaves it so
    # (as Petrov et al.'s counts show); SentencePiece would compose it to U+0CC0 (scripts/xlmr_fidelity.py)
    ("\u0c85\u0ca4\u0cbf\u0cd5\u0cb5", ["▁ಅತಿ", "ೕ", "ವ"]),
    ("\u0c85\u0ca4\u0cc0\u0cb5", ["▁ಅತೀ", "ವ"]),  # the same word composed
    ("Hello world", ["▁Hello", "▁world"]),
])
def test_xlm_roberta_runs_the_fast_tokenizers_normaliser(load, text, pieces):
    tok = load("xlm-roberta")
    assert [tok.token_bytes(i).decode().replace(" ", "▁") for i in tok.encode(text)] == pieces
