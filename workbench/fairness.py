"""Multilingual tokenizer fairness: count tokens of a parallel corpus, cache them, show and export them.

This is the one module that runs tokenizers over whole corpora; :mod:`workbench.metrics` turns the
counts into premiums, fertility, inequality and overlap, and :mod:`workbench.corpora` supplies the
text. It follows Petrov et al. (2023), "Language Model Tokenizers Introduce Unfairness Between
Languages" (NeurIPS), and extends it with current tokenizers and sentence-level statistics.

Two counting modes (:data:`Mode`):

* ``petrov`` — their exact recipe: for each language, dev then devtest split on ``"\\n"`` (the
  trailing empty strings kept), joined by one space, and the **whole string encoded once** without
  special tokens (:func:`workbench.corpora.flores_raw`). One row per (language, tokenizer).
* ``sentences`` — every sentence encoded on its own (batched), one tidy row per (language,
  sentence_id, tokenizer) with tokens, UTF-8 bytes, characters and words (script-aware, see
  :func:`workbench.metrics.word_spans`). Everything sentence-level derives from this table.

Both also count ``unknown`` tokens (ids of the tokenizer's unknown token, type ``control``; nothing
else of that type can appear since no special tokens are added) and ``byte_fallback`` tokens
(``<0xAB>`` pieces, type ``byte``). Results are cached per tokenizer under
``cache_dir("results", "fairness")``, keyed by the tokenizer's file hash, the corpus hash, the mode
and :data:`CODE_VERSION`, written atomically: a failure leaves no partial entry.

>>> counts(["cl100k_base"], languages=["eng_Latn"])["tokens"].item()   # doctest: +SKIP
52835
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import io
import itertools
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl
from tqdm.auto import tqdm

from workbench import assets, corpora, metrics, zoo
from workbench.config import cache_dir, write_atomic
from workbench.display import TokenGroup, compute_token_view, render_token_view  # noqa: F401 (re-exported)
from workbench.errors import unknown_name

Mode = Literal["petrov", "sentences"]
MODES: tuple[Mode, ...] = ("petrov", "sentences")
GroupBy = Literal["script_group", "family", "script_name"]
CODE_VERSION = "1"
PETROV_COLUMNS = ("language", "tokenizer", "tokens", "bytes", "chars", "unknown", "byte_fallback")
SENTENCE_COLUMNS = ("language", "sentence_id", "tokenizer", "tokens", "bytes", "chars", "words", "unknown",
                    "byte_fallback")
#: Published corpus-total counts, Petrov et al. (2023), repo AleksandarPetrov/tokenization-fairness,
#: assets/tokenization_lengths.csv (English, Turkish, Shan rows; identical in every commit), for the
#: columns whose tokenizer the zoo holds: their column name -> (zoo name, eng_Latn, tur_Latn, shn_Mymr).
#: RoBERTa, r50k_base and p50k_edit share GPT-2's vocabulary; ByT5 counts UTF-8 bytes (its English
#: 259,396 equals the byte count, no EOS in their recipe); CANINE and UTF-32 count code points.
PETROV_2023_COUNTS: dict[str, tuple[str, int, int, int]] = {
    "GPT-2": ("gpt2", 52567, 127797, 986091), "p50k_base": ("p50k_base", 52567, 127797, 986085),
    "cl100k_base": ("cl100k_base", 52835, 101176, 795074), "LLAMA": ("llama2", 60621, 126485, 718299),
    "Qwen": ("qwen1", 53726, 86634, 564421), "XLM-RoBERTa": ("xlm-roberta", 59656, 61972, 263999),
    "ByT5": ("utf8-bytes", 259396, 289924, 1020993), "UTF-32": ("unicode-chars", 259170, 266383, 368897),
}
#: Their columns whose vocabulary equals a zoo tokenizer's (so their counts are the same numbers).
PETROV_2023_EQUIVALENT = {"RoBERTa": "gpt2", "r50k_base": "gpt2", "p50k_edit": "p50k_base", "CANINE": "unicode-chars"}
#: Their columns no registry offers (so not reproducible offline): the tokenizer files exist only on the
#: Hugging Face hub (or in fairseq2 for SeamlessM4T), which these machines cannot reach.
PETROV_2023_UNAVAILABLE = ("BLOOM", "NLLB", "SeamlessM4T", "M2M100", "MBart50", "mT5", "FlanT5", "Glot500",
                           "GottBERT", "CamemBERT", "PhoBERT", "RoCBert", "ArabicBERT", "MuRIL", "BERT Japanese")
#: Published premiums vs English (2 d.p.), from their tokenization_lengths_validated.csv, for 15 languages.
PETROV_2023_LANGUAGES = ("tur_Latn", "shn_Mymr", "mya_Mymr", "deu_Latn", "fra_Latn", "spa_Latn", "zho_Hans",
                         "jpn_Jpan", "kor_Hang", "arb_Arab", "hin_Deva", "rus_Cyrl", "dzo_Tibt", "ory_Orya", "sat_Olck")
PETROV_2023_PREMIUMS: dict[str, tuple[float, ...]] = {
    "gpt2": (2.43, 18.76, 16.89, 2.14, 2.00, 1.99, 3.21, 3.00, 5.07, 4.40, 7.46, 5.74, 16.36, 13.38, 12.86),
    "cl100k_base": (1.91, 15.05, 11.70, 1.58, 1.60, 1.55, 1.91, 2.30, 2.38, 3.04, 4.79, 2.49, 12.33, 12.48, 12.80),
    "llama2": (2.09, 11.85, 8.37, 1.41, 1.47, 1.45, 2.00, 2.24, 3.18, 3.42, 4.60, 1.64, 7.42, 11.59, 11.92),
    "qwen1": (1.61, 10.51, 8.99, 1.55, 1.57, 1.52, 1.07, 1.46, 1.64, 1.63, 4.47, 1.75, 8.19, 9.79, 8.99),
    "xlm-roberta": (1.04, 4.43, 1.72, 1.17, 1.30, 1.20, 0.97, 1.11, 1.16, 1.18, 1.25, 1.17, None, 1.45, None),
    "utf8-bytes": (1.12, 3.94, 3.51, 1.18, 1.24, 1.21, 0.93, 1.27, 1.20, 1.60, 2.55, 1.98, 3.64, 2.73, 2.79),
    "unicode-chars": (1.03, 1.42, 1.24, 1.17, 1.19, 1.19, 0.34, 0.44, 0.51, 0.88, 1.00, 1.09, 1.25, 1.03, 1.06),
}


def petrov_comparison(premiums: pl.DataFrame) -> pl.DataFrame:
    """Our premiums beside the published ones (:data:`PETROV_2023_PREMIUMS`), with the difference.

    ``published`` is null where Petrov et al. blanked the cell (> 10% unknown tokens).
    """
    rows = [{"tokenizer": tok, "language": lang, "published": value}
            for tok, values in PETROV_2023_PREMIUMS.items() for lang, value in zip(PETROV_2023_LANGUAGES, values,
                                                                                  strict=True)]
    ours = premiums.select("tokenizer", "language", pl.col("premium").round(2).alias("ours"))
    return (pl.DataFrame(rows, schema={"tokenizer": pl.String, "language": pl.String, "published": pl.Float64})
            .join(ours, on=["tokenizer", "language"]).with_columns((pl.col("ours") - pl.col("published")).round(2)
                                                                    .alias("difference")))
UNKNOWN_THRESHOLD = 0.1  # Petrov et al.'s THRESHOLD_FOR_TOO_MANY_UNKNOWN
_CHUNK = 8  # languages per encode_batch call in petrov mode (bounds memory, keeps both cores busy)


# ------------------------------------------------------------------------------------------ corpus


@dataclass(frozen=True)
class CorpusTexts:
    """The texts one counting run encodes: a string per language (petrov) or its sentences, plus their digest."""

    name: corpora.CorpusName
    mode: Mode
    texts: dict[str, str] | dict[str, list[str]]
    digest: str
    sentence_ids: tuple[int, ...] | None = None


def corpus_texts(corpus: corpora.CorpusName | None = None, languages: Sequence[str] | None = None,
                 mode: Mode = "petrov", path: str | Path | None = None, *, sample: int | None = None,
                 seed: int = 0) -> CorpusTexts:
    """Read the texts of ``corpus`` (default: FLORES-200 if present, else UDHR) for ``mode``.

    ``sample`` (sentences mode only) keeps the same ``sample`` sentence positions in every language
    (seeded); their original indices become the ``sentence_id``. Unknown language codes raise before
    anything is read; empty or non-UTF-8 files raise a :class:`~workbench.errors.WorkbenchError`.
    """
    if mode not in MODES:
        raise unknown_name("counting mode", mode, MODES)
    name = corpus or corpora.default_parallel_corpus(path)
    if mode == "sentences":
        texts: dict = corpora.parallel_corpus(name, languages, path=path)
        ids = corpora.sample_indices(len(next(iter(texts.values()))), sample, seed) if sample else None
        texts = {code: [sents[i] for i in ids] for code, sents in texts.items()} if ids else texts
        return CorpusTexts(name, mode, texts, corpora.corpus_digest(texts), tuple(ids) if ids else None)
    known = corpora.flores_languages(path) if name == "flores200" else corpora.udhr_languages(path)
    codes = list(languages) if languages is not None else known
    for code in codes:
        if code not in known:
            raise unknown_name(f"{name} language", code, known)
    texts = {code: corpora.corpus_raw(name, code, path=path) for code in codes}
    return CorpusTexts(name, mode, texts, corpora.corpus_digest({k: [v] for k, v in texts.items()}))


# ------------------------------------------------------------------------------------------ counting


def tokenizer_digest(name: str) -> str:
    """sha256 over the tokenizer's asset hashes and the zoo's converter version (the name for baselines/hub)."""
    parts = [name] if name.startswith("hf:") else [assets.get(a).sha256 for a in zoo.spec(name).assets] or [name]
    return hashlib.sha256("|".join([*parts, zoo.CONVERTER_VERSION]).encode()).hexdigest()


def cache_path(name: str, texts: CorpusTexts) -> Path:
    """Where the counts of tokenizer ``name`` over ``texts`` are cached."""
    safe = name.replace("/", "_").replace(":", "_")
    key = f"{texts.mode}-{texts.name}-{safe}-{tokenizer_digest(name)[:12]}-{texts.digest[:12]}-v{CODE_VERSION}"
    return cache_dir("results", "fairness") / f"{key}.parquet"


def counts(tokenizers: Sequence[str], corpus: corpora.CorpusName | None = None, languages: Sequence[str] | None = None,
           mode: Mode = "petrov", *, path: str | Path | None = None, progress: bool = True,
           texts: CorpusTexts | None = None, cache: bool = True, sample: int | None = None) -> pl.DataFrame:
    """Token counts of every tokenizer over every language (``mode``: see the module docstring), cached.

    Returns :data:`PETROV_COLUMNS` or :data:`SENTENCE_COLUMNS` rows, tokenizers in the order given.
    ``cache=False`` recounts and leaves the cache untouched (benchmarks); ``texts`` skips re-reading;
    ``sample`` counts that many aligned sentences per language (sentences mode, see :func:`corpus_texts`).
    """
    for name in tokenizers:
        if not name.startswith("hf:"):
            zoo.spec(name)  # unknown names fail before any work
    texts = texts or corpus_texts(corpus, languages, mode, path, sample=sample)
    frames, todo = {}, []
    for name in tokenizers:
        cached = _read_cache(cache_path(name, texts), texts) if cache else None
        frames[name] = cached if cached is not None else todo.append(name)
    size = len(todo) * len(texts.texts)
    with tqdm(total=size, desc=f"counting ({mode})", unit="lang", disable=not progress or not size,
              file=sys.stderr) as bar:
        for name in todo:
            frames[name] = _count_tokenizer(name, texts, bar)
            if cache:
                write_atomic(cache_path(name, texts), frames[name].write_parquet)
    return pl.concat([frames[name] for name in tokenizers])


def _read_cache(target: Path, texts: CorpusTexts) -> pl.DataFrame | None:
    if not target.is_file():
        return None
    frame = pl.read_parquet(target)
    return frame if set(frame["language"].unique()) == set(texts.texts) else None


@cache
def _flag_codes(name: str) -> np.ndarray:
    """Per vocabulary id: 0 for an ordinary token, 1 for unknown/control, 2 for byte fallback."""
    types = np.array(zoo.load_tokenizer(name).token_types)
    return np.select([types == "control", types == "byte"], [1, 2], 0).astype(np.int8)


def _flag_counts(name: str, encoded: list[list[int]]) -> np.ndarray:
    """(unknown, byte-fallback) token counts of each id list: an array of shape (len(encoded), 2).

    All lists go into one array: one pass from Python ints to numpy, the cost here (about a third of
    SentencePiece's own encoding time on sentences). Only the flagged tokens are then placed back into
    their list, by offset.
    """
    table = _flag_codes(name)
    if not table.any():  # nothing to flag in this vocabulary (unicode-chars, mistral-tekken)
        return np.zeros((len(encoded), 2), dtype=np.int64)
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    flat = np.fromiter(itertools.chain.from_iterable(encoded), dtype=np.int64, count=int(lengths.sum()))
    codes = table[flat]
    hits = np.flatnonzero(codes)
    owner = np.searchsorted(np.cumsum(lengths), hits, side="right")
    flags = np.bincount(2 * owner + codes[hits] - 1, minlength=2 * len(encoded))
    return flags.reshape(len(encoded), 2)


def _count_tokenizer(name: str, texts: CorpusTexts, bar: tqdm) -> pl.DataFrame:
    tok = zoo.load_tokenizer(name)
    bar.set_postfix_str(name)
    count = _count_petrov if texts.mode == "petrov" else _count_sentences
    return count(tok, texts, bar)


def _count_petrov(tok: zoo.Tokenizer, texts: CorpusTexts, bar: tqdm) -> pl.DataFrame:
    rows = []
    codes = list(texts.texts)
    for start in range(0, len(codes), _CHUNK):
        chunk = codes[start:start + _CHUNK]
        encoded = tok.encode_batch([texts.texts[c] for c in chunk])
        for code, ids, flags in zip(chunk, encoded, _flag_counts(tok.name, encoded), strict=True):
            text = texts.texts[code]
            rows.append((code, tok.name, len(ids), len(text.encode("utf-8")), len(text), *map(int, flags)))
        bar.update(len(chunk))
    return pl.DataFrame(rows, schema=list(PETROV_COLUMNS), orient="row")


def _count_sentences(tok: zoo.Tokenizer, texts: CorpusTexts, bar: tqdm) -> pl.DataFrame:
    frames = []
    for code, sentences in texts.texts.items():
        encoded = tok.encode_batch(sentences)
        flags = _flag_counts(tok.name, encoded)
        frames.append(pl.DataFrame({
            "language": code, "sentence_id": texts.sentence_ids or np.arange(len(sentences)), "tokenizer": tok.name,
            "tokens": [len(ids) for ids in encoded], "bytes": [len(s.encode("utf-8")) for s in sentences],
            "chars": [len(s) for s in sentences], "words": _word_counts(texts.name, code, tuple(sentences)),
            "unknown": flags[:, 0], "byte_fallback": flags[:, 1]}))
        bar.update(1)
    return pl.concat(frames).select(SENTENCE_COLUMNS)


@cache
def _word_counts(corpus: str, code: str, sentences: tuple[str, ...]) -> list[int]:
    script = corpora.language_info(code).script
    return [metrics.count_words(s, script) for s in sentences]


# ------------------------------------------------------------------------------------------ compute


def languages_frame(codes: Sequence[str]) -> pl.DataFrame:
    """Name, script, script group, family and direction of each language code (FLORES or UDHR)."""
    rows = [corpora.language_info(c) for c in codes]
    return pl.DataFrame([{"language": r.code, "name": r.name, "script": r.script, "script_name": r.script_name,
                          "script_group": r.script_group or r.script_name, "family": r.family or "other",
                          "direction": r.direction} for r in rows])


def compute_premium_table(counts_: pl.DataFrame, reference: str = "eng_Latn") -> pl.DataFrame:
    """Premiums (tokens vs ``reference``) with each language's name, script, family and unknown-token rate.

    ``valid`` is false where more than :data:`UNKNOWN_THRESHOLD` of the tokens are unknown tokens:
    Petrov et al. blank such cells (their fraction is of characters lost, ours of tokens), since a
    tokenizer that maps a script to ``<unk>`` looks cheap while it erases the text.
    """
    prem = metrics.premium(counts_, reference)
    unknown = counts_.group_by("language", "tokenizer").agg((pl.col("unknown").sum() / pl.col("tokens").sum())
                                                             .alias("unknown_rate"))
    return (prem.join(unknown, on=["language", "tokenizer"], how="left")
            .with_columns((pl.col("unknown_rate") <= UNKNOWN_THRESHOLD).alias("valid"))
            .join(languages_frame(prem["language"].unique().to_list()), on="language", how="left"))


def compute_cost(counts_: pl.DataFrame, price_per_million: float, reference: str = "eng_Latn") -> pl.DataFrame:
    """The cost of the same service: ``cost_L = T(L) · price / 10⁶`` and its ratio to the reference's cost.

    With one price per token, the cost ratio equals the premium; with different tokenizers the
    absolute cost is what a user pays for the same content in each language.
    """
    prem = metrics.premium(counts_, reference)
    totals = counts_.group_by("language", "tokenizer").agg(pl.col("tokens").sum())
    return (prem.join(totals, on=["language", "tokenizer"])
            .with_columns((pl.col("tokens") * price_per_million / 1e6).alias("cost")))


def petrov_count_comparison(counts_: pl.DataFrame) -> pl.DataFrame:
    """Our petrov-mode counts beside :data:`PETROV_2023_COUNTS` (the zoo tokenizers present in ``counts_``)."""
    ours = {(r["tokenizer"], r["language"]): r["tokens"] for r in counts_.iter_rows(named=True)}
    rows = [{"petrov_column": column, "tokenizer": tok, "language": lang, "published": published,
             "ours": ours.get((tok, lang))}
            for column, (tok, *values) in PETROV_2023_COUNTS.items()
            for lang, published in zip(("eng_Latn", "tur_Latn", "shn_Mymr"), values, strict=True)]
    frame = pl.DataFrame(rows).filter(pl.col("ours").is_not_null())
    return frame.with_columns((pl.col("ours") == pl.col("published")).alias("equal"))


def compute_fertility(tokenizers: Sequence[str], corpus: corpora.CorpusName, languages: Sequence[str],
                      n: int = 200, seed: int = 0) -> pl.DataFrame:
    """Fertility and proportion of continued words (Rust et al. 2021) on ``n`` aligned sentences per language.

    Words come from :func:`workbench.metrics.word_spans` (grapheme clusters in unspaced scripts,
    flagged in ``word_unit``); a word's tokens are the tokens of the running sentence that overlap it.
    """
    texts = corpus_texts(corpus, languages, "sentences", sample=n, seed=seed).texts
    rows = []
    for code, sentences in texts.items():
        script = corpora.language_info(code).script
        for name in tokenizers:
            tok = zoo.load_tokenizer(name)
            per_word = [k for s in sentences for k in metrics.tokens_per_word(
                metrics.word_spans(s, script), [(p.start, p.end) for p in tok.pieces(s)])]
            rows.append({"language": code, "tokenizer": name, "word_unit": metrics.word_unit(script),
                         "fertility": metrics.fertility(per_word), "continued": metrics.continued_words(per_word)})
    return pl.DataFrame(rows)


def compute_allocation(tokenizer: str, corpus: corpora.CorpusName, languages: Sequence[str], n: int = 500,
                       seed: int = 0) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Vocabulary allocation and overlap after Limisiewicz et al. (2023) for one tokenizer.

    Each sentence is encoded with special tokens (as their ``compute_token_frequency.py`` does);
    characters count each line plus its newline. Returns (``language, average_rank, chars_per_token``,
    the pairwise JSD table of :func:`workbench.metrics.jsd_matrix`).
    """
    tok = zoo.load_tokenizer(tokenizer)
    texts = corpus_texts(corpus, languages, "sentences", sample=n, seed=seed).texts
    distributions, rows = {}, []
    for code, sentences in texts.items():
        ids = list(itertools.chain.from_iterable(tok.encode_batch(sentences, add_special_tokens=True)))
        distributions[code] = np.bincount(np.asarray(ids, dtype=np.int64), minlength=tok.vocab_size)
        rows.append({"language": code, "average_rank": metrics.average_rank(distributions[code]),
                     "chars_per_token": sum(len(s) + 1 for s in sentences) / len(ids)})
    return pl.DataFrame(rows), metrics.jsd_matrix(distributions)





def render_premium_heatmap(table: pl.DataFrame, group_by: GroupBy = "script_group", *, max_premium: float = 10.0):
    """A seaborn heatmap of log premiums: rows = languages ordered by ``group_by`` then median premium.

    Cells that are not ``valid`` (too many unknown tokens, see :func:`compute_premium_table`) are left blank.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    shown = table.with_columns(pl.when(pl.col("valid").fill_null(True)).then(pl.col("premium")).alias("premium"))
    wide = metrics.premium_matrix(shown.select("language", "tokenizer", "premium"))
    info = table.select("language", "name", group_by).unique("language")
    wide = wide.join(info, on="language").with_columns(
        pl.concat_list(pl.exclude("language", "name", group_by)).list.median().alias("_median")
    ).sort(group_by, "_median")
    values = wide.select(pl.exclude("language", "name", group_by, "_median")).to_numpy().astype(float)
    fig, ax = plt.subplots(figsize=(1.0 + 0.55 * values.shape[1], max(4.0, 0.12 * len(wide))))
    sns.heatmap(np.log2(np.clip(values, 1 / max_premium, max_premium)), ax=ax, cmap="RdBu_r", center=0,
                xticklabels=[c for c in wide.columns if c not in ("language", "name", group_by, "_median")],
                yticklabels=[f"{g} · {n}" for g, n in zip(wide[group_by], wide["name"], strict=True)],
                cbar_kws={"label": "log2 premium vs reference"})
    ax.set_facecolor("#bdbdbd")  # blank (invalid) cells show grey
    ax.tick_params(axis="y", labelsize=5)
    fig.tight_layout()
    return fig


def render_sentence_premiums(table: pl.DataFrame, languages: Sequence[str]):
    """Median sentence premium with its bootstrap CI, one panel row per language, one point per tokenizer."""
    import matplotlib.pyplot as plt

    sub = table.filter(pl.col("language").is_in(list(languages))).sort("language", "tokenizer")
    fig, ax = plt.subplots(figsize=(8, 0.5 + 0.18 * len(sub)))
    labels = [f"{lang} · {tok}" for lang, tok in zip(sub["language"], sub["tokenizer"], strict=True)]
    y = np.arange(len(sub))
    med = sub["median"].to_numpy()
    ax.errorbar(med, y, xerr=[med - sub["ci_low"].to_numpy(), sub["ci_high"].to_numpy() - med], fmt="o", ms=3)
    ax.set_yticks(y, labels, fontsize=6)
    ax.set_xscale("log")
    ax.axvline(1.0, color="grey", lw=0.8)
    ax.set_xlabel("median sentence premium (95% bootstrap CI)")
    fig.tight_layout()
    return fig


def render_cost(cost: pl.DataFrame, tokenizer: str, *, top: int = 25):
    """Bar chart of the ``top`` most expensive languages for one tokenizer (cost of the same content)."""
    import matplotlib.pyplot as plt

    sub = cost.filter(pl.col("tokenizer") == tokenizer).sort("cost", descending=True).head(top)
    fig, ax = plt.subplots(figsize=(7, 0.5 + 0.22 * len(sub)))
    ax.barh(sub["language"].to_list()[::-1], sub["cost"].to_list()[::-1])
    ax.set_xlabel(f"cost of the whole corpus with {tokenizer}")
    ax.tick_params(axis="y", labelsize=7)
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------------------------------ widgets


def token_explorer(corpus: corpora.CorpusName | None = None, tokenizers: Sequence[str] | None = None,
                   languages: Sequence[str] = ("eng_Latn", "tur_Latn", "arb_Arab", "shn_Mymr")):
    """Pick tokenizers, languages and a sentence; see the coloured tokens side by side (ipywidgets VBox).

    ``box.children[0].children`` are the controls (tokenizers, languages, sentence index);
    ``box.children[1]`` is the HTML output. Tests set ``.value`` on the controls.
    """
    import ipywidgets as w

    name = corpus or corpora.default_parallel_corpus()
    known = corpora.flores_languages() if name == "flores200" else corpora.udhr_languages()
    picked = [lang for lang in languages if lang in known] or known[:3]
    tok_pick = w.SelectMultiple(options=zoo.list_tokenizers(), value=tuple(tokenizers or ("gpt2", "o200k_base",
                                "gemma3")), description="tokenizers", rows=6)
    lang_pick = w.SelectMultiple(options=known, value=tuple(picked), description="languages", rows=6)
    sentence = w.IntSlider(value=0, min=0, max=len(corpora.parallel_corpus(name, picked[:1])[picked[0]]) - 1,
                           description="sentence")
    out = w.HTML()

    def update(_=None) -> None:
        out.value = _explorer_html(name, tok_pick.value, lang_pick.value, sentence.value)

    for control in (tok_pick, lang_pick, sentence):
        control.observe(update, names="value")
    update()
    return w.VBox([w.HBox([tok_pick, lang_pick, sentence]), out])


def _explorer_html(corpus: corpora.CorpusName, tokenizers: Sequence[str], languages: Sequence[str], index: int) -> str:
    parts = []
    for code in languages:
        info = corpora.language_info(code)
        text = corpora.parallel_corpus(corpus, [code])[code][index]
        parts.append(f"<h4>{html.escape(info.name)} ({code})</h4>"
                     + render_token_view(compute_token_view(text, tokenizers), info.direction))
    return "".join(parts)


def cost_explorer(counts_: pl.DataFrame, reference: str = "eng_Latn"):
    """Pick a tokenizer and a price per million tokens; see what the same corpus costs per language."""
    import ipywidgets as w
    import matplotlib.pyplot as plt

    tok = w.Dropdown(options=list(dict.fromkeys(counts_["tokenizer"])), description="tokenizer")
    price = w.FloatText(value=1.0, description="$ / 1M tok")
    out = w.Output()

    def update(_=None) -> None:
        out.clear_output(wait=True)
        with out:
            fig = render_cost(compute_cost(counts_, price.value, reference), tok.value)
            plt.show(fig)

    tok.observe(update, names="value")
    price.observe(update, names="value")
    update()
    return w.VBox([w.HBox([tok, price]), out])


# ------------------------------------------------------------------------------------------ exports


def premium_latex(matrix: pl.DataFrame, *, digits: int = 2, caption: str = "Token premium relative to English.") -> str:
    """A LaTeX ``tabular`` of a premium matrix (:func:`workbench.metrics.premium_matrix`), ``---`` for missing."""
    columns = matrix.columns
    escape = lambda s: str(s).replace("_", r"\_").replace("&", r"\&")  # noqa: E731
    lines = [r"\begin{table}", r"\centering", f"\\caption{{{caption}}}", r"\begin{tabular}{l" + "r" * (len(columns) - 1)
             + "}", r"\toprule", " & ".join(escape(c) for c in columns) + r" \\", r"\midrule"]
    for row in matrix.iter_rows():
        cells = [escape(row[0])] + ["---" if v is None else f"{v:.{digits}f}" for v in row[1:]]
        lines.append(" & ".join(cells) + r" \\")
    return "\n".join([*lines, r"\bottomrule", r"\end{tabular}", r"\end{table}", ""])


def export(frame: pl.DataFrame, target: str | Path) -> Path:
    """Write ``frame`` as CSV, Parquet or (premium matrix) LaTeX, chosen by the suffix; written atomically."""
    target = Path(target)
    writers = {".csv": lambda p: frame.write_csv(p), ".parquet": lambda p: frame.write_parquet(p),
               ".tex": lambda p: Path(p).write_text(premium_latex(frame), encoding="utf-8")}
    if target.suffix not in writers:
        raise unknown_name("export format", target.suffix, writers)
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(target, writers[target.suffix])


def report_html(counts_: pl.DataFrame, reference: str = "eng_Latn") -> str:
    """A standalone HTML report: premium heatmap, inequality per tokenizer, and the premium matrix."""
    import matplotlib.pyplot as plt

    table = compute_premium_table(counts_, reference)
    fig = render_premium_heatmap(table)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    image = base64.b64encode(buffer.getvalue()).decode()
    premiums = table.select("language", "tokenizer", "premium")
    return (f"<html><head><meta charset='utf-8'><title>Tokenizer fairness</title></head><body>"
            f"<h1>Tokenizer fairness (reference {html.escape(reference)})</h1>"
            f"<img src='data:image/png;base64,{image}'/><h2>Inequality</h2>{_html_table(metrics.inequality(premiums))}"
            f"<h2>Premiums</h2>{_html_table(metrics.premium_matrix(premiums))}</body></html>")


def _html_table(frame: pl.DataFrame) -> str:
    cell = lambda v: "---" if v is None else f"{v:.2f}" if isinstance(v, float) else html.escape(str(v))  # noqa: E731
    head = "".join(f"<th>{html.escape(c)}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>" for row in frame.iter_rows())
    return f"<table border='1' style='border-collapse:collapse'><tr>{head}</tr>{body}</table>"


# ------------------------------------------------------------------------------------------ CLI


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    """Add ``workbench fairness counts|report``."""
    parser = subparsers.add_parser("fairness", help="token counts and premiums over a parallel corpus")
    commands = parser.add_subparsers(dest="fairness_command", required=True)
    for command, helptext, func in (("counts", "token counts per (language, tokenizer) as CSV/Parquet", _cli_counts),
                                    ("report", "an HTML report of premiums and inequality", _cli_report)):
        sub = commands.add_parser(command, help=helptext)
        sub.add_argument("--corpus", choices=corpora.CORPORA, default=None, help="default: flores200 if present")
        sub.add_argument("--tokenizers", default=",".join(zoo.list_tokenizers(default_only=True)),
                         help="comma-separated zoo names (default: the default zoo)")
        sub.add_argument("--mode", choices=MODES, default="petrov")
        sub.add_argument("--languages", default=None, help="comma-separated codes (default: all)")
        sub.add_argument("--reference", default="eng_Latn", help="reference language for premiums (report)")
        sub.add_argument("--out", type=Path, required=True)
        sub.set_defaults(func=func)


def _cli_frame(args: argparse.Namespace) -> pl.DataFrame:
    languages = args.languages.split(",") if args.languages else None
    return counts(args.tokenizers.split(","), args.corpus, languages, args.mode)


def _cli_counts(args: argparse.Namespace) -> int:
    frame = _cli_frame(args)
    if args.mode == "sentences":
        frame = frame.group_by("language", "tokenizer", maintain_order=True).agg(
            pl.col("tokens", "bytes", "chars", "words", "unknown", "byte_fallback").sum())
    export(frame, args.out)
    print(f"wrote {len(frame)} rows to {args.out}", file=sys.stderr)
    return 0


def _cli_report(args: argparse.Namespace) -> int:
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report_html(_cli_frame(args), args.reference), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0
