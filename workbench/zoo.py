"""The tokenizer zoo: one registry of real tokenizers and one adapter in front of all of them.

Every tokenizer, whatever library runs it (tiktoken, Hugging Face ``tokenizers``, SentencePiece,
the Turkish hybrid, or a byte/character baseline), is reached through :class:`Tokenizer`:

>>> tok = load_tokenizer("cl100k_base")      # doctest: +SKIP
>>> tok.encode("Hello world")                 # doctest: +SKIP
[9906, 1917]
>>> tok.token_bytes(1917)                     # doctest: +SKIP
b' world'

No special tokens are added unless asked (``add_special_tokens=True``), and special-token strings
in the input are encoded as plain text. ``token_bytes(id)`` is the exact byte string a token stands
for: byte-level BPE symbols are mapped back to bytes, SentencePiece ``▁`` is a space and ``<0xAB>``
byte-fallback pieces are the byte 0xAB. Token types follow SentencePiece's taxonomy (see
:data:`TokenType`). Vocabularies come from the verified registry assets of :mod:`workbench.assets`;
llama.cpp GGUF vocabularies are converted once by :mod:`workbench.gguf_vocab` and cached.
"""

from __future__ import annotations

import base64
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

from workbench import assets, gguf_vocab
from workbench.config import cache_dir
from workbench.errors import InvalidTextError, OfflineError, unknown_name

TokenType = Literal["normal", "special", "control", "byte", "unused"]
"""``control``: structural tokens (bos/eos/pad/unk/cls/sep/mask); ``special``: other added tokens
(chat and tool markup, FIM); ``byte``: byte-fallback pieces ``<0xAB>``; ``unused``: reserved
placeholders (``<unusedN>``, ``[unusedN]``, ``<|reserved_special_token_N|>``, ``<SPECIAL_N>``...)."""

CONVERTER_VERSION = "2"  # bump whenever a tokenizer's output changes: it keys every derived cache
_UNUSED = re.compile(r"^(<unused\d+>|\[unused\d+\]|<\|reserved_special_token_\d+\|>|<SPECIAL_\d+>|"
                     r"<\|extra_\d+\|>|<extra_id_\d+>|<\|reserved_\d+\|>|\[PAD\d+\])$")
_CONTROL = {"<s>", "</s>", "<unk>", "<pad>", "<mask>", "<bos>", "<eos>", "[CLS]", "[SEP]", "[PAD]", "[UNK]",
            "[MASK]", "<|endoftext|>", "<|begin_of_text|>", "<|end_of_text|>", "<BOS_TOKEN>", "<EOS_TOKEN>",
            "<PAD>", "<UNK>", "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", "<|eot_id|>"}
_MARKUP = re.compile(r"^(<[^<>]+>|\[[^\[\]]+\]|<\|.*\|>)$")
_BYTE_PIECE = re.compile(r"^<0x([0-9A-Fa-f]{2})>$")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE_START = re.compile(r"\n(?=\S)")
_THREADS = os.cpu_count() or 1


def _in_threads(fn: Callable[[str], list[int]], texts: list[str]) -> list[list[int]]:
    """``[fn(t) for t in texts]`` with one contiguous run of ``texts`` per core, on threads.

    For native encoders that release the GIL while they work. The runs hold about equal numbers of
    characters (whole-language texts differ in length by up to 4x); the order of the results is kept.
    """
    if _THREADS < 2 or len(texts) < 2:
        return [fn(t) for t in texts]
    from concurrent.futures import ThreadPoolExecutor

    cuts = _balanced_cuts([len(t) for t in texts], _THREADS)
    with ThreadPoolExecutor(_THREADS) as pool:
        runs = pool.map(lambda k: [fn(t) for t in texts[cuts[k]:cuts[k + 1]]], range(_THREADS))
        return [ids for run in runs for ids in run]


def _balanced_cuts(sizes: Sequence[int], parts: int) -> list[int]:
    """Boundaries of ``parts`` contiguous runs of ``sizes`` with totals as even as whole items allow.

    >>> _balanced_cuts([1, 1, 1, 1], 2), _balanced_cuts([100, 1, 1], 2), _balanced_cuts([1, 1, 100], 2)
    ([0, 2, 4], [0, 1, 3], [0, 2, 3])
    """
    ends = np.cumsum(sizes)
    cuts = [0]
    for target in ends[-1] * np.arange(1, parts) / parts:
        i = int(np.searchsorted(ends, target))  # first run end at or past the target
        before = ends[i - 1] if i else 0
        cuts.append(max(cuts[-1], i + 1 if ends[i] - target < target - before else i))
    return [*cuts, len(sizes)]


