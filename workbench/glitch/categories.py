"""Stage 1 of the glitch-token pipeline: what each id of a tokenizer *is*, from the vocabulary alone.

Land & Bartolo (2024, "Fishing for Magikarp", ``magikarp/tokenization.py``) sort tokens into OK,
special, undecodable and unreachable before looking at any weights. We do the same with the zoo's
adapter (:class:`workbench.zoo.Tokenizer`), in six categories (first match wins):

- ``unused``: reserved placeholders (``<unusedN>``, ``[unusedN]``, reserved special tokens, and the
  ``[PADn]`` fillers llama.cpp writes for padded rows, e.g. ids 151,646+ of the ``qwen2`` GGUF vocabulary);
- ``special``: special and control tokens (bos/eos/pad/cls, chat markup);
- ``byte``: byte-fallback pieces ``<0xAB>``;
- ``partial-utf8``: tokens whose bytes are not valid UTF-8 on their own (a fragment of a character);
- ``unreachable``: decoding the token and encoding the text again does not give the token back;
- ``normal``: everything else.

Reachability is tested as in magikarp (``encode(decode([i])) == [i]``), with one addition so that
word-continuation pieces are not all counted as unreachable: a piece that only occurs inside a word
(WordPiece ``##ing``, SentencePiece pieces without ``▁``) is reachable if it comes back when the
text follows an anchor word (``encode(anchor + text) == encode(anchor) + [i]``).
The indicators (:mod:`workbench.glitch.indicators`) and verification (:mod:`workbench.glitch.verification`)
are the later stages.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Literal

import numpy as np

from workbench.zoo import Tokenizer

Category = Literal["normal", "special", "byte", "partial-utf8", "unused", "unreachable"]
CATEGORIES: tuple[Category, ...] = ("normal", "special", "byte", "partial-utf8", "unused", "unreachable")
_PAD_FILLER = re.compile(r"^\[PAD\d+\]$")
ANCHORS = ("a", "«", "ж", "7")
"""Texts placed before a piece that failed the plain round trip: a word start, magikarp's quote, and a
letter and a digit that begin no longer token (so ``ж`` + ``ing`` encodes as ``ж ##ing`` in WordPiece)."""


def token_text(tok: Tokenizer, token_id: int) -> str:
    """The text a token stands for (its exact bytes, invalid UTF-8 replaced by U+FFFD)."""
    return tok.token_bytes(token_id).decode("utf-8", errors="replace")


def categorize(tok: Tokenizer, ids: Sequence[int] | None = None, *, batch: int = 4096) -> np.ndarray:
    """The :data:`Category` of each id (all ids by default), as a numpy array of strings.

    >>> from workbench.zoo import load_tokenizer                  # doctest: +SKIP
    >>> categorize(load_tokenizer("gpt2"), [50256, 188, 43453])   # doctest: +SKIP
    array(['special', 'partial-utf8', 'normal'], dtype='<U12')
    """
    ids = list(range(tok.vocab_size)) if ids is None else list(ids)
    out = np.array([_static_category(tok, i) for i in ids], dtype="<U12")
    todo = [k for k, c in enumerate(out) if c == "normal"]
    for start in range(0, len(todo), batch):
        chunk = todo[start:start + batch]
        reached = _reachable(tok, [ids[k] for k in chunk])
        out[[k for k, ok in zip(chunk, reached, strict=True) if not ok]] = "unreachable"
    return out


def _static_category(tok: Tokenizer, token_id: int) -> Category:
    kind = tok.token_type(token_id)
    if kind == "unused" or (kind == "special" and _PAD_FILLER.match(token_text(tok, token_id))):
        return "unused"
    if kind in ("special", "control"):
        return "special"
    if kind == "byte":
        return "byte"
    try:
        tok.token_bytes(token_id).decode("utf-8")
    except UnicodeDecodeError:
        return "partial-utf8"
    return "normal"


def _reachable(tok: Tokenizer, ids: list[int]) -> list[bool]:
    """Whether each id comes back from encoding its own text (alone, or after an anchor)."""
    texts = [token_text(tok, i) for i in ids]
    ok = [enc == [i] for enc, i in zip(tok.encode_batch(texts), ids, strict=True)]
    for anchor in ANCHORS:
        prefix = tok.encode(anchor)
        left = [k for k, good in enumerate(ok) if not good]
        if not left:
            break
        encoded = tok.encode_batch([anchor + texts[k] for k in left])
        for k, enc in zip(left, encoded, strict=True):
            ok[k] = enc == prefix + [ids[k]]
    return ok


def census(tok: Tokenizer) -> dict[str, int]:
    """Counts per category for one tokenizer (every category present, zeros included), plus ``total``."""
    counts = Counter(categorize(tok).tolist())
    return {"tokenizer": tok.name, **{c: counts.get(c, 0) for c in CATEGORIES}, "total": tok.vocab_size}
