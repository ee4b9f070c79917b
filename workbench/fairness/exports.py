"""Files out of a fairness analysis: CSV, Parquet, and a LaTeX table of a premium matrix.

Everything here writes tables that other modules computed, atomically, never into ``notebooks/``.
The standalone HTML report draws a figure, so it lives with the other renderings in
:func:`workbench.fairness.explorer.render_report`.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from workbench.config import write_atomic
from workbench.errors import unknown_name


def premium_latex(matrix: pl.DataFrame, *, digits: int = 2, caption: str = "Token premium relative to English.") -> str:
    """A LaTeX ``tabular`` of a premium matrix (:func:`~workbench.fairness.metrics.premium_matrix`), ``---`` if missing.

    >>> print(premium_latex(pl.DataFrame({"language": ["tur_Latn"], "gpt2": [2.4321]})).splitlines()[7])
    tur\\_Latn & 2.43 \\\\
    """
    columns = matrix.columns
    escape = lambda s: str(s).replace("_", r"\_").replace("&", r"\&")  # noqa: E731
    lines = [r"\begin{table}", r"\centering", f"\\caption{{{caption}}}", r"\begin{tabular}{l" + "r" * (len(columns) - 1)
             + "}", r"\toprule", " & ".join(escape(c) for c in columns) + r" \\", r"\midrule"]
    for row in matrix.iter_rows():
        cells = [escape(row[0])] + ["---" if v is None else f"{v:.{digits}f}" for v in row[1:]]
        lines.append(" & ".join(cells) + r" \\")
    return "\n".join([*lines, r"\bottomrule", r"\end{tabular}", r"\end{table}", ""])


def export(frame: pl.DataFrame, target: str | Path) -> Path:
    """Write ``frame`` as CSV, Parquet or (premium matrix) LaTeX, chosen by the suffix; written atomically."""
    target = Path(target)
    writers = {".csv": lambda p: frame.write_csv(p), ".parquet": lambda p: frame.write_parquet(p),
               ".tex": lambda p: Path(p).write_text(premium_latex(frame), encoding="utf-8")}
    if target.suffix not in writers:
        raise unknown_name("export format", target.suffix, writers)
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(target, writers[target.suffix])
