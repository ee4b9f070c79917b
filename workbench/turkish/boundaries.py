"""Morphology-aware boundary metrics: where a tokenizer cuts a Turkish word, against where morphemes meet.

Unlike :mod:`workbench.turkish.purity`, which judges each token string on its own, this module
compares *cut positions inside words*. Words are :data:`~workbench.turkish.normalise.WORD_PATTERN`
matches of the running text, tokenized in context (not in isolation as in Rust et al. 2021).
Positions are counted in the word with its apostrophes removed, so ``İstanbul|'|da`` and
``İstanbul|'da`` both cut ``istanbul|da`` once. Let, for word ``w``, ``G_w`` be the gold internal
boundaries, ``P_w`` the tokenizer's internal boundaries, ``t_w`` the number of tokens overlapping
``w`` and ``m_w = |G_w| + 1`` its morphemes.

* **Gold segmentation**: the first Zemberek analysis whose surface morphemes spell the word
  (``kitap+lar+ımız+ı``). Words with no such analysis are *unaligned*: they count for fertility only.
* **Boundary precision / recall / F1**, micro: ``P = Σ|P_w ∩ G_w| / Σ|P_w|``, ``R = Σ|P_w ∩ G_w| / Σ|G_w|``,
  ``F1 = 2PR/(P+R)``. Macro: P averaged over words with ``P_w ≠ ∅``, R over words with ``G_w ≠ ∅``,
  F1 = mean per-word Dice ``2|P_w ∩ G_w| / (|P_w| + |G_w|)`` with 1 for a word where both are empty.
* **Over-/under-segmentation index**: ``mean_w max(0, t_w − m_w) / m_w`` and ``mean_w max(0, m_w − t_w) / m_w``.
* **MorphScore-style score** (after Arnett & Bergen's MorphScore, which keeps one stem|suffix boundary
  per word and skips words left whole): over words with ``G_w ≠ ∅`` and ``t_w ≥ 2``, the share
  where the first gold boundary (root|suffixes) is in ``P_w``. Here the boundary comes from
  Zemberek, not from a hand-annotated list.
* **Lemma atomicity** and **root-boundary hit rate** against *gold UD lemmas* (treebanks only):
  the root ends at ``r = len(lemma)`` when the word starts with the lemma, allowing a final
  consonant alternation (kitap → kitab-ı); other words are skipped. Atomicity = share of words with no
  cut inside ``(0, r)``; hit rate = share of words with ``r < len(w)`` and ``r ∈ P_w``.
* **Fertility**: the definition of :func:`workbench.fairness.metrics.fertility` (``mean_w t_w`` over the
  words, letters only, that get at least one token), kept as running sums like every metric here
  (:class:`BoundaryTally`), so a corpus can be scored a batch at a time.

Empty text or text without words gives NaN everywhere, never an error.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field

from workbench.turkish.lexicon import Analysis
from workbench.turkish.normalise import turkish_lower

_ALTERNATIONS = {"p": "b", "ç": "c", "t": "d", "k": "ğg", "g": "ğ"}


def strip_apostrophes(word: str) -> tuple[str, list[int]]:
    """The word without ``'`` and, for each original position 0..len, its position in the stripped word.

    >>> strip_apostrophes("Ankara'da")
    ('Ankarada', [0, 1, 2, 3, 4, 5, 6, 6, 7, 8])
    """
    position, mapping, out = 0, [], []
    for char in word:
        mapping.append(position)
        if char != "'":
            out.append(char)
            position += 1
    mapping.append(position)
    return "".join(out), mapping


def gold_boundaries(word: str, analysis: Analysis) -> tuple[int, ...] | None:
    """Internal morpheme boundaries of ``word`` (apostrophes removed) from the first matching analysis.

    >>> gold_boundaries("kitaplarımızı", Analysis((("kitap", "lar", "ımız", "ı"),), ("kitap",), True))
    (5, 8, 12)
    """
    stripped = turkish_lower(strip_apostrophes(word)[0])
    for segmentation in analysis.segmentations:
        if "".join(segmentation) == stripped:
            cuts = [sum(len(m) for m in segmentation[:i]) for i in range(1, len(segmentation))]
            return tuple(cuts)
    return None


def root_end(word: str, lemma: str) -> int | None:
    """Where the gold lemma ends in ``word`` (apostrophes removed), or None when it cannot be placed.

    >>> root_end("kitabı", "kitap"), root_end("İstanbul'da", "İstanbul"), root_end("ağzı", "ağız")
    (5, 8, None)
    """
    form, lemma = turkish_lower(strip_apostrophes(word)[0]), turkish_lower(lemma)
    n = len(lemma)
    if not lemma or lemma == "_" or n > len(form):
        return None
    if form.startswith(lemma):
        return n
    if n >= 2 and form[: n - 1] == lemma[:-1] and form[n - 1] in _ALTERNATIONS.get(lemma[-1], ""):
        return n
    return None


@dataclass
class WordCut:
    """One word occurrence: its stripped length, token count, gold and predicted cuts, gold root end."""

    length: int
    tokens: int
    predicted: frozenset[int]
    gold: frozenset[int] | None
    root: int | None = None


def cut_word(text: str, span: tuple[int, int], edges: list[int], tokens: int, gold: tuple[int, ...] | None,
             root: int | None = None) -> WordCut:
    """The :class:`WordCut` of the word at ``span`` of ``text`` given the sorted token ``edges`` of the text."""
    start, end = span
    stripped, mapping = strip_apostrophes(text[start:end])
    lo, hi = bisect.bisect_right(edges, start), bisect.bisect_left(edges, end)
    cuts = {mapping[e - start] for e in edges[lo:hi]} - {0, len(stripped)}
    return WordCut(len(stripped), tokens, frozenset(cuts), None if gold is None else frozenset(gold), root)


@dataclass
class BoundaryScores:
    """The metrics of the module docstring, plus how many words each one is based on."""

    precision: float
    recall: float
    f1: float
    macro_precision: float
    macro_recall: float
    macro_f1: float
    over_segmentation: float
    under_segmentation: float
    morphscore: float
    root_atomicity: float
    root_hit_rate: float
    fertility: float
    words: int
    aligned_words: int
    lemma_words: int = field(default=0)


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


@dataclass
class BoundaryTally:
    """Running sums of every metric of :class:`BoundaryScores`: add word cuts a batch at a time, read scores once.

    Memory stays constant however many words are added (a streamed corpus), and the sums are taken word by
    word in order, so adding the same words in batches of any size gives exactly the same scores.
    """

    words: int = 0
    aligned: int = 0
    hits: int = 0
    predicted: int = 0
    gold: int = 0
    macro_precision: list[float] = field(default_factory=lambda: [0.0, 0])
    macro_recall: list[float] = field(default_factory=lambda: [0.0, 0])
    dice: float = 0.0
    over: float = 0.0
    under: float = 0.0
    morphscore: list[int] = field(default_factory=lambda: [0, 0])
    atomic: list[int] = field(default_factory=lambda: [0, 0])
    root_hit: list[int] = field(default_factory=lambda: [0, 0])
    tokens: list[int] = field(default_factory=lambda: [0, 0])

    def add(self, cuts: Iterable[WordCut]) -> None:
        """Add word occurrences (their cuts, :func:`cut_word`)."""
        for w in cuts:
            self.words += 1
            if w.tokens:
                self.tokens[0] += w.tokens
                self.tokens[1] += 1
            if w.root is not None:
                self.atomic[0] += not any(c < w.root for c in w.predicted)
                self.atomic[1] += 1
                if w.root < w.length:
                    self.root_hit[0] += w.root in w.predicted
                    self.root_hit[1] += 1
            if w.gold is not None:
                self._add_aligned(w)

    def _add_aligned(self, w: WordCut) -> None:
        shared, morphemes = len(w.predicted & w.gold), len(w.gold) + 1
        self.aligned += 1
        self.hits += shared
        self.predicted += len(w.predicted)
        self.gold += len(w.gold)
        if w.predicted:
            self.macro_precision[0] += shared / len(w.predicted)
            self.macro_precision[1] += 1
        if w.gold:
            self.macro_recall[0] += shared / len(w.gold)
            self.macro_recall[1] += 1
            if w.tokens >= 2:
                self.morphscore[0] += min(w.gold) in w.predicted
                self.morphscore[1] += 1
        total = len(w.predicted) + len(w.gold)
        self.dice += 1.0 if total == 0 else 2 * shared / total
        self.over += max(0, w.tokens - morphemes) / morphemes
        self.under += max(0, morphemes - w.tokens) / morphemes

    def scores(self) -> BoundaryScores:
        """The :class:`BoundaryScores` of every word added so far (NaN where a metric has no eligible word)."""
        p, r = _ratio(self.hits, self.predicted), _ratio(self.hits, self.gold)
        return BoundaryScores(
            precision=p, recall=r, f1=_ratio(2 * p * r, p + r) if p == p and r == r else float("nan"),
            macro_precision=_ratio(*self.macro_precision), macro_recall=_ratio(*self.macro_recall),
            macro_f1=_ratio(self.dice, self.aligned), over_segmentation=_ratio(self.over, self.aligned),
            under_segmentation=_ratio(self.under, self.aligned), morphscore=_ratio(*self.morphscore),
            root_atomicity=_ratio(*self.atomic), root_hit_rate=_ratio(*self.root_hit),
            fertility=_ratio(*self.tokens), words=self.words, aligned_words=self.aligned,
            lemma_words=self.atomic[1])


def score_words(words: Iterable[WordCut]) -> BoundaryScores:
    """Aggregate word cuts into :class:`BoundaryScores` (NaN where a metric has no eligible word)."""
    tally = BoundaryTally()
    tally.add(words)
    return tally.scores()
