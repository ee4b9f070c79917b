"""Coloured tokens: how several tokenizers split the same text, as HTML and as a widget.

Three layers, as everywhere in the workbench: :func:`compute_token_view` (pure data),
:func:`render_token_view` (an HTML string), :func:`token_view_explorer` (an
:class:`~workbench.explorers.Explorer` whose ``controls["tokenizers"]`` and ``controls["text"]``
tests can set). Byte-fallback runs (several ids for one character, e.g. ``<0xF0>`` ``<0x9F>``...)
are grouped into one dashed box labelled with all their ids (:func:`token_groups`, which
``workbench tokenize`` prints too); unknown tokens are framed red. Rows wrap between boxes within
the output width; a right-to-left row is laid out right to left (``dir="rtl"``) and each box is
bidi-isolated, so Arabic, Hebrew, Urdu or N'Ko read in order next to digits and Latin. Part of the
display layer, like :mod:`workbench.explorers`: no analysis imports it, while
:mod:`workbench.fairness.explorer` builds its parallel-sentence view on it.
"""

from __future__ import annotations

import html
import unicodedata
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
    return {tok.name: token_groups(tok, text) for tok in zoo.resolve_all(tokenizers)}


def token_groups(tok: zoo.Tokenizer, text: str) -> list[TokenGroup]:
    """The tokens of ``text`` as runs of pieces that cover the same characters, what the view shows as one box.

    A run is pieces with equal spans (tiktoken and Hugging Face byte pieces of one character) or
    zero-width pieces followed by the piece that completes the character (SentencePiece byte
    fallback). ``workbench tokenize`` prints the same runs. With gpt2::

        >>> [g.text for g in token_groups(zoo.load_tokenizer("gpt2"), "İstanbul")]  # doctest: +SKIP
        ['İ', 'stanbul']
    """
    groups: list[tuple[int, int, str, list[int]]] = []
    for piece in tok.pieces(text):
        last = groups[-1] if groups else None
        if last and ((last[0], last[1]) == (piece.start, piece.end) or last[0] == last[1] == piece.start):
            groups[-1] = (last[0], piece.end, piece.text, [*last[3], piece.id])
        else:
            groups.append((piece.start, piece.end, piece.text, [piece.id]))
    # a run's span is its last piece's span, so its text is that piece's text (in the text the tokenizer saw)
    return [TokenGroup(shown, tuple(ids), _kind(tok, ids)) for _, _, shown, ids in groups]


def _kind(tok: zoo.Tokenizer, ids: list[int]) -> Literal["normal", "byte", "unknown"]:
    types = {tok.token_type(i) for i in ids}
    return "unknown" if "control" in types else ("byte" if "byte" in types or len(ids) > 1 else "normal")


def text_direction(text: str) -> Literal["ltr", "rtl"]:
    """``"rtl"`` when the first strong character of ``text`` is right-to-left (Arabic, Hebrew, N'Ko...), else ``"ltr"``.

    The rule of HTML's ``dir="auto"`` (Unicode bidi rules P2-P3)::

        >>> text_direction("123 שלום world"), text_direction("world שלום")
        ('rtl', 'ltr')
    """
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


# ------------------------------------------------------------------------------------------ render

_PALETTE = ("#cfe8fc", "#fde2c8", "#d8f3d0", "#f4d3f0", "#fff3b0", "#d9d4f7")
_BORDER = {"byte": "1px dashed #555", "unknown": "2px solid #d00", "normal": "1px solid transparent"}


def render_token_view(view: dict[str, list[TokenGroup]], direction: Direction = "auto") -> str:
    """HTML: one row per tokenizer, each token group a coloured box; byte runs dashed, unknowns red.

    Rows wrap between boxes within the output width (a flex-wrap row in a grid column that cannot
    grow past it); spaces inside a box stay visible (``white-space: pre-wrap``). Each box is
    bidi-isolated (``dir="auto"``), and a row is laid out right to left (``dir="rtl"``) when
    ``direction`` says so, or, for ``"auto"``, when its text's first strong character is
    right-to-left (:func:`text_direction`).
    """
    rows = []
    for name, groups in view.items():
        row_dir = text_direction("".join(g.text for g in groups)) if direction == "auto" else direction
        boxes = "".join(_box(g, i) for i, g in enumerate(groups))
        rows.append(f'<div class="workbench-tokens-label" style="overflow-wrap:anywhere"><b>{html.escape(name)}</b> '
                    f'({sum(len(g.ids) for g in groups)})</div><div class="workbench-tokens-row" dir="{row_dir}" '
                    'style="display:flex;flex-wrap:wrap;gap:3px 2px;min-width:0;unicode-bidi:isolate;'
                    f'line-height:1.6">{boxes}</div>')
    return ('<div class="workbench-tokens" style="display:grid;grid-template-columns:fit-content(30%) '
            f'minmax(0,1fr);gap:6px 10px;align-items:start;max-width:100%;margin-bottom:8px">{"".join(rows)}</div>')


def _box(group: TokenGroup, index: int) -> str:
    title = f"ids {list(group.ids)}" + (f" ({len(group.ids)} byte pieces)" if group.kind == "byte" else "")
    shown = html.escape(group.text).replace("\n", "⏎") or "∅"
    return (f'<span class="workbench-token workbench-token-{group.kind}" dir="auto" title="{title}" '
            f'style="background:{_PALETTE[index % len(_PALETTE)]};border:{_BORDER[group.kind]};border-radius:3px;'
            f'padding:0 1px;white-space:pre-wrap;overflow-wrap:anywhere;max-width:100%;unicode-bidi:isolate">'
            f'{shown}</span>')


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
