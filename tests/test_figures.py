"""workbench.figures and the figures drawn with it: labels sized by rows, clipping and missing cells explained,
every census bar visible, costs with their unit and the notebook's price.

Inputs are small frames written here (the figures read tables, never tokenize), except the census, which is
of real zoo tokenizers: ``utf8-bytes`` (100% bytes) beside vocabularies with a single special token.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import matplotlib
import numpy as np
import polars as pl
import pytest

from workbench import fairness, figures, glitch, zoo
from workbench.glitch import explorer as glitch_explorer

matplotlib.use("Agg")
NOTEBOOK_01 = Path(__file__).parent.parent / "notebooks" / "01_multilingual_fairness.ipynb"


def premium_table(languages: int, invalid: int = 0) -> pl.DataFrame:
    """A :func:`~workbench.fairness.compute_premium_table`-shaped frame: premiums from 0.05 to 40 (both ends
    beyond the 10x clip), two tokenizers, the first ``invalid`` languages of ``b`` marked not valid."""
    rows = [{"language": f"l{i:03d}", "tokenizer": tok, "premium": float(p), "valid": not (tok == "b" and i < invalid),
             "name": f"Language {i}", "script_group": "Latin" if i % 2 else "Arabic"}
            for i, p in enumerate(np.geomspace(0.05, 40, languages)) for tok in ("a", "b")]
    return pl.DataFrame(rows)


def y_label_sizes(fig) -> set[float]:
    return {t.get_fontsize() for t in fig.axes[0].get_yticklabels()}


def test_label_size_falls_with_the_number_of_rows_within_its_bounds():
    sizes = [figures.label_size(n) for n in (1, 10, 20, 50, 100, 150, 1000)]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > sizes[3] > sizes[-1]
    assert sizes[0] == figures.LARGEST_LABEL and sizes[-1] == figures.SMALLEST_LABEL


@pytest.mark.parametrize("few, many", [(6, 40), (20, 200)])
def test_heatmap_row_labels_grow_with_fewer_rows_and_keep_their_own_line(few, many):
    small, large = (fairness.render_premium_heatmap(premium_table(n)) for n in (few, many))
    (small_size,), (large_size,) = y_label_sizes(small), y_label_sizes(large)
    assert small_size > large_size >= figures.SMALLEST_LABEL
    for fig, rows in ((small, few), (large, many)):
        assert len(fig.axes[0].get_yticklabels()) == rows  # every language labelled
        row_height_pt = fig.axes[0].get_window_extent().height / rows * 72 / fig.dpi
        assert row_height_pt >= y_label_sizes(fig).pop()  # labels do not overlap


def test_heatmap_colour_bar_says_premiums_are_clipped():
    fig = fairness.render_premium_heatmap(premium_table(12), max_premium=10.0)
    colorbar = fig.axes[0].collections[0].colorbar
    ticks = [t.get_text() for t in colorbar.ax.get_yticklabels()]
    assert colorbar.extend == "both" and ticks[0] == "≤0.1×" and ticks[-1] == "≥10×"
    assert "clipped at 10×" in colorbar.ax.get_ylabel()
    assert colorbar.vmin == pytest.approx(-np.log2(10)) and colorbar.vmax == pytest.approx(np.log2(10))


def test_heatmap_legend_names_the_grey_cells_only_when_there_are_some():
    with_invalid = fairness.render_premium_heatmap(premium_table(12, invalid=3))
    legend = with_invalid.axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [figures.TOO_MANY_UNKNOWN]
    patch = legend.get_patches()[0]
    assert matplotlib.colors.same_color(patch.get_facecolor(), figures.MISSING_COLOUR)
    assert matplotlib.colors.same_color(with_invalid.axes[0].get_facecolor(), figures.MISSING_COLOUR)
    assert fairness.render_premium_heatmap(premium_table(12)).axes[0].get_legend() is None


def test_every_census_bar_takes_a_visible_share_of_the_axis():
    names = ["utf8-bytes", "gpt2", "o200k_base", "llama2"]
    rows = [glitch.census(zoo.load_tokenizer(n)) for n in names]
    assert rows[0]["byte"] == rows[0]["total"] and min(r["special"] for r in rows[1:]) <= 2  # 100% beside 0.001%
    fig = glitch_explorer.render_census(rows)
    fig.canvas.draw()
    ax = fig.axes[0]
    box = ax.get_window_extent()
    bars = [p for p in ax.patches if np.isfinite(p.get_width()) and p.get_width() > 0]
    nonzero = sum(1 for r in rows for c in glitch.CATEGORIES[1:] if r[c] > 0)
    assert len(bars) == nonzero
    for bar in bars:
        extent = bar.get_window_extent()
        assert (min(extent.x1, box.x1) - max(extent.x0, box.x0)) / box.width > 0.03
    labels = [t.get_text() for t in ax.texts]
    assert "256 (100%)" in labels and "1 (0.002%)" in labels  # gpt2's one special token of 50,257


def test_share_is_never_in_exponent_form():
    assert [figures.share(f) for f in (1.0, 0.0078, 0.00002)] == ["100%", "0.78%", "0.002%"]


def counts_frame() -> pl.DataFrame:
    return pl.DataFrame({"language": ["eng", "tur", "eng", "tur"], "tokenizer": ["x", "x", "y", "y"],
                         "tokens": [1_000_000, 2_000_000, 1_000_000, 3_000_000]})


def test_cost_explorer_starts_on_the_price_and_tokenizer_it_is_given_and_the_axis_has_its_unit():
    ex = fairness.cost_explorer(counts_frame(), "eng", tokenizer="y", price_per_million=2.5)
    assert ex.controls["tokenizer"].value == "y" and ex.controls["price_per_million"].value == 2.5
    assert ex.result.filter(pl.col("language") == "tur")["cost"].item() == pytest.approx(7.5)
    fig = fairness.render_cost(ex.result, "y")
    assert "USD, at 2.50 USD per million tokens" in fig.axes[0].get_xlabel()


def test_cost_defaults_agree_and_notebook_01_hands_its_price_to_the_explorer():
    default = inspect.signature(fairness.compute_cost).parameters["price_per_million"].default
    assert default == fairness.DEFAULT_PRICE_PER_MILLION
    assert fairness.cost_explorer(counts_frame(), "eng").controls["price_per_million"].value == default
    sources = ["".join(c["source"]) for c in json.loads(NOTEBOOK_01.read_text())["cells"] if c["cell_type"] == "code"]
    price_cell = next(s for s in sources if "compute_cost(" in s)
    explorer_cell = next(s for s in sources if "cost_explorer(" in s)
    assert "price_per_million = " in price_cell and "price_per_million=price_per_million" in explorer_cell
