"""The app's one widget: a fast/full mode switch above one tab per analysis, each tab built when first opened.

:mod:`workbench.app.sections` says what each tab holds; this module lays it out for a reader who sees no code
(controls on the left, results beside them) and keeps memory low: a tab's explorers, and so its model, are built
only when the tab is opened. :mod:`workbench.app.serve` serves it with Voila (``workbench app``, ``make app``).
"""

from __future__ import annotations

import gc
import html
from collections.abc import Sequence

import ipywidgets as widgets

from workbench import config
from workbench.app.sections import SECTIONS, Section
from workbench.cli import missing_extra_message
from workbench.errors import WorkbenchError
from workbench.explorers import Explorer

#: What the note beside the mode switch says the full mode costs (from notebook 01's "Time to run", full mode),
#: in fast mode and in full mode.
FULL_COST = ("Full mode computes on everything: a tab can take minutes to open the first time (10–30 min for the "
             "fairness counts of 204 languages), then reads its results from the cache.")
FULL_MODE = "Full mode (now): every tab computes on everything; its first opening can take minutes."


class Dashboard(widgets.VBox):
    """The app: ``mode`` (a fast/full switch), ``tabs`` (one per :class:`~workbench.app.sections.Section`) and
    ``explorers`` (tab index -> the explorers built in it; a tab is absent until it is opened)."""

    def __init__(self, sections: Sequence[Section] = SECTIONS, *, open_first: bool = True) -> None:
        if not config.mode_chosen():  # opened without workbench app (Binder, JupyterLab): start small
            config.set_fast_mode(True)
        self.sections = tuple(sections)
        self.explorers: dict[int, list[Explorer]] = {}
        self.mode = widgets.ToggleButtons(options=[("fast", True), ("full (slow)", False)], value=config.fast_mode(),
                                          description="mode", tooltips=["small samples", FULL_COST],
                                          style={"button_width": "90px"}, layout=widgets.Layout(flex="0 0 auto"))
        self.note = widgets.HTML(layout=widgets.Layout(flex="1 1 0"))
        self.pages = [widgets.VBox() for _ in self.sections]  # tab pages: their children change, not the tabs'
        self.tabs = widgets.Tab(children=self.pages, titles=[s.title for s in self.sections])
        self.tabs.selected_index = 0 if open_first else None  # a Tab selects its first page by itself
        super().__init__([widgets.HBox([self.mode, self.note], layout=widgets.Layout(align_items="center")), self.tabs])
        self._show_mode()
        self.open_tab(self.tabs.selected_index)
        self.tabs.observe(lambda change: self.open_tab(change["new"]), names="selected_index")
        self.mode.observe(self._switch, names="value")

    def open_tab(self, index: int | None) -> None:
        """Build tab ``index``'s explorers unless they are built (an error that speaks to the user is shown in
        the tab instead)."""
        if index is None or index in self.explorers:
            return
        section, page = self.sections[index], self.pages[index]
        mode = "fast" if config.fast_mode() else "full"
        page.children = [self._intro(section), widgets.HTML(f"<p><i>Computing in {mode} mode…</i></p>")]
        try:
            built = section.build()
        except (WorkbenchError, ModuleNotFoundError) as exc:
            reason = str(exc) if isinstance(exc, WorkbenchError) else missing_extra_message(exc)
            if reason is None:  # a module no extra provides: a bug, not the user's set-up
                raise
            page.children = [self._intro(section), widgets.HTML(f"<p><b>This tab cannot open:</b> "
                                                                f"{html.escape(reason)}</p>")]
            return
        self.explorers[index] = [explorer for _, explorer in built]
        for _, explorer in built:
            explorer.arrange("beside")
        page.children = [self._intro(section), *(w for caption, explorer in built
                                                 for w in (widgets.HTML(f"<p>{caption}</p>"), explorer))]

    def _intro(self, section: Section) -> widgets.HTML:
        fast, full = section.sizes
        modes = ("fast", "full") if config.fast_mode() else ("full", "fast")
        now, other = (fast, full) if config.fast_mode() else (full, fast)
        sizes = (f"This tab computes on {now} ({modes[0]} mode; the {modes[1]} mode: {other})." if fast != full
                 else f"This tab is the same in both modes: {now}.")
        return widgets.HTML(f"<h3>{html.escape(section.question)}</h3><p>{section.text}</p>"
                            f"<p style='color:#555'>{sizes}</p>")

    def _show_mode(self) -> None:
        fast = ("Fast mode (now): small samples; a tab opens in a minute or less (the very first run converts "
                f"models: a few minutes). {FULL_COST}")
        self.note.value = f"<span style='color:#555'>{fast if config.fast_mode() else FULL_MODE}</span>"

    def _switch(self, change: dict) -> None:
        """The mode switch: the process changes mode, built tabs are dropped (their memory freed) and the open
        tab is built again."""
        config.set_fast_mode(change["new"])
        self.explorers.clear()
        for page in self.pages:
            page.children = []
        gc.collect()
        self._show_mode()
        self.open_tab(self.tabs.selected_index)


def dashboard(sections: Sequence[Section] = SECTIONS, *, open_first: bool = True) -> Dashboard:
    """The app's widget (:class:`Dashboard`): display it in a notebook, or serve it with ``workbench app``.

    It starts in the mode ``WORKBENCH_FAST`` chooses, and in fast mode when that is not set.

    >>> board = dashboard(open_first=False)   # doctest: +SKIP
    >>> board.tabs.selected_index = 1          # doctest: +SKIP  (builds the Turkish tab)
    """
    return Dashboard(sections, open_first=open_first)
