"""Fairness metrics over token counts: premiums, parity, compression, fertility, inequality, allocation, overlap.

Every function here is pure arithmetic over numbers, spans or token ids that other modules have
already produced (:mod:`~workbench.fairness.counting` runs tokenizers over whole corpora,
:mod:`~workbench.fairness.vocabulary` over samples of sentences); nothing here loads a tokenizer or
reads a corpus. :func:`fertility` is the one definition of fertility in the workbench (the Turkish boundary metrics
and the comparison report call it too); :func:`word_spans` the script-aware word split of this package
and the report (the Turkish metrics split on letters instead:
:func:`workbench.turkish.normalise.letter_word_spans`). The metrics follow the papers named in each docstring:

* Petrov et al. (2023), "Language Model Tokenizers Introduce Unfairness Between Languages":
  premium (corpus-total ratio to a reference language) and parity.
* Rust et al. (2021), "How Good is Your Tokenizer?" (after Ács 2019): fertility and the proportion
  of continued words.
* Limisiewicz, Balhar & Mareček (2023), "Tokenization Impacts Multilingual Language Modeling":
  average rank (vocabulary allocation), characters per token, and Jensen–Shannon divergence between
  languages' token distributions (overlap).

Word segmentation is script-aware (:func:`word_spans`): Thai, Lao, Khmer, Burmese (and Shan),
Tibetan/Dzongkha, Chinese and Japanese do not separate words by spaces, and no offline word
segmenter covers them all, so in those scripts the unit is the **grapheme cluster** (a user-perceived
character, Unicode UAX #29 ``\\X``), while runs of Latin letters or digits inside them are still one
word. Fertility there is tokens per grapheme cluster, and is flagged ``word_unit == "grapheme"``: it
is not comparable with whitespace-word fertility.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import polars as pl
import regex

from workbench.errors import UnknownNameError, WorkbenchError
from workbench.stats import bootstrap_interval

#: ISO 15924 scripts written without spaces between words (see the module docstring).
NO_SPACE_SCRIPTS = frozenset({"Hans", "Hant", "Jpan", "Thai", "Laoo", "Khmr", "Mymr", "Tibt"})
WordUnit = Literal["word", "grapheme"]
Value = Literal["tokens", "bytes", "chars", "words"]

_WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}\p{N}]+)*")
_NO_SPACE_UNIT = regex.compile(r"[\p{Latin}\p{N}]+|\X")
_LETTER = regex.compile(r"[\p{L}\p{M}\p{N}]")


# ------------------------------------------------------------------------------------------ words


def word_unit(script: str) -> WordUnit:
    """``"grapheme"`` for the scripts of :data:`NO_SPACE_SCRIPTS`, else ``"word"``."""
    return "grapheme" if script in NO_SPACE_SCRIPTS else "word"


def word_spans(text: str, script: str) -> list[tuple[int, int]]:
    """Character spans of the words of ``text`` written in ``script`` (ISO 15924, e.g. ``Latn``).

    Spaced scripts: maximal runs of letters, marks and digits (an inner apostrophe joins), so
    punctuation is not a word. Unspaced scripts: one grapheme cluster holding a letter or digit,
    with Latin/digit runs kept whole.

    >>> word_spans("Ankara'da 2 kedi.", "Latn")
    [(0, 9), (10, 11), (12, 16)]
    >>> len(word_spans("ภาษาไทย", "Thai")), len(word_spans("日本語 GPT-4", "Jpan"))
    (7, 5)
    """
    pattern = _NO_SPACE_UNIT if script in NO_SPACE_SCRIPTS else _WORD
    return [m.span() for m in pattern.finditer(text) if _LETTER.search(m.group())]


def count_words(text: str, script: str) -> int:
    """Number of :func:`word_spans` of ``text``."""
    return len(word_spans(text, script))


def fertility(word_token_counts: Sequence[int]) -> float:
    """Average tokens per word: ``Σ_w n_w / |W|`` over words with ``n_w ≥ 1`` (Rust et al. 2021, Ács 2019).

    The workbench's one definition of fertility. Convention: words with **no** token (``n_w = 0``) are
    **skipped**, not counted as zero. Rust et al. average over the words a tokenizer actually encodes;
    a word gets no token only when the tokenizer drops its characters (e.g. a normaliser that strips
    them), and counting it as 0 would make a tokenizer that erases text look cheaper. So 1.0 is the
    minimum (every word one token), and a sequence with no tokenized word is an error, not 0.

    >>> fertility([1, 2, 3, 0])
    2.0
    """
    counts = [n for n in word_token_counts if n > 0]
    if not counts:
        raise WorkbenchError("Fertility needs at least one word with a token.")
    return sum(counts) / len(counts)


def continued_words(word_token_counts: Sequence[int]) -> float:
    """Proportion of continued words: ``|{w : n_w ≥ 2}| / |{w : n_w ≥ 1}|`` (Rust et al. 2021).

    >>> continued_words([1, 2, 3, 1])
    0.5
    """
    counts = [n for n in word_token_counts if n > 0]
    if not counts:
        raise WorkbenchError("The proportion of continued words needs at least one word with a token.")
    return sum(1 for n in counts if n >= 2) / len(counts)


def tokens_per_word(word_spans_: Sequence[tuple[int, int]],
                    token_spans: Sequence[tuple[int, int]] | np.ndarray) -> list[int]:
    """For each word span, how many token spans overlap it (tokens in context, not words encoded alone).

    Rust et al. encode each gold word on its own; we count the tokens of the running text that touch
    each word, which is what a model actually sees (a byte-level BPE token `` kedi`` carries the space
    and still counts once for ``kedi``). Consecutive byte pieces of one character each count.

    >>> tokens_per_word([(0, 4), (5, 9)], [(0, 2), (2, 4), (4, 9)])
    [2, 1]
    """
    # for a non-empty word, overlapping = (start < word end) - (end <= word start): a token that ends by the
    # word's start also starts before its end, so the second set lies inside the first; two sorted searches
    # instead of a scan per word. An empty span (never made by word_spans) is counted directly.
    starts, ends = np.asarray(token_spans, dtype=np.int64).reshape(-1, 2).T
    words = np.asarray(word_spans_, dtype=np.int64).reshape(-1, 2)
    overlapping = np.searchsorted(np.sort(starts), words[:, 1]) - np.searchsorted(np.sort(ends), words[:, 0], "right")
    for i in np.flatnonzero(words[:, 0] >= words[:, 1]):
        overlapping[i] = np.count_nonzero((starts < words[i, 1]) & (ends > words[i, 0]))
    return overlapping.tolist()


# ------------------------------------------------------------------------------------------ premium


def check_complete(counts: pl.DataFrame) -> None:
    """Raise when some tokenizer lacks a language that another tokenizer has (a partial result set)."""
    have = counts.group_by("tokenizer").agg(pl.col("language").unique())
    languages = set(counts["language"].unique())
    gaps = [f"{row['tokenizer']}: {', '.join(sorted(languages - set(row['language'])))}"
            for row in have.iter_rows(named=True) if set(row["language"]) != languages]
    if gaps:
        raise WorkbenchError("Token counts are incomplete; missing languages per tokenizer: " + "; ".join(sorted(gaps))
                             + ". Recount those tokenizers (workbench fairness counts ...).")


def _check_reference(counts: pl.DataFrame, reference: str) -> None:
    if reference not in set(counts["language"]):
        raise UnknownNameError(f"Reference language '{reference}' is not in the counts. "
                               f"Known: {', '.join(sorted(set(counts['language'])))}")


def premium(counts: pl.DataFrame, reference: str = "eng_Latn", value: Value = "tokens") -> pl.DataFrame:
    """Corpus-total premium of each (language, tokenizer): ``P_L = T(L) / T(ref)`` (Petrov et al. 2023).

    ``T`` is the total ``value`` (tokens by default) over the whole parallel corpus; English is the
    usual reference. Input: one row per (language, tokenizer) with a ``value`` column (sentence
    tables are summed first). Output columns: ``language, tokenizer, premium``.
    """
    check_complete(counts)
    _check_reference(counts, reference)
    totals = counts.group_by("language", "tokenizer").agg(pl.col(value).sum())
    ref = totals.filter(pl.col("language") == reference).select("tokenizer", pl.col(value).alias("_ref"))
    result = totals.join(ref, on="tokenizer").select("language", "tokenizer",
                                                     (pl.col(value) / pl.col("_ref")).alias("premium"))
    return _in_tokenizer_order(result, counts)


def _in_tokenizer_order(frame: pl.DataFrame, source: pl.DataFrame) -> pl.DataFrame:
    """``frame`` sorted by tokenizer in ``source``'s first-seen order, then by language."""
    order = pl.Enum(list(dict.fromkeys(source["tokenizer"])))
    return frame.sort(pl.col("tokenizer").cast(order), "language")


