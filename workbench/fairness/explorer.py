"""The fairness views: premium heatmaps, sentence premiums, cost bars, the HTML report, and two explorers.

The render and widget layers of the contract in :mod:`workbench.explorers`: the ``render_*`` functions
turn tables computed by the other fairness modules into a matplotlib ``Figure`` or an HTML string;
:func:`sentence_explorer`, :func:`cost_explorer` and :func:`training_explorer` return
:class:`~workbench.explorers.Explorer` s.
The one ``compute_*`` here, :func:`compute_sentence_view`, lives here because it is built on the
coloured-token view (:mod:`workbench.token_view`), which no analysis module imports.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Literal

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import polars as pl
import seaborn as sns
from matplotlib.figure import Figure

from workbench import corpora, explorers, figures, token_view, zoo
from workbench.fairness.balance import Trained, compute_mix_view
from workbench.fairness.metrics import inequality, premium_matrix
from workbench.fairness.premiums import DEFAULT_PRICE_PER_MILLION, compute_cost, compute_premium_table

GroupBy = Literal["script_group", "family", "script_name"]


def render_premium_heatmap(table: pl.DataFrame, group_by: GroupBy = "script_group", *,
                           max_premium: float = 10.0) -> Figure:
    """A heatmap of premiums on a log colour scale: rows = languages ordered by ``group_by`` then median premium.

    ``table`` is a :func:`~workbench.fairness.premiums.compute_premium_table`. Premiums beyond ``max_premium``
    (or below its inverse) are clipped, as the colour bar's ends say; cells that are not ``valid`` (too many
    unknown tokens) are grey, as the legend says. Row labels follow :func:`workbench.figures.label_size`.
    """
    shown = table.with_columns(pl.when(pl.col("valid").fill_null(True)).then(pl.col("premium")).alias("premium"))
    wide = premium_matrix(shown.select("language", "tokenizer", "premium"))
    info = table.select("language", "name", group_by).unique("language")
    wide = wide.join(info, on="language").with_columns(
        pl.concat_list(pl.exclude("language", "name", group_by)).list.median().alias("_median")
    ).sort(group_by, "_median")
    values = wide.select(pl.exclude("language", "name", group_by, "_median")).to_numpy().astype(float)
    fig, ax = figures.row_axes(len(wide), 2.5 + 0.55 * values.shape[1], min_height=4.0)
    top = np.log2(max_premium)
    sns.heatmap(np.log2(np.clip(values, 1 / max_premium, max_premium)), ax=ax, cmap="RdBu_r", center=0,
                vmin=-top, vmax=top, cbar_kws={"extend": "both"},
                xticklabels=[c for c in wide.columns if c not in ("language", "name", group_by, "_median")],
                yticklabels=[f"{g} · {n}" for g, n in zip(wide[group_by], wide["name"], strict=True)])
    figures.ratio_colorbar(ax.collections[0].colorbar, max_premium, "premium vs reference (log scale)")
    if np.isnan(values).any():
        figures.add_missing_legend(ax)
    fig.tight_layout()
    return fig


def render_sentence_premiums(table: pl.DataFrame, languages: Sequence[str]) -> Figure:
    """Median sentence premium with its bootstrap CI (:func:`~workbench.fairness.metrics.sentence_premium`),
    one row per (language, tokenizer)."""
    sub = table.filter(pl.col("language").is_in(list(languages))).sort("language", "tokenizer")
    fig, ax = figures.row_axes(len(sub), 8)
    labels = [f"{lang} · {tok}" for lang, tok in zip(sub["language"], sub["tokenizer"], strict=True)]
    y = np.arange(len(sub))
    med = sub["median"].to_numpy()
    ax.errorbar(med, y, xerr=[med - sub["ci_low"].to_numpy(), sub["ci_high"].to_numpy() - med], fmt="o", ms=3)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    figures.ratio_axis(ax)
    ax.axvline(1.0, color="grey", lw=0.8)
    ax.set_xlabel("median sentence premium (95% bootstrap CI)")
    fig.tight_layout()
    return fig


def render_cost(cost: pl.DataFrame, tokenizer: str, *, top: int = 25) -> Figure:
    """Bar chart of the ``top`` most expensive languages for one tokenizer (cost of the same content).

    ``cost`` is a :func:`~workbench.fairness.premiums.compute_cost` frame; the x axis names its unit and price.
    """
    sub = cost.filter(pl.col("tokenizer") == tokenizer).sort("cost", descending=True).head(top)
    fig, ax = figures.row_axes(len(sub), 7)
    ax.barh(sub["language"].to_list()[::-1], sub["cost"].to_list()[::-1])
    ax.set_xlabel(f"cost of the whole corpus with {tokenizer} ({figures.money(sub['price_per_million'][0])})")
    fig.tight_layout()
    return fig


def render_report(counts_: pl.DataFrame, reference: str = "eng_Latn") -> str:
    """A standalone HTML page: premium heatmap, inequality per tokenizer, and the premium matrix."""
    table = compute_premium_table(counts_, reference)
    fig = render_premium_heatmap(table)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    image = base64.b64encode(buffer.getvalue()).decode()
    premiums = table.select("language", "tokenizer", "premium")
    return (f"<html><head><meta charset='utf-8'><title>Tokenizer fairness</title></head><body>"
            f"<h1>Tokenizer fairness (reference {html.escape(reference)})</h1>"
            f"<img src='data:image/png;base64,{image}'/><h2>Inequality</h2>{_html_table(inequality(premiums))}"
            f"<h2>Premiums</h2>{_html_table(premium_matrix(premiums))}</body></html>")


def _html_table(frame: pl.DataFrame) -> str:
    cell = lambda v: "---" if v is None else f"{v:.2f}" if isinstance(v, float) else html.escape(str(v))  # noqa: E731
    head = "".join(f"<th>{html.escape(c)}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>" for row in frame.iter_rows())
    return f"<table border='1' style='border-collapse:collapse'><tr>{head}</tr>{body}</table>"


# ------------------------------------------------------------------------------------------ sentences


@dataclass(frozen=True)
class SentenceTokens:
    """One language's version of the sentence: its code, name, direction and token groups per tokenizer."""

    language: str
    name: str
    direction: str
    tokens: dict[str, list[token_view.TokenGroup]]


