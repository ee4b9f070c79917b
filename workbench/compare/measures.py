"""The intrinsic measures the peer tools have and the workbench lacked: pure arithmetic, no tokenizer runs.

Unlike :mod:`workbench.fairness.metrics` (premiums, parity, fertility, inequality, allocation: costs of a
language *relative to another*), these describe one tokenizer's output on its own or two tokenizers
against each other. Every function takes numbers, byte strings or spans that
:mod:`workbench.compare.report` has already collected, and returns a number or a frozen dataclass.

* Zouhar et al. (2023), "Tokenization and the Noiseless Channel" (ACL), and their package
  tokenization-scorer: Rényi entropy and Rényi efficiency of the unigram token distribution
  (:func:`renyi_entropy`, :func:`renyi_efficiency`, :func:`shannon_efficiency`).
* The tokenizer-intrinsic-evals suite and TokSuite: vocabulary utilisation
  (:func:`vocabulary_utilisation`), token lengths (:func:`token_lengths`), vocabulary overlap
  (:func:`vocabulary_overlap`) and segmentation agreement (:func:`segmentation_agreement`).

Logarithms are natural; efficiencies are ratios, so the base cancels.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from workbench.errors import WorkbenchError

#: The order of the Rényi entropy Zouhar et al. (2023) recommend (it correlates best with BLEU).
DEFAULT_ALPHA = 2.5


def _distribution(counts: Sequence[int] | np.ndarray) -> np.ndarray:
    """The non-zero probabilities ``c(v) / Σ c`` of a vector of unigram counts."""
    c = np.asarray(counts, dtype=float)
    if c.size == 0 or c.sum() <= 0 or (c < 0).any():
        raise WorkbenchError("A unigram distribution needs non-negative token counts with at least one token; "
                             "the tokenizer produced no tokens on this text.")
    return c[c > 0] / c.sum()


def renyi_entropy(counts: Sequence[int] | np.ndarray, alpha: float = DEFAULT_ALPHA) -> float:
    """Rényi entropy of order ``alpha`` of the unigram distribution: ``H_α(p) = log(Σ_v p(v)^α) / (1 − α)``.

    Zouhar et al. (2023), eq. (4); ``alpha = 1`` is the Shannon entropy ``−Σ p log p`` (the limit),
    ``alpha = 0`` the log of the number of types used. In nats. ``counts`` is the number of
    occurrences of each token type (zeros are ignored).

    >>> round(renyi_entropy([1, 1, 1, 1]), 6) == round(float(np.log(4)), 6)
    True
    """
    if alpha < 0:
        raise WorkbenchError(f"The Rényi order must be non-negative, got {alpha}.")
    p = _distribution(counts)
    if np.isclose(alpha, 1.0):
        return float(-(p * np.log(p)).sum())
    return float(np.log((p**alpha).sum()) / (1 - alpha))


def renyi_efficiency(counts: Sequence[int] | np.ndarray, alpha: float = DEFAULT_ALPHA,
                     vocab_size: int | None = None) -> float:
    """Rényi efficiency ``H_α(p) / log |V|``, in [0, 1], 1 for a uniform distribution (Zouhar et al. 2023, eq. 5).

    Convention (as tokenization-scorer): ``|V|`` is the number of token types *observed* in
    ``counts`` unless ``vocab_size`` is given (then the tokenizer's whole vocabulary, which lowers the
    efficiency of a tokenizer whose vocabulary the corpus leaves unused).

    The facts of tokenization-scorer's README: the stream ``pick @@ed pick @@l @@ed pick @@les``
    (counts 3, 2, 1, 1) scores 0.8031528501359657 and ``pick @@e @@d pick @@l @@e @@d pick @@l @@e
    @@s`` (counts 3, 3, 2, 2, 1) scores 0.9105681923824472. Those are the values at ``alpha = 3.0``,
    the package's default, although the README's call passes ``power=2.5`` (its keyword is not the
    one the scorer reads); at ``alpha = 2.5`` the same definition gives 0.8265064834225245 and
    0.9204840242168808.

    >>> round(renyi_efficiency([3, 2, 1, 1], alpha=3.0), 12)
    0.803152850136
    """
    observed = int(np.count_nonzero(np.asarray(counts)))
    size = observed if vocab_size is None else vocab_size
    if size < max(observed, 2):
        raise WorkbenchError(f"Rényi efficiency needs a vocabulary of at least 2 types and no fewer than the "
                             f"{observed} observed; got {size}. Use a longer text or pass the tokenizer's vocab_size.")
    return renyi_entropy(counts, alpha) / float(np.log(size))


def shannon_efficiency(counts: Sequence[int] | np.ndarray, vocab_size: int | None = None) -> float:
    """Shannon efficiency ``H(p) / log |V|``: :func:`renyi_efficiency` in the limit ``alpha → 1``.

    >>> shannon_efficiency([5, 5])
    1.0
    """
    return renyi_efficiency(counts, 1.0, vocab_size)


def vocabulary_utilisation(counts: Sequence[int] | np.ndarray, vocab_size: int) -> float:
    """Share of the vocabulary a corpus uses: ``|{v : c(v) > 0}| / |V|`` (tokenizer-intrinsic-evals).

    Computed per language, it shows how much of a shared vocabulary each language can reach.

    >>> vocabulary_utilisation([3, 0, 1, 0], vocab_size=4)
    0.5
    """
    if vocab_size <= 0:
        raise WorkbenchError("Vocabulary utilisation needs a positive vocabulary size.")
    return int(np.count_nonzero(np.asarray(counts))) / vocab_size


def char_count(token: bytes) -> int:
    """Characters a token's bytes contribute: the UTF-8 lead bytes it holds (bytes not of the form ``10xxxxxx``).

    A byte piece in the middle of a character counts 0 and the piece that starts it counts 1, so the
    characters of a token sequence add up to the characters of its text.

    >>> char_count("é".encode()), char_count(b"\\xc3"), char_count(b"\\xa9"), char_count(b" kedi")
    (1, 1, 0, 5)
    """
    return sum(1 for b in token if b & 0xC0 != 0x80)


@dataclass(frozen=True)
class TokenLengths:
    """Mean token length in bytes and characters, per token type (each used type once) and per occurrence."""

    bytes_per_type: float
    bytes_per_occurrence: float
    chars_per_type: float
    chars_per_occurrence: float
    histogram: dict[int, int]  # length in bytes -> occurrences


def token_lengths(tokens: Sequence[bytes], counts: Sequence[int]) -> TokenLengths:
    """Length distribution of the token types ``tokens`` (byte strings) seen ``counts`` times each.

    Per type: the mean over the distinct types used (the vocabulary's shape); per occurrence: weighted
    by how often each occurs (what the text is cut into; bytes per occurrence is the compression
    ``B/T``). Characters follow :func:`char_count`.

    >>> token_lengths([b"a", b"abc"], [3, 1]).bytes_per_type, token_lengths([b"a", b"abc"], [3, 1]).bytes_per_occurrence
    (2.0, 1.5)
    """
    used = [(t, c) for t, c in zip(tokens, counts, strict=True) if c > 0]
    if not used:
        raise WorkbenchError("Token lengths need at least one token that occurs.")
    n_bytes = np.array([len(t) for t, _ in used], dtype=float)
    n_chars = np.array([char_count(t) for t, _ in used], dtype=float)
    weight = np.array([c for _, c in used], dtype=float)
    histogram: dict[int, int] = {}
    for length, c in zip(n_bytes.astype(int).tolist(), weight.astype(int).tolist(), strict=True):
        histogram[length] = histogram.get(length, 0) + c
    return TokenLengths(float(n_bytes.mean()), float(np.average(n_bytes, weights=weight)), float(n_chars.mean()),
                        float(np.average(n_chars, weights=weight)), dict(sorted(histogram.items())))


def vocabulary_overlap(vocab_a: Iterable[bytes], vocab_b: Iterable[bytes]) -> float:
    """Jaccard overlap ``|A ∩ B| / |A ∪ B|`` of two vocabularies given as byte strings (TokSuite).

    On bytes, GPT-2's ``Ġkedi`` and SentencePiece's ``▁kedi`` are both ``b" kedi"``, so different
    space markers do not hide equal tokens. Pass ordinary tokens only (no control or markup tokens).

    >>> vocabulary_overlap([b"a", b" b", b"c"], [b" b", b"c", b"d"])
    0.5
    """
    a, b = set(vocab_a), set(vocab_b)
    if not a | b:
        raise WorkbenchError("Vocabulary overlap needs at least one token in either vocabulary.")
    return len(a & b) / len(a | b)


def word_cuts(word_spans: Sequence[tuple[int, int]],
              token_spans: Sequence[tuple[int, int]] | np.ndarray) -> list[tuple[int, ...]]:
    """For each word span, the token boundaries strictly inside it (character offsets): its segmentation.

    A boundary at the word's own edges is not a cut, so a token that carries the preceding space
    (`` kedi``) segments ``kedi`` the same way as ``▁kedi`` or ``kedi``.

    >>> word_cuts([(0, 4), (5, 9)], [(0, 2), (2, 4), (4, 9)])
    [(2,), ()]
    """
    flat = np.asarray(token_spans, dtype=np.int64).ravel()
    steps = np.diff(flat)
    # tokens in order and not overlapping (the usual case): the edges are already sorted, so drop repeats in
    # one pass; byte pieces of one character share a span, which needs the general sort
    edges = flat[np.append(True, steps > 0)] if flat.size and (steps >= 0).all() else np.unique(flat)
    words = np.asarray(word_spans, dtype=np.int64).reshape(-1, 2)
    starts, ends = np.searchsorted(edges, words[:, 0], "right"), np.searchsorted(edges, words[:, 1], "left")
    inner = edges.tolist()
    return [tuple(inner[a:b]) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]


def segmentation_agreement(cuts_a: Sequence[tuple[int, ...]], cuts_b: Sequence[tuple[int, ...]]) -> float:
    """Share of words two tokenizers split the same way: ``|{w : cuts_a(w) = cuts_b(w)}| / |W|``.

    ``cuts_a`` and ``cuts_b`` are :func:`word_cuts` of the same words (TokSuite's segmentation
    agreement; 1 means every word is cut at the same places, unsplit words included).

    >>> segmentation_agreement([(2,), (), (1, 3)], [(2,), (1,), (1, 3)])
    0.6666666666666666
    """
    if len(cuts_a) != len(cuts_b):
        raise WorkbenchError(f"Segmentation agreement needs the same words: got {len(cuts_a)} and {len(cuts_b)}.")
    if not cuts_a:
        raise WorkbenchError("Segmentation agreement needs at least one word.")
    return sum(a == b for a, b in zip(cuts_a, cuts_b, strict=True)) / len(cuts_a)
