"""The app: the four analyses as one dashboard of tabs, for readers who see no code (``workbench app``).

- :mod:`~workbench.app.sections`: what each tab holds (text for readers, the analysis's own explorers);
- :mod:`~workbench.app.board`: :func:`dashboard`, the widget (a fast/full switch, tabs built when opened);
- :mod:`~workbench.app.serve`: Voila on ``dashboard.ipynb``, the package's notebook that displays it.

Unlike the numbered notebooks, which explain a method cell by cell, the app shows only controls and results.
:func:`dashboard` is imported on first use, so ``workbench app --help`` imports no widget library.
"""

from __future__ import annotations

__all__ = ["dashboard"]


def __getattr__(name: str):
    if name == "dashboard":
        from workbench.app.board import dashboard

        return dashboard
    raise AttributeError(f"module 'workbench.app' has no attribute {name!r}")
