"""workbench.fairness: published Petrov et al. (2023) counts, the cache, display, exports, CLI, bad input."""

from __future__ import annotations

import argparse

import polars as pl
import pytest

from workbench import corpora, fairness, metrics, zoo
from workbench.errors import UnknownNameError, WorkbenchError

pytestmark = pytest.mark.skipif(not corpora.flores_available(), reason="FLORES-200 is not on this machine")


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """Results go to a fresh directory, so every test counts for real and cache effects are visible."""
    target = tmp_path / "results"
    target.mkdir()
    monkeypatch.setattr(fairness, "cache_dir", lambda *parts: target)
    return target


@pytest.fixture(scope="module")
def petrov_counts():
    return fairness.counts(["gpt2", "cl100k_base", "llama2", "xlm-roberta"], "flores200",
                           ["eng_Latn", "tur_Latn", "shn_Mymr"], "petrov", progress=False, cache=False)


def tokens(frame: pl.DataFrame, language: str, tokenizer: str) -> int:
    return frame.filter((pl.col("language") == language) & (pl.col("tokenizer") == tokenizer))["tokens"].item()


def test_english_totals_match_petrov_et_al(petrov_counts):
    # Petrov et al. 2023, assets/tokenization_lengths.csv (row "English"): GPT-2 52,567; cl100k_base 52,835;
    # LLAMA 60,621; XLM-RoBERTa 59,656. UTF-8 bytes 259,396 (ByT5 column minus its EOS) and 259,170 chars (UTF-32).
    assert [tokens(petrov_counts, "eng_Latn", t) for t in ("gpt2", "cl100k_base", "llama2", "xlm-roberta")] == [
        52567, 52835, 60621, 59656]
    eng = petrov_counts.filter(pl.col("language") == "eng_Latn").row(0, named=True)
    assert (eng["bytes"], eng["chars"]) == (259396, 259170)


def test_cl100k_turkish_and_shan_match_petrov_et_al(petrov_counts):
    # Petrov et al. 2023, tokenization_lengths.csv: cl100k_base Turkish 101,176, Shan 795,074 (premiums 1.91, 15.05).
    assert tokens(petrov_counts, "tur_Latn", "cl100k_base") == 101176
    assert tokens(petrov_counts, "shn_Mymr", "cl100k_base") == 795074
    prem = metrics.premium(petrov_counts).filter(pl.col("tokenizer") == "cl100k_base")
    got = {lang: round(p, 2) for lang, p in zip(prem["language"], prem["premium"], strict=True)}
    assert got == {"eng_Latn": 1.0, "tur_Latn": 1.91, "shn_Mymr": 15.05}


def test_other_published_cells(petrov_counts):
    # Petrov et al. 2023, tokenization_lengths.csv: GPT-2 Turkish 127,797 / Shan 986,091; LLAMA 126,485 / 718,299;
    # XLM-RoBERTa 61,972 / 263,999.
    cells = [(lang, t) for t in ("gpt2", "llama2", "xlm-roberta") for lang in ("tur_Latn", "shn_Mymr")]
    assert [tokens(petrov_counts, *cell) for cell in cells] == [127797, 986091, 126485, 718299, 61972, 263999]


def test_byte_fallback_is_counted_for_llama2_shan(petrov_counts):
    is_cell = (pl.col("language") == "shn_Mymr") & (pl.col("tokenizer") == "llama2")
    shan = petrov_counts.filter(is_cell).row(0, named=True)
    assert 0 < shan["byte_fallback"] < shan["tokens"] and shan["unknown"] == 0


def test_flag_counts_place_each_flagged_token_in_its_own_list():
    tok = zoo.load_tokenizer("llama2")
    texts = ["", "plain English", "ꩡ ၵ ᥖ 𑀅 🦜", "", "東京 ꩡ", "x"]
    encoded = tok.encode_batch(texts)
    types = [[tok.token_type(i) for i in ids] for ids in encoded]
    expected = [[t.count("control"), t.count("byte")] for t in types]
    assert fairness._flag_counts("llama2", encoded).tolist() == expected
    assert sum(b for _, b in expected) > 0  # the case is not vacuous
    assert fairness._flag_counts("unicode-chars", [[97, 0x1F99C], []]).tolist() == [[0, 0], [0, 0]]


