"""tiktoken-style rank tables behind the adapter: OpenAI's encodings, Qwen (1) and Mistral Tekken.

A rank table maps byte strings to ranks (merge priority = id); tiktoken runs it with a pre-tokenizer
regex. Unlike the Hugging Face (:mod:`~workbench.zoo.hf_json`) and SentencePiece
(:mod:`~workbench.zoo.spm`) files, a rank file holds little more than the ranks, so the regex, the
special tokens, Qwen's NFC step and Tekken's id shift are set up here, as each tokenizer's own loader
does. :func:`parse_js_tiktoken_ranks` reads js-tiktoken's compressed p50k table.

tiktoken's loader keeps a copy of every file it reads in a shared temporary directory
(``$TMPDIR/data-gym-cache``) and, unless given a hash, serves that copy unchecked: anyone who can
write there could change the ranks. Every rank file is therefore read with ``expected_hash`` = the
sha256 of the verified file, so the copy is used only when it is byte-identical.
"""

from __future__ import annotations

import base64
import json
import os
import unicodedata
from collections.abc import Callable, Sequence
from functools import cached_property, partial
from pathlib import Path

import numpy as np

from workbench.cache import digest
from workbench.zoo.adapter import CONTROL, UNUSED, TokenType, char_offsets

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


class TiktokenBackend:
    """tiktoken ``Encoding`` (GPT-2, p50k, cl100k, o200k, Qwen-1), optionally with shifted ids (Tekken)."""

    def __init__(self, encoding, *, id_offset: int = 0, reserved: Sequence[str] = (), nfc: bool = False,
                 match_added: bool = False) -> None:
        self.enc = encoding
        # ``match_added``: special-token strings in the text become their ids, as ``tokenizers`` matches a
        # file's added tokens (:mod:`~workbench.zoo.tiktoken_path`); else they are plain text, as tiktoken does
        self._encode = partial(encoding.encode, allowed_special="all") if match_added else encoding.encode_ordinary
        self.nfc = nfc  # Qwen's tokenizer NFC-normalises its input first; offsets then refer to the NFC text
        self.offset = id_offset
        self.reserved = list(reserved)  # ids below ``id_offset`` (Tekken's 1000 special slots)
        self.vocab_size = encoding.n_vocab + id_offset
        self.unknown_id = None  # byte-level: every text has tokens

    def normalized(self, text: str) -> str:
        """NFC for Qwen (1), whose ``tokenization_qwen.py`` normalises first; the text itself otherwise."""
        return unicodedata.normalize("NFC", text) if self.nfc else text

    def offset_text(self, text: str) -> str:
        """The text ``offsets`` index: :meth:`normalized`, since the ids are those of the NFC text."""
        return self.normalized(text)

    def encode(self, text: str, add_special_tokens: bool) -> list[int]:
        return [i + self.offset for i in self._encode(self.normalized(text))]

    def encode_batch(self, texts: Sequence[str], add_special_tokens: bool) -> list[list[int]]:
        # Not tiktoken's encode_ordinary_batch: it submits one thread-pool task per text, which for
        # sentence-length texts costs more than the encoding (half the speed of a plain loop, measured in
        # BENCHMARKS.md). One contiguous chunk per core; encode_ordinary releases the GIL.
        batches = _in_threads(self._encode, [self.normalized(t) for t in texts])
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
                "unused" if UNUSED.match(text) else "special")
        special = self.enc._special_tokens  # name -> id
        names = {v: k for k, v in special.items()}
        name = names.get(token_id - self.offset)
        if name is None:
            return "normal"
        return "control" if name in CONTROL else ("unused" if UNUSED.match(name) else "special")

    def offsets(self, text: str) -> list[tuple[int, int, int]]:
        text = self.offset_text(text)
        return self._offsets(text, self._encode(text))

    def spans_batch(self, texts: Sequence[str]) -> list[tuple[list[int], list[tuple[int, int]]]]:
        """(ids, character spans) of each text: the ids encoded on every core (as :meth:`encode_batch`)."""
        seen = [self.offset_text(t) for t in texts]
        out = []
        for text, ids in zip(seen, _in_threads(self._encode, seen), strict=True):
            offsets = self._offsets(text, ids)
            out.append(([i for i, _, _ in offsets], [(s, e) for _, s, e in offsets]))
        return out

    def _offsets(self, text: str, ids: list[int]) -> list[tuple[int, int, int]]:
        """(id, start, end) character spans of ``ids``, the encoding of ``text``: token byte lengths summed."""
        ends = np.cumsum(self._byte_lengths[ids], dtype=np.int64)
        starts = np.concatenate([[0], ends[:-1]]) if len(ids) else ends
        shifted = np.asarray(ids, dtype=np.int64) + self.offset
        return char_offsets(text, np.stack([shifted, starts, ends], axis=1) if len(ids) else [])

    @cached_property
    def _byte_lengths(self) -> np.ndarray:
        """The UTF-8 byte length of every rank (0 for a hole in the table), indexed by rank."""
        lengths = np.zeros(self.enc.n_vocab, dtype=np.int64)
        for rank in range(self.enc.n_vocab):
            try:
                lengths[rank] = len(self.enc.decode_single_token_bytes(rank))
            except KeyError:
                pass
        return lengths


