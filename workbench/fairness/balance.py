"""Train on English or on a language-balanced mix, measure on held-out text: does balance narrow the premiums?

Petrov et al. (2023), "Language Model Tokenizers Introduce Unfairness Between Languages", argue for
multilingually fair tokenizers, trained so that every language pays about what English pays. This module
holds that experiment (notebook 05). :mod:`workbench.zoo.training` trains one tokenizer; here a grid of
them is trained and put beside each other:

* :func:`held_out_split` splits a parallel corpus into the text tokenizers learn from and the text they are
  measured on: FLORES-200 ``dev`` and ``devtest``, or the first and the last part of the aligned lines of
  the user's own corpus, so nothing measured was seen in training;
* :func:`train_grid` trains every (kind, vocabulary size, mix), each cached by a fingerprint of its texts
  and settings (:func:`~workbench.zoo.training.train_tokenizer`);
* :func:`summary` joins the other notebooks' measures (premiums and parity, fertility, %TR/%Pure, the
  glitch census) into one row per tokenizer, and :func:`mix_effect` puts each kind and size trained on
  English beside the same trained on the balanced mix.

The measures themselves are computed by their own modules (:mod:`~workbench.fairness.counting`,
:mod:`~workbench.fairness.vocabulary`, :mod:`workbench.turkish`, :mod:`workbench.glitch`); this module
only decides what is trained on what, and lines their results up.

>>> split = held_out_split(languages=["eng_Latn", "tur_Latn"])          # doctest: +SKIP
>>> grid = train_grid(split, sizes=(1000, 2000))                        # doctest: +SKIP
>>> [t.tokenizer.name for t in grid][:2]                                # doctest: +SKIP
['bpe-1000-english', 'bpe-2000-english']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from workbench import corpora, zoo
from workbench.errors import UsageError, unknown_name
from workbench.fairness.metrics import inequality, parity
from workbench.zoo.training import Kind, Mix, train_tokenizer

MIXES: tuple[Mix, ...] = ("english", "balanced")


@dataclass(frozen=True)
class HeldOut:
    """A parallel corpus split by position: ``train`` and ``test`` sentences per language, aligned in each."""

    name: str
    reference: str
    train: dict[str, list[str]]
    test: dict[str, list[str]]

    def overlap(self) -> dict[str, int]:
        """Per language with any: how many distinct sentences are on both sides (a corpus repeating a sentence
        across its lines or splits; FLORES-200 repeats a few translations between ``dev`` and ``devtest``)."""
        shared = {code: len(set(self.train[code]) & set(self.test[code])) for code in self.train}
        return {code: n for code, n in shared.items() if n}


@dataclass(frozen=True)
class Trained:
    """One tokenizer of the grid and the settings it was trained with."""

    kind: Kind
    vocab_size: int
    mix: Mix
    tokenizer: zoo.Tokenizer


def held_out_split(corpus: corpora.CorpusSource | None = None, languages: Sequence[str] | None = None, *,
                   reference: str = "eng_Latn", test_share: float = 0.5) -> HeldOut:
    """The text to train on and the text to measure on, with no sentence in both.

    ``corpus`` ``None`` (or ``"flores200"``) is FLORES-200: ``dev`` to train on, ``devtest`` to measure on
    (``test_share`` is then FLORES' own). Any other corpus (a folder of ``<language>.txt`` files, a table, a
    mapping; see :func:`workbench.corpora.parallel_corpus`) keeps its first lines to train on and its last
    ``test_share`` of them to measure on. ``reference`` is the language premiums are relative to, and the one
    the ``english`` mix trains on.
    """
    if corpus is None or corpus == "flores200":
        codes = list(languages or corpora.flores_languages())
        train = {code: corpora.load_flores(code, split="dev") for code in codes}
        test = {code: corpora.load_flores(code, split="devtest") for code in codes}
        name = "flores200"
    else:
        if not 0 < test_share < 1:
            raise UsageError(f"test_share must be between 0 and 1 (the share of lines to measure on), "
                             f"not {test_share}.")
        sentences = corpora.parallel_corpus(corpus, languages)
        lines = len(next(iter(sentences.values())))
        cut = lines - round(lines * test_share)
        if cut < 1 or cut >= lines:
            raise UsageError(f"The corpus has {lines} aligned lines: too few to keep some for training and some for "
                             "measuring. Give at least 2 lines per language (a few hundred for a meaningful result).")
        train = {code: s[:cut] for code, s in sentences.items()}
        test = {code: s[cut:] for code, s in sentences.items()}
        name = corpora.corpus_label(corpus)
    if reference not in train:
        raise unknown_name("reference language", reference, list(train))
    return HeldOut(name, reference, train, test)


def mix_texts(split: HeldOut, mix: Mix) -> list[str]:
    """The training sentences of ``mix``: the reference language's (``english``), or every language's, the same
    number each since the corpus is aligned (``balanced``)."""
    if mix not in MIXES:
        raise unknown_name("language mix", mix, MIXES)
    if mix == "english":
        return list(split.train[split.reference])
    return [s for sentences in split.train.values() for s in sentences]


def train_grid(split: HeldOut, kinds: Sequence[Kind] = ("bpe", "spm-unigram"), sizes: Sequence[int] = (8000,),
               mixes: Sequence[Mix] = MIXES, *, seed: int = 0) -> list[Trained]:
    """Every (mix, kind, size) trained on :func:`mix_texts` of ``split``, named ``<kind>-<size>-<mix>``.

    Each tokenizer is cached by its texts and settings, so a rerun trains nothing and gives the same
    fingerprints. Deterministic for ``bpe``, ``spm-bpe`` and ``spm-unigram`` (see :mod:`workbench.zoo.training`).
    """
    grid = []
    for mix in mixes:
        texts = mix_texts(split, mix)
        for kind in kinds:
            for size in sizes:
                tok = train_tokenizer(texts, kind, size, seed=seed, name=f"{kind}-{size}-{mix}")
                grid.append(Trained(kind, size, mix, tok))
    return grid


def grid_frame(grid: Sequence[Trained]) -> pl.DataFrame:
    """``tokenizer, kind, vocab_size, mix, vocab``: the settings of each trained tokenizer and the vocabulary it
    got (smaller than asked when the text holds fewer merges or pieces than that)."""
    return pl.DataFrame([{"tokenizer": t.tokenizer.name, "kind": t.kind, "vocab_size": t.vocab_size, "mix": t.mix,
                          "vocab": t.tokenizer.vocab_size} for t in grid],
                        schema={"tokenizer": pl.String, "kind": pl.String, "vocab_size": pl.Int64,
                                "mix": pl.String, "vocab": pl.Int64})


def compute_mix_view(premiums: pl.DataFrame, grid: Sequence[Trained], vocab_size: int, mix: Mix) -> pl.DataFrame:
    """``language, tokenizer, premium`` of the grid's tokenizers trained with ``vocab_size`` on ``mix``, then of
    every tokenizer of ``premiums`` outside the grid (the references, the user's own), in ``premiums``' order."""
    trained = {t.tokenizer.name for t in grid}
    chosen = {t.tokenizer.name for t in grid if t.vocab_size == vocab_size and t.mix == mix}
    if not chosen:
        raise UsageError(f"Nothing in the grid was trained with vocab_size={vocab_size} on the {mix!r} mix; "
                         f"it has {sorted({(t.vocab_size, t.mix) for t in grid})}.")
    keep = [n for n in dict.fromkeys(premiums["tokenizer"]) if n in chosen or n not in trained]
    cells = premiums.select("language", "tokenizer", "premium").filter(pl.col("tokenizer").is_in(keep))
    return cells.sort(pl.col("tokenizer").replace_strict(keep, range(len(keep))), maintain_order=True)


def summary(premiums: pl.DataFrame, fertility: pl.DataFrame | None = None, purity: pl.DataFrame | None = None,
            census: Sequence[Mapping[str, object]] = (), *, tolerance: float = 0.1) -> pl.DataFrame:
    """One row per tokenizer (in ``premiums``' order): the premiums' median, max and Gini across languages and the
    share of languages at parity (within ``tolerance`` of the reference), then whichever of these are given:
    mean fertility over languages, ``tr_type``/``pure_type`` (:func:`workbench.turkish.purity_table`) and the
    share of ``normal`` ids in the vocabulary (:func:`workbench.glitch.census`)."""
    if premiums.is_empty():
        raise UsageError("No premiums to summarise: count some tokenizers first (fairness.counts, fairness.premium).")
    cells = premiums.select("language", "tokenizer", "premium")
    order = pl.DataFrame({"tokenizer": list(dict.fromkeys(cells["tokenizer"]))})
    parts = [cells.group_by("tokenizer").agg(median_premium=pl.col("premium").median()),
             inequality(cells).select("tokenizer", "max_premium", "gini"), parity(cells, tolerance)]
    if fertility is not None:
        parts.append(fertility.group_by("tokenizer").agg(fertility=pl.col("fertility").mean()))
    if purity is not None:
        parts.append(purity.select("tokenizer", "tr_type", "pure_type"))
    if census:
        parts.append(pl.DataFrame([{"tokenizer": c["tokenizer"], "normal_share": c["normal"] / c["total"]}
                                   for c in census]))
    for part in parts:
        order = order.join(part, on="tokenizer", how="left", maintain_order="left")
    return order


def mix_effect(table: pl.DataFrame, grid: Sequence[Trained], measure: str = "median_premium") -> pl.DataFrame:
    """``kind, vocab_size, english, balanced, ratio``: ``measure`` (a :func:`summary` column) of each kind and
    size trained on English beside the same trained on the balanced mix, and English's over balanced's."""
    if measure not in table.columns:
        raise unknown_name("summary column", measure, [c for c in table.columns if c != "tokenizer"])
    settings = grid_frame(grid).select("tokenizer", "kind", "vocab_size", "mix")
    long = settings.join(table.select("tokenizer", measure), on="tokenizer", maintain_order="left")
    wide = long.pivot(on="mix", index=["kind", "vocab_size"], values=measure, maintain_order=True)
    if not {"english", "balanced"} <= set(wide.columns):
        raise UsageError("mix_effect needs tokenizers trained on both mixes: "
                         "train_grid(..., mixes=('english', 'balanced')).")
    return wide.select("kind", "vocab_size", "english", "balanced",
                       ratio=pl.col("english") / pl.col("balanced"))
