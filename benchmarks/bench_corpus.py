"""Benchmark: streaming a monolingual corpus of 1 GB keeps peak memory within 10 % of streaming 100 MB.

Both files are made in a temporary directory from FLORES-200 sentences (eng, tur, arb, hin, jpn; UDHR when
FLORES is absent), repeated to size, and deleted afterwards. Each size is counted by
:func:`workbench.fairness.monolingual_counts` (``words=False``: tokens, bytes, characters) in a fresh
process, which reports its own peak RSS (``ru_maxrss``); the sizes run one after the other in one run.
Target: peak RSS(1 GB) ≤ 1.10 × peak RSS(100 MB). Throughput is the file size over the child's wall time.

The same is measured for the Turkish metrics (:func:`workbench.turkish.purity_table` on a Turkish-only file,
streamed a batch of lines at a time) at smaller sizes (default 5 and 50 MB), since they tokenize every
document with its offsets and cut every word in Python (about 0.1 MB/s).

    python benchmarks/bench_corpus.py --out corpus_bench.md
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LANGUAGES = {"flores200": ["eng_Latn", "tur_Latn", "arb_Arab", "hin_Deva", "jpn_Jpan"],
             "udhr": ["eng", "tur", "arb", "hin", "jpn"]}
MB = 1_000_000


def make_file(path: Path, size: int, measure: str = "counts") -> int:
    """Write ``size`` bytes (to the next whole line) of corpus sentences to ``path``; returns the lines written.

    ``measure="turkish"`` writes Turkish sentences only.
    """
    from workbench import corpora

    name = corpora.default_parallel_corpus()
    corpus = corpora.parallel_corpus(name, LANGUAGES[name][1:2] if measure == "turkish" else LANGUAGES[name])
    block = "".join(f"{s}\n" for sentences in corpus.values() for s in sentences).encode("utf-8")
    lines_per_block = block.count(b"\n")
    written = lines = 0
    with path.open("wb") as handle:
        while written < size:
            handle.write(block)
            written, lines = written + len(block), lines + lines_per_block
    return lines


def run_child(path: Path, tokenizer: str, measure: str) -> None:
    """The measured work: stream ``path`` through the counts (or the Turkish metrics), then print the row, the
    file's size and this process's peak RSS."""
    from workbench import fairness, turkish

    start = time.perf_counter()
    if measure == "turkish":
        row = turkish.purity_table([tokenizer], path).row(0, named=True)
        row |= {"lines": sum(1 for line in path.open(encoding="utf-8") if line.strip())}
    else:
        row = fairness.monolingual_counts([tokenizer], str(path), words=False, cache=False).row(0, named=True)
    row["bytes"] = path.stat().st_size
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB
    print(json.dumps({"row": row, "seconds": seconds, "peak_rss": peak}))


def measure(path: Path, tokenizer: str, what: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", str(path), "--tokenizer", tokenizer, "--measure",
                           what], check=True, capture_output=True, text=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


HOW = {"counts": ("a monolingual corpus", "`fairness.monolingual_counts([tokenizer], file, words=False, cache=False)`, "
                  "the file made from FLORES-200 sentences of five scripts repeated to size"),
       "turkish": ("Turkish text through the Turkish metrics", "`turkish.purity_table([tokenizer], file)` (%TR, "
                   "%Pure and the boundary metrics; the file streamed 2,048 lines at a time), the file made from "
                   "FLORES-200 Turkish sentences repeated to size")}


def report(results: dict[int, dict], tokenizer: str, what: str = "counts") -> str:
    small, big = results[min(results)], results[max(results)]
    ratio = big["peak_rss"] / small["peak_rss"]
    title, how = HOW[what]
    lines = [f"## Streaming {title} ({tokenizer}, `benchmarks/bench_corpus.py`)", "",
             f"Each size in a fresh process: {how}, then deleted.", "",
             "| file | lines | tokens | wall time (s) | throughput (MB/s) | peak RSS (MiB) |",
             "|---|---|---|---|---|---|"]
    for size, r in sorted(results.items()):
        lines.append(f"| {size / MB:,.0f} MB | {r['row']['lines']:,} | {r['row']['tokens']:,} | {r['seconds']:.1f} | "
                     f"{r['row']['bytes'] / MB / r['seconds']:.1f} | {r['peak_rss'] / 2**20:.0f} |")
    verdict = "met" if ratio <= 1.10 else "missed"
    lines += ["", f"Peak RSS of the largest over the smallest: **{ratio:.3f}×** (target ≤ 1.10×: **{verdict}**)."]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("corpus_bench.md"))
    parser.add_argument("--tokenizer", default="gpt2")
    parser.add_argument("--sizes", default="100,1000", help="file sizes in MB, comma-separated")
    parser.add_argument("--turkish-sizes", default="5,50", help="file sizes in MB for the Turkish metrics")
    parser.add_argument("--measure", choices=tuple(HOW), default="counts", help=argparse.SUPPRESS)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.tokenizer, args.measure)
        return 0
    sections = []
    for what, sizes in (("counts", args.sizes), ("turkish", args.turkish_sizes)):
        results = {}
        with tempfile.TemporaryDirectory(prefix="bench-corpus-") as tmp:
            for size in (int(s) * MB for s in sizes.split(",")):
                path = Path(tmp) / f"mono-{size // MB}mb.txt"
                make_file(path, size, what)
                results[size] = measure(path, args.tokenizer, what)
                path.unlink()
                done = results[size]
                print(f"{what} {size // MB} MB: {done['seconds']:.1f} s, peak {done['peak_rss'] / 2**20:.0f} MiB",
                      file=sys.stderr)
        sections.append(report(results, args.tokenizer, what))
    text = "\n".join(sections)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
