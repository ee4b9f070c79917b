"""Benchmark: the peak memory (RSS) of each numbered notebook's kernel, fast mode, warm and cold caches.

Each notebook is executed by ``nbclient`` (as :func:`workbench.reports.run_notebooks` does, but nothing is
written back: the kernel runs in a temporary directory and the executed copy is dropped). After every code cell
a probe cell prints the kernel's peak RSS so far (``ru_maxrss``) and its RSS now, so the report names the cell
that set the peak and what the kernel still holds at the end. The probes are extra cells, not edits of the
notebook's own ones.

- **warm**: the normal cache (``$WORKBENCH_HOME`` as set, or the user cache): converted weights, tokenizers
  and glitch verifications are read from it.
- **cold**: a fresh ``WORKBENCH_HOME`` whose ``assets/`` links to the real (verified) assets, as the tests'
  ``home_with_assets`` fixture does, so every derived file (converted model weights, converted tokenizers,
  verification results) is rebuilt in the run.

Target (issue 16, item 7): every notebook under 2 GB peak, warm and cold. Notebooks run one at a time.

    python benchmarks/bench_memory.py --out memory_bench.md                  # 01-05, warm
    python benchmarks/bench_memory.py --notebooks 03 --caches warm cold --out memory_bench.md
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_GB = 2.0
PROBE_TAG = "__bench_memory__"
PROBE = (f"import resource as _r, re as _re\n"
         f"print({PROBE_TAG!r}, _r.getrusage(_r.RUSAGE_SELF).ru_maxrss * 1024,\n"
         f"      int(_re.search(r'VmRSS:\\s+(\\d+)', open('/proc/self/status').read()).group(1)) * 1024)")


def notebooks(prefixes: list[str]) -> list[Path]:
    """The numbered notebooks of ``notebooks/`` whose names start with one of ``prefixes`` (all when empty)."""
    found = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    return [p for p in found if not prefixes or any(p.name.startswith(x) for x in prefixes)]


def with_probes(nb):
    """A copy of ``nb`` with a probe cell after each code cell; returns it and the probed cells' indices."""
    import copy

    import nbformat

    probed, cells, owners = copy.deepcopy(nb), [], []
    for index, cell in enumerate(nb.cells):
        cells.append(copy.deepcopy(cell))
        if cell.cell_type == "code":
            cells.append(nbformat.v4.new_code_cell(PROBE))
            owners.append(index)
    probed.cells = cells
    return probed, owners


def run(path: Path, home: Path | None, keep: Path | None = None) -> dict:
    """Execute ``path`` in fast mode (``home``: the WORKBENCH_HOME, None for the current one) and return the
    peak RSS, the cell that reached it, the RSS at the end and the wall time. ``keep``: a folder to write the
    executed notebook into (probes removed), to compare its outputs with the stored ones."""
    import nbformat
    from nbclient import NotebookClient

    from workbench.reports import CELL_TIMEOUT

    nb, owners = with_probes(nbformat.read(path, as_version=4))
    saved = {k: os.environ.get(k) for k in ("WORKBENCH_FAST", "WORKBENCH_HOME")}
    os.environ["WORKBENCH_FAST"] = "1"  # inherited by the kernel
    if home is not None:
        os.environ["WORKBENCH_HOME"] = str(home)
    start = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory() as cwd:
            client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                    resources={"metadata": {"path": cwd}})
            client.widget_registry = {}
            client.execute()
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
    seconds = time.perf_counter() - start
    if keep is not None:
        executed = nbformat.from_dict(nb)
        executed.cells = [c for c in nb.cells if not (c.cell_type == "code" and c.source == PROBE)]
        keep.mkdir(parents=True, exist_ok=True)
        nbformat.write(executed, keep / path.name)
    samples = []  # (peak so far, rss now) after each code cell of the notebook
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source == PROBE:
            text = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
            _, peak, now = text.split()
            samples.append((int(peak), int(now)))
    peak = samples[-1][0]
    first = next(i for i, (p, _) in enumerate(samples) if p == peak)
    return {"notebook": path.name, "peak": peak, "peak_cell": owners[first], "end": samples[-1][1],
            "seconds": seconds,
            "cells": [(o, round(p / 1e9, 2), round(n / 1e9, 2)) for o, (p, n) in zip(owners, samples, strict=True)]}


def measure(paths: list[Path], caches: list[str], keep: Path | None = None) -> list[dict]:
    """One row per (notebook, cache), run one after the other."""
    from workbench import config

    rows = []
    for path in paths:
        for kind in caches:
            print(f"== {path.name} ({kind})", file=sys.stderr, flush=True)
            if kind == "warm":
                row = run(path, None, keep and keep / kind)
            else:
                with tempfile.TemporaryDirectory(prefix="bench-memory-home-") as tmp:
                    home = Path(tmp)
                    (home / "assets").symlink_to(config.cache_dir("assets"), target_is_directory=True)
                    row = run(path, home, keep and keep / kind)
            rows.append(row | {"cache": kind})
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    return rows


def report(rows: list[dict]) -> str:
    """The markdown section."""
    gb = 1e9
    load = os.getloadavg()[0]
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M")
    lines = ["## Notebook peak memory (`benchmarks/bench_memory.py`, issue 16 item 7)", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, load average {load:.1f} at the end; "
             f"mode: fast; {now}. Peak = the kernel's `ru_maxrss`; end = its RSS after the last cell.", "",
             "| notebook | cache | peak RSS | peak reached in cell | RSS at end | time | target |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        ok = "ok" if r["peak"] / gb < TARGET_GB else "**over**"
        lines.append(f"| {r['notebook']} | {r['cache']} | {r['peak'] / gb:.2f} GB | {r['peak_cell']} | "
                     f"{r['end'] / gb:.2f} GB | {r['seconds']:.0f} s | < {TARGET_GB:.0f} GB {ok} |")
    lines += ["", "Cells are counted from 0 over all the notebook's cells (markdown included), as nbformat does; "
              "warm = the normal cache, cold = a fresh `WORKBENCH_HOME` over the real assets (converted weights, "
              "tokenizers and verifications rebuilt)."]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="memory_bench.md")
    parser.add_argument("--notebooks", nargs="*", default=["01", "02", "03", "04", "05"],
                        help="name prefixes of the notebooks to run (default: 01-05)")
    parser.add_argument("--caches", nargs="+", choices=["warm", "cold"], default=["warm"])
    parser.add_argument("--keep", type=Path, help="write the executed notebooks into KEEP/warm, KEEP/cold")
    args = parser.parse_args()
    rows = measure(notebooks(args.notebooks), args.caches, args.keep)
    Path(args.out).write_text(report(rows), encoding="utf-8")
    return 0 if all(r["peak"] / 1e9 < TARGET_GB for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
