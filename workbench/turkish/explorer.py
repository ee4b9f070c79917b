"""The Turkish views: the token-class explorer (type a sentence, see each token coloured by its class,
Zemberek's cut below) and the metric figures.

The render and widget layers of the contract in :mod:`workbench.explorers`, over the other Turkish
modules: :func:`compute_token_classes` (a frozen dataclass), :func:`render_token_classes` (an HTML
string), :func:`render_metric_bars` and :func:`render_metric_scatter` (matplotlib ``Figure`` s of a
:func:`~workbench.turkish.scoring.purity_table` frame), and :func:`token_class_explorer`, an
:class:`~workbench.explorers.Explorer`. Classes are those of :mod:`workbench.turkish.purity`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import ipywidgets as widgets
import matplotlib.pyplot as plt
import polars as pl
from matplotlib.figure import Figure

from workbench import explorers, figures, zoo
from workbench.turkish.normalise import letter_word_spans, surface_from_bytes, unify_apostrophes
from workbench.turkish.purity import Judge, TokenClass

CLASS_COLOURS: dict[str, str] = {
    "root": "#4c9f70", "morpheme": "#8cc7a1", "word": "#f2c14e", "neither": "#e07a5f",
    "fragment": "#b56576", "other": "#d9d9d9",
}
CLASS_LABELS: dict[str, str] = {
    "root": "pure root", "morpheme": "valid morpheme", "word": "valid word", "neither": "neither",
    "fragment": "byte fragment", "other": "no letters",
}


@dataclass(frozen=True)
class ColouredToken:
    """One token of the input: its id, the text it covers, its lookup key and class."""

    id: int
    text: str
    key: str
    token_class: TokenClass


@dataclass(frozen=True)
class TokenClassView:
    """What the explorer shows: the tokens, and each word with Zemberek's segmentation (``None``: no analysis)."""

    tokenizer: str
    tokens: list[ColouredToken]
    words: list[tuple[str, tuple[str, ...] | None]]


def compute_token_classes(text: str, tokenizer: str | zoo.Tokenizer, judge: Judge | None = None) -> TokenClassView:
    """Tokenize ``text`` and classify every token; an empty text gives an empty view.

    >>> compute_token_classes("", "gpt2").tokens      # doctest: +SKIP
    []
    """
    tok = zoo.resolve(tokenizer)
    judge = judge if judge is not None else Judge()
    pieces = tok.pieces(text)
    surfaces = [surface_from_bytes(tok.token_bytes(p.id)) for p in pieces]
    verdicts = judge.classify(surfaces)
    tokens = [ColouredToken(p.id, p.text, s.key, verdicts[s.key].token_class)
              for p, s in zip(pieces, surfaces, strict=True)]
    plain = unify_apostrophes(text)
    words = [plain[s:e] for s, e in letter_word_spans(plain)]
    analyses = judge.analyzer.analyse(words)
    return TokenClassView(tok.name, tokens, [(w, analyses[w].segmentations[0] if analyses[w].parses else None)
                                             for w in words])


def render_token_classes(view: TokenClassView) -> str:
    """HTML: coloured token chips, a legend, and the analyser's segmentation of each word underneath."""
    chips = "".join(
        f'<span title="{html.escape(t.key)} · {CLASS_LABELS[t.token_class]} · id {t.id}" '
        f'style="background:{CLASS_COLOURS[t.token_class]};padding:1px 2px;margin:1px;border-radius:3px;'
        f'white-space:pre">{html.escape(t.text) or "∅"}</span>' for t in view.tokens)
    legend = " ".join(f'<span style="background:{CLASS_COLOURS[c]};padding:0 4px">{label}</span>'
                      for c, label in CLASS_LABELS.items())
    segs = " ".join(html.escape("+".join(seg) if seg else f"{word} (no analysis)") for word, seg in view.words)
    return (f"<div><b>{html.escape(view.tokenizer)}</b> · {len(view.tokens)} tokens<br>{chips}"
            f"<div style='color:#555;margin-top:4px'>Zemberek: {segs}</div><small>{legend}</small></div>")


def token_class_explorer(tokenizers: Sequence[object] | None = None, text: str = "Kitaplarımızı İstanbul'da okuduk.",
                         judge: Judge | None = None) -> explorers.Explorer:
    """Type Turkish text and pick a tokenizer; see :func:`render_token_classes` of it.

    Controls: ``text`` and ``tokenizer``; ``.result`` is a :class:`TokenClassView`. ``tokenizers`` may hold
    zoo names, paths and tokenizer objects (your own: :func:`workbench.zoo.wrap`).
    """
    chosen = list(tokenizers or [*zoo.list_tokenizers(default_only=True), "turkish-hybrid"])
    options = explorers.tokenizer_options([t for t in chosen if zoo.is_zoo_name(t)],
                                          [t for t in chosen if not zoo.is_zoo_name(t)])
    judge = judge if judge is not None else Judge()
    controls = {"text": widgets.Text(value=text, description="Turkish", layout=widgets.Layout(width="90%"),
                                     continuous_update=False),
                "tokenizer": widgets.Dropdown(options=options, value=options[0][1], description="tokenizer")}
    return explorers.explorer(controls, partial(compute_token_classes, judge=judge), render_token_classes,
                              layout="column")


def render_metric_bars(table: pl.DataFrame, columns: Sequence[str], title: str = "") -> Figure:
    """Grouped horizontal bars of ``columns`` per tokenizer of a :func:`~workbench.turkish.purity_table` frame."""
    height = 0.8 / len(columns)
    fig, ax = figures.row_axes(len(table), 8, bars_per_label=len(columns))
    for i, column in enumerate(columns):
        ax.barh([y + i * height for y in range(len(table))], table[column].to_list(), height=height, label=column)
    ax.set_yticks([y + 0.4 - height / 2 for y in range(len(table))], table["tokenizer"].to_list())
    ax.set_title(title)
    ax.legend(loc="lower right")
    return fig


def render_metric_scatter(table: pl.DataFrame, x: str, y: str, title: str = "") -> Figure:
    """A labelled scatter of two metric columns, one point per tokenizer."""
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.scatter(table[x].to_list(), table[y].to_list())
    for name, xv, yv in table.select("tokenizer", x, y).iter_rows():
        ax.annotate(name, (xv, yv), fontsize=7)
    ax.set(xlabel=x, ylabel=y, title=title)
    return fig