def test_sentence_mode_is_tidy_and_sums_close_to_the_corpus_total(private_cache):
    sent = fairness.counts(["cl100k_base"], "flores200", ["eng_Latn", "tur_Latn"], "sentences", progress=False)
    assert sent.columns == list(fairness.SENTENCE_COLUMNS)
    assert sent.group_by("language").len().sort("language")["len"].to_list() == [2009, 2009]
    eng = sent.filter(pl.col("language") == "eng_Latn")
    assert eng["chars"].sum() == 259170 - 2008 - 2  # the joined string adds 2008 spaces and 2 file-end spaces
    assert abs(eng["tokens"].sum() - 52835) < 300  # no joining spaces: a little different from the total
    assert eng["words"].min() > 0


def test_results_are_cached_and_reused(private_cache, monkeypatch):
    first = fairness.counts(["gpt2"], "flores200", ["eng_Latn", "fra_Latn"], "petrov", progress=False)
    assert len(list(private_cache.glob("petrov-*.parquet"))) == 1
    monkeypatch.setattr(fairness, "_count_tokenizer", lambda *a: pytest.fail("should have been served from cache"))
    again = fairness.counts(["gpt2"], "flores200", ["eng_Latn", "fra_Latn"], "petrov", progress=False)
    assert again.equals(first)


def test_a_failure_mid_count_leaves_no_cache_entry(private_cache, monkeypatch):
    calls = []

    def failing(self, texts, **kwargs):
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("tokenizer crashed")
        return [[0] * len(t) for t in texts]

    from workbench import zoo
    monkeypatch.setattr(fairness, "_CHUNK", 1)
    monkeypatch.setattr(zoo.Tokenizer, "encode_batch", failing)
    with pytest.raises(RuntimeError):
        fairness.counts(["gpt2"], "flores200", ["eng_Latn", "fra_Latn"], "petrov", progress=False)
    assert list(private_cache.iterdir()) == []


def test_unknown_language_and_tokenizer_list_the_known_ones():
    with pytest.raises(UnknownNameError, match="Did you mean 'tur_Latn'"):
        fairness.counts(["gpt2"], "flores200", ["tur_Latm"], progress=False)
    with pytest.raises(UnknownNameError, match="Did you mean 'gpt2'"):
        fairness.counts(["gtp2"], "flores200", ["tur_Latn"], progress=False)
    with pytest.raises(UnknownNameError, match="counting mode"):
        fairness.corpus_texts("flores200", ["tur_Latn"], mode="words")


@pytest.mark.parametrize("content, message", [(b"", "empty"), (b"\xff\xfe broken\n", "not valid UTF-8")])
def test_empty_or_non_utf8_corpus_file_is_a_clear_error(tmp_path, private_cache, content, message):
    for split in ("dev", "devtest"):
        (tmp_path / split).mkdir()
        (tmp_path / split / f"eng_Latn.{split}").write_text("Hello.\n", encoding="utf-8")
        (tmp_path / split / f"xyz_Latn.{split}").write_bytes(content if split == "devtest" else b"Hi.\n")
    with pytest.raises(WorkbenchError, match=message):
        fairness.counts(["gpt2"], "flores200", ["eng_Latn", "xyz_Latn"], path=tmp_path, progress=False)
    assert list(private_cache.iterdir()) == []


def test_token_view_groups_byte_fallback_pieces():
    view = fairness.compute_token_view("ၵေႃႈ", ["llama2", "gpt2"])
    assert any(g.kind == "byte" and len(g.ids) > 1 for g in view["llama2"])
    assert "".join(g.text for g in view["llama2"]) == "ၵေႃႈ"
    assert sum(len(g.ids) for g in view["gpt2"]) == len(fairness.zoo.load_tokenizer("gpt2").encode("ၵေႃႈ"))


def test_rtl_language_is_rendered_right_to_left():
    html = fairness._explorer_html("flores200", ["o200k_base"], ["arb_Arab", "eng_Latn"], 0)
    assert html.count('dir="rtl"') == 1 and html.count('dir="ltr"') == 1