@dataclass(frozen=True)
class SentenceView:
    """Sentence ``index`` of ``corpus`` in several languages, each tokenized by the same tokenizers."""

    corpus: str
    index: int
    languages: tuple[SentenceTokens, ...]


def compute_sentence_view(corpus: corpora.CorpusSource, tokenizers: Sequence[str | zoo.Tokenizer],
                          languages: Sequence[str], sentence: int) -> SentenceView:
    """The coloured-token view of aligned sentence ``sentence`` in each language, for each tokenizer."""
    rows = []
    for code in languages:
        info = corpora.language_info(code)
        text = corpora.parallel_corpus(corpus, [code])[code][sentence]
        rows.append(SentenceTokens(code, info.name, info.direction, token_view.compute_token_view(text, tokenizers)))
    return SentenceView(corpus, sentence, tuple(rows))


def render_sentence_view(view: SentenceView) -> str:
    """HTML: per language a heading and the token rows, right-to-left scripts laid out right to left."""
    return "".join(f"<h4>{html.escape(row.name)} ({row.language})</h4>"
                   + token_view.render_token_view(row.tokens, row.direction) for row in view.languages)


def sentence_explorer(corpus: corpora.CorpusSource | None = None, tokenizers: Sequence[object] | None = None,
                      languages: Sequence[str] = ("eng_Latn", "tur_Latn", "arb_Arab", "shn_Mymr"),
                      ) -> explorers.Explorer:
    """Pick tokenizers, languages and a sentence; see the coloured tokens side by side.

    Controls: ``tokenizers``, ``languages`` (multiple choice) and ``sentence`` (index); ``.result`` is
    a :class:`SentenceView`. ``tokenizers`` (first selected) may hold zoo names, paths and tokenizer
    objects (your own: :func:`workbench.zoo.wrap`); those not in the zoo join the picker's options.
    ``corpus`` may be the user's own (a path or a mapping).
    """
    name = corpus or corpora.default_parallel_corpus()
    known = (list(corpora.parallel_corpus(name)) if not corpora.is_named(name)
             else corpora.flores_languages() if name == "flores200" else corpora.udhr_languages())
    picked = [lang for lang in languages if lang in known] or known[:3]
    size = len(corpora.parallel_corpus(name, picked[:1])[picked[0]])
    chosen = list(tokenizers or ("gpt2", "o200k_base", "gemma3"))
    options = explorers.tokenizer_options(zoo.list_tokenizers(), [t for t in chosen if not zoo.is_zoo_name(t)])
    by_label = dict(options)
    controls = {
        "tokenizers": widgets.SelectMultiple(options=options, description="tokenizers", rows=6,
                                             value=tuple(by_label[t if zoo.is_zoo_name(t) else zoo.resolve(t).name]
                                                         for t in chosen)),
        "languages": widgets.SelectMultiple(options=known, value=tuple(picked), description="languages", rows=6),
        "sentence": widgets.IntSlider(value=0, min=0, max=size - 1, description="sentence"),
    }
    return explorers.explorer(controls, partial(compute_sentence_view, name), render_sentence_view)


