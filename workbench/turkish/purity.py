"""%TR and %Pure (Bayram et al. 2025), offline, over unique token types *and* over token occurrences.

Every token is put in exactly one :data:`TokenClass`, tested in this order on its lookup key
(:func:`workbench.turkish.normalise.surface_from_bytes`: exact bytes, markers stripped, NFC,
Turkish lower case, outer apostrophes stripped):

=============  =====================================================================================
``other``      no letter at all (whitespace, digits, punctuation, control markers): excluded from
               both denominators, counted separately (the paper's service silently dropped most)
``fragment``   bytes that are not valid UTF-8 (part of a letter, e.g. one byte of ``ı``): counted
               as neither Turkish nor pure (the paper's ``decode`` made them U+FFFD)
``root``       a common (not proper-noun, not abbreviation) root of Zemberek's lexicon, or such a
               root returned when analysing the token itself (the paper: "token ∈ roots returned
               by MorphAnalyzer")
``morpheme``   a surface allomorph of a Zemberek suffix (``lar``, ``ımız``, ``yecek``…)
``word``       not a root or morpheme, but a valid word form (Zemberek analyses it as a common word,
               or as a proper noun with a suffix apostrophe, or it is in the TS Corpus list)
``neither``    letters, but none of the above (sub-word pieces such as ``kitapl``, most foreign
               words, mixed-script strings)
=============  =====================================================================================

Formulas, with ``T`` the set of counted items (types or occurrences) whose class is not ``other``:

* ``%TR   = |{t ∈ T : class ∈ {root, morpheme, word}}| / |T|``
* ``%Pure = |{t ∈ T : class ∈ {root, morpheme}}| / |T|`` (so %Pure ≤ %TR, as in the paper)

Over **types** (``tr_type``, ``pure_type``) T is the set of distinct lookup keys, as the paper's code
does (it de-duplicated decoded strings and the service merged " ev" with "ev"); over **occurrences**
(``tr_token``, ``pure_token``) every token of the corpus counts, as the paper's prose ("valid
tokens / total tokens") says. Differences from the paper's code: an offline lexicon and analyser
instead of ITU's services; case is folded (the paper's dictionary listed case variants); byte
fragments and letter-less tokens are handled explicitly; no BOS token is counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from workbench.turkish.lexicon import DEFAULT_WORD_SOURCES, Analyzer, Lexicon, WordSource, wordfreq_words
from workbench.turkish.normalise import TokenSurface

TokenClass = Literal["root", "morpheme", "word", "neither", "fragment", "other"]
TOKEN_CLASSES: tuple[TokenClass, ...] = ("root", "morpheme", "word", "neither", "fragment", "other")
TURKISH_CLASSES = frozenset({"root", "morpheme", "word"})
PURE_CLASSES = frozenset({"root", "morpheme"})


@dataclass(frozen=True)
class TokenVerdict:
    """One token type's classification, with the evidence behind it (for inspection)."""

    key: str
    token_class: TokenClass
    segmentation: tuple[str, ...]
    in_wordlist: bool

    @property
    def turkish(self) -> bool:
        """Counted in %TR."""
        return self.token_class in TURKISH_CLASSES

    @property
    def pure(self) -> bool:
        """Counted in %Pure."""
        return self.token_class in PURE_CLASSES


class Judge:
    """Classifies token surfaces into :data:`TokenClass` with a lexicon and a cached analyser."""

    def __init__(self, analyzer: Analyzer | None = None, word_sources: Sequence[WordSource] = DEFAULT_WORD_SOURCES):
        self.analyzer = analyzer if analyzer is not None else Analyzer()
        self.word_sources = tuple(word_sources)
        self._lexicon: Lexicon | None = None

    @property
    def lexicon(self) -> Lexicon:
        if self._lexicon is None:
            self._lexicon = Lexicon.load(self.analyzer.directory)
        return self._lexicon

    def classify(self, surfaces: Iterable[TokenSurface]) -> dict[str, TokenVerdict]:
        """A :class:`TokenVerdict` per distinct key of ``surfaces``."""
        surfaces = {s.key: s for s in surfaces}
        analyses = self.analyzer.analyse([k for k, s in surfaces.items() if s.letters])
        extra = wordfreq_words() if "wordfreq" in self.word_sources else frozenset()
        out = {}
        for key, surface in surfaces.items():
            analysis = analyses.get(key)
            seg = analysis.segmentations[0] if analysis and analysis.parses else ()
            out[key] = TokenVerdict(key, self._class_of(surface, analysis, extra), seg,
                                    bool(analysis and analysis.in_wordlist))
        return out

    def _class_of(self, surface: TokenSurface, analysis, extra: frozenset[str]) -> TokenClass:
        if surface.fragment:
            return "fragment"
        if not surface.letters:
            return "other"
        key = surface.key
        if key in self.lexicon.roots or key in analysis.roots:
            return "root"
        if key in self.lexicon.morphemes:
            return "morpheme"
        zemberek_word = analysis.common or (analysis.parses and "'" in key)
        valid = (("zemberek" in self.word_sources and zemberek_word)
                 or ("ts_corpus" in self.word_sources and analysis.in_wordlist) or key in extra)
        return "word" if valid else "neither"


@dataclass(frozen=True)
class PurityResult:
    """%TR and %Pure over types and occurrences, and the counts behind them."""

    tr_type: float
    pure_type: float
    tr_token: float
    pure_token: float
    types: int
    tokens: int
    class_types: dict[str, int]
    class_tokens: dict[str, int]


def _share(counts: Counter, classes: frozenset[str]) -> float:
    total = sum(n for c, n in counts.items() if c != "other")
    return sum(counts[c] for c in classes) / total if total else float("nan")


def purity(key_counts: Counter, verdicts: dict[str, TokenVerdict]) -> PurityResult:
    """%TR/%Pure from token occurrences per key and the verdict of every key (see module docstring).

    With no countable token (empty input, or only punctuation) every share is NaN.
    """
    by_type = Counter(verdicts[k].token_class for k in key_counts)
    by_token: Counter = Counter()
    for key, n in key_counts.items():
        by_token[verdicts[key].token_class] += n
    return PurityResult(
        tr_type=_share(by_type, TURKISH_CLASSES), pure_type=_share(by_type, PURE_CLASSES),
        tr_token=_share(by_token, TURKISH_CLASSES), pure_token=_share(by_token, PURE_CLASSES),
        types=sum(n for c, n in by_type.items() if c != "other"),
        tokens=sum(n for c, n in by_token.items() if c != "other"),
        class_types={c: by_type.get(c, 0) for c in TOKEN_CLASSES},
        class_tokens={c: by_token.get(c, 0) for c in TOKEN_CLASSES},
    )
