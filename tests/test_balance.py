"""fairness.balance: held-out splits that never leak, the training grid, and the side-by-side summary (notebook 05)."""

from __future__ import annotations

import polars as pl
import pytest

from workbench import corpora, fairness
from workbench.errors import UsageError, WorkbenchError
from workbench.fairness import balance, explorer

# A tiny aligned corpus of three "languages" in three scripts: enough to train 300-token tokenizers.
_WORDS = {"eng": "the cat sat on a mat and looked at the red door", "tur": "kedi kırmızı kapıya baktı ve halıya oturdu",
          "rus": "кошка сидела на ковре и смотрела на красную дверь"}
CORPUS = {lang: [f"{text} {i} {text.split()[i % 5]}" for i in range(40)] for lang, text in _WORDS.items()}


@pytest.fixture(scope="module")
def split() -> balance.HeldOut:
    return balance.held_out_split(CORPUS, reference="eng", test_share=0.25)


@pytest.fixture(scope="module")
def grid(split) -> list[balance.Trained]:
    return balance.train_grid(split, kinds=("bpe", "spm-unigram"), sizes=(400, 500))


def test_a_user_corpus_is_split_by_position_and_nothing_is_in_both(split):
    assert {lang: len(s) for lang, s in split.train.items()} == {"eng": 30, "tur": 30, "rus": 30}
    assert split.test["tur"] == CORPUS["tur"][30:] and split.train["tur"] == CORPUS["tur"][:30]
    assert not set(split.train["eng"]) & set(split.test["eng"])
    assert split.name == "user" and split.reference == "eng"
    assert split.overlap() == {}
    repeated = balance.held_out_split({"eng": ["a b", "c d", "a b"]}, reference="eng", test_share=0.34)
    assert repeated.overlap() == {"eng": 1}


def test_flores_trains_on_dev_and_measures_on_devtest():
    held = balance.held_out_split(None, ["eng_Latn", "tur_Latn"])
    assert held.train["tur_Latn"] == corpora.load_flores("tur_Latn", split="dev")
    assert held.test["tur_Latn"] == corpora.load_flores("tur_Latn", split="devtest")
    assert not set(held.train["eng_Latn"]) & set(held.test["eng_Latn"])
    assert balance.held_out_split("flores200", ["eng_Latn"]).test == {"eng_Latn": held.test["eng_Latn"]}


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"reference": "deu"}, "Unknown reference language"), ({"test_share": 1.5}, "test_share"),
    ({"test_share": 0.001}, "too few"),
])
def test_a_bad_split_says_what_to_do(kwargs, message):
    with pytest.raises(WorkbenchError, match=message):
        balance.held_out_split(CORPUS, **{"reference": "eng", **kwargs})


def test_the_mixes_are_the_reference_alone_or_every_language_alike(split):
    assert balance.mix_texts(split, "english") == split.train["eng"]
    balanced = balance.mix_texts(split, "balanced")
    assert len(balanced) == 90 and set(balanced) == {s for v in split.train.values() for s in v}
    with pytest.raises(WorkbenchError, match="Unknown language mix"):
        balance.mix_texts(split, "turkish")


def test_the_grid_trains_every_setting_once_and_again_gives_the_same_tokenizers(split, grid):
    frame = balance.grid_frame(grid)
    assert frame["tokenizer"].to_list() == [f"{k}-{n}-{m}" for m in ("english", "balanced")
                                            for k in ("bpe", "spm-unigram") for n in (400, 500)]
    assert frame["vocab"].to_list() == [t.tokenizer.vocab_size for t in grid]  # what each got: this text saturates
    assert (frame["vocab"] <= frame["vocab_size"]).all()
    again = balance.train_grid(split, kinds=("bpe", "spm-unigram"), sizes=(400, 500))
    assert [t.tokenizer.fingerprint for t in again] == [t.tokenizer.fingerprint for t in grid]
    by_vocabulary = {(t.kind, t.mix, t.tokenizer.vocab_size): t.tokenizer.fingerprint for t in grid}
    assert len(set(by_vocabulary.values())) == len(by_vocabulary)  # two sizes that saturate give one tokenizer


def _premiums(values: dict[str, list[float]]) -> pl.DataFrame:
    return pl.DataFrame([{"language": f"l{i}", "tokenizer": tok, "premium": p}
                         for tok, ps in values.items() for i, p in enumerate(ps)])


