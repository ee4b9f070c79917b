"""Turn llama.cpp's vocab-only GGUF files into tokenizers that run without llama.cpp.

llama.cpp ships one ``ggml-vocab-*.gguf`` per tokenizer family it supports, each with reference
test vectors generated from the original Hugging Face tokenizer. The GGUF stores the vocabulary,
merges, scores and token types, plus a ``tokenizer.ggml.pre`` name that selects the pre-tokenizer
regexes hard-coded in ``src/llama-vocab.cpp``. This module rebuilds:

- ``gpt2``-type (byte-level BPE) vocabularies as a Hugging Face ``tokenizers`` JSON;
- ``llama`` (SentencePiece BPE with byte fallback) and ``t5`` (SentencePiece unigram, with its
  precompiled normalisation map) vocabularies as a SentencePiece ``ModelProto``;
- ``t5`` vocabularies also as a ``tokenizers`` Unigram JSON laid out as Hugging Face's fast XLM-R
  tokenizer (:func:`to_unigram_json`). The zoo's ``xlm-roberta`` uses this one: on the same pieces
  and scores the SentencePiece library gives different counts in 52 of the 204 FLORES-200 languages
  of Petrov et al. (2023), who counted with the fast tokenizer (``scripts/xlmr_fidelity.py`` shows
  where and why), while this JSON gives theirs in all 204 (``tests/test_petrov_golden.py``).

Unlike the backend modules of the zoo it runs nothing: it writes the files that
:mod:`workbench.zoo.hf_json` and :mod:`workbench.zoo.spm` then run (:mod:`workbench.zoo.registry`
caches them), and reads llama.cpp's test vectors for the golden tests. The regex table follows
llama.cpp; ``transformers``' own GGUF loader gets 32/47 of the Llama 2 vectors right, these
conversions get all of them (``tests/test_zoo_golden.py``).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any, Literal

import numpy as np

GGUFModel = Literal["gpt2", "llama", "t5", "bert"]

#: GGUF token types (llama.cpp ``llama_token_type``).
GGUF_TYPES = {1: "normal", 2: "unknown", 3: "control", 4: "user_defined", 5: "unused", 6: "byte"}

_GPT2 = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)"
_LLAMA3 = (r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
           r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
_QWEN2 = (r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"
          r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")

#: Pre-tokenizer regexes by ``tokenizer.ggml.pre`` (llama.cpp ``llm_tokenizer_bpe``), applied in order.
PRE_TOKENIZER_REGEXES: dict[str, list[str]] = {
    "gpt-2": [_GPT2],
    "llama-bpe": [_LLAMA3],
    "qwen2": [_QWEN2],
    "command-r": [r"\p{N}", _GPT2],
    "default": [r"[\p{P}\$\+<=>\^~\|]+", _GPT2, r"\p{N}+", r"[0-9][0-9][0-9]"],
}


def read_fields(path: Path) -> dict[str, Any]:
    """The ``tokenizer.ggml.*`` metadata of a GGUF file as plain Python values (keys without prefix)."""
    from gguf import GGUFReader

    reader = GGUFReader(str(path))
    prefix = "tokenizer.ggml."
    return {k[len(prefix):]: f.contents() for k, f in reader.fields.items() if k.startswith(prefix)}


def model_type(fields: dict[str, Any]) -> GGUFModel:
    """The GGUF tokenizer family (``tokenizer.ggml.model``)."""
    kind = fields["model"]
    if kind not in ("gpt2", "llama", "t5", "bert"):
        raise ValueError(f"unsupported GGUF tokenizer model '{kind}' (supported: gpt2, llama, t5, bert)")
    return kind


def to_bpe_json(fields: dict[str, Any]) -> str:
    """A byte-level BPE ``tokenizers`` JSON for a ``gpt2``-type GGUF vocabulary."""
    tokens, types = fields["tokens"], fields["token_type"]
    pre = fields.get("pre") or "default"
    regexes = PRE_TOKENIZER_REGEXES.get(pre)
    if regexes is None:
        raise ValueError(f"no pre-tokenizer regexes for GGUF pre '{pre}'; known: {sorted(PRE_TOKENIZER_REGEXES)}")
    added = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": types[i] == 3}
             for i, t in enumerate(tokens) if types[i] in (3, 4)]
    splits = [{"type": "Split", "pattern": {"Regex": r}, "behavior": "Isolated", "invert": False} for r in regexes]
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}
    spec = {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [*splits, byte_level]},
        "post_processor": None, "decoder": byte_level,
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                  "ignore_merges": pre == "llama-bpe",
                  "vocab": {t: i for i, t in enumerate(tokens)},
                  "merges": [m.split(" ", 1) for m in fields["merges"]]},
    }
    return json.dumps(spec, ensure_ascii=False)


def to_sentencepiece(fields: dict[str, Any]) -> bytes:
    """A serialized SentencePiece ``ModelProto`` for a ``llama`` (BPE) or ``t5`` (unigram) GGUF vocabulary."""
    from sentencepiece import sentencepiece_model_pb2 as pb

    kind = model_type(fields)
    proto = pb.ModelProto()
    seen_unknown = False
    for piece, score, gtype in zip(fields["tokens"], fields["scores"], fields["token_type"], strict=True):
        sp_type = int(gtype) if gtype in GGUF_TYPES else 1
        if sp_type == 2:  # SentencePiece allows exactly one UNKNOWN piece
            sp_type, seen_unknown = (3 if seen_unknown else 2), True
        proto.pieces.add(piece=piece, score=float(score), type=sp_type)
    trainer = proto.trainer_spec
    trainer.model_type = pb.TrainerSpec.BPE if kind == "llama" else pb.TrainerSpec.UNIGRAM
    trainer.vocab_size = len(fields["tokens"])
    trainer.byte_fallback = kind == "llama"
    trainer.unk_id = int(fields.get("unknown_token_id", 0))
    trainer.bos_id = int(fields.get("bos_token_id", -1))
    trainer.eos_id = int(fields.get("eos_token_id", -1))
    trainer.pad_id = int(fields.get("padding_token_id", -1))
    norm = proto.normalizer_spec
    norm.add_dummy_prefix = bool(fields.get("add_space_prefix", True))
    norm.escape_whitespaces = True
    if kind == "t5":
        norm.name = "nmt_nfkc"
        norm.remove_extra_whitespaces = bool(fields.get("remove_extra_whitespaces", True))
        charsmap = fields.get("precompiled_charsmap")
        if charsmap is not None:
            norm.precompiled_charsmap = bytes(np.asarray(charsmap, dtype=np.uint8))
    else:
        norm.name, norm.remove_extra_whitespaces = "identity", False
    return proto.SerializeToString()


def to_unigram_json(fields: dict[str, Any]) -> str:
    """A ``tokenizers`` Unigram JSON for a ``t5``-type GGUF vocabulary, laid out as Hugging Face's fast XLM-R.

    Normaliser: the GGUF's precompiled charsmap (``Precompiled``, which looks whole grapheme clusters up
    first); pre-tokenizer: ``WhitespaceSplit`` then ``Metaspace`` (each word gets its ``▁``), so Viterbi
    runs word by word with 64-bit scores. The SentencePiece ``ModelProto`` of :func:`to_sentencepiece`
    differs on the same pieces in two ways: its normaliser takes the charsmap's longest match, so it composes
    vowel signs FLORES writes decomposed (Kannada U+0CBF U+0CD5 -> U+0CC0, Bengali U+09C7 U+09BE -> U+09CB),
    which ``Precompiled`` leaves as they are (it misses entries shorter than a grapheme), and its Viterbi adds
    32-bit scores along the whole text, so on a long text (a FLORES language in one string) near ties
    (< 1e-3 apart) are broken by rounding. Control and unknown tokens become special added tokens.
    """
    kind = model_type(fields)
    if kind != "t5":
        raise ValueError(f"to_unigram_json needs a 't5' (unigram) GGUF vocabulary, not '{kind}'")
    tokens, types = fields["tokens"], fields["token_type"]
    added = [{"id": i, "content": t, "single_word": False, "lstrip": t == "<mask>", "rstrip": False,
              "normalized": False, "special": True} for i, t in enumerate(tokens) if types[i] in (2, 3)]
    prepend = "always" if fields.get("add_space_prefix", True) else "never"
    metaspace = {"type": "Metaspace", "replacement": "▁", "prepend_scheme": prepend, "split": True}
    split = [{"type": "WhitespaceSplit"}] if fields.get("remove_extra_whitespaces", True) else []
    charsmap = fields.get("precompiled_charsmap")
    normalizer = None if charsmap is None else {
        "type": "Precompiled",
        "precompiled_charsmap": base64.b64encode(bytes(np.asarray(charsmap, dtype=np.uint8))).decode("ascii")}
    spec = {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": normalizer,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [*split, metaspace]},
        "post_processor": None, "decoder": metaspace,
        "model": {"type": "Unigram", "unk_id": int(fields.get("unknown_token_id", 0)), "byte_fallback": False,
                  "vocab": [[t, float(score)] for t, score in zip(tokens, fields["scores"], strict=True)]},
    }
    return json.dumps(spec, ensure_ascii=False)


def read_vectors(inputs: Path, outputs: Path) -> list[tuple[str, list[int]]]:
    """llama.cpp's reference test cases: (text, expected ids) pairs from ``.inp``/``.out`` files."""
    texts = inputs.read_text(encoding="utf-8").split("\n__ggml_vocab_test__\n")
    if texts and texts[-1] == "":
        texts.pop()
    lines = outputs.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(texts) != len(lines):
        raise ValueError(f"{inputs.name} has {len(texts)} cases but {outputs.name} has {len(lines)}")
    return [(t, [int(x) for x in line.split()]) for t, line in zip(texts, lines, strict=True)]
