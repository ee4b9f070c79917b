"""Coloured tokens: how several tokenizers split the same text, as HTML and as a widget.

Three layers, as everywhere in the workbench: :func:`compute_token_view` (pure data),
:func:`render_token_view` (an HTML string), :func:`token_view_explorer` (an
:class:`~workbench.explorers.Explorer` whose ``controls["tokenizers"]`` and ``controls["text"]``
tests can set). Byte-fallback runs (several ids for one character, e.g. ``<0xF0>`` ``<0x9F>``...)
are grouped into one dashed box labelled with all their ids; unknown tokens are framed red;
right-to-left text is laid out right to left (``dir="rtl"``, each box bidi-isolated). Part of the
display layer, like :mod:`workbench.explorers`: no analysis imports it, while
:mod:`workbench.fairness.explorer` builds its parallel-sentence view on it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from workbench import zoo

if TYPE_CHECKING:
    from workbench.explorers import Explorer

Direction = Literal["ltr", "rtl", "auto"]


@dataclass(frozen=True)
class TokenGroup:
    """Consecutive tokens covering the same characters (one token, or a run of byte pieces of one character)."""

    text: str
    ids: tuple[int, ...]
    kind: Literal["normal", "byte", "unknown"]


def compute_token_view(text: str, tokenizers: Sequence[str | zoo.Tokenizer]) -> dict[str, list[TokenGroup]]:
    """Each tokenizer's tokens of ``text`` as :class:`TokenGroup` runs (byte pieces of one character grouped)."""
    return {tok.name: _groups(tok, text) for tok in zoo.resolve_all(tokenizers)}


def _groups(tok: zoo.Tokenizer, text: str) -> list[TokenGroup]:
    """Runs of pieces that cover the same characters: equal spans (tiktoken, HF byte runs) or zero-width
    pieces followed by the piece that completes the character (SentencePiece byte fallback)."""
    groups: list[tuple[int, int, list[int]]] = []
    for piece in tok.pieces(text):
        last = groups[-1] if groups else None
        if last and ((last[0], last[1]) == (piece.start, piece.end) or last[0] == last[1] == piece.start):
            groups[-1] = (last[0], piece.end, [*last[2], piece.id])
        else:
            groups.append((piece.start, piece.end, [piece.id]))
    return [TokenGroup(text[s:e], tuple(ids), _kind(tok, ids)) for s, e, ids in groups]


def _kind(tok: zoo.Tokenizer, ids: list[int]) -> Literal["normal", "byte", "unknown"]:
    types = {tok.token_type(i) for i in ids}
    return "unknown" if "control" in types else ("byte" if "byte" in types or len(ids) > 1 else "normal")


# ------------------------------------------------------------------------------------------ render

_PALETTE = ("#cfe8fc", "#fde2c8", "#d8f3d0", "#f4d3f0", "#fff3b0", "#d9d4f7")


def render_token_view(view: dict[str, list[TokenGroup]], direction: Direction = "ltr") -> str:
    """HTML: one row per tokenizer, tokens as coloured spans; byte runs dashed, unknowns red; ``dir`` honoured."""
    rows = []
    for name, groups in view.items():
        spans = "".join(_span(g, i) for i, g in enumerate(groups))
        rows.append(f'<tr><td style="white-space:nowrap;padding-right:8px"><b>{html.escape(name)}</b> '
                    f'({sum(len(g.ids) for g in groups)})</td><td><div dir="{direction}" '
                    f'style="unicode-bidi:isolate;line-height:1.9">{spans}</div></td></tr>')
    return f'<table class="workbench-tokens">{"".join(rows)}</table>'


def _span(group: TokenGroup, index: int) -> str:
    border = {"byte": "1px dashed #555", "unknown": "2px solid #d00", "normal": "none"}[group.kind]
    title = f"ids {list(group.ids)}" + (f" ({len(group.ids)} byte pieces)" if group.kind == "byte" else "")
    shown = html.escape(group.text).replace(" ", "&nbsp;").replace("\n", "⏎") or "∅"
    return (f'<span title="{title}" style="background:{_PALETTE[index % len(_PALETTE)]};border:{border};'
            f'unicode-bidi:isolate;margin:0 1px;border-radius:3px">{shown}</span>')


def token_view_explorer(names: Sequence[str], text: str, direction: Direction = "auto") -> Explorer:
    """A widget: pick tokenizers, edit the text, and see the coloured tokens update.

    Controls: ``tokenizers`` (multiple choice) and ``text``; ``.result`` is the
    :func:`compute_token_view` of the current text and tokenizers.
    """
    import ipywidgets as widgets

    from workbench.explorers import explorer

    controls = {
        "tokenizers": widgets.SelectMultiple(options=list(names), value=tuple(names), description="tokenizers",
                                             rows=min(len(names), 8)),
        "text": widgets.Textarea(value=text, description="text", layout=widgets.Layout(width="95%")),
    }

    def compute(tokenizers: Sequence[str], text: str) -> dict[str, list[TokenGroup]]:
        return compute_token_view(text, tokenizers)

    return explorer(controls, compute, lambda view: render_token_view(view, direction), layout="column")