def openai_backend(constructor: str, ranks_file: Path) -> TiktokenBackend:
    """tiktoken's own constructor for an OpenAI encoding (``r50k_base``, ``cl100k_base``...), reading ``ranks_file``."""
    import tiktoken
    from tiktoken.load import load_tiktoken_bpe

    params = _openai_params(constructor, lambda: load_tiktoken_bpe(str(ranks_file), expected_hash=digest(ranks_file)))
    return TiktokenBackend(tiktoken.Encoding(**params))


def openai_pattern(constructor: str) -> str:
    """The split regex of tiktoken's OpenAI encoding ``constructor`` (``r50k_base``, ``cl100k_base``...), read
    from tiktoken's own constructor without loading its ranks."""
    return _openai_params(constructor, dict)["pat_str"]


def _openai_params(constructor: str, ranks: Callable[[], dict]) -> dict:
    """The ``tiktoken.Encoding`` arguments of tiktoken's OpenAI ``constructor``, its ranks from ``ranks()``."""
    import tiktoken_ext.openai_public as public

    original = public.load_tiktoken_bpe
    public.load_tiktoken_bpe = lambda *a, **k: ranks()
    try:
        return getattr(public, constructor)()
    finally:
        public.load_tiktoken_bpe = original


def p50k_ranks_text(source: str) -> str:
    """js-tiktoken's p50k module source rewritten as a ``.tiktoken`` file (its sha256 is tiktoken's own)."""
    payload = json.loads(source[source.index("{"):source.rindex("}") + 1])
    return "".join(f"{tok} {rank}\n" for tok, rank in sorted(parse_js_tiktoken_ranks(payload["bpe_ranks"]).items(),
                                                               key=lambda kv: kv[1]))


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


def qwen1_backend(ranks_file: Path) -> TiktokenBackend:
    """Qwen (1): tiktoken ranks plus 208 special tokens from id 151,643, on NFC text (``tokenization_qwen.py``)."""
    import tiktoken
    from tiktoken.load import load_tiktoken_bpe

    ranks = load_tiktoken_bpe(str(ranks_file), expected_hash=digest(ranks_file))
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] + [f"<|extra_{i}|>" for i in range(205)]
    pattern = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
               r"|\s*[\r\n]+|\s+(?!\S)|\s+")
    enc = tiktoken.Encoding("qwen1", pat_str=pattern, mergeable_ranks=ranks,
                            special_tokens={s: len(ranks) + i for i, s in enumerate(specials)})
    return TiktokenBackend(enc, nfc=True)


def tekken_backend(tekken_file: Path) -> TiktokenBackend:
    """Mistral Tekken: tiktoken-style ranks shifted up by the reserved special-token slots."""
    import tiktoken

    data = json.loads(tekken_file.read_text(encoding="utf-8"))
    config = data["config"]
    n_special = config["default_num_special_tokens"]
    n_ranks = config["default_vocab_size"] - n_special
    ranks = {base64.b64decode(t["token_bytes"]): t["rank"] for t in data["vocab"][:n_ranks]}
    enc = tiktoken.Encoding("tekken", pat_str=config["pattern"], mergeable_ranks=ranks, special_tokens={})
    named = {t["rank"]: t["token_str"] for t in data.get("special_tokens", [])}
    reserved = [named.get(i, f"<SPECIAL_{i}>") for i in range(n_special)]
    return TiktokenBackend(enc, id_offset=n_special, reserved=reserved)