def premium_matrix(premiums: pl.DataFrame) -> pl.DataFrame:
    """The premium table wide: one row per language, one column per tokenizer (in first-seen order)."""
    order = list(dict.fromkeys(premiums["tokenizer"]))
    wide = premiums.pivot(on="tokenizer", index="language", values="premium")
    return wide.select("language", *order).sort("language")


def parity(premiums: pl.DataFrame, tolerance: float = 0.1) -> pl.DataFrame:
    """Share of languages at parity with the reference: ``|{L : |P_L − 1| ≤ tol}| / |L|`` per tokenizer.

    Petrov et al. (2023) say a tokenizer achieves parity for a language when its premium is ≈ 1;
    ``tolerance`` makes "≈" explicit.
    """
    return (premiums.group_by("tokenizer").agg(((pl.col("premium") - 1).abs() <= tolerance).mean().alias("parity"))
            .sort("tokenizer"))


def sentence_premium(
    sentences: pl.DataFrame, reference: str = "eng_Latn", *, n_boot: int = 1000, level: float = 0.95, seed: int = 0
) -> pl.DataFrame:
    """Median of per-sentence premiums ``r_i = t_L(i) / t_ref(i)`` with a paired bootstrap CI.

    The same ``n_boot`` resamples of sentence ids are used for every language (the corpus is
    aligned), and the CI is the percentile interval at ``level``. Sentences with zero reference
    tokens are dropped. Output: ``language, tokenizer, median, ci_low, ci_high, n``.
    """
    check_complete(sentences)
    _check_reference(sentences, reference)
    return pl.concat([_sentence_premium_one(group, tok, reference, n_boot, level, seed)
                      for (tok,), group in sentences.group_by("tokenizer", maintain_order=True)])