def test_summary_lines_the_measures_up_in_the_premiums_order():
    premiums = _premiums({"zeta": [1.0, 1.05, 3.0], "alpha": [1.0, 2.0, 4.0]})
    fertility = pl.DataFrame({"language": ["l0", "l1"] * 2, "tokenizer": ["zeta"] * 2 + ["alpha"] * 2,
                              "fertility": [1.0, 2.0, 3.0, 5.0]})
    purity = pl.DataFrame({"tokenizer": ["alpha", "zeta"], "tr_type": [0.5, 0.7], "pure_type": [0.4, 0.6],
                           "tokens": [1, 2]})
    census = [{"tokenizer": "alpha", "normal": 90, "total": 100}, {"tokenizer": "zeta", "normal": 3, "total": 4}]
    table = balance.summary(premiums, fertility, purity, census)
    assert table.columns == ["tokenizer", "median_premium", "max_premium", "gini", "parity", "fertility", "tr_type",
                             "pure_type", "normal_share"]
    assert table.rows() == [("zeta", 1.05, 3.0, pytest.approx(fairness.gini([1.0, 1.05, 3.0])), 2 / 3, 1.5, 0.7,
                             0.6, 0.75),
                            ("alpha", 2.0, 4.0, pytest.approx(fairness.gini([1.0, 2.0, 4.0])), 1 / 3, 4.0, 0.5,
                             0.4, 0.9)]
    assert balance.summary(premiums).columns == ["tokenizer", "median_premium", "max_premium", "gini", "parity"]
    with pytest.raises(UsageError, match="No premiums"):
        balance.summary(premiums.clear())


def _grid_premiums(grid) -> pl.DataFrame:
    # English-trained tokenizers at premium 4 + size/1000, balanced ones at 1 + size/1000, one reference at 2.
    return _premiums({**{t.tokenizer.name: [(4.0 if t.mix == "english" else 1.0) + t.vocab_size / 1000] * 2
                         for t in grid}, "ref": [2.0, 2.0]})


def test_mix_effect_puts_english_beside_balanced(grid):
    table = balance.summary(_grid_premiums(grid))
    effect = balance.mix_effect(table, grid)
    assert effect.columns == ["kind", "vocab_size", "english", "balanced", "ratio"]
    assert effect.rows() == [(kind, size, e, b, pytest.approx(e / b)) for kind in ("bpe", "spm-unigram")
                             for size, e, b in ((400, 4.4, 1.4), (500, 4.5, 1.5))]
    with pytest.raises(WorkbenchError, match="Unknown summary column"):
        balance.mix_effect(table, grid, "fertility")
    with pytest.raises(UsageError, match="both mixes"):
        balance.mix_effect(table, [t for t in grid if t.mix == "english"])


def test_the_mix_view_keeps_one_setting_and_every_tokenizer_outside_the_grid(grid):
    view = balance.compute_mix_view(_grid_premiums(grid), grid, 500, "balanced")
    assert list(dict.fromkeys(view["tokenizer"])) == ["bpe-500-balanced", "spm-unigram-500-balanced", "ref"]
    with pytest.raises(UsageError, match="vocab_size=600"):
        balance.compute_mix_view(_grid_premiums(grid), grid, 600, "balanced")


def test_the_training_explorer_follows_its_controls(grid):
    ex = explorer.training_explorer(_grid_premiums(grid), grid)
    assert list(dict.fromkeys(ex.result["tokenizer"])) == ["bpe-400-english", "spm-unigram-400-english", "ref"]
    ex.controls["mix"].value = "balanced"
    ex.controls["vocab_size"].value = 500
    assert set(ex.result["tokenizer"]) == {"bpe-500-balanced", "spm-unigram-500-balanced", "ref"}
    assert ex.result.filter(pl.col("tokenizer") == "bpe-500-balanced")["premium"].to_list() == [1.5, 1.5]
    assert "<img" in ex.output.value


def test_measures_run_on_the_held_out_side(split, grid):
    counts = fairness.counts([t.tokenizer for t in grid[:2]], split.test, mode="petrov", progress=False)
    assert set(counts["language"]) == {"eng", "tur", "rus"}
    assert counts.filter(pl.col("language") == "eng")["chars"].to_list() == [len(" ".join(split.test["eng"]))] * 2
