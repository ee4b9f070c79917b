"""Turkish-aware text normalisation: casing, Unicode form, apostrophes, word spans and token surfaces.

Python's ``str.lower`` is wrong for Turkish: ``"I".lower()`` is ``"i"`` (Turkish: ``"ı"``) and
``"İ".lower()`` is ``"i̇"`` (two code points). :func:`turkish_lower` and :func:`turkish_upper` apply
the Turkish dotted/dotless pairs first. :func:`normalise` is the one normal form every lookup of
:mod:`workbench.turkish.lexicon` uses (NFC, Turkish lower case, one apostrophe, outer whitespace
and the word-initial markers ``Ġ``/``▁`` removed); it is idempotent (a property test checks it).

:func:`token_surface` turns a token id into the text it stands for *at the byte level*
(``Tokenizer.token_bytes``), so GPT-2-style ``Ġ``, SentencePiece ``▁`` and ``<0xAB>`` byte-fallback
pieces are resolved before any string is judged. Unlike the paper's code, which decoded each id
with ``tokenizer.decode`` (byte fragments became U+FFFD), a token whose bytes are not valid UTF-8
is reported as a *fragment* and never looked up.

>>> turkish_lower("İSTANBUL'DA IŞIK")
"istanbul'da ışık"
>>> normalise("  ĠKİTAP’ları ")
"kitap'ları"
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

APOSTROPHES = "'’‘`´ʼʻ′"
"""Characters written as the Turkish suffix apostrophe (Ankara'da); all become ``'``."""
MARKERS = "Ġ▁Ċ"
"""Word-initial / newline markers of byte-level BPE (``Ġ``, ``Ċ``) and SentencePiece (``▁``)."""

_APOSTROPHE_TABLE = str.maketrans({c: "'" for c in APOSTROPHES[1:]})
_LOWER_TABLE = str.maketrans({"I": "ı", "İ": "i"})
_UPPER_TABLE = str.maketrans({"i": "İ", "ı": "I"})
WORD_PATTERN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
"""A word: letters, optionally joined by single apostrophes (``İstanbul'da`` is one word)."""


def turkish_lower(text: str) -> str:
    """Lower case with Turkish dotted/dotless i (``I``→``ı``, ``İ``→``i``), length-preserving for Turkish text.

    >>> turkish_lower("IĞDIR İzmir")
    'ığdır izmir'
    """
    return unicodedata.normalize("NFC", text).translate(_LOWER_TABLE).lower()


def turkish_upper(text: str) -> str:
    """Upper case with Turkish dotted/dotless i (``i``→``İ``, ``ı``→``I``).

    >>> turkish_upper("ılık iş")
    'ILIK İŞ'
    """
    return unicodedata.normalize("NFC", text).translate(_UPPER_TABLE).upper()


def unify_apostrophes(text: str) -> str:
    """Every apostrophe-like character (’ ‘ ` ´ ʼ ʻ ′) as the ASCII ``'``."""
    return text.translate(_APOSTROPHE_TABLE)


def normalise(text: str) -> str:
    """The lookup form: NFC, unified apostrophes, Turkish lower case, markers and outer whitespace stripped.

    Idempotent: ``normalise(normalise(s)) == normalise(s)`` for every string.

    >>> normalise("▁İstanbul’da")
    "istanbul'da"
    """
    out = unify_apostrophes(unicodedata.normalize("NFC", text))
    while out != (again := out.strip().lstrip(MARKERS).strip()):
        out = again
    return turkish_lower(out)


def has_letters(text: str) -> bool:
    """True when ``text`` holds at least one letter (of any script)."""
    return any(c.isalpha() for c in text)


def letter_word_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the letter-only words of ``text`` (see :data:`WORD_PATTERN`); apostrophes must be ASCII.

    Unlike :func:`workbench.fairness.metrics.word_spans` (any script, digits are words too), a number is
    not a word here: Turkish morphology has nothing to segment in ``3``.

    >>> letter_word_spans("İstanbul'da 3 kitap.")
    [(0, 11), (14, 19)]
    """
    return [m.span() for m in WORD_PATTERN.finditer(text)]


@dataclass(frozen=True)
class TokenSurface:
    """What a token stands for: ``text`` (None for a byte fragment), its lookup ``key`` and flags.

    ``key`` is the type key used for %TR/%Pure over unique types: the normalised text, or
    ``<0x..>`` hex for a fragment. ``letters`` is False for whitespace, digits and punctuation.
    """

    text: str | None
    key: str
    fragment: bool
    letters: bool


def surface_from_bytes(data: bytes) -> TokenSurface:
    """The :class:`TokenSurface` of a token's exact bytes.

    >>> surface_from_bytes(b" Ankara").key
    'ankara'
    >>> surface_from_bytes(bytes([0xC4])).fragment
    True
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return TokenSurface(None, "<0x" + data.hex() + ">", True, False)
    key = normalise(text).strip("'")
    return TokenSurface(text, key, False, has_letters(key))
