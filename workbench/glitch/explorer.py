"""The glitch-token views: candidate tables, token reports, indicator and census figures, and the explorer.

The render and widget layers of the contract in :mod:`workbench.explorers`, over the other glitch
modules: ``compute_*`` (a frozen dataclass or a polars frame), ``render_*`` (an HTML string or a
matplotlib ``Figure``) and :func:`glitch_explorer`, an :class:`~workbench.explorers.Explorer`: browse
the candidates of a :class:`~workbench.glitch.scan.Scan`, see one token's indicators, its nearest
neighbours in the input embedding and the verification prompts it is put in, and try a prompt of
your own. The scan itself lives in the other glitch modules; nothing here is cached.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import partial

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import polars as pl
import torch
from matplotlib.figure import Figure

from workbench import explorers, figures
from workbench.glitch.categories import CATEGORIES, token_text
from workbench.glitch.scan import Scan
from workbench.glitch.verification import PROMPTS
from workbench.zoo import Tokenizer


def compute_candidates(result: Scan, n: int = 50) -> pl.DataFrame:
    """The ``n`` most suspicious candidates (lowest main indicator first)."""
    return result.table.filter(pl.col("candidate")).sort(result.main_indicator).head(n)


@dataclass(frozen=True)
class TokenReport:
    """One token: its row of the scan, its nearest neighbours ``(id, text, cosine)`` and its prompts' tails."""

    row: dict[str, object]
    neighbours: list[tuple[int, str, float]]
    prompts: dict[str, str]


@dataclass(frozen=True)
class PromptAnswer:
    """The model's greedy continuation of a prompt and its top next tokens ``(text, probability)``."""

    continuation: str
    next: list[tuple[str, float]]


@dataclass(frozen=True)
class CandidateView:
    """What the explorer shows: the picked candidate's report (None: no candidate) and the answer to the
    prompt (None: no prompt)."""

    report: TokenReport | None
    answer: PromptAnswer | None


def compute_token_report(result: Scan, loaded, tok: Tokenizer, token_id: int, k: int = 8) -> TokenReport:
    """One token's row of the scan, its ``k`` nearest neighbours (cosine, input embedding) and its prompts."""
    emb = loaded.input_embeddings().float()  # no copy when the model is in fp32
    unit = torch.nn.functional.normalize(emb[token_id], dim=0)
    sims = (emb @ unit) / emb.norm(dim=1).clamp(min=1e-12)  # cosines without a normalized copy of the matrix
    sims[token_id] = -2
    top = torch.topk(sims, k)
    neighbours = [(int(i), token_text(tok, int(i)) if int(i) < tok.vocab_size else "", float(s))
                  for s, i in zip(top.values, top.indices, strict=True)]
    text = token_text(tok, token_id)
    return TokenReport(result.table.row(token_id, named=True), neighbours,
                       {p.name: p.render(text)[-160:] for p in PROMPTS})


@torch.inference_mode()
def compute_prompt(loaded, tok: Tokenizer, text: str, max_new_tokens: int = 12, top: int = 5) -> PromptAnswer:
    """Greedy continuation of ``text`` and the top next-token probabilities."""
    ids = torch.tensor([tok.encode(text, add_special_tokens=True)])
    out = loaded.model.generate(ids, max_new_tokens=max_new_tokens, do_sample=False, output_logits=True,
                                return_dict_in_generate=True, attention_mask=torch.ones_like(ids),
                                pad_token_id=int(ids[0, 0]))
    probs = out.logits[0].float().softmax(-1)[0]  # first generated step
    best = torch.topk(probs, top)
    return PromptAnswer(tok.decode(out.sequences[0, ids.shape[1]:].tolist()),
                        [(token_text(tok, int(i)), float(p)) for p, i in zip(best.values, best.indices, strict=True)])


def compute_candidate_view(result: Scan, loaded, tok: Tokenizer, candidate: int | None, prompt: str) -> CandidateView:
    """The report of ``candidate`` and the model's answer to ``prompt`` (either None when not given)."""
    return CandidateView(None if candidate is None else compute_token_report(result, loaded, tok, candidate),
                         compute_prompt(loaded, tok, prompt) if prompt else None)