@dataclass(frozen=True)
class Piece:
    """One token of an encoded text: its id, the text it covers, and character offsets into the input."""

    id: int
    text: str
    start: int
    end: int


class Backend(Protocol):
    """What a tokenizer library must provide to sit behind :class:`Tokenizer`."""

    vocab_size: int

    def encode(self, text: str, add_special_tokens: bool) -> list[int]: ...
    def encode_batch(self, texts: Sequence[str], add_special_tokens: bool) -> list[list[int]]: ...
    def decode(self, ids: Sequence[int]) -> str: ...
    def token_bytes(self, token_id: int) -> bytes: ...
    def token_type(self, token_id: int) -> TokenType: ...
    def offsets(self, text: str) -> list[tuple[int, int, int]]: ...
    def normalized(self, text: str) -> str: ...


class _AsGiven:
    """Backends that tokenize the text as given (offsets refer to it directly)."""

    def normalized(self, text: str) -> str:
        return text


@dataclass(frozen=True)
class TokenizerSpec:
    """A registry entry: the name users type, where the vocabulary comes from, and how to build it."""

    name: str
    family: str
    description: str
    assets: tuple[str, ...]
    build: Callable[[TokenizerSpec], Backend] = field(repr=False, compare=False)
    licence: str = ""
    default: bool = True

    @property
    def source(self) -> str:
        """Where the vocabulary comes from (registry package) in words."""
        if not self.assets:
            return "built in"
        return "; ".join(s for s in dict.fromkeys(
            f"{assets.REGISTRY_NAMES[src.registry]} {src.spec}" for a in self.assets for src in assets.get(a).sources))


