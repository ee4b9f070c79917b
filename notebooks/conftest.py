"""nbval settings for the numbered notebooks: compare text and numbers, not widgets, HTML or scripts.

As in TransformerLens' ``demos/conftest.py``: a widget's model id is random, and HTML (the coloured
token views, polars' HTML twin of every table) and JavaScript carry markup rather than results. Every
table also has a ``text/plain`` form, which is still compared (floats rounded by
``nbval_sanitize.cfg``), so dropping these mimetypes hides no number.
"""

from __future__ import annotations

import pytest

#: Output mimetypes nbval does not compare, on top of its own defaults (metadata, images, ...).
SKIP_COMPARE = ("text/html", "application/vnd.jupyter.widget-view+json", "application/javascript")


def pytest_collectstart(collector: pytest.Collector) -> None:
    """Add :data:`SKIP_COMPARE` to every notebook nbval collects."""
    if hasattr(collector, "skip_compare"):
        collector.skip_compare = (*collector.skip_compare, *SKIP_COMPARE)
