"""Benchmark: every Turkish metric for the default zoo on FLORES tur_Latn + UD BOUN, cold and warm.

Cold: a fresh process with an empty analyser/lexicon cache directory (Zemberek and the 3.4 M-form
TS Corpus list are loaded, every distinct word and token type is analysed). Warm: a second fresh
process over the same cache directory (nothing is analysed, Zemberek is not loaded). Target: warm
≤ 60 s on 2 cores. Both runs must give identical metrics; the report says whether they did.

    python benchmarks/bench_turkish.py --out turkish_bench.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORPORA = ("flores200", "boun")
SHOWN = ("tokenizer", "corpus", "tr_type", "pure_type", "tr_token", "pure_token", "boundary_precision",
         "boundary_recall", "boundary_f1", "macro_f1", "over_segmentation", "under_segmentation", "morphscore",
         "root_atomicity", "root_hit_rate", "fertility", "tokens", "types")


def run_child(cache: Path, out: Path, tokenizers: str | None) -> None:
    """The measured work: load, analyse (or read the cache), tokenize, score; rows to ``out`` as JSON."""
    from workbench import zoo
    from workbench.turkish import Analyzer, purity_table

    names = tokenizers.split(",") if tokenizers else zoo.list_tokenizers(default_only=True)
    analyzer = Analyzer(cache)
    rows = [row for corpus in CORPORA for row in purity_table(names, corpus, analyzer=analyzer).to_dicts()]
    out.write_text(json.dumps({"rows": rows, "analysed": analyzer.misses}))


def timed_child(cache: Path, out: Path, tokenizers: str | None) -> float:
    cmd = [sys.executable, __file__, "--child", "--cache", str(cache), "--rows", str(out)]
    cmd += ["--tokenizers", tokenizers] if tokenizers else []
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def fmt(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def report(cold: float, warm: float, cold_data: dict, warm_data: dict) -> str:
    same = cold_data["rows"] == warm_data["rows"]
    lines = [
        "# Turkish metrics benchmark (default zoo × FLORES tur_Latn + UD BOUN dev/test)", "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}.",
        "", "| run | wall time (s) | strings analysed by Zemberek |", "|---|---|---|",
        f"| cold (empty analyser cache) | {cold:.1f} | {cold_data['analysed']} |",
        f"| warm (analyser cache filled) | {warm:.1f} | {warm_data['analysed']} |", "",
        f"Target warm ≤ 60 s: **{'met' if warm <= 60 else 'missed'}**. Cold and warm metrics identical: **{same}**.",
        "", "## Metrics (warm run)", "", "| " + " | ".join(SHOWN) + " |", "|" + "---|" * len(SHOWN),
    ]
    lines += ["| " + " | ".join(fmt(r[c]) for c in SHOWN) + " |" for r in warm_data["rows"]]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("turkish_bench.md"))
    parser.add_argument("--tokenizers", default=None, help="comma-separated (default: the default zoo)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.cache, args.rows, args.tokenizers)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-turkish-") as tmp:
        cache, cold_rows, warm_rows = Path(tmp), Path(tmp) / "cold.json", Path(tmp) / "warm.json"
        cold = timed_child(cache, cold_rows, args.tokenizers)
        warm = timed_child(cache, warm_rows, args.tokenizers)
        text = report(cold, warm, json.loads(cold_rows.read_text()), json.loads(warm_rows.read_text()))
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
