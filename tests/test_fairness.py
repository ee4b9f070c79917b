"""workbench.fairness: published Petrov et al. (2023) counts, the cache, the views, exports, CLI, bad input.

Published figures are read from :mod:`workbench.fairness.published`, never copied here. Tests that
count FLORES-200 are skipped without it; the others run on the UDHR (a registry asset) or on
small files written here.
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys

import polars as pl
import pytest

from workbench import corpora, fairness, zoo
from workbench.errors import UnknownNameError, WorkbenchError
from workbench.explorers import Explorer
from workbench.fairness import counting, published

needs_flores = pytest.mark.skipif(not corpora.flores_available(), reason="FLORES-200 is not on this machine")
PUBLISHED = ("gpt2", "cl100k_base", "llama2", "xlm-roberta")  # the tokenizers petrov_counts counts


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """Results go to a fresh directory, so every test counts for real and cache effects are visible."""
    target = tmp_path / "results"
    target.mkdir()
    monkeypatch.setattr(counting, "cache_dir", lambda *parts: target)
    return target


@pytest.fixture(scope="module")
def petrov_counts():
    if not corpora.flores_available():
        pytest.skip("FLORES-200 is not on this machine")
    return fairness.counts(list(PUBLISHED), "flores200", list(published.PETROV_2023_COUNTED_LANGUAGES), "petrov",
                           progress=False, cache=False)


def tokens(frame: pl.DataFrame, language: str, tokenizer: str) -> int:
    return frame.filter((pl.col("language") == language) & (pl.col("tokenizer") == tokenizer))["tokens"].item()


def test_every_published_count_reproduces_to_the_token(petrov_counts):
    cells = [(lang, t) for t in PUBLISHED for lang in published.PETROV_2023_COUNTED_LANGUAGES]
    assert [tokens(petrov_counts, *cell) for cell in cells] == [published.published_tokens(t, lang)
                                                                 for lang, t in cells]
    eng = petrov_counts.filter(pl.col("language") == "eng_Latn").row(0, named=True)
    # their ByT5 column counts UTF-8 bytes, their UTF-32 column code points
    assert (eng["bytes"], eng["chars"]) == (published.published_tokens("utf8-bytes", "eng_Latn"),
                                            published.published_tokens("unicode-chars", "eng_Latn"))


def test_cl100k_premiums_match_the_published_premiums(petrov_counts):
    prem = fairness.premium(petrov_counts).filter(pl.col("tokenizer") == "cl100k_base")
    got = {lang: round(p, 2) for lang, p in zip(prem["language"], prem["premium"], strict=True)}
    table = dict(zip(published.PETROV_2023_LANGUAGES, published.PETROV_2023_PREMIUMS["cl100k_base"], strict=True))
    assert got == {"eng_Latn": 1.0, "tur_Latn": table["tur_Latn"], "shn_Mymr": table["shn_Mymr"]}


def test_published_counts_and_premiums_agree_with_each_other():
    """Their two files, transcribed separately: every premium of a counted language is count / English count."""
    premiums = {t: dict(zip(published.PETROV_2023_LANGUAGES, v, strict=True))
                for t, v in published.PETROV_2023_PREMIUMS.items()}
    checked = 0
    for tok, *_ in published.PETROV_2023_COUNTS.values():
        for lang in ("tur_Latn", "shn_Mymr"):
            if premiums.get(tok, {}).get(lang) is not None:
                ratio = published.published_tokens(tok, lang) / published.published_tokens(tok, "eng_Latn")
                assert round(ratio, 2) == premiums[tok][lang], (tok, lang)
                checked += 1
    assert checked >= 12
    with pytest.raises(KeyError):
        published.published_tokens("o200k_base", "eng_Latn")


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
    assert counting._flag_counts(tok, *counting.flatten(encoded)).tolist() == expected
    assert sum(b for _, b in expected) > 0  # the case is not vacuous
    plain = counting.flatten([[97, 0x1F99C], []])
    assert counting._flag_counts(zoo.load_tokenizer("unicode-chars"), *plain).tolist() == [[0, 0], [0, 0]]


@needs_flores
def test_sentence_mode_is_tidy_and_sums_close_to_the_corpus_total(private_cache):
    sent = fairness.counts(["cl100k_base"], "flores200", ["eng_Latn", "tur_Latn"], "sentences", progress=False)
    assert sent.columns == list(fairness.SENTENCE_COLUMNS)
    assert sent.group_by("language").len().sort("language")["len"].to_list() == [2009, 2009]
    eng = sent.filter(pl.col("language") == "eng_Latn")
    joined = published.published_tokens("unicode-chars", "eng_Latn")  # code points of the joined corpus string
    assert eng["chars"].sum() == joined - 2008 - 2  # the joined string adds 2008 spaces and 2 file-end spaces
    # no joining spaces: a little different from the total
    assert abs(eng["tokens"].sum() - published.published_tokens("cl100k_base", "eng_Latn")) < 300
    assert eng["words"].min() > 0


def test_results_are_cached_and_reused(private_cache, monkeypatch):
    first = fairness.counts(["gpt2"], "udhr", ["eng", "tur"], "petrov", progress=False)
    assert len(list(private_cache.glob("petrov-*.parquet"))) == 1
    monkeypatch.setattr(counting, "_count_local", lambda *a: pytest.fail("should have been served from cache"))
    again = fairness.counts(["gpt2"], "udhr", ["eng", "tur"], "petrov", progress=False)
    assert again.equals(first)


def test_a_failure_mid_count_leaves_no_cache_entry(private_cache, monkeypatch):
    calls = []

    def failing(self, texts, **kwargs):
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("tokenizer crashed")
        return [[0] * len(t) for t in texts]

    monkeypatch.setattr(counting, "_CHUNK", 1)
    monkeypatch.setattr(zoo.Tokenizer, "encode_batch", failing)
    with pytest.raises(RuntimeError):
        fairness.counts(["gpt2"], "udhr", ["eng", "tur"], "petrov", progress=False)
    assert list(private_cache.iterdir()) == []


@needs_flores
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


@needs_flores
def test_rtl_language_is_rendered_right_to_left():
    view = fairness.compute_sentence_view("flores200", ["o200k_base"], ["arb_Arab", "eng_Latn"], 0)
    html = fairness.render_sentence_view(view)
    assert html.count('dir="rtl"') == 1 and html.count('dir="ltr"') == 1


def test_sentence_explorer_follows_its_controls():
    ex = fairness.sentence_explorer("udhr", ["gpt2"], ["eng", "tur"])
    assert isinstance(ex, Explorer) and set(ex.controls) == {"tokenizers", "languages", "sentence"}
    assert [row.language for row in ex.result.languages] == ["eng", "tur"]
    ex.controls["sentence"].value = 3
    english = corpora.parallel_corpus("udhr", ["eng"])["eng"][3]
    assert ex.result.index == 3 and "".join(g.text for g in ex.result.languages[0].tokens["gpt2"]) == english
    ex.controls["tokenizers"].value = ("gpt2", "cl100k_base")
    assert set(ex.result.languages[1].tokens) == {"gpt2", "cl100k_base"}


def test_cost_explorer_recomputes_for_its_tokenizer_and_price():
    udhr = fairness.counts(["gpt2", "cl100k_base"], "udhr", ["eng", "tur"], progress=False)
    ex = fairness.cost_explorer(udhr, "eng")
    assert isinstance(ex, Explorer) and set(ex.controls) == {"tokenizer", "price_per_million"}
    ex.controls["tokenizer"].value = "cl100k_base"
    ex.controls["price_per_million"].value = 4.0
    turkish = tokens(udhr, "tur", "cl100k_base")
    assert ex.result["tokenizer"].unique().to_list() == ["cl100k_base"]
    assert ex.result.filter(pl.col("language") == "tur")["cost"].item() == pytest.approx(turkish * 4.0 / 1e6)


def test_exports_round_trip(petrov_counts, tmp_path):
    matrix = fairness.premium_matrix(fairness.premium(petrov_counts))
    assert pl.read_csv(fairness.export(petrov_counts, tmp_path / "c.csv")).equals(petrov_counts)
    assert pl.read_parquet(fairness.export(matrix, tmp_path / "m.parquet")).equals(matrix)
    latex = fairness.export(matrix, tmp_path / "m.tex").read_text()
    shan = [f"{published.PETROV_2023_PREMIUMS[t][1]:.2f}" for t in PUBLISHED]  # their 2nd language is Shan
    assert r"shn\_Mymr & " + " & ".join(shan) + r" \\" in latex
    with pytest.raises(UnknownNameError):
        fairness.export(matrix, tmp_path / "m.xlsx")


def test_cost_of_the_same_service(petrov_counts):
    cost = fairness.compute_cost(petrov_counts, price_per_million=2.0)
    row = cost.filter((pl.col("language") == "tur_Latn") & (pl.col("tokenizer") == "cl100k_base")).row(0, named=True)
    assert row["cost"] == pytest.approx(published.published_tokens("cl100k_base", "tur_Latn") * 2.0 / 1e6)


@needs_flores
def test_cli_counts_writes_one_row_per_language_and_tokenizer(tmp_path):
    parser = argparse.ArgumentParser()
    fairness.register_cli(parser.add_subparsers())
    out = tmp_path / "counts.csv"
    args = parser.parse_args(["fairness", "counts", "--corpus", "flores200", "--tokenizers", "cl100k_base,gpt2",
                              "--languages", "eng_Latn,tur_Latn", "--out", str(out)])
    assert args.func(args) == 0
    frame = pl.read_csv(out)
    assert frame.columns[:5] == ["language", "tokenizer", "tokens", "bytes", "chars"]
    assert tokens(frame, "tur_Latn", "cl100k_base") == published.published_tokens("cl100k_base", "tur_Latn")
    assert len(frame) == 4


def test_petrov_comparison_tables(petrov_counts):
    table = fairness.petrov_count_comparison(petrov_counts)
    assert table["equal"].all() and table.height == 12  # gpt2, cl100k_base, llama2, xlm-roberta x 3 languages
    prem = fairness.petrov_comparison(fairness.premium(petrov_counts))
    assert prem.filter(pl.col("language") == "shn_Mymr")["difference"].to_list() == [0.0, 0.0, 0.0, 0.0]


@needs_flores
def test_sampled_sentences_keep_their_corpus_ids(private_cache):
    sent = fairness.counts(["gpt2"], "flores200", ["eng_Latn", "tur_Latn"], "sentences", sample=5, progress=False)
    ids = corpora.sample_indices(2009, 5, 0)
    assert sent.filter(pl.col("language") == "eng_Latn")["sentence_id"].to_list() == ids
    english = corpora.load_flores("eng_Latn")
    assert sent.filter(pl.col("language") == "eng_Latn")["chars"].to_list() == [len(english[i]) for i in ids]


@needs_flores
def test_fertility_and_allocation_on_a_small_sample():
    fert = fairness.compute_fertility(["gpt2"], "flores200", ["eng_Latn", "tha_Thai"], n=10)
    rows = {r["language"]: r for r in fert.iter_rows(named=True)}
    assert rows["eng_Latn"]["word_unit"] == "word" and rows["tha_Thai"]["word_unit"] == "grapheme"
    assert 1.0 <= rows["eng_Latn"]["fertility"] < rows["tha_Thai"]["fertility"]
    allocation, overlap = fairness.compute_allocation("gpt2", "flores200", ["eng_Latn", "fra_Latn"], n=10)
    assert allocation["chars_per_token"].min() > 1.0
    jsd = {(a, b): v for a, b, v in overlap.iter_rows()}
    assert jsd[("eng_Latn", "eng_Latn")] == 0.0 and 0.0 < jsd[("eng_Latn", "fra_Latn")] < 1.0


def test_report_holds_the_heatmap_and_the_premium_matrix(petrov_counts):
    page = fairness.render_report(petrov_counts)
    gpt2, cl100k = (f"{published.PETROV_2023_PREMIUMS[t][1]:.2f}" for t in ("gpt2", "cl100k_base"))
    assert "data:image/png;base64," in page and f"<td>shn_Mymr</td><td>{gpt2}</td><td>{cl100k}</td>" in page


def test_the_cli_module_loads_nothing_heavy():
    """What ``import workbench.fairness.cli`` adds to ``import workbench`` (which ``workbench --help`` does)."""
    code = ("import sys, workbench; before = set(sys.modules); import workbench.fairness.cli; "
            "print(sorted(set(sys.modules) - before))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    added = ast.literal_eval(out.stdout)
    assert "workbench.fairness.cli" in added  # the measurement sees what the import brings
    heavy = [m for m in added if m.split(".")[0] in ("polars", "numpy", "matplotlib", "ipywidgets")
             or (m.startswith("workbench.") and not m.startswith("workbench.fairness"))]
    assert heavy == [] and sorted(m for m in added if m.startswith("workbench.")) == [
        "workbench.fairness", "workbench.fairness.cli"]
