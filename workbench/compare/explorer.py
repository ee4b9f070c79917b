"""The render layer of the comparison report: its plots and its standalone HTML page.

The only module of :mod:`workbench.compare` that draws (matplotlib, seaborn); everything it shows is
already computed by :func:`workbench.compare.report.compute_report`. The premium heatmap is the one
of :func:`workbench.fairness.render_premium_heatmap`, so both analyses draw premiums the same way.
"""

from __future__ import annotations

import base64
import html
import io

import matplotlib.pyplot as plt
import numpy as np
import polars as pl
from matplotlib.figure import Figure

from workbench import fairness
from workbench.compare.measures import DEFAULT_ALPHA
from workbench.compare.report import ComparisonReport, report_tables


def render_efficiency_vs_vocab(summary: pl.DataFrame, alpha: float = DEFAULT_ALPHA) -> Figure:
    """Rényi efficiency (observed types) against the vocabulary size (log scale), one labelled point per tokenizer.

    ``summary``: a :attr:`ComparisonReport.summary` or a :func:`compute_unigram_measures` table.
    """
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.scatter(summary["vocab_size"], summary["renyi_efficiency"])
    for name, x, y in summary.select("tokenizer", "vocab_size", "renyi_efficiency").iter_rows():
        ax.annotate(name, (x, y), textcoords="offset points", xytext=(4, 4), fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel("vocabulary size")
    ax.set_ylabel(f"Rényi efficiency (α = {alpha})")
    fig.tight_layout()
    return fig


def render_fertility_by_script(report: ComparisonReport) -> Figure:
    """Mean fertility per script group, one bar per tokenizer (grapheme-unit scripts included, as labelled)."""
    table = (report.languages.group_by("script_group", "tokenizer").agg(pl.col("fertility").mean())
             .pivot(on="tokenizer", index="script_group", values="fertility").sort("script_group"))
    names = [c for c in table.columns if c != "script_group"]
    fig, ax = plt.subplots(figsize=(max(6.0, 0.5 * len(table) * len(names)), 4))
    width = 0.8 / len(names)
    for k, name in enumerate(names):
        ax.bar(np.arange(len(table)) + k * width, table[name].fill_null(0).to_numpy(), width, label=name)
    ax.set_xticks(np.arange(len(table)) + 0.4 - width / 2, table["script_group"].to_list(), rotation=45, ha="right")
    ax.set_ylabel("fertility (tokens per word or grapheme)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def _png(fig: Figure) -> str:
    """``fig`` as an inline ``<img>`` (PNG, base64), closed afterwards."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    return f"<img alt='plot' src='data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}'/>"


def _html_table(frame: pl.DataFrame) -> str:
    cell = lambda v: "—" if v is None else f"{v:.4f}" if isinstance(v, float) else html.escape(str(v))  # noqa: E731
    head = "".join(f"<th>{html.escape(c)}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>" for row in frame.iter_rows())
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_report_html(report: ComparisonReport) -> str:
    """The whole report as one standalone HTML page: the record, the three plots, then every table."""
    record = "".join(f"<tr><th>{html.escape(k)}</th><td><code>{html.escape(v)}</code></td></tr>"
                     for k, v in report.provenance.items())
    plots = [("Premium per language", fairness.render_premium_heatmap(report.languages)),
             ("Fertility by script", render_fertility_by_script(report)),
             ("Rényi efficiency vs vocabulary size",
              render_efficiency_vs_vocab(report.summary, float(report.provenance["alpha"])))]
    figures = "".join(f"<h2>{html.escape(title)}</h2>{_png(fig)}" for title, fig in plots)
    tables = "".join(f"<h2>{html.escape(t)}</h2>{_html_table(f)}" for t, f in report_tables(report).items())
    style = "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #bbb;padding:2px 6px}"
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Tokenizer comparison</title>"
            f"<style>{style}</style></head><body><h1>Tokenizer comparison</h1><h2>Reproducibility</h2>"
            f"<table>{record}</table>{figures}{tables}</body></html>")
