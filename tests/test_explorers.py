"""workbench.explorers.show: key tables reach the screen whole, as HTML with a text twin, whatever pl.Config says."""

from __future__ import annotations

import ipywidgets as widgets
import polars as pl
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from workbench.explorers import show

ROWS = 40


@pytest.fixture(scope="module")
def frame() -> pl.DataFrame:
    return pl.DataFrame({"tokenizer": [f"tokenizer-number-{i:02d}" for i in range(ROWS)],
                         **{f"a_rather_long_column_name_{k}": [i * 0.5 for i in range(ROWS)] for k in range(7)}})


def test_show_displays_every_row_and_column_as_html_and_text(frame):
    InteractiveShell.instance()  # display() sends rich output only with a shell
    with pl.Config(tbl_rows=5, tbl_cols=3), capture_output() as captured:
        show(frame)
    (shown,) = captured.outputs
    page, text = shown.data["text/html"], shown.data["text/plain"]
    assert page.count("<tr>") == ROWS + 2 and "&hellip;" not in page and "…" not in page  # header + dtype rows
    assert all(f"tokenizer-number-{i:02d}" in text for i in range(ROWS)) and "…" not in text
    assert all(f"a_rather_long_column_name_{k}" in text for k in range(7))  # no column name wrapped
    with pl.Config(tbl_rows=5), capture_output() as plain:
        from IPython.display import display

        display(frame)
    assert plain.outputs[0].data["text/html"].count("<tr>") < ROWS  # the test sees a cut table


def test_show_into_an_output_widget_gives_the_whole_html_table(frame):
    output = widgets.HTML()
    with pl.Config(tbl_rows=5):
        show(frame, output)
    assert output.value.count("<tr>") == ROWS + 2
