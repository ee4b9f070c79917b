"""The widget layer every analysis shares: one explorer contract and one way to show a figure or a table.

Every analysis has three layers (the contract, the same in all four; see ``workbench/__init__.py``):

- ``compute_*`` returns a frozen dataclass or a polars frame and changes nothing;
- ``render_*`` returns a matplotlib ``Figure`` or an HTML string and imports no model code;
- ``*_explorer(...)`` returns an :class:`Explorer`, built here with :func:`explorer`.

An :class:`Explorer` is an ``ipywidgets.VBox`` that exposes, under the same names everywhere,
``controls`` (a dict of the widgets a user changes, by parameter name), ``result`` (what the last
``compute`` returned) and ``output`` (an ``HTML`` widget holding the rendering; a figure as an inline
PNG). Not an ``ipywidgets.Output``: writing to one while a cell runs makes nbclient, and so Voila and
``make reproduce``, mirror it on the kernel's shell socket, which can hang the run for good
(jupyter/nbclient#312; it hung Voila on notebook 01's cost explorer). Tests and users drive it the same
way: ``ex.controls["tokenizer"].value = "gpt2"`` recomputes, then ``ex.result`` holds the new result.
Only notebooks, the CLI and ``explorer.py`` modules import this one; analyses never do.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import ipywidgets as widgets

Rendered = Any  # a matplotlib Figure, an HTML string or a polars DataFrame

#: How :func:`show` lays out a table (``polars.Config`` options): every row and column, and a text twin (the
#: form nbval compares) wide enough never to wrap a column name.
WHOLE_TABLE = {"tbl_rows": -1, "tbl_cols": -1, "tbl_width_chars": 250, "fmt_str_lengths": 120}


def show(rendered: Rendered, output: widgets.HTML | None = None) -> None:
    """Show a ``render_*`` result or a table: in the notebook, or as the value of an explorer's ``output`` widget.

    The one place figures and key tables reach the screen. A Figure is drawn once and closed, so none is drawn
    twice (inline and by its cell's repr) or left open to hold memory; a polars DataFrame is shown whole
    (:data:`WHOLE_TABLE`, whatever ``pl.Config`` the notebook set) as an HTML table, with a text twin.
    """
    if output is not None:
        output.value = as_html(rendered)
        return
    from IPython.display import HTML, display

    if _is_table(rendered):
        import polars as pl

        with pl.Config(**WHOLE_TABLE):  # display() renders at once, inside the context
            display(rendered)
        return
    display(HTML(rendered) if isinstance(rendered, str) else rendered)
    if not isinstance(rendered, str):
        import matplotlib.pyplot as plt

        plt.close(rendered)


def as_html(rendered: Rendered) -> str:
    """A ``render_*`` result as HTML: the string itself, a table whole, or a Figure as an inline PNG (then closed)."""
    if isinstance(rendered, str):
        return rendered
    if _is_table(rendered):
        import polars as pl

        with pl.Config(**WHOLE_TABLE):
            return rendered._repr_html_()
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    rendered.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(rendered)
    encoded = base64.b64encode(buffer.getvalue()).decode()
    return f'<img alt="figure" style="max-width:100%" src="data:image/png;base64,{encoded}"/>'


#: Where an explorer's controls go: a row or a column above its output, or a column beside it (the app's).
Layout = Literal["row", "column", "beside"]


def _is_table(rendered: Rendered) -> bool:
    """True for a polars DataFrame (checked by module name, so this module does not import polars)."""
    return type(rendered).__module__.startswith("polars") and hasattr(rendered, "_repr_html_")


class Explorer(widgets.VBox):
    """A compute → render widget: its ``controls`` by name, its current ``result``, its ``output`` area."""

    def __init__(self, controls: Mapping[str, widgets.Widget], compute: Callable[..., Any],
                 render: Callable[[Any], Rendered], *, header: widgets.Widget | None = None,
                 layout: Layout = "row") -> None:
        self.controls = dict(controls)
        self.output = widgets.HTML()  # not an Output widget: see the module docstring
        self.result: Any = None
        self.header = header
        self._compute, self._render = compute, render
        super().__init__()
        self.arrange(layout)
        for control in self.controls.values():
            control.observe(self.refresh, names="value")
        self.refresh()

    def arrange(self, layout: Layout) -> None:
        """Lay the controls out in a ``row`` or a ``column`` above the output, with the header (if any) on top; or
        ``beside`` the output (a column on the left, the output on the right, as the app shows them, controls
        first), with the header below."""
        controls = list(self.controls.values())
        header = [self.header] if self.header is not None else []
        if layout == "beside":
            column = widgets.VBox(controls, layout=widgets.Layout(width="340px", flex="0 0 340px"))
            self.output.layout = widgets.Layout(flex="1 1 auto", min_width="0")
            self.children = [widgets.HBox([column, self.output], layout=widgets.Layout(align_items="flex-start")),
                             *header]
        else:
            self.children = [*header, (widgets.HBox if layout == "row" else widgets.VBox)(controls), self.output]

    def refresh(self, _change: object = None) -> None:
        """Recompute from the controls' current values and show the rendering."""
        self.result = self._compute(**{name: c.value for name, c in self.controls.items()})
        show(self._render(self.result), self.output)


def explorer(controls: Mapping[str, widgets.Widget], compute: Callable[..., Any], render: Callable[[Any], Rendered],
             **options: Any) -> Explorer:
    """An :class:`Explorer`: ``compute(**{name: control.value})`` on every change, then ``render`` of its result.

    >>> ex = explorer({"n": widgets.IntSlider(value=2)}, lambda n: n * n, lambda r: f"<b>{r}</b>")  # doctest: +SKIP
    >>> ex.controls["n"].value = 3; ex.result                                                          # doctest: +SKIP
    9
    """
    return Explorer(controls, compute, render, **options)


def tokenizer_options(names: Sequence[str], extra: Sequence[object] = ()) -> list[tuple[str, object]]:
    """A tokenizer picker's (label, value) options: the zoo ``names``, then each of ``extra`` (a path or any
    object :func:`workbench.zoo.resolve` takes, e.g. a tokenizer the user trained) loaded and labelled by its name.

    >>> tokenizer_options(["gpt2"])
    [('gpt2', 'gpt2')]
    """
    from workbench import zoo

    own = [zoo.resolve(t) for t in extra]
    return [*((n, n) for n in names if n not in {t.name for t in own}), *((t.name, t) for t in own)]