def _sentence_premium_one(frame: pl.DataFrame, tokenizer: str, reference: str, n_boot: int, level: float,
                          seed: int) -> pl.DataFrame:
    wide = frame.pivot(on="language", index="sentence_id", values="tokens").sort("sentence_id")
    languages = [c for c in wide.columns if c != "sentence_id"]
    ref = wide[reference].to_numpy().astype(float)
    keep = ref > 0
    ratios = wide.select(languages).to_numpy().astype(float)[keep] / ref[keep, None]  # (n, L)
    low, high, _ = bootstrap_interval(lambda idx: np.median(ratios[idx], axis=1), len(ratios), draws=n_boot,
                                      level=level, rng=seed)
    return pl.DataFrame({"language": languages, "tokenizer": tokenizer, "median": np.median(ratios, axis=0),
                         "ci_low": low, "ci_high": high, "n": len(ratios)})


def rates(counts: pl.DataFrame) -> pl.DataFrame:
    """Compression and coverage per (language, tokenizer), from totals over the rows given.

    ``chars_per_token = C/T``, ``bytes_per_token = B/T``, ``words_per_token = W/T`` (when a
    ``words`` column is present), ``unknown_rate = U/T`` (tokens of the tokenizer's unknown id) and
    ``byte_fallback_rate = F/T`` (``<0xAB>`` byte pieces), where ``T`` is the number of tokens.
    """
    columns = [c for c in ("tokens", "bytes", "chars", "words", "unknown", "byte_fallback") if c in counts.columns]
    totals = counts.group_by("language", "tokenizer").agg(pl.col(c).sum() for c in columns)
    names = {"bytes": "bytes_per_token", "chars": "chars_per_token", "words": "words_per_token",
             "unknown": "unknown_rate", "byte_fallback": "byte_fallback_rate"}
    totals = totals.select("language", "tokenizer", *[(pl.col(c) / pl.col("tokens")).alias(names[c])
                                                    for c in columns if c != "tokens"])
    return _in_tokenizer_order(totals, counts)


