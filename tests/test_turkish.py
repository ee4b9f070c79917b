"""Tests of workbench.turkish: hand-checked words, normalisation properties, metric arithmetic, edge cases.

Words are checked against hand segmentations (kitap+lar+ımız+ı is the textbook example of
Turkish agglutination). The analyser uses the shared cache, keyed by code and data versions: on a
cold cache Zemberek loads once (~10–15 s) and the lexicon is built once.
"""

from __future__ import annotations

import json
import math
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.turkish import (
    Analysis,
    Analyzer,
    Judge,
    compute_token_classes,
    correlate,
    gold_boundaries,
    normalise,
    paper_correlation,
    published,
    purity,
    render_token_classes,
    root_end,
    score_words,
    surface_from_bytes,
    token_class_explorer,
    turkish_lower,
    turkish_upper,
)
from workbench.turkish.boundaries import cut_word
from workbench.turkish.lexicon import expand_template
from workbench.turkish.normalise import letter_word_spans
from workbench.turkish.scoring import Document, prepare, score_tokenizer


@pytest.fixture(scope="session")
def judge() -> Judge:
    return Judge(Analyzer())  # the shared, version-keyed cache: warm runs skip Zemberek


def verdict(judge: Judge, text: str):
    surface = surface_from_bytes(text.encode("utf-8"))
    return judge.classify([surface])[surface.key]


# ------------------------------------------------------------------------------ normalisation


def test_dotted_and_dotless_i():
    assert turkish_lower("IŞIK") == "ışık"
    assert turkish_lower("İSTANBUL") == "istanbul"
    assert len(turkish_lower("İ")) == 1  # str.lower gives "i̇" (two code points)
    assert turkish_upper("istanbul ılık") == "İSTANBUL ILIK"  # str.lower/upper map I↔i, which is wrong in Turkish


def test_normalise_markers_apostrophes_nfc():
    assert normalise("ĠAnkara’da") == "ankara'da"
    assert normalise("▁Kitap") == "kitap"
    assert normalise("s\u0327") == "ş"  # NFD s + combining cedilla
    assert surface_from_bytes(b" 'da").key == "da"


@given(st.text())
def test_normalise_is_idempotent(text):
    assert normalise(normalise(text)) == normalise(text)


def test_byte_fragment_and_empty_token():
    fragment = surface_from_bytes("ı".encode()[:1])
    assert fragment.fragment and fragment.text is None
    empty = surface_from_bytes(b"")
    assert empty.key == "" and not empty.letters


# ------------------------------------------------------------------------------ lexicon and analyser


def test_expand_template_vowel_harmony_and_alternation():
    assert expand_template("lAr") == {"lar", "ler"}
    assert {"yacak", "yecek", "yacağ", "acak"} <= expand_template("+yAcA~k")
    assert expand_template(">dI") >= {"dı", "di", "du", "dü", "tı", "ti", "tu", "tü"}


def test_kitaplarimizi_segmentation(judge):
    analysis = judge.analyzer.analyse(["kitaplarımızı"])["kitaplarımızı"]
    assert analysis.segmentations[0] == ("kitap", "lar", "ımız", "ı")
    assert gold_boundaries("kitaplarımızı", analysis) == (5, 8, 12)


def test_istanbul_apostrophe(judge):
    word = "İstanbul'da"
    analysis = judge.analyzer.analyse([word])[word]
    assert ("istanbul", "da") in analysis.segmentations
    assert gold_boundaries(word, analysis) == (8,)
    assert verdict(judge, word).token_class == "word"  # proper noun + suffix apostrophe
    assert root_end(word, "İstanbul") == 8


@pytest.mark.parametrize(("token", "expected"), [
    ("kitap", "root"), ("gel", "root"), ("Işık", "root"), ("lar", "morpheme"), ("ımız", "morpheme"),
    ("kitaplarımızı", "word"), ("geldi", "word"), ("kitapl", "neither"), ("xqzt", "neither"),
    ("the", "neither"),  # Zemberek lists "The" only as an abbreviation
    ("Москва", "neither"), ("Ankaraмосква", "neither"), ("123", "other"), (" ", "other"), ("", "other"),
])
def test_token_classes(judge, token, expected):
    assert verdict(judge, token).token_class == expected


