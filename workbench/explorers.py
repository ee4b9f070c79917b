"""The widget layer every analysis shares: one explorer contract and one way to show a figure.

Every analysis has three layers (the contract, the same in all four; see ``workbench/__init__.py``):

- ``compute_*`` returns a frozen dataclass or a polars frame and changes nothing;
- ``render_*`` returns a matplotlib ``Figure`` or an HTML string and imports no model code;
- ``*_explorer(...)`` returns an :class:`Explorer`, built here with :func:`explorer`.

An :class:`Explorer` is an ``ipywidgets.VBox`` that exposes, under the same names everywhere,
``controls`` (a dict of the widgets a user changes, by parameter name), ``result`` (what the last
``compute`` returned) and ``output`` (where the rendering is shown). Tests and users drive it the same
way: ``ex.controls["tokenizer"].value = "gpt2"`` recomputes, then ``ex.result`` holds the new result.
Only notebooks, the CLI and ``explorer.py`` modules import this one; analyses never do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets

Rendered = Any  # a matplotlib Figure or an HTML string


def show(rendered: Rendered, output: widgets.Output | None = None) -> None:
    """Show a ``render_*`` result in a notebook (or in ``output``): a Figure is drawn once and closed, HTML shown.

    The one place figures reach the screen, so no figure is drawn twice (once inline, once by its cell's repr)
    and none is left open to hold memory.
    """
    import matplotlib.pyplot as plt
    from IPython.display import HTML, display

    shown = HTML(rendered) if isinstance(rendered, str) else rendered
    if output is None:
        display(shown)
    else:
        output.clear_output(wait=True)
        with output:
            display(shown)
    if not isinstance(rendered, str):
        plt.close(rendered)


class Explorer(widgets.VBox):
    """A compute → render widget: its ``controls`` by name, its current ``result``, its ``output`` area."""

    def __init__(self, controls: Mapping[str, widgets.Widget], compute: Callable[..., Any],
                 render: Callable[[Any], Rendered], *, header: widgets.Widget | None = None,
                 layout: str = "row") -> None:
        self.controls = dict(controls)
        self.output = widgets.Output()
        self.result: Any = None
        self._compute, self._render = compute, render
        bar = (widgets.HBox if layout == "row" else widgets.VBox)(list(self.controls.values()))
        super().__init__([*([header] if header is not None else []), bar, self.output])
        for control in self.controls.values():
            control.observe(self.refresh, names="value")
        self.refresh()

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