def test_token_explorer_follows_its_controls():
    box = fairness.token_explorer("flores200", ["gpt2"], ["eng_Latn"])
    tok_pick, lang_pick, sentence = box.children[0].children
    out = box.children[1]
    first = out.value
    sentence.value = 3
    assert out.value != first and corpora.load_flores("eng_Latn")[3].split()[0] in out.value
    tok_pick.value = ("gpt2", "cl100k_base")
    assert "<b>cl100k_base</b>" in out.value


def test_exports_round_trip(petrov_counts, tmp_path):
    matrix = metrics.premium_matrix(metrics.premium(petrov_counts))
    assert pl.read_csv(fairness.export(petrov_counts, tmp_path / "c.csv")).equals(petrov_counts)
    assert pl.read_parquet(fairness.export(matrix, tmp_path / "m.parquet")).equals(matrix)
    latex = fairness.export(matrix, tmp_path / "m.tex").read_text()
    assert r"shn\_Mymr & 18.76 & 15.05 & 11.85 & 4.43 \\" in latex  # Petrov et al. 2023 table values
    with pytest.raises(UnknownNameError):
        fairness.export(matrix, tmp_path / "m.xlsx")


def test_cost_of_the_same_service(petrov_counts):
    cost = fairness.compute_cost(petrov_counts, price_per_million=2.0)
    row = cost.filter((pl.col("language") == "tur_Latn") & (pl.col("tokenizer") == "cl100k_base")).row(0, named=True)
    assert row["cost"] == pytest.approx(101176 * 2.0 / 1e6)


def test_cli_counts_writes_one_row_per_language_and_tokenizer(tmp_path):
    parser = argparse.ArgumentParser()
    fairness.register_cli(parser.add_subparsers())
    out = tmp_path / "counts.csv"
    args = parser.parse_args(["fairness", "counts", "--corpus", "flores200", "--tokenizers", "cl100k_base,gpt2",
                              "--languages", "eng_Latn,tur_Latn", "--out", str(out)])
    assert args.func(args) == 0
    frame = pl.read_csv(out)
    assert frame.columns[:5] == ["language", "tokenizer", "tokens", "bytes", "chars"]
    assert tokens(frame, "tur_Latn", "cl100k_base") == 101176 and len(frame) == 4


def test_petrov_comparison_tables(petrov_counts):
    table = fairness.petrov_count_comparison(petrov_counts)
    assert table["equal"].all() and table.height == 12  # gpt2, cl100k_base, llama2, xlm-roberta x 3 languages
    prem = fairness.petrov_comparison(metrics.premium(petrov_counts))
    assert prem.filter(pl.col("language") == "shn_Mymr")["difference"].to_list() == [0.0, 0.0, 0.0, 0.0]


def test_sampled_sentences_keep_their_corpus_ids(private_cache):
    sent = fairness.counts(["gpt2"], "flores200", ["eng_Latn", "tur_Latn"], "sentences", sample=5, progress=False)
    ids = corpora.sample_indices(2009, 5, 0)
    assert sent.filter(pl.col("language") == "eng_Latn")["sentence_id"].to_list() == ids
    english = corpora.load_flores("eng_Latn")
    assert sent.filter(pl.col("language") == "eng_Latn")["chars"].to_list() == [len(english[i]) for i in ids]


def test_fertility_and_allocation_on_a_small_sample():
    fert = fairness.compute_fertility(["gpt2"], "flores200", ["eng_Latn", "tha_Thai"], n=10)
    rows = {r["language"]: r for r in fert.iter_rows(named=True)}
    assert rows["eng_Latn"]["word_unit"] == "word" and rows["tha_Thai"]["word_unit"] == "grapheme"
    assert 1.0 <= rows["eng_Latn"]["fertility"] < rows["tha_Thai"]["fertility"]
    allocation, overlap = fairness.compute_allocation("gpt2", "flores200", ["eng_Latn", "fra_Latn"], n=10)
    assert allocation["chars_per_token"].min() > 1.0
    jsd = {(a, b): v for a, b, v in overlap.iter_rows()}
    assert jsd[("eng_Latn", "eng_Latn")] == 0.0 and 0.0 < jsd[("eng_Latn", "fra_Latn")] < 1.0


def test_report_html_holds_the_heatmap_and_the_premium_matrix(petrov_counts):
    page = fairness.report_html(petrov_counts)
    assert "data:image/png;base64," in page and "<td>shn_Mymr</td><td>18.76</td><td>15.05</td>" in page