def cost_explorer(counts_: pl.DataFrame, reference: str = "eng_Latn", *, tokenizer: str | None = None,
                  price_per_million: float = DEFAULT_PRICE_PER_MILLION) -> explorers.Explorer:
    """Pick a tokenizer and a price per million tokens; see what the same corpus costs per language.

    Controls: ``tokenizer`` (starting on ``tokenizer``, default the first counted) and ``price_per_million``
    (USD, starting on ``price_per_million``); ``.result`` is that tokenizer's
    :func:`~workbench.fairness.premiums.compute_cost` rows.
    """
    names = list(dict.fromkeys(counts_["tokenizer"]))
    controls = {"tokenizer": widgets.Dropdown(options=names, value=tokenizer or names[0], description="tokenizer"),
                "price_per_million": widgets.FloatText(value=price_per_million, description="USD / 1M tok")}

    def compute(tokenizer: str, price_per_million: float) -> pl.DataFrame:
        return compute_cost(counts_, price_per_million, reference).filter(pl.col("tokenizer") == tokenizer)

    return explorers.explorer(controls, compute, lambda cost: render_cost(cost, cost["tokenizer"][0]))


def render_premium_spread(cells: pl.DataFrame, title: str = "") -> Figure:
    """Each tokenizer's premiums across languages as dots on a log axis, its median as a bar, parity (1) as a line.

    ``cells`` is ``language, tokenizer, premium`` (e.g. :func:`~workbench.fairness.balance.compute_mix_view`);
    one row per tokenizer, so it stays readable with 204 languages.
    """
    names = list(dict.fromkeys(cells["tokenizer"]))
    fig, ax = plt.subplots(figsize=(7, 0.8 + 0.45 * len(names)))
    for row, name in enumerate(names):
        values = cells.filter(pl.col("tokenizer") == name)["premium"].to_numpy()
        jitter = np.random.default_rng(row).uniform(-0.15, 0.15, len(values))
        ax.scatter(values, row + jitter, s=8, alpha=0.5)
        ax.plot([np.median(values)] * 2, [row - 0.3, row + 0.3], color="black", lw=2)
    ax.axvline(1.0, color="grey", ls="--", lw=1)
    figures.ratio_axis(ax)
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set_xlabel("premium vs the reference language (log scale; bar = median over languages)")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig


def training_explorer(premiums: pl.DataFrame, grid: Sequence[Trained]) -> explorers.Explorer:
    """Pick a vocabulary size and a training mix; see the premiums of the tokenizers trained so, beside the others.

    ``premiums`` holds every tokenizer's ``language, tokenizer, premium`` (the grid's and the references');
    ``grid`` is :func:`~workbench.fairness.balance.train_grid`'s. Controls: ``vocab_size`` and ``mix``;
    ``.result`` is :func:`~workbench.fairness.balance.compute_mix_view`'s frame.
    """
    sizes = sorted({t.vocab_size for t in grid})
    mixes = list(dict.fromkeys(t.mix for t in grid))
    controls = {"vocab_size": widgets.Dropdown(options=sizes, value=sizes[0], description="vocab size"),
                "mix": widgets.ToggleButtons(options=mixes, value=mixes[0], description="trained on")}

    def render(cells: pl.DataFrame) -> Figure:
        medians = cells.group_by("tokenizer", maintain_order=True).agg(pl.col("premium").median())
        return render_premium_spread(cells, "median premium: " + ", ".join(
            f"{n} {m:.2f}" for n, m in medians.iter_rows()))

    return explorers.explorer(controls, partial(compute_mix_view, premiums, grid), render)