# ------------------------------------------------------------------------------------------ inequality


def gini(values: Sequence[float]) -> float:
    """Gini coefficient ``G = Σ_i Σ_j |x_i − x_j| / (2 n² x̄)``: 0 when all equal, → 1 when one holds all.

    >>> gini([1, 1, 1, 1]), gini([0, 0, 0, 1])
    (0.0, 0.75)
    """
    x = np.asarray(values, dtype=float)
    if x.size == 0 or x.mean() <= 0:
        raise WorkbenchError("The Gini coefficient needs a non-empty set of values with a positive mean.")
    return float(np.abs(x[:, None] - x[None, :]).sum() / (2 * x.size**2 * x.mean()))


def max_min_ratio(values: Sequence[float]) -> float:
    """``max(x) / min(x)``: how many times more the costliest language pays than the cheapest.

    >>> max_min_ratio([2.0, 1.0, 4.0])
    4.0
    """
    x = np.asarray(values, dtype=float)
    if x.size == 0 or x.min() <= 0:
        raise WorkbenchError("The max/min ratio needs a non-empty set of positive values.")
    return float(x.max() / x.min())


def inequality(premiums: pl.DataFrame) -> pl.DataFrame:
    """Per tokenizer: Gini of the premiums across languages, max/min ratio, the max premium and its language."""
    rows = []
    for (tok,), group in premiums.group_by("tokenizer", maintain_order=True):
        values = group["premium"].to_numpy()
        top = group.sort("premium", descending=True).row(0, named=True)
        rows.append({"tokenizer": tok, "gini": gini(values), "max_min": max_min_ratio(values),
                     "max_premium": top["premium"], "max_language": top["language"]})
    return pl.DataFrame(rows)


# ------------------------------------------------------------------------------------------ allocation and overlap


def token_distribution(token_counts: np.ndarray) -> np.ndarray:
    """``p_L(v) = c_L(v) / Σ_v c_L(v)`` over the whole vocabulary (Limisiewicz et al. 2023)."""
    counts = np.asarray(token_counts, dtype=float)
    if counts.sum() <= 0:
        raise WorkbenchError("A token distribution needs at least one token.")
    return counts / counts.sum()


def average_rank(token_counts: np.ndarray) -> float:
    """Vocabulary allocation ``AR_L = Σ_r p_(r) · r``, ``p_(0) ≥ p_(1) ≥ …``, 0-based ranks (Limisiewicz et al. 2023).

    The expected rank of a token of L in L's own frequency ranking: higher means the language uses
    more of the vocabulary.

    >>> average_rank(np.array([0, 1, 3]))
    0.25
    """
    p = np.sort(token_distribution(token_counts))[::-1]
    return float((p * np.arange(p.size)).sum())


def jensen_shannon(counts_a: np.ndarray, counts_b: np.ndarray) -> float:
    """Overlap: ``JSD(p_a, p_b) = ½ KL(p_a‖m) + ½ KL(p_b‖m)``, ``m = (p_a+p_b)/2``, in bits, in [0, 1].

    This is ``scipy.spatial.distance.jensenshannon(p, q, base=2) ** 2`` as in Limisiewicz et al.
    (2023); lower means more overlap (shared tokens).

    >>> jensen_shannon(np.array([1, 0]), np.array([0, 1])), jensen_shannon(np.array([1, 1]), np.array([2, 2]))
    (1.0, 0.0)
    """
    p, q = token_distribution(counts_a), token_distribution(counts_b)
    m = (p + q) / 2
    kl = lambda x: float(np.sum(x[x > 0] * np.log2(x[x > 0] / m[x > 0])))  # noqa: E731
    return max(0.0, (kl(p) + kl(q)) / 2)


def jsd_matrix(distributions: dict[str, np.ndarray]) -> pl.DataFrame:
    """Pairwise :func:`jensen_shannon` between languages' token counts: ``language_a, language_b, jsd``."""
    names = list(distributions)
    rows = [{"language_a": a, "language_b": b, "jsd": jensen_shannon(distributions[a], distributions[b])}
            for a in names for b in names]
    return pl.DataFrame(rows)