def render_candidates(frame: pl.DataFrame) -> str:
    """An HTML table of candidates (token shown with ``repr`` so whitespace is visible)."""
    cols = [c for c in frame.columns if c != "token"]
    head = "".join(f"<th>{c}</th>" for c in ["token", *cols])
    body = "".join("<tr>" + f"<td><code>{html.escape(repr(r['token']))}</code></td>" +
                   "".join(f"<td>{_fmt(r[c])}</td>" for c in cols) + "</tr>" for r in frame.iter_rows(named=True))
    return f"<table><tr>{head}</tr>{body}</table>"


def render_token_report(report: TokenReport) -> str:
    """HTML for :func:`compute_token_report`."""
    row = report.row
    facts = "".join(f"<li>{k}: {_fmt(v)}</li>" for k, v in row.items() if k != "token")
    near = ", ".join(f"<code>{html.escape(repr(t))}</code> ({s:.2f})" for _, t, s in report.neighbours)
    prompts = "".join(f"<li><b>{n}</b>: <code>…{html.escape(p)}</code></li>" for n, p in report.prompts.items())
    return (f"<h4><code>{html.escape(repr(row['token']))}</code> (id {row['token_id']})</h4><ul>{facts}</ul>"
            f"<p>nearest neighbours: {near}</p><p>verification prompts (tail):</p><ul>{prompts}</ul>")


def render_prompt(result: PromptAnswer) -> str:
    """HTML for :func:`compute_prompt`."""
    nxt = ", ".join(f"<code>{html.escape(repr(t))}</code> {p:.3f}" for t, p in result.next)
    return f"<p>continuation: <code>{html.escape(repr(result.continuation))}</code></p><p>next token: {nxt}</p>"


def render_candidate_view(view: CandidateView) -> str:
    """HTML for :func:`compute_candidate_view`: the token report, then the prompt's answer."""
    return ((render_token_report(view.report) if view.report else "")
            + (render_prompt(view.answer) if view.answer else ""))


def render_indicator_histogram(result: Scan, indicator: str | None = None) -> Figure:
    """A matplotlib figure: the indicator's distribution per category (log counts)."""
    indicator = indicator or result.main_indicator
    fig, ax = plt.subplots(figsize=(7, 3.2))
    values = result.table[indicator].to_numpy()
    bins = np.linspace(np.nanmin(values), np.nanmax(values), 80)
    for category, part in result.table.group_by("category", maintain_order=True):
        ax.hist(part[indicator].to_numpy(), bins=bins, alpha=0.6, label=f"{category[0]} ({part.height:,})")
    ax.set(yscale="log", xlabel=indicator, ylabel="tokens")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def render_census(rows: list[dict[str, object]]) -> Figure:
    """A matplotlib figure: how many tokens of each tokenizer fall in each non-normal category.

    ``rows`` are :func:`~workbench.glitch.categories.census` dicts. Counts are on a log axis and every bar
    is labelled with its count and share of the vocabulary (:func:`workbench.figures.log_count_bars`), so a
    category of 1 token in 200,000 shows beside ``utf8-bytes``' 256 byte tokens out of 256.
    """
    names = [str(r["tokenizer"]) for r in rows]
    fig, ax = figures.row_axes(len(rows), 8, bars_per_label=len(CATEGORIES) - 1)
    figures.log_count_bars(ax, names, {c: [int(r[c]) for r in rows] for c in CATEGORIES[1:]},
                           [int(r["total"]) for r in rows])
    ax.set_xlabel("tokens in the category (log scale); label: count (share of the vocabulary)")
    fig.tight_layout()
    return fig


def glitch_explorer(result: Scan, loaded, tok: Tokenizer | None = None, n: int = 50) -> explorers.Explorer:
    """Pick one of the ``n`` top candidates to see its report; type a prompt to see the model's continuation.

    Controls: ``candidate`` (a token id) and ``prompt``; ``.result`` is a :class:`CandidateView`. The
    ten top candidates are shown above the controls.
    """
    tok = tok or loaded.load_tokenizer()
    frame = compute_candidates(result, n)
    options = [(f"{r['token_id']}: {r['token']!r}", r["token_id"]) for r in frame.iter_rows(named=True)]
    controls = {"candidate": widgets.Dropdown(options=options, description="candidate"),
                "prompt": widgets.Text(placeholder="Try a prompt…", description="prompt", continuous_update=False)}
    return explorers.explorer(controls, partial(compute_candidate_view, result, loaded, tok), render_candidate_view,
                              header=widgets.HTML(render_candidates(frame.head(10))), layout="column")


def _fmt(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else html.escape(str(value))