class Tokenizer:
    """The adapter every analysis uses; see the module docstring for the contract."""

    def __init__(self, spec: TokenizerSpec, backend: Backend) -> None:
        self.spec = spec
        self.name = spec.name
        self._backend = backend

    def __repr__(self) -> str:
        return f"Tokenizer({self.name!r}, vocab_size={self.vocab_size})"

    @property
    def vocab_size(self) -> int:
        """Number of ids, special tokens included."""
        return self._backend.vocab_size

    def encode(self, text: str, *, add_special_tokens: bool = False) -> list[int]:
        """Token ids of ``text`` (no bos/eos unless ``add_special_tokens``); lone surrogates are refused."""
        return self._backend.encode(check_text(text), add_special_tokens)

    def encode_batch(self, texts: Sequence[str], *, add_special_tokens: bool = False) -> list[list[int]]:
        """Token ids of many texts at once (threaded where the library allows)."""
        return self._backend.encode_batch([check_text(t) for t in texts], add_special_tokens)

    def decode(self, ids: Sequence[int]) -> str:
        """Text of a sequence of ids (invalid UTF-8 becomes U+FFFD)."""
        return self._backend.decode(list(ids))

    def token_bytes(self, token_id: int) -> bytes:
        """The exact bytes token ``token_id`` stands for (byte-fallback aware)."""
        self._check_id(token_id)
        return self._backend.token_bytes(token_id)

    def token_type(self, token_id: int) -> TokenType:
        """The :data:`TokenType` of ``token_id``."""
        self._check_id(token_id)
        return self._backend.token_type(token_id)

    @cached_property
    def token_types(self) -> tuple[TokenType, ...]:
        """The type of every id, in id order."""
        return tuple(self._backend.token_type(i) for i in range(self.vocab_size))

    def pieces(self, text: str) -> list[Piece]:
        """The tokens of ``text`` with the character span each covers (byte-fallback runs share a span).

        Offsets index the text as the tokenizer saw it: ``text`` itself, except for tokenizers that
        normalise first (``qwen1`` applies NFC), where they index the normalised text.
        """
        seen = self._backend.normalized(check_text(text))
        return [Piece(i, seen[s:e], s, e) for i, s, e in self._backend.offsets(text)]

    def count(self, text: str) -> int:
        """Number of tokens of ``text`` (no special tokens)."""
        return len(self.encode(text))

    def count_file(self, path: str | Path, *, chunk_chars: int = 1 << 20,
                   errors: Literal["strict", "replace"] = "strict") -> int:
        """Tokens of a UTF-8 text file of any size, equal to ``count(whole text)``, in bounded memory.

        The file is read ``chunk_chars`` characters at a time and cut at line starts where the
        tokenization is local (:meth:`_cut_is_local`); every chunk after the first is encoded
        with the newline before it, whose tokens are then subtracted (so no tokenizer's
        beginning-of-text behaviour, like SentencePiece's dummy ``▁``, leaks into the count).
        """
        newline, total, carry, first = len(self.encode("\n")), 0, "", True
        for block in _read_chunks(Path(path), chunk_chars, errors):
            carry += block
            cut = self._stream_cut(carry)
            if cut:
                total += self.count(carry[:cut]) - (0 if first else newline)
                carry, first = carry[cut - 1:], False
        return total + (self.count(carry) - (0 if first else newline) if carry else 0)

    def _stream_cut(self, text: str, width: int = 256) -> int:
        """The last line start of ``text`` (with ``width`` characters after it) where a cut is local; 0 if none."""
        starts = [m.end() for m in _LINE_START.finditer(text, max(0, len(text) // 2)) if m.end() + width < len(text)]
        return next((c for c in reversed(starts[-8:]) if self._cut_is_local(text, c, width)), 0)

    def _cut_is_local(self, text: str, cut: int, width: int) -> bool:
        """True when the text around ``cut`` encodes to the same ids whole as in two parts."""
        left, right = text[max(0, cut - width):cut], text[cut:cut + width]
        head, joined = self.encode("\n"), self.encode("\n" + right)
        return joined[:len(head)] == head and self.encode(left) + joined[len(head):] == self.encode(left + right)

    def _check_id(self, token_id: int) -> None:
        if not 0 <= token_id < self.vocab_size:
            raise IndexError(f"token id {token_id} is outside {self.name}'s vocabulary (0..{self.vocab_size - 1})")


def check_text(text: str) -> str:
    """``text`` itself, or :class:`InvalidTextError` if it holds a lone surrogate (not valid Unicode).

    Tokenizers disagree on such text (tiktoken silently replaces it with U+FFFD, Hugging Face and
    SentencePiece raise library errors), so the zoo refuses it, the same way for every tokenizer.
    """
    bad = None if text.isascii() else _SURROGATE.search(text)
    if bad:
        raise InvalidTextError(
            f"Text holds a lone surrogate U+{ord(bad.group()):04X} at character {bad.start()}: it is not valid "
            "Unicode and has no UTF-8 bytes. It usually comes from bytes decoded with errors='surrogateescape'. "
            "Clean it first, e.g. text.encode('utf-8', 'replace').decode('utf-8'), or read files with "
            "errors='replace'.")
    return text


def _read_chunks(path: Path, chunk_chars: int, errors: Literal["strict", "replace"]) -> Iterator[str]:
    """Blocks of ``chunk_chars`` characters of a UTF-8 file; undecodable bytes raise a clear error."""
    done = 0
    with path.open(encoding="utf-8", errors=errors, newline="") as fh:
        try:
            for block in iter(lambda: fh.read(chunk_chars), ""):
                done += len(block)
                yield block
        except UnicodeDecodeError as exc:
            raise InvalidTextError(
                f"{path} is not valid UTF-8 ({exc.reason}, byte {exc.object[exc.start:exc.start + 1]!r}, after "
                f"about {done:,} characters). Re-encode it as UTF-8, or pass errors='replace' to count U+FFFD "
                "in place of each bad byte.") from None


# --------------------------------------------------------------------------- backends


def _char_offsets(text: str, byte_spans: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Convert (id, byte start, byte end) spans of ``text``'s UTF-8 into character spans.

    A span that starts or ends inside a multi-byte character is widened to the whole character.
    """
    if not byte_spans:
        return []
    data = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    # character index of every byte (a character starts at each non-continuation byte), plus the end
    char_of_byte = np.append(np.cumsum((data & 0xC0) != 0x80) - 1, len(text))
    spans = np.asarray(byte_spans, dtype=np.int64).reshape(-1, 3)
    starts = char_of_byte[np.minimum(spans[:, 1], len(data))]
    last = char_of_byte[np.clip(spans[:, 2] - 1, 0, len(data))] + 1
    ends = np.where(spans[:, 2] > spans[:, 1], np.minimum(last, len(text)), starts)
    return list(zip(spans[:, 0].tolist(), starts.tolist(), ends.tolist(), strict=True))


class TiktokenBackend:
    """tiktoken ``Encoding`` (GPT-2, p50k, cl100k, o200k, Qwen-1), optionally with shifted ids (Tekken)."""

    def __init__(self, encoding, *, id_offset: int = 0, reserved: Sequence[str] = (), nfc: bool = False) -> None:
        self.enc = encoding
        self.nfc = nfc  # Qwen's tokenizer NFC-normalises its input first; offsets then refer to the NFC text
        self.offset = id_offset
        self.reserved = list(reserved)  # ids below ``id_offset`` (Tekken's 1000 special slots)
        self.vocab_size = encoding.n_vocab + id_offset

    def normalized(self, text: str) -> str:
        return unicodedata.normalize("NFC", text) if self.nfc else text

    def encode(self, text: str, add_special_tokens: bool) -> list[int]:
        return [i + self.offset for i in self.enc.encode_ordinary(self.normalized(text))]

    def encode_batch(self, texts: Sequence[str], add_special_tokens: bool) -> list[list[int]]:
        # Not tiktoken's encode_ordinary_batch: it submits one thread-pool task per text, which for
        # sentence-length texts costs more than the encoding (half the speed of a plain loop, measured in
        # BENCHMARKS.md). One contiguous chunk per core; encode_ordinary releases the GIL.
        batches = _in_threads(self.enc.encode_ordinary, [self.normalized(t) for t in texts])
        return [[i + self.offset for i in ids] for ids in batches] if self.offset else batches

    def decode(self, ids: Sequence[int]) -> str:
        return b"".join(self.token_bytes(i) for i in ids).decode("utf-8", errors="replace")

    def token_bytes(self, token_id: int) -> bytes:
        if token_id < self.offset:
            return self.reserved[token_id].encode("utf-8")
        try:
            return self.enc.decode_single_token_bytes(token_id - self.offset)
        except KeyError:  # a hole in the rank table (GPT-2 style vocabularies have none; Qwen-1 may)
            return b""

    def token_type(self, token_id: int) -> TokenType:
        if token_id < self.offset:
            text = self.reserved[token_id]
            return "control" if text in {"<unk>", "<s>", "</s>", "<pad>"} else (
                "unused" if _UNUSED.match(text) else "special")
        special = self.enc._special_tokens  # name -> id
        names = {v: k for k, v in special.items()}
        name = names.get(token_id - self.offset)
        if name is None:
            return "normal"
        return "control" if name in _CONTROL else ("unused" if _UNUSED.match(name) else "special")

    def offsets(self, text: str) -> list[tuple[int, int, int]]:
        text = self.normalized(text)
        ids = self.enc.encode_ordinary(text)
        ends = np.cumsum([len(self.enc.decode_single_token_bytes(i)) for i in ids], dtype=np.int64)
        starts = np.concatenate([[0], ends[:-1]]) if len(ids) else ends
        spans = [(i + self.offset, int(s), int(e)) for i, s, e in zip(ids, starts, ends, strict=True)]
        return _char_offsets(text, spans)


class HFBackend(_AsGiven):
    """Hugging Face ``tokenizers`` (byte-level BPE, SentencePiece-style BPE, WordPiece)."""

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

    def encode(self, text: str, add_special_tokens: bool) -> list[int]:
        return self.tok.encode(text, add_special_tokens=add_special_tokens).ids

    def encode_batch(self, texts: Sequence[str], add_special_tokens: bool) -> list[list[int]]:
        # the fast variant skips offset tracking: same ids, less work (counting is the hot path)
        return [e.ids for e in self.tok.encode_batch_fast(list(texts), add_special_tokens=add_special_tokens)]

    def decode(self, ids: Sequence[int]) -> str:
        if self.wordpiece:
            return self.tok.decode(list(ids), skip_special_tokens=False)
        return b"".join(self.token_bytes(i) for i in ids).decode("utf-8", errors="replace")

    def token_bytes(self, token_id: int) -> bytes:
        token = self._id_to_token.get(token_id, "")
        if token_id in self.added and (self.added[token_id].get("special") or self.byte_level):
            return token.encode("utf-8")
        if self.byte_level:  # a character outside the byte alphabet stands for its own UTF-8 (as HF decodes it)
            table = _byte_decoder()
            return b"".join(bytes([table[c]]) if c in table else c.encode("utf-8") for c in token)
        byte = _BYTE_PIECE.match(token)
        if byte and self.byte_fallback:
            return bytes([int(byte.group(1), 16)])
        if self.wordpiece:
            return token.removeprefix("##").encode("utf-8")
        return token.replace("▁", " ").encode("utf-8")

    def token_type(self, token_id: int) -> TokenType:
        token = self._id_to_token.get(token_id, "")
        if _UNUSED.match(token):
            return "unused"
        if token_id in self.added and self.added[token_id].get("special"):
            return "control" if token in _CONTROL else "special"
        if token_id in self.added:  # added but not special: markup is special, text (Gemma's space runs) normal
            return "special" if _MARKUP.match(token) else "normal"
        if self.byte_fallback and _BYTE_PIECE.match(token):
            return "byte"
        return "normal"

    def offsets(self, text: str) -> list[tuple[int, int, int]]:
        enc = self.tok.encode(text, add_special_tokens=False)
        return [(i, s, e) for i, (s, e) in zip(enc.ids, enc.offsets, strict=True)]


class SentencePieceBackend(_AsGiven):
    """SentencePiece (Llama 2, Mistral v1, Phi-3 with byte fallback; XLM-R unigram)."""

    def __init__(self, processor) -> None:
        self.sp = processor
        self.vocab_size = processor.get_piece_size()

    def encode(self, text: str, add_special_tokens: bool) -> list[int]:
        return self.sp.encode(text, add_bos=add_special_tokens)

    def encode_batch(self, texts: Sequence[str], add_special_tokens: bool) -> list[list[int]]:
        return self.sp.encode(list(texts), add_bos=add_special_tokens, num_threads=2)

    def decode(self, ids: Sequence[int]) -> str:
        return self.sp.decode(list(ids))

    def token_bytes(self, token_id: int) -> bytes:
        piece = self.sp.id_to_piece(token_id)
        if self.sp.is_byte(token_id):
            return bytes([int(piece[3:5], 16)])
        return piece.replace("▁", " ").encode("utf-8")

    def token_type(self, token_id: int) -> TokenType:
        sp = self.sp
        if sp.is_byte(token_id):
            return "byte"
        if sp.is_unused(token_id) or _UNUSED.match(sp.id_to_piece(token_id)):
            return "unused"
        if sp.is_control(token_id) or sp.is_unknown(token_id):
            return "control"
        return "normal"

    def offsets(self, text: str) -> list[tuple[int, int, int]]:
        proto = self.sp.encode(text, return_type="proto")
        return _char_offsets(text, [(p.id, p.begin, p.end) for p in proto.pieces])


class BaselineBackend(_AsGiven):
    """The two baselines: one token per UTF-8 byte, or one token per Unicode code point."""

    def __init__(self, unit: Literal["bytes", "chars"]) -> None:
        self.unit = unit
        self.vocab_size = 256 if unit == "bytes" else 0x110000

    def encode(self, text: str, add_special_tokens: bool) -> list[int]:
        if self.unit == "bytes":
            return list(text.encode("utf-8", errors="surrogatepass"))
        # code points through a UTF-32 buffer: twice as fast as ord() per character on whole-language texts
        return np.frombuffer(text.encode("utf-32-le", errors="surrogatepass"), dtype=np.uint32).tolist()

    def encode_batch(self, texts: Sequence[str], add_special_tokens: bool) -> list[list[int]]:
        return [self.encode(t, add_special_tokens) for t in texts]

    def decode(self, ids: Sequence[int]) -> str:
        if self.unit == "bytes":
            return bytes(ids).decode("utf-8", errors="replace")
        return "".join(chr(i) for i in ids)

    def token_bytes(self, token_id: int) -> bytes:
        return bytes([token_id]) if self.unit == "bytes" else chr(token_id).encode("utf-8", errors="surrogatepass")

    def token_type(self, token_id: int) -> TokenType:
        return "byte" if self.unit == "bytes" else "normal"

    def offsets(self, text: str) -> list[tuple[int, int, int]]:
        if self.unit == "chars":
            return [(ord(c), i, i + 1) for i, c in enumerate(text)]
        data = text.encode("utf-8", errors="surrogatepass")
        return _char_offsets(text, [(b, i, i + 1) for i, b in enumerate(data)])


class TurkishHybridBackend(_AsGiven):
    """The roots + suffixes + BPE tokenizer of the %TR/%Pure authors (``turkish-tokenizer``).

    It lower-cases and marks capitals with an ``<uppercase>`` token, so ``decode`` is lossy for
    case; several surface strings can share one id (the first listed is used for ``token_bytes``).
    """

    def __init__(self) -> None:
        from turkish_tokenizer import TurkishTokenizer

        self.tt = TurkishTokenizer()
        self.vocab_size = max(self.tt.reverse_dict) + 1
        self.markers = {self.tt.uppercase_marker["id"], self.tt.unknown_marker["id"]}

    def encode(self, text: str, add_special_tokens: bool) -> list[int]:
        return self.tt.encode(text)

    def encode_batch(self, texts: Sequence[str], add_special_tokens: bool) -> list[list[int]]:
        return [self.tt.encode(t) for t in texts]

    def decode(self, ids: Sequence[int]) -> str:
        return self.tt.decoder.decode(list(ids))

    def token_bytes(self, token_id: int) -> bytes:
        forms = self.tt.reverse_dict.get(token_id, [""])
        return b"" if token_id in self.markers else forms[0].encode("utf-8")

    def token_type(self, token_id: int) -> TokenType:
        forms = self.tt.reverse_dict.get(token_id, [""])
        return "control" if forms[0] in {"<pad>", "<eos>", "<unknown>", "<uppercase>"} else "normal"

    def offsets(self, text: str) -> list[tuple[int, int, int]]:
        """Align tokens to ``text``: ``<uppercase>`` covers nothing, ``<unknown>`` one character."""
        tokens, _ = self.tt.tokenize_text(text)
        folded = text.replace("İ", "i").replace("I", "ı").lower()
        out, pos = [], 0
        for t in tokens:
            if t["id"] == self.tt.uppercase_marker["id"]:
                width = 0
            elif t["id"] != self.tt.unknown_marker["id"] and folded.startswith(t["token"], pos):
                width = len(t["token"])
            else:  # an unknown character, or a form the tokenizer normalised differently
                width = 1
            out.append((t["id"], min(pos, len(text)), min(pos + width, len(text))))
            pos += width
        return out


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


# --------------------------------------------------------------------------- builders


def _derived(spec: TokenizerSpec, suffix: str, make: Callable[[], bytes | str]) -> Path:
    """A file converted from the spec's first asset, cached by that asset's sha256 and our converter version."""
    source = assets.get(spec.assets[0])
    target = cache_dir("tokenizers") / f"{spec.name}-{source.sha256[:16]}-v{CONVERTER_VERSION}{suffix}"
    if not target.exists():
        data = make()
        assets._write_atomic(target, data.encode("utf-8") if isinstance(data, str) else data)
    return target


def _tiktoken_openai(constructor: str) -> Callable[[TokenizerSpec], Backend]:
    """tiktoken's own constructor for an OpenAI encoding, its loader pointed at our verified file."""

    def build(spec: TokenizerSpec) -> Backend:
        import tiktoken
        import tiktoken_ext.openai_public as public
        from tiktoken.load import load_tiktoken_bpe

        ranks_file = _p50k_ranks_file(spec) if constructor == "p50k_base" else assets.path(spec.assets[0])
        original = public.load_tiktoken_bpe
        public.load_tiktoken_bpe = lambda *a, **k: load_tiktoken_bpe(str(ranks_file))
        try:
            params = getattr(public, constructor)()
        finally:
            public.load_tiktoken_bpe = original
        return TiktokenBackend(tiktoken.Encoding(**params))

    return build


def _p50k_ranks_file(spec: TokenizerSpec) -> Path:
    """js-tiktoken's compressed p50k ranks rewritten as a ``.tiktoken`` file (its sha256 is tiktoken's own)."""

    def convert() -> str:
        source = assets.path(spec.assets[0]).read_text(encoding="utf-8")
        payload = json.loads(source[source.index("{"):source.rindex("}") + 1])
        return "".join(f"{tok} {rank}\n" for tok, rank in sorted(parse_js_tiktoken_ranks(payload["bpe_ranks"]).items(),
                                                                   key=lambda kv: kv[1]))

    return _derived(spec, ".tiktoken", convert)


def parse_js_tiktoken_ranks(compressed: str) -> dict[str, int]:
    """Decode js-tiktoken's rank string: lines of ``! <start rank> <base64 token> <base64 token>...``.

    Each line gives a start rank followed by tokens with consecutive ranks (base64, as in tiktoken).
    """
    ranks: dict[str, int] = {}
    for line in compressed.split("\n"):
        if not line:
            continue
        _, start, *tokens = line.split(" ")
        for offset, token in enumerate(tokens):
            ranks[token] = int(start) + offset
    return ranks


def _qwen1(spec: TokenizerSpec) -> Backend:
    """Qwen (1): tiktoken ranks plus 208 special tokens from id 151,643, on NFC text (``tokenization_qwen.py``)."""
    import tiktoken
    from tiktoken.load import load_tiktoken_bpe

    ranks = load_tiktoken_bpe(str(assets.path(spec.assets[0])))
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] + [f"<|extra_{i}|>" for i in range(205)]
    pattern = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
               r"|\s*[\r\n]+|\s+(?!\S)|\s+")
    enc = tiktoken.Encoding("qwen1", pat_str=pattern, mergeable_ranks=ranks,
                            special_tokens={s: len(ranks) + i for i, s in enumerate(specials)})
    return TiktokenBackend(enc, nfc=True)


def _tekken(spec: TokenizerSpec) -> Backend:
    """Mistral Tekken: tiktoken-style ranks shifted up by the reserved special-token slots."""
    import tiktoken

    data = json.loads(assets.path(spec.assets[0]).read_text(encoding="utf-8"))
    config = data["config"]
    n_special = config["default_num_special_tokens"]
    n_ranks = config["default_vocab_size"] - n_special
    ranks = {base64.b64decode(t["token_bytes"]): t["rank"] for t in data["vocab"][:n_ranks]}
    enc = tiktoken.Encoding("tekken", pat_str=config["pattern"], mergeable_ranks=ranks, special_tokens={})
    named = {t["rank"]: t["token_str"] for t in data.get("special_tokens", [])}
    reserved = [named.get(i, f"<SPECIAL_{i}>") for i in range(n_special)]
    return TiktokenBackend(enc, id_offset=n_special, reserved=reserved)


def _hf_json(spec: TokenizerSpec) -> Backend:
    from tokenizers import Tokenizer as HFTokenizer

    return HFBackend(HFTokenizer.from_file(str(assets.path(spec.assets[0]))))


def _gguf_bpe(spec: TokenizerSpec) -> Backend:
    from tokenizers import Tokenizer as HFTokenizer

    fields = lambda: gguf_vocab.read_fields(assets.path(spec.assets[0]))  # noqa: E731
    path = _derived(spec, ".json", lambda: gguf_vocab.to_bpe_json(fields()))
    return HFBackend(HFTokenizer.from_file(str(path)), byte_level=True)


def _gguf_sentencepiece(spec: TokenizerSpec) -> Backend:
    import sentencepiece

    fields = lambda: gguf_vocab.read_fields(assets.path(spec.assets[0]))  # noqa: E731
    path = _derived(spec, ".model", lambda: gguf_vocab.to_sentencepiece(fields()))
    return SentencePieceBackend(sentencepiece.SentencePieceProcessor(model_file=str(path)))


def _sentencepiece(spec: TokenizerSpec) -> Backend:
    import sentencepiece

    return SentencePieceBackend(sentencepiece.SentencePieceProcessor(model_file=str(assets.path(spec.assets[0]))))


def _hub(repo: str) -> Backend:
    """A Hugging Face tokenizer from the hub (cached by ``huggingface_hub``); needs a reachable hub."""
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError
    from tokenizers import Tokenizer as HFTokenizer

    try:
        path = hf_hub_download(repo, "tokenizer.json", cache_dir=cache_dir("hub"))
    except (OSError, EntryNotFoundError) as exc:  # offline, no such repo, or no tokenizer.json in it
        raise OfflineError(
            f"Could not load 'hf:{repo}' from the Hugging Face hub ({type(exc).__name__}: {exc}). "
            "This needs a machine that reaches the hub (Colab, Binder) or a filled hub cache; "
            "offline, use a zoo name (workbench tokenizers)."
        ) from exc
    return HFBackend(HFTokenizer.from_file(path))


# --------------------------------------------------------------------------- registry

_SPECS = [
    TokenizerSpec("utf8-bytes", "baseline", "one token per UTF-8 byte", (), lambda s: BaselineBackend("bytes"), "n/a"),
    TokenizerSpec("unicode-chars", "baseline", "one token per Unicode code point", (),
                  lambda s: BaselineBackend("chars"), "n/a"),
    TokenizerSpec("gpt2", "OpenAI", "GPT-2 / r50k_base byte-level BPE (50,257)", ("tiktoken-gpt2",),
                  _tiktoken_openai("r50k_base")),
    TokenizerSpec("p50k_base", "OpenAI", "Codex / text-davinci-002 byte-level BPE (50,281)", ("js-tiktoken-p50k",),
                  _tiktoken_openai("p50k_base")),
    TokenizerSpec("cl100k_base", "OpenAI", "GPT-3.5 / GPT-4 byte-level BPE (100,277)", ("tiktoken-cl100k",),
                  _tiktoken_openai("cl100k_base")),
    TokenizerSpec("o200k_base", "OpenAI", "GPT-4o byte-level BPE (200,019)", ("tiktoken-o200k",),
                  _tiktoken_openai("o200k_base")),
    TokenizerSpec("llama2", "Meta", "Llama 1/2 SentencePiece BPE with byte fallback (32,000)", ("gguf-llama-spm",),
                  _gguf_sentencepiece),
    TokenizerSpec("llama3", "Meta", "Llama 3 byte-level BPE (128,256)", ("gguf-llama-bpe",), _gguf_bpe),
    TokenizerSpec("mistral-v1", "Mistral", "Mistral 7B v0.1 SentencePiece BPE (32,000)", ("spm-mistral-v1",),
                  _sentencepiece),
    TokenizerSpec("mistral-tekken", "Mistral", "Tekken (Mistral NeMo, 131,072) tiktoken-style BPE", ("tekken-240911",),
                  _tekken),
    TokenizerSpec("qwen1", "Alibaba", "Qwen (1) tiktoken BPE (151,643 + 208 special)", ("tiktoken-qwen1",), _qwen1),
    TokenizerSpec("qwen2", "Alibaba", "Qwen2 / Qwen2.5 byte-level BPE (151,936)", ("gguf-qwen2",), _gguf_bpe),
    TokenizerSpec("gemma3", "Google", "Gemma 3 SentencePiece-style BPE (262,144)", ("hfjson-gemma3",), _hf_json),
    TokenizerSpec("xlm-roberta", "Meta", "XLM-RoBERTa SentencePiece unigram (250,002)", ("gguf-nomic-bert-moe",),
                  _gguf_sentencepiece),
    TokenizerSpec("bert-base-uncased", "Google", "BERT base uncased WordPiece (30,522)", ("hfjson-bert-base-uncased",),
                  _hf_json),
    TokenizerSpec("deepseek-v3", "DeepSeek", "DeepSeek-V3 byte-level BPE (128,815)", ("hfjson-deepseek-v3",), _hf_json),
    TokenizerSpec("command-r", "Cohere", "Command-R byte-level BPE (256,000)", ("gguf-command-r",), _gguf_bpe),
    TokenizerSpec("phi3", "Microsoft", "Phi-3 SentencePiece BPE (32,064)", ("gguf-phi-3",), _gguf_sentencepiece),
    TokenizerSpec("turkish-hybrid", "Turkish", "roots + suffixes + BPE (Bayram et al.)", (),
                  lambda s: TurkishHybridBackend(), "MIT (turkish-tokenizer==0.2.26)", default=False),
]
REGISTRY: dict[str, TokenizerSpec] = {s.name: s for s in _SPECS}

#: llama.cpp vector sets by zoo name, for the golden tests (asset names of the expected ids).
GOLDEN_VECTORS = {"gpt2": "vectors-gpt-2", "llama2": "vectors-llama-spm", "llama3": "vectors-llama-bpe",
                  "qwen2": "vectors-qwen2", "command-r": "vectors-command-r", "phi3": "vectors-phi-3",
                  "bert-base-uncased": "vectors-bert-bge"}


def list_tokenizers(*, default_only: bool = False) -> list[str]:
    """Names of the zoo tokenizers (``default_only``: the set the notebooks run by default)."""
    return [s.name for s in _SPECS if s.default or not default_only]


def spec(name: str) -> TokenizerSpec:
    """The registry entry of ``name``; an unknown name lists the known ones and the closest match."""
    if name not in REGISTRY:
        raise unknown_name("tokenizer", name, REGISTRY)
    return REGISTRY[name]


@cache
def load_tokenizer(name: str) -> Tokenizer:
    """The zoo tokenizer ``name`` (memoized), or ``hf:<repo>`` from the Hugging Face hub."""
    if name.startswith("hf:"):
        repo = name[3:]
        hub_spec = TokenizerSpec(name, "hub", f"Hugging Face tokenizer {repo}", (), lambda s: _hub(repo),
                                 "see the model card", default=False)
        return Tokenizer(hub_spec, hub_spec.build(hub_spec))
    entry = spec(name)
    return Tokenizer(entry, entry.build(entry))


def describe() -> list[dict[str, object]]:
    """One row per zoo tokenizer: name, family, description, source, licence (vocab size needs loading)."""
    rows = []
    for s in _SPECS:
        licence = s.licence or "; ".join(assets.get(a).licence for a in s.assets)
        rows.append({"name": s.name, "family": s.family, "description": s.description, "source": s.source,
                     "licence": licence, "default": s.default})
    return rows