def test_unparseable_word_is_defined(judge):
    analysis = judge.analyzer.analyse(["qqqzzz"])["qqqzzz"]
    assert not analysis.parses and analysis.roots == ()
    assert gold_boundaries("qqqzzz", analysis) is None


def test_analyser_cache_round_trip():
    row = Analysis((("ev", "de"),), ("ev",), True, True)
    assert Analysis.from_json(row.to_json()) == row


# ------------------------------------------------------------------------------ metrics


def test_purity_types_versus_occurrences():
    verdicts = {k: type("V", (), {"token_class": c})() for k, c in
                [("ev", "root"), ("ler", "morpheme"), ("evler", "word"), ("xq", "neither"), ("", "other")]}
    counts = Counter({"ev": 6, "ler": 1, "evler": 1, "xq": 2, "": 10})
    result = purity(counts, verdicts)
    assert result.tr_type == pytest.approx(3 / 4) and result.pure_type == pytest.approx(2 / 4)
    assert result.tr_token == pytest.approx(8 / 10) and result.pure_token == pytest.approx(7 / 10)
    assert result.types == 4 and result.tokens == 10 and result.class_tokens["other"] == 10


def test_purity_of_nothing_is_nan():
    result = purity(Counter(), {})
    assert math.isnan(result.tr_type) and math.isnan(result.pure_token) and result.tokens == 0


def test_boundary_scores_by_hand():
    # kitaplarımızı: gold cuts {5, 8, 12}; a tokenizer cutting kitap|ları|mızı → {5, 9}
    word = cut_word("kitaplarımızı", (0, 13), [0, 5, 9, 13], 3, (5, 8, 12), root=5)
    scores = score_words([word])
    assert scores.precision == pytest.approx(1 / 2) and scores.recall == pytest.approx(1 / 3)
    assert scores.f1 == pytest.approx(0.4) and scores.macro_f1 == pytest.approx(0.4)
    assert scores.under_segmentation == pytest.approx(1 / 4) and scores.over_segmentation == 0
    assert scores.morphscore == 1.0 and scores.root_atomicity == 1.0 and scores.root_hit_rate == 1.0
    assert scores.fertility == 3.0


def test_apostrophe_cuts_collapse():
    # İstanbul|'|da and İstanbul|'da both cut once at 8 in "istanbulda"
    assert cut_word("İstanbul'da", (0, 11), [0, 8, 9, 11], 3, (8,)).predicted == {8}
    assert cut_word("İstanbul'da", (0, 11), [0, 8, 11], 2, (8,)).predicted == {8}


def test_root_end_alternation_and_skips():
    assert root_end("kitabı", "kitap") == 5
    assert root_end("ağzı", "ağız") is None
    assert root_end("ev", "_") is None


def test_scores_of_empty_input_are_nan():
    scores = score_words([])
    assert math.isnan(scores.f1) and math.isnan(scores.fertility) and scores.words == 0


def test_letter_word_spans_skip_numbers_and_keep_apostrophes():
    assert letter_word_spans("İstanbul'da 3 kitap, 2024'te.") == [(0, 11), (14, 19), (26, 28)]


def test_fertility_skips_words_with_no_token():
    # the workbench's one fertility (workbench.fairness.metrics.fertility): a word with no token is not a 0
    whole = cut_word("ev", (0, 2), [0, 2], 1, ())
    dropped = cut_word("ev", (0, 2), [], 0, ())
    split = cut_word("kitaplar", (0, 8), [0, 5, 8], 2, (5,))
    assert score_words([whole, split, dropped]).fertility == 1.5
    assert math.isnan(score_words([dropped]).fertility)


