"""The adapter: one :class:`Tokenizer` in front of every tokenizer library, and what a library must provide.

Every tokenizer, whatever library runs it (tiktoken, Hugging Face ``tokenizers``, SentencePiece,
the Turkish hybrid, or a byte/character baseline), is reached through :class:`Tokenizer`:

>>> from workbench.zoo import load_tokenizer
>>> tok = load_tokenizer("cl100k_base")      # doctest: +SKIP
>>> tok.encode("Hello world")                 # doctest: +SKIP
[9906, 1917]
>>> tok.token_bytes(1917)                     # doctest: +SKIP
b' world'

No special tokens are added unless asked (``add_special_tokens=True``), and special-token strings
in the input are encoded as plain text. ``token_bytes(id)`` is the exact byte string a token stands
for: byte-level BPE symbols are mapped back to bytes, SentencePiece ``▁`` is a space and ``<0xAB>``
byte-fallback pieces are the byte 0xAB. Token types follow SentencePiece's taxonomy (see
:data:`TokenType`). ``normalized(text)`` is the text as the tokenizer's own normaliser makes it (what
its tokens spell: NFKC for XLM-R, lower case for BERT uncased); :mod:`workbench.zoo.round_trip` uses it
to say why a text does not come back from ``decode(encode(text))``.

This module is the contract and knows no library: the :class:`Backend` protocol, the
:class:`Tokenizer` that wraps one (checked text, pieces with character offsets, bounded-memory file
counting) and the helpers every backend shares (the token-type patterns, byte-to-character offsets,
SentencePiece's ``▁`` read back as spaces).
Each library sits behind :class:`Backend` in its own module (``ranks``, ``hf_json``, ``spm``,
``baselines``, ``hybrid``); :mod:`workbench.zoo.registry` names the tokenizers and builds them from
verified assets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np

from workbench.errors import InvalidTextError

if TYPE_CHECKING:
    from workbench.zoo.registry import TokenizerSpec

TokenType = Literal["normal", "special", "control", "byte", "unused"]
"""``control``: structural tokens (bos/eos/pad/unk/cls/sep/mask); ``special``: other added tokens
(chat and tool markup, FIM); ``byte``: byte-fallback pieces ``<0xAB>``; ``unused``: reserved
placeholders (``<unusedN>``, ``[unusedN]``, ``<|reserved_special_token_N|>``, ``<SPECIAL_N>``...)."""

# The token-type patterns every backend shares: reserved placeholders, structural (control) tokens,
# markup-like added tokens, and SentencePiece-style byte-fallback pieces.
UNUSED = re.compile(r"^(<unused\d+>|\[unused\d+\]|<\|reserved_special_token_\d+\|>|<SPECIAL_\d+>|"
                     r"<\|extra_\d+\|>|<extra_id_\d+>|<\|reserved_\d+\|>|\[PAD\d+\])$")
CONTROL = {"<s>", "</s>", "<unk>", "<pad>", "<mask>", "<bos>", "<eos>", "[CLS]", "[SEP]", "[PAD]", "[UNK]",
            "[MASK]", "<|endoftext|>", "<|begin_of_text|>", "<|end_of_text|>", "<BOS_TOKEN>", "<EOS_TOKEN>",
            "<PAD>", "<UNK>", "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", "<|eot_id|>"}
MARKUP = re.compile(r"^(<[^<>]+>|\[[^\[\]]+\]|<\|.*\|>)$")
BYTE_PIECE = re.compile(r"^<0x([0-9A-Fa-f]{2})>$")
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Where :meth:`Tokenizer.count_file` may cut, in order of preference: line starts, word starts, and
#: (``None``) any character, for text with no white space.
_CUT_POINTS = (re.compile(r"\n(?=\S)"), re.compile(r"\s(?=\S)"), None)


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
    #: The id of the tokenizer's unknown token (``<unk>``, ``[UNK]``), None where every text has tokens.
    unknown_id: int | None

    def offsets(self, text: str) -> list[tuple[int, int, int]]: ...
    def offset_text(self, text: str) -> str: ...
    def normalized(self, text: str) -> str: ...


class AsGiven:
    """Backends whose ``offsets`` index the text as given (not a normalised copy of it)."""

    def offset_text(self, text: str) -> str:
        """The text ``offsets`` index: ``text`` itself."""
        return text


class Tokenizer:
    """The adapter every analysis uses; see the module docstring for the contract."""

    def __init__(self, spec: TokenizerSpec, backend: Backend | None = None, *,
                 build: Callable[[], Backend] | None = None) -> None:
        """``backend``, or ``build``: how to make it on first use (a zoo tokenizer is built only when it
        encodes or is inspected, so counts served from the result cache load no vocabulary)."""
        if (backend is None) == (build is None):
            raise TypeError("give a backend or a build function, not both or neither")
        self.spec = spec
        self.name = spec.name
        self._loaded, self._build = backend, build

    @property
    def _backend(self) -> Backend:
        if self._loaded is None:
            self._loaded = self._build()
        return self._loaded

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
        """Text of a sequence of ids (invalid UTF-8 becomes U+FFFD); an id outside the vocabulary raises
        ``IndexError`` the same way for every backend (some libraries return "" for it, others raise)."""
        ids = list(ids)
        for token_id in (min(ids), max(ids)) if ids else ():
            self._check_id(token_id)
        return self._backend.decode(ids)

    def token_bytes(self, token_id: int) -> bytes:
        """The exact bytes token ``token_id`` stands for (byte-fallback aware)."""
        self._check_id(token_id)
        return self._backend.token_bytes(token_id)

    def token_type(self, token_id: int) -> TokenType:
        """The :data:`TokenType` of ``token_id``."""
        self._check_id(token_id)
        return self._backend.token_type(token_id)

    @cached_property
    def fingerprint(self) -> str:
        """sha256 of what decides this tokenizer's output, never its name: the key of every derived cache.

        A zoo tokenizer's is :func:`workbench.zoo.fingerprint` of its name (its verified assets and
        converted file, read without re-hashing the vocabulary); any other (``hf:``, a file, a wrapped
        library object) is :func:`workbench.zoo.wrapping.content_fingerprint` of its backend, so two
        different tokenizers under one name never share a key, and a retrained one gets a new key.
        """
        from workbench.zoo.registry import REGISTRY, fingerprint
        from workbench.zoo.wrapping import content_fingerprint

        return fingerprint(self.name) if REGISTRY.get(self.name) is self.spec else content_fingerprint(self._backend)

    @cached_property
    def token_types(self) -> tuple[TokenType, ...]:
        """The type of every id, in id order."""
        return tuple(self._backend.token_type(i) for i in range(self.vocab_size))

    def pieces(self, text: str) -> list[Piece]:
        """The tokens of ``text`` with the character span each covers (byte-fallback runs share a span).

        Offsets index the text as the tokenizer saw it: ``text`` itself, except for tokenizers that
        normalise first (``qwen1`` applies NFC), where they index the normalised text. That is not always
        :meth:`normalized`: SentencePiece and Hugging Face report offsets into ``text`` itself.
        """
        seen = self._backend.offset_text(check_text(text))
        return [Piece(i, seen[s:e], s, e) for i, s, e in self._backend.offsets(text)]

    def encode_with_spans(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        """The ids of ``text`` (as :meth:`encode`) and each token's (start, end) character span, from one encoding:
        :meth:`pieces` without the token objects."""
        offsets = self._backend.offsets(check_text(text))
        return [i for i, _, _ in offsets], [(s, e) for _, s, e in offsets]

    def encode_batch_with_spans(self, texts: Sequence[str]) -> list[tuple[list[int], list[tuple[int, int]]]]:
        """:meth:`encode_with_spans` of every text, through the library's own batch call where the backend
        has one (``spans_batch``: Hugging Face and tiktoken, on both cores), else one text at a time."""
        checked = [check_text(t) for t in texts]
        batch = getattr(self._backend, "spans_batch", None)
        return batch(checked) if batch else [self.encode_with_spans(t) for t in checked]

    def normalized(self, text: str) -> str:
        """``text`` as the tokenizer's own normaliser makes it: what its tokens spell, computed by its library.

        SentencePiece: the model's normaliser (``SentencePieceProcessor.normalize``; XLM-R applies NFKC and
        collapses white space, Llama 2's changes nothing), its ``▁`` read back as spaces. Hugging
        Face: the file's normalizer (``normalize_str``; BERT uncased lower-cases and strips accents), or the
        text where there is none. tiktoken: NFC for ``qwen1``, else the text. The Turkish hybrid: its
        lower-casing (capitals become ``<uppercase>`` tokens). Baselines: the text.

        >>> load_tokenizer("xlm-roberta").normalized("ﬁ  x")    # doctest: +SKIP
        'fi x'
        """
        return self._backend.normalized(check_text(text))

    @property
    def unknown_id(self) -> int | None:
        """The id of the unknown token (``<unk>``, ``[UNK]``) text without a token becomes; None if there is none."""
        return self._backend.unknown_id

    def count(self, text: str) -> int:
        """Number of tokens of ``text`` (no special tokens)."""
        return len(self.encode(text))

    def count_file(self, path: str | Path, *, chunk_chars: int = 1 << 20,
                   errors: Literal["strict", "replace"] = "strict") -> int:
        """Tokens of a UTF-8 text file of any size, equal to ``count(whole text)``, in bounded memory.

        The file is read ``chunk_chars`` characters at a time and cut where the tokenization is local
        (:meth:`_cut_is_local`): at a line start if one works, else at a word start, else (text with no
        white space at all, such as unbroken Chinese) at any character, so memory stays bounded for any
        input shape. Every chunk after the first is encoded with the character before its cut, whose
        tokens are then subtracted (so no tokenizer's beginning-of-text behaviour, like SentencePiece's
        dummy ``▁``, leaks into the count).
        """
        if chunk_chars < 1:
            raise ValueError(f"chunk_chars must be a positive number of characters, not {chunk_chars}")
        total, carry, first = 0, "", True
        for block in _read_chunks(Path(path), chunk_chars, errors):
            carry += block
            cut = self._stream_cut(carry)
            if cut:
                total += self._count_chunk(carry[:cut], first)
                carry, first = carry[cut - 1:], False
        return total + (self._count_chunk(carry, first) if carry else 0)

    def _count_chunk(self, chunk: str, first: bool) -> int:
        """Tokens of ``chunk``, less those of its leading character when it is carried over from the last cut."""
        return self.count(chunk) - (0 if first else len(self.encode(chunk[0])))

    def _stream_cut(self, text: str, width: int = 256) -> int:
        """The last place in the second half of ``text`` (``width`` characters before its end) where a cut is
        local, trying line starts, then word starts, then any character; 0 if none."""
        start, end = max(1, len(text) // 2), len(text) - width
        for points in _CUT_POINTS:
            found = (range(max(start, end - 8 * 97), end, 97) if points is None
                     else [m.end() for m in points.finditer(text, start, end)][-8:])
            for cut in reversed(found):
                if self._cut_is_local(text, cut, width):
                    return cut
        return 0

    def _cut_is_local(self, text: str, cut: int, width: int) -> bool:
        """True when the text around ``cut`` encodes to the same ids whole as in two parts, the second
        led by the character before the cut (whose own tokens are its first ids)."""
        left, right, lead = text[max(0, cut - width):cut], text[cut:cut + width], text[cut - 1]
        head, joined = self.encode(lead), self.encode(lead + right)
        return joined[:len(head)] == head and self.encode(left) + joined[len(head):] == self.encode(left + right)

    def _check_id(self, token_id: int) -> None:
        if not 0 <= token_id < self.vocab_size:
            raise IndexError(f"token id {token_id} is outside {self.name}'s vocabulary (0..{self.vocab_size - 1})")


def check_text(text: str) -> str:
    """``text`` itself, or :class:`InvalidTextError` if it is not a ``str`` or holds a lone surrogate.

    Tokenizers disagree on such text (tiktoken silently replaces it with U+FFFD, Hugging Face and
    SentencePiece raise library errors), so the zoo refuses it, the same way for every tokenizer.
    """
    if not isinstance(text, str):
        raise InvalidTextError(f"Tokenizers take text as a str, not {type(text).__name__}: pass the text itself "
                               "(read a file with open(path, encoding='utf-8').read(), or use count_file).")
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


def spaces_from_meta(normalised: str, dummy_prefix: bool) -> str:
    """SentencePiece-style normalised text (spaces written ``▁``) in the input's alphabet: the dummy-prefix
    ``▁`` (when the normaliser adds one) dropped, each other ``▁`` the space it stands for.

    >>> spaces_from_meta("▁fi▁x", dummy_prefix=True)
    'fi x'
    """
    if dummy_prefix and normalised.startswith("▁"):
        normalised = normalised[1:]
    return normalised.replace("▁", " ")


def char_offsets(text: str, byte_spans: Sequence[tuple[int, int, int]] | np.ndarray) -> list[tuple[int, int, int]]:
    """Convert (id, byte start, byte end) spans of ``text``'s UTF-8 into character spans.

    A span that starts or ends inside a multi-byte character is widened to the whole character.
    """
    if not len(byte_spans):
        return []
    data = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    # character index of every byte (a character starts at each non-continuation byte), plus the end
    char_of_byte = np.append(np.cumsum((data & 0xC0) != 0x80) - 1, len(text))
    spans = np.asarray(byte_spans, dtype=np.int64).reshape(-1, 3)
    starts = char_of_byte[np.minimum(spans[:, 1], len(data))]
    last = char_of_byte[np.clip(spans[:, 2] - 1, 0, len(data))] + 1
    ends = np.where(spans[:, 2] > spans[:, 1], np.minimum(last, len(text)), starts)
    return list(zip(spans[:, 0].tolist(), starts.tolist(), ends.tolist(), strict=True))
