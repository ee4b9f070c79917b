"""Coloured tokens: how several tokenizers split the same text, as HTML and as a widget.

Three layers, as everywhere in the workbench: :func:`compute_tokens` (pure data),
:func:`render_tokens` (an HTML string), :func:`tokens_explorer` (an ipywidgets box whose
``.value``s tests can set). Byte-fallback runs (several ids for one character, e.g. ``<0xF0>``
``<0x9F>``...) are grouped into one box labelled with all their ids; right-to-left text is laid out
right to left (``dir="rtl"``), with ``dir="auto"`` deciding when the caller does not say.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from workbench.zoo import load_tokenizer

Direction = Literal["ltr", "rtl", "auto"]
PALETTE = ("#fde68a", "#bfdbfe", "#bbf7d0", "#fbcfe8", "#ddd6fe", "#fed7aa")


@dataclass(frozen=True)
class TokenBox:
    """One coloured box: the text it covers and the ids (several for a grouped byte-fallback run)."""

    text: str
    ids: tuple[int, ...]


def group_pieces(pieces: Sequence) -> list[TokenBox]:
    """Merge zero-width pieces (partial bytes of one character) into the piece that completes them."""
    boxes: list[TokenBox] = []
    pending: list[int] = []
    for p in pieces:
        pending.append(p.id)
        if p.end > p.start or p is pieces[-1]:
            boxes.append(TokenBox(p.text, tuple(pending)))
            pending = []
    return boxes


def compute_tokens(names: Sequence[str], text: str) -> dict[str, list[TokenBox]]:
    """The grouped token boxes of ``text`` for each tokenizer in ``names``."""
    return {name: group_pieces(load_tokenizer(name).pieces(text)) for name in names}


def render_tokens(names: Sequence[str], text: str, direction: Direction = "auto") -> str:
    """An HTML table: one row per tokenizer, its token count, and the text in coloured token boxes."""
    rows = []
    for name, boxes in compute_tokens(names, text).items():
        spans = "".join(
            f'<span title="{" ".join(map(str, b.ids))}" style="background:{PALETTE[i % len(PALETTE)]};'
            f'border-radius:3px;padding:1px 0;white-space:pre-wrap">{html.escape(b.text) or "∅"}</span>'
            for i, b in enumerate(boxes))
        count = sum(len(b.ids) for b in boxes)
        rows.append(f'<tr><td style="text-align:left"><b>{html.escape(name)}</b></td>'
                    f'<td style="text-align:right">{count}</td>'
                    f'<td dir="{direction}" style="text-align:start;line-height:1.9">{spans}</td></tr>')
    return ('<table class="workbench-tokens"><tr><th>tokenizer</th><th>tokens</th><th>text</th></tr>'
            + "".join(rows) + "</table>")


def tokens_explorer(names: Sequence[str], text: str, direction: Direction = "auto"):
    """A widget: pick tokenizers, edit the text, and see the coloured tokens update."""
    import ipywidgets as widgets

    picker = widgets.SelectMultiple(options=list(names), value=tuple(names), description="tokenizers",
                                    rows=min(len(names), 8))
    box = widgets.Textarea(value=text, description="text", layout=widgets.Layout(width="95%"))
    out = widgets.HTML(render_tokens(names, text, direction))

    def update(_change=None) -> None:
        out.value = render_tokens(picker.value, box.value, direction)

    picker.observe(update, names="value")
    box.observe(update, names="value")
    return widgets.VBox([picker, box, out])