def test_score_tokenizer_end_to_end_on_hand_text(judge, load):
    docs = [Document("Kitaplarımızı İstanbul'da okuduk.", {0: "kitap"}), Document(""), Document("Москва 2024!")]
    prepared = prepare("hand", docs, judge.analyzer)
    row, verdicts = score_tokenizer(load("turkish-hybrid"), prepared, judge)
    assert row["words"] == 4 and row["lemma_words"] == 1
    # 13 letter types: the three Cyrillic pieces (мо, ск, ва) are neither, "istanbul" a word, the rest pure
    assert row["types"] == 13 and row["tr_type"] == pytest.approx(10 / 13) and row["pure_type"] == pytest.approx(9 / 13)
    assert row["boundary_recall"] > 0.5  # the hybrid tokenizer cuts at suffix boundaries
    assert verdicts["kitap"].token_class == "root"


# ------------------------------------------------------------------------------ the paper's claim


def test_paper_table_facts():
    # the paper's percentages are over unique types: gemma-2 3,104 / 6,383 = 48.63 % (published.py gives the source)
    gemma = next(r for r in published.BAYRAM_2025_TABLE if r["paper_name"] == "gemma-2")
    types = published.BAYRAM_2025_GEMMA2_TYPES
    assert round(types["tr"] / gemma["unique"] * 100, 2) == gemma["tr"]
    assert round(types["pure"] / gemma["unique"] * 100, 2) == gemma["pure"]
    assert set(published.BAYRAM_2025_ZOO_EQUIVALENTS) == {r["paper_name"] for r in published.BAYRAM_2025_TABLE}


def test_paper_correlation_all_rows():
    result = paper_correlation("tr", bootstrap=500)
    assert result.n == 8 and result.exact_permutation
    assert result.pearson == pytest.approx(0.1015, abs=1e-3)
    assert result.spearman == pytest.approx(3 / 14, abs=1e-9)  # Σd² = 66 → 1 − 6·66/504
    assert result.pearson_p_perm > 0.5 and "n = 8" in result.warning


def test_cli_paper_and_purity_on_a_text_file(capsys, tmp_path):
    from workbench import cli

    assert cli.main(["turkish", "paper", "--json"]) == cli.EXIT_OK
    assert json.loads(capsys.readouterr().out)["spearman"] == pytest.approx(3 / 14, abs=1e-9)
    text = tmp_path / "mine.txt"
    text.write_text("Kitaplarımızı İstanbul'da okuduk.\n", encoding="utf-8")
    assert cli.main(["turkish", "purity", "--tokenizers", "turkish-hybrid", "--corpus", str(text), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["words"] == 3
    assert cli.main(["turkish", "purity", "--corpus", "floress"]) == cli.EXIT_USAGE


def test_correlate_rejects_too_few_points():
    with pytest.raises(ValueError, match="at least 3"):
        correlate([1, 2], [3, 4])


# ------------------------------------------------------------------------------ widget


def test_explorer_layers(judge, load):
    view = compute_token_classes("Kitaplarımızı İstanbul'da okuduk.", load("turkish-hybrid"), judge)
    assert [t.token_class for t in view.tokens if t.key == "kitap"] == ["root"]
    assert view.words[0] == ("Kitaplarımızı", ("kitap", "lar", "ımız", "ı"))
    assert "pure root" in render_token_classes(view)
    assert compute_token_classes("", load("gpt2"), judge).tokens == []
    ex = token_class_explorer(["gpt2", "turkish-hybrid"], judge=judge)
    assert set(ex.controls) == {"text", "tokenizer"} and ex.result.tokenizer == "gpt2"
    ex.controls["text"].value = "evlerde"
    assert ex.result.words == [("evlerde", ("ev", "ler", "de"))]
    ex.controls["tokenizer"].value = "turkish-hybrid"
    assert ex.result.tokenizer == "turkish-hybrid" and "ev+ler+de" in render_token_classes(ex.result)
