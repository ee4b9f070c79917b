"""Hugging Face ``tokenizers`` behind the adapter: any ``tokenizer.json`` (byte-level BPE, BPE, WordPiece, Unigram).

The most general backend: the file itself holds the normaliser, pre-tokenizer, model, added tokens
and decoder, so unlike :mod:`~workbench.zoo.ranks` nothing about how it splits text is written
here; only ``token_bytes`` and ``token_type`` are derived from the file (GPT-2's
byte alphabet mapped back to bytes, ``<0xAB>`` byte-fallback pieces, WordPiece's ``##``). It also
runs the byte-level BPE and Unigram (XLM-R) files :mod:`workbench.zoo.gguf_vocab` converts and ``hf:<repo>`` hub
tokenizers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from workbench.zoo.adapter import BYTE_PIECE, CONTROL, MARKUP, UNUSED, AsGiven, TokenType, spaces_from_meta


class HFBackend(AsGiven):
    """Hugging Face ``tokenizers`` (byte-level BPE, SentencePiece-style BPE, WordPiece, Unigram)."""

    def __init__(self, tokenizer, *, byte_level: bool | None = None) -> None:
        self.tok = tokenizer
        tokenizer.no_padding()  # some shipped tokenizer.json files pad/truncate to 128: never for counting
        tokenizer.no_truncation()
        self.vocab_size = tokenizer.get_vocab_size(with_added_tokens=True)
        spec = json.loads(tokenizer.to_str())
        self.byte_level = byte_level if byte_level is not None else "ByteLevel" in json.dumps(spec.get("decoder"))
        self.wordpiece = spec["model"]["type"] == "WordPiece"
        self.added = {t["id"]: t for t in spec.get("added_tokens", [])}
        self.byte_fallback = bool(spec["model"].get("byte_fallback"))
        self._id_to_token = {v: k for k, v in tokenizer.get_vocab(with_added_tokens=True).items()}
        unknown = spec["model"].get("unk_token")  # WordPiece, BPE, WordLevel name it; Unigram gives its id
        self.unknown_id = tokenizer.token_to_id(unknown) if unknown else spec["model"].get("unk_id")
        # SentencePiece-style files write spaces as "▁" (and may prepend one): read back as the decoder does
        self.meta_space = not (self.byte_level or self.wordpiece)
        self.prepends = ('"Prepend"' in json.dumps(spec.get("normalizer"))  # a "▁" before the text (or each word)
                         or '"prepend_scheme": "always"' in json.dumps(spec.get("pre_tokenizer")))
        self.splits_words = '"WhitespaceSplit"' in json.dumps(spec.get("pre_tokenizer"))  # XLM-R: runs of spaces go

    def encode(self, text: str, add_special_tokens: bool) -> list[int]:
        return self.tok.encode(text, add_special_tokens=add_special_tokens).ids

    def encode_batch(self, texts: Sequence[str], add_special_tokens: bool) -> list[list[int]]:
        # the fast variant skips offset tracking: same ids, less work (counting is the hot path)
        return [e.ids for e in self.tok.encode_batch_fast(list(texts), add_special_tokens=add_special_tokens)]

    def decode(self, ids: Sequence[int]) -> str:
        if self.wordpiece:
            return self.tok.decode(list(ids), skip_special_tokens=False)
        text = b"".join(self.token_bytes(i) for i in ids).decode("utf-8", errors="replace")
        return text.removeprefix(" ") if self.prepends else text  # the prepended "▁" is not text (as HF decodes)

    def token_bytes(self, token_id: int) -> bytes:
        token = self._id_to_token.get(token_id, "")
        if token_id in self.added and (self.added[token_id].get("special") or self.byte_level):
            return token.encode("utf-8")
        if self.byte_level:  # a character outside the byte alphabet stands for its own UTF-8 (as HF decodes it)
            table = _byte_decoder()
            return b"".join(bytes([table[c]]) if c in table else c.encode("utf-8") for c in token)
        byte = BYTE_PIECE.match(token)
        if byte and self.byte_fallback:
            return bytes([int(byte.group(1), 16)])
        if self.wordpiece:
            return token.removeprefix("##").encode("utf-8")
        return token.replace("▁", " ").encode("utf-8")

    def token_type(self, token_id: int) -> TokenType:
        token = self._id_to_token.get(token_id, "")
        if UNUSED.match(token):
            return "unused"
        if token_id in self.added and self.added[token_id].get("special"):
            return "control" if token in CONTROL else "special"
        if token_id in self.added:  # added but not special: markup is special, text (Gemma's space runs) normal
            return "special" if MARKUP.match(token) else "normal"
        if self.byte_fallback and BYTE_PIECE.match(token):
            return "byte"
        return "normal"

    def normalized(self, text: str) -> str:
        """The file's normalizer (``normalize_str``; BERT uncased: lower-case, strip accents, space CJK
        characters), or the text where it has none; white space collapsed where the pre-tokenizer splits on it
        (XLM-R's ``WhitespaceSplit``); in SentencePiece-style files a prepended ``▁`` is dropped and each other
        ``▁`` read back as the space it stands for."""
        out = text if self.tok.normalizer is None else self.tok.normalizer.normalize_str(text)
        if self.splits_words:  # the pre-tokenizer drops white space: one space between words, none around
            out = " ".join(out.split())
        if not self.meta_space:
            return out
        return spaces_from_meta(out, self.prepends)

    def offsets(self, text: str) -> list[tuple[int, int, int]]:
        enc = self.tok.encode(text, add_special_tokens=False)
        return [(i, s, e) for i, (s, e) in zip(enc.ids, enc.offsets, strict=True)]

    def spans_batch(self, texts: Sequence[str]) -> list[tuple[list[int], list[tuple[int, int]]]]:
        """(ids, character spans) of each text from one ``encode_batch`` (the library's offsets, on every core)."""
        return [(e.ids, e.offsets) for e in self.tok.encode_batch(list(texts), add_special_tokens=False)]


def from_file(path: Path | str, *, byte_level: bool | None = None) -> HFBackend:
    """An :class:`HFBackend` over a ``tokenizer.json`` file (``byte_level``: None reads it from the decoder)."""
    from tokenizers import Tokenizer as HFTokenizer

    return HFBackend(HFTokenizer.from_file(str(path)), byte_level=byte_level)


@cache
def _byte_decoder() -> dict[str, int]:
    """GPT-2's byte-level alphabet: printable stand-in character -> byte."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs, strict=True)}
