"""Widgets for the glitch-token pipeline, in three layers: ``compute_*`` (pure) → ``render_*`` (HTML or a
figure) → :func:`glitch_explorer` (ipywidgets).

Browse the candidates of a :class:`~workbench.glitch.scan.Scan`, see one token's indicators, its
nearest neighbours in the input embedding and the verification prompts it is put in, and try a
prompt of your own. The computation lives in the other glitch modules; nothing here is cached.
"""

from __future__ import annotations

import html

import numpy as np
import polars as pl
import torch

from workbench.glitch.categories import token_text
from workbench.glitch.scan import Scan
from workbench.glitch.verification import PROMPTS
from workbench.zoo import Tokenizer


def compute_candidates(result: Scan, n: int = 50) -> pl.DataFrame:
    """The ``n`` most suspicious candidates (lowest main indicator first)."""
    return result.table.filter(pl.col("candidate")).sort(result.main_indicator).head(n)


def compute_token_report(result: Scan, loaded, tok: Tokenizer, token_id: int, k: int = 8) -> dict[str, object]:
    """One token's row of the scan, its ``k`` nearest neighbours (cosine, input embedding) and its prompts."""
    emb = loaded.input_embeddings()
    unit = torch.nn.functional.normalize(emb.float(), dim=1)
    sims = unit @ unit[token_id]
    sims[token_id] = -2
    top = torch.topk(sims, k)
    neighbours = [(int(i), token_text(tok, int(i)) if int(i) < tok.vocab_size else "", float(s))
                  for s, i in zip(top.values, top.indices, strict=True)]
    text = token_text(tok, token_id)
    return {"row": result.table.row(token_id, named=True), "neighbours": neighbours,
            "prompts": {p.name: p.render(text)[-160:] for p in PROMPTS}}


@torch.inference_mode()
def compute_prompt(loaded, tok: Tokenizer, text: str, max_new_tokens: int = 12, top: int = 5) -> dict[str, object]:
    """Greedy continuation of ``text`` and the top next-token probabilities."""
    ids = torch.tensor([tok.encode(text, add_special_tokens=True)])
    out = loaded.model.generate(ids, max_new_tokens=max_new_tokens, do_sample=False, output_logits=True,
                                return_dict_in_generate=True, attention_mask=torch.ones_like(ids),
                                pad_token_id=int(ids[0, 0]))
    probs = out.logits[0].float().softmax(-1)[0]  # first generated step
    best = torch.topk(probs, top)
    return {"continuation": tok.decode(out.sequences[0, ids.shape[1]:].tolist()),
            "next": [(token_text(tok, int(i)), float(p)) for p, i in zip(best.values, best.indices, strict=True)]}


def render_candidates(frame: pl.DataFrame) -> str:
    """An HTML table of candidates (token shown with ``repr`` so whitespace is visible)."""
    cols = [c for c in frame.columns if c != "token"]
    head = "".join(f"<th>{c}</th>" for c in ["token", *cols])
    body = "".join("<tr>" + f"<td><code>{html.escape(repr(r['token']))}</code></td>" +
                   "".join(f"<td>{_fmt(r[c])}</td>" for c in cols) + "</tr>" for r in frame.iter_rows(named=True))
    return f"<table><tr>{head}</tr>{body}</table>"


def render_token_report(report: dict[str, object]) -> str:
    """HTML for :func:`compute_token_report`."""
    row = report["row"]
    facts = "".join(f"<li>{k}: {_fmt(v)}</li>" for k, v in row.items() if k != "token")
    near = ", ".join(f"<code>{html.escape(repr(t))}</code> ({s:.2f})" for _, t, s in report["neighbours"])
    prompts = "".join(f"<li><b>{n}</b>: <code>…{html.escape(p)}</code></li>" for n, p in report["prompts"].items())
    return (f"<h4><code>{html.escape(repr(row['token']))}</code> (id {row['token_id']})</h4><ul>{facts}</ul>"
            f"<p>nearest neighbours: {near}</p><p>verification prompts (tail):</p><ul>{prompts}</ul>")


def render_prompt(result: dict[str, object]) -> str:
    """HTML for :func:`compute_prompt`."""
    nxt = ", ".join(f"<code>{html.escape(repr(t))}</code> {p:.3f}" for t, p in result["next"])
    return f"<p>continuation: <code>{html.escape(repr(result['continuation']))}</code></p><p>next token: {nxt}</p>"


def render_indicator_histogram(result: Scan, indicator: str | None = None):
    """A matplotlib figure: the indicator's distribution per category (log counts)."""
    import matplotlib.pyplot as plt

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


def render_census(rows: list[dict[str, object]]):
    """A matplotlib figure: the share of each non-normal category per tokenizer (stacked bars, percent)."""
    import matplotlib.pyplot as plt

    from workbench.glitch.categories import CATEGORIES

    fig, ax = plt.subplots(figsize=(7, 0.3 * len(rows) + 1.2))
    left = np.zeros(len(rows))
    names = [str(r["tokenizer"]) for r in rows]
    for category in CATEGORIES[1:]:
        share = np.array([100 * r[category] / r["total"] for r in rows])
        ax.barh(names, share, left=left, label=category)
        left += share
    ax.set(xlabel="% of the vocabulary that is not 'normal'")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def glitch_explorer(result: Scan, loaded, tok: Tokenizer | None = None, n: int = 50):
    """A widget: pick a candidate to see its report; type a prompt to see the model's continuation."""
    import ipywidgets as widgets

    tok = tok or loaded.load_tokenizer()
    frame = compute_candidates(result, n)
    options = [(f"{r['token_id']}: {r['token']!r}", r["token_id"]) for r in frame.iter_rows(named=True)]
    pick = widgets.Dropdown(options=options, description="candidate")
    report = widgets.HTML()
    prompt = widgets.Text(placeholder="Try a prompt…", description="prompt", continuous_update=False)
    answer = widgets.HTML()

    def show(change=None) -> None:
        if pick.value is not None:
            report.value = render_token_report(compute_token_report(result, loaded, tok, pick.value))

    def ask(change=None) -> None:
        answer.value = render_prompt(compute_prompt(loaded, tok, prompt.value)) if prompt.value else ""

    pick.observe(show, names="value")
    prompt.observe(ask, names="value")
    show()
    box = widgets.VBox([widgets.HTML(render_candidates(frame.head(10))), pick, report, prompt, answer])
    box.pick, box.report, box.prompt, box.answer = pick, report, prompt, answer
    return box


def _fmt(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else html.escape(str(value))
