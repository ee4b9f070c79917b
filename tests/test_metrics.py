"""workbench.fairness.metrics: every formula against values computed by hand, and the errors for bad input."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.spatial.distance import jensenshannon

from workbench.errors import UnknownNameError, WorkbenchError
from workbench.fairness import metrics


def table(rows: list[tuple[str, str, int]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["language", "tokenizer", "tokens"], orient="row")


COUNTS = table([("eng", "a", 10), ("tur", "a", 20), ("shn", "a", 150),
                ("eng", "b", 5), ("tur", "b", 5), ("shn", "b", 10)])


def test_premium_is_the_ratio_of_corpus_totals():
    got = {(r["language"], r["tokenizer"]): r["premium"] for r in metrics.premium(COUNTS, "eng").iter_rows(named=True)}
    assert got == {("eng", "a"): 1.0, ("tur", "a"): 2.0, ("shn", "a"): 15.0,
                   ("eng", "b"): 1.0, ("tur", "b"): 1.0, ("shn", "b"): 2.0}


def test_premium_against_another_reference():
    got = metrics.premium(COUNTS, "tur").filter(pl.col("tokenizer") == "a")
    assert dict(zip(got["language"], got["premium"], strict=True)) == {"eng": 0.5, "tur": 1.0, "shn": 7.5}


def test_premium_matrix_is_wide_in_tokenizer_order():
    wide = metrics.premium_matrix(metrics.premium(COUNTS, "eng"))
    assert wide.columns == ["language", "a", "b"]
    assert wide.filter(pl.col("language") == "shn").row(0) == ("shn", 15.0, 2.0)


def test_parity_counts_languages_within_tolerance():
    got = dict(metrics.parity(metrics.premium(COUNTS, "eng"), tolerance=0.1).iter_rows())
    assert got == {"a": pytest.approx(1 / 3), "b": pytest.approx(2 / 3)}


def test_missing_language_in_one_tokenizer_is_a_clear_error():
    partial = COUNTS.filter(~((pl.col("tokenizer") == "b") & (pl.col("language") == "shn")))
    with pytest.raises(WorkbenchError, match="b: shn"):
        metrics.premium(partial, "eng")


def test_unknown_reference_language_lists_the_known_ones():
    with pytest.raises(UnknownNameError, match="Known: eng, shn, tur"):
        metrics.premium(COUNTS, "deu")


def sentences_table(per_language: dict[str, list[int]], tokenizer: str = "a") -> pl.DataFrame:
    rows = [(lang, i, tokenizer, n) for lang, ns in per_language.items() for i, n in enumerate(ns)]
    return pl.DataFrame(rows, schema=["language", "sentence_id", "tokenizer", "tokens"], orient="row")


def test_sentence_premium_median_and_ci_by_hand():
    sent = sentences_table({"eng": [10, 10, 10, 10], "tur": [20, 20, 20, 20], "deu": [10, 20, 30, 40]})
    got = {r["language"]: r for r in metrics.sentence_premium(sent, "eng", n_boot=200).iter_rows(named=True)}
    assert (got["tur"]["median"], got["tur"]["ci_low"], got["tur"]["ci_high"]) == (2.0, 2.0, 2.0)
    assert got["deu"]["median"] == 2.5  # ratios 1, 2, 3, 4
    assert 1.0 <= got["deu"]["ci_low"] < 2.5 < got["deu"]["ci_high"] <= 4.0
    assert got["eng"]["n"] == 4


def test_sentence_premium_drops_empty_reference_sentences():
    sent = sentences_table({"eng": [0, 10, 10], "tur": [5, 20, 30]})
    row = metrics.sentence_premium(sent, "eng", n_boot=50).filter(pl.col("language") == "tur").row(0, named=True)
    assert (row["n"], row["median"]) == (2, 2.5)


def test_rates_divide_totals_by_tokens():
    frame = pl.DataFrame({"language": ["x", "x"], "tokenizer": ["t", "t"], "tokens": [4, 6], "bytes": [20, 30],
                          "chars": [10, 15], "words": [2, 3], "unknown": [1, 0], "byte_fallback": [0, 2]})
    row = metrics.rates(frame).row(0, named=True)
    assert row == {"language": "x", "tokenizer": "t", "bytes_per_token": 5.0, "chars_per_token": 2.5,
                   "words_per_token": 0.5, "unknown_rate": 0.1, "byte_fallback_rate": 0.2}


def test_gini_and_max_min_by_hand():
    assert metrics.gini([1, 1, 1, 1]) == 0.0
    assert metrics.gini([0, 0, 0, 1]) == 0.75
    assert metrics.gini([1, 3]) == pytest.approx(2 * 2 / (2 * 4 * 2))  # |1-3| twice over 2 n^2 mean
    assert metrics.max_min_ratio([1.5, 3.0, 0.5]) == 6.0
    with pytest.raises(WorkbenchError):
        metrics.gini([])
    with pytest.raises(WorkbenchError):
        metrics.max_min_ratio([0.0, 1.0])


def test_inequality_names_the_costliest_language():
    row = metrics.inequality(metrics.premium(COUNTS, "eng")).filter(pl.col("tokenizer") == "a").row(0, named=True)
    assert (row["max_language"], row["max_premium"], row["max_min"]) == ("shn", 15.0, 15.0)
    assert row["gini"] == pytest.approx(metrics.gini([1.0, 2.0, 15.0]))


def test_average_rank_by_hand():
    # p sorted = [0.5, 0.3, 0.2] -> 0*0.5 + 1*0.3 + 2*0.2
    assert metrics.average_rank(np.array([3, 0, 5, 2])) == pytest.approx(0.7)
    assert metrics.average_rank(np.array([0, 7])) == 0.0


def test_jensen_shannon_by_hand_and_against_scipy():
    p, q = np.array([1.0, 0.0]), np.array([1.0, 1.0])
    # m = (0.75, 0.25); KL(p||m) = log2(4/3); KL(q||m) = 0.5 log2(2/3) + 0.5 log2(2)
    expected = (np.log2(4 / 3) + 0.5 * np.log2(2 / 3) + 0.5) / 2
    assert metrics.jensen_shannon(p, q) == pytest.approx(expected)
    assert metrics.jensen_shannon(p, q) == pytest.approx(jensenshannon(p, q / 2, base=2) ** 2)
    assert metrics.jensen_shannon(np.array([2, 0]), np.array([0, 5])) == pytest.approx(1.0)


def test_jsd_matrix_is_symmetric_with_zero_diagonal():
    m = metrics.jsd_matrix({"a": np.array([1, 2, 0]), "b": np.array([0, 1, 1])})
    got = {(r["language_a"], r["language_b"]): r["jsd"] for r in m.iter_rows(named=True)}
    assert got[("a", "a")] == 0.0 and got[("a", "b")] == pytest.approx(got[("b", "a")]) and got[("a", "b")] > 0


def test_fertility_and_continued_words_by_hand():
    assert metrics.fertility([1, 1, 2, 4]) == 2.0
    assert metrics.continued_words([1, 1, 2, 4]) == 0.5
    assert metrics.fertility([0, 3]) == 3.0  # words with no token are skipped, as in Rust et al.
    with pytest.raises(WorkbenchError):
        metrics.fertility([])
    with pytest.raises(WorkbenchError):
        metrics.fertility([0, 0])  # no word got a token: an error, not a fertility of 0


def test_word_segmentation_is_script_aware():
    assert metrics.word_spans("Ankara'da, 2 kedi!", "Latn") == [(0, 9), (11, 12), (13, 17)]
    assert metrics.count_words("我爱北京", "Hans") == 4
    assert metrics.count_words("ខ្ញុំ", "Khmr") == 1  # consonant + coeng + consonant + vowel + sign: one \X cluster
    assert metrics.count_words("Tokyo 東京 2024年", "Jpan") == 5  # Tokyo, 東, 京, 2024, 年
    assert metrics.word_unit("Mymr") == "grapheme" and metrics.word_unit("Arab") == "word"


def test_tokens_per_word_counts_overlapping_tokens():
    words = [(0, 5), (6, 9)]
    tokens = [(0, 3), (3, 5), (5, 9)]  # the third token carries the space
    assert metrics.tokens_per_word(words, tokens) == [2, 1]


_SPANS = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 4)).map(lambda t: (t[0], t[0] + t[1])), max_size=30)


@given(words=_SPANS, tokens=_SPANS)
def test_tokens_per_word_is_the_overlap_count_by_its_definition(words, tokens):
    """The sorted-search count equals the plain definition, for any spans (empty, nested, unsorted)."""
    assert metrics.tokens_per_word(words, tokens) == [sum(s < we and e > ws for s, e in tokens) for ws, we in words]


@given(words=_SPANS, tokens=_SPANS)
def test_word_cuts_are_the_token_edges_strictly_inside_each_word(words, tokens):
    from workbench.compare.measures import word_cuts

    edges = sorted({e for span in tokens for e in span})
    assert word_cuts(words, tokens) == [tuple(e for e in edges if ws < e < we) for ws, we in words]
