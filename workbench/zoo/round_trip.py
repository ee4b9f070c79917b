"""Round trips: whether a tokenizer gives a text back (``decode(encode(text)) == text``) and, if not, why.

Where :mod:`~workbench.zoo.adapter` says what a tokenizer does to one text, this module asks of many
texts whether anything was lost, and names the cause (:data:`Reason`) from the adapter's own answers:

* ``unknown`` — some of the text became the unknown token (:attr:`Tokenizer.unknown_id`), which
  decodes to ``<unk>``, ``⁇`` or ``[UNK]`` (XLM-R on Tibetan, BERT on most scripts it never saw);
* ``normalisation`` — the decoded text is exactly :meth:`Tokenizer.normalized` of the text, and that
  differs from it: the tokenizer's normaliser (XLM-R's NFKC and white-space collapsing, BERT's
  lower-casing and accent stripping) accounts for the whole difference;
* ``other`` — neither: the decoder itself does not rebuild the text (BERT's WordPiece decoder
  re-spaces punctuation).

>>> from workbench import zoo
>>> zoo.round_trip(zoo.load_tokenizer("xlm-roberta"), "ﬁ  x").reason    # doctest: +SKIP
'normalisation'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import polars as pl

from workbench.zoo.adapter import Tokenizer
from workbench.zoo.registry import load_tokenizer

Reason = Literal["unknown", "normalisation", "other"]
REASONS: tuple[Reason, ...] = ("unknown", "normalisation", "other")


@dataclass(frozen=True)
class RoundTrip:
    """One text through one tokenizer: what came back, what the normaliser makes of it, how many unknown tokens."""

    text: str
    decoded: str
    normalized: str
    unknown: int

    @property
    def ok(self) -> bool:
        """True when the text comes back unchanged."""
        return self.decoded == self.text

    @property
    def reason(self) -> Reason | None:
        """Why the text does not come back (the first of :data:`REASONS` that holds), None when it does."""
        if self.ok:
            return None
        if self.unknown:
            return "unknown"
        return "normalisation" if self.decoded == self.normalized else "other"


def round_trip(tok: Tokenizer, text: str) -> RoundTrip:
    """Encode and decode ``text`` with ``tok`` and say whether it comes back, and if not, why."""
    return round_trips(tok, [text])[0]


def round_trips(tok: Tokenizer, texts: Sequence[str]) -> list[RoundTrip]:
    """:func:`round_trip` of every text, encoded in one batch."""
    encoded = tok.encode_batch(texts)
    return [RoundTrip(text, tok.decode(ids), tok.normalized(text), ids.count(tok.unknown_id))
            for text, ids in zip(texts, encoded, strict=True)]


def round_trip_table(names: Sequence[str], texts: Sequence[str]) -> pl.DataFrame:
    """Per tokenizer: how many of ``texts`` do not come back (``lost``), and how many for each :data:`Reason`.

    >>> round_trip_table(["gpt2"], ["Hello"]).row(0)    # doctest: +SKIP
    ('gpt2', 1, 0, 0, 0, 0)
    """
    rows = []
    for name in names:
        reasons = [r.reason for r in round_trips(load_tokenizer(name), texts)]
        rows.append({"tokenizer": name, "texts": len(texts), "lost": len(reasons) - reasons.count(None),
                     **{reason: reasons.count(reason) for reason in REASONS}})
    return pl.DataFrame(rows, schema={"tokenizer": pl.String, "texts": pl.Int64, "lost": pl.Int64,
                                      **dict.fromkeys(REASONS, pl.Int64)})
