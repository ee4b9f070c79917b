"""Benchmark workbench.compare: the comparison report from an empty result cache vs the counts it needs.

Target (issue 17): the report of three tokenizers on FLORES, from an empty result cache, within the
time of the token counts it needs (:func:`workbench.fairness.counts`, sentences mode, uncached) plus
at most 10%. Both are timed side by side in one run, each in a fresh process (tokenizer loading
included, converted vocabularies already cached), and the HTML is written in the report's run.

    .venv/bin/python benchmarks/bench_compare.py --out reports/bench_compare.md [--tokenizers a,b,c]
        [--languages eng_Latn,tur_Latn] [--sample 0]

Before the report's run this deletes the fairness cache entries of these tokenizers on this corpus
(so the report counts from scratch), as bench_fairness.py does for its own.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

SETUP = """
import sys, time
from workbench import fairness
toks, languages, sample = sys.argv[1].split(","), sys.argv[2].split(",") if sys.argv[2] else None, int(sys.argv[3])
texts = fairness.corpus_texts("flores200", languages, "sentences", sample=sample or None)
t = time.perf_counter()
"""
COUNTS = SETUP + """
frame = fairness.counts(toks, texts=texts, cache=False, progress=False)
print(time.perf_counter() - t, int(frame["tokens"].sum()))
"""
REPORT = SETUP + """
from workbench.compare import report
result = report.compute_report(toks, texts=texts, reference=languages[0] if languages else "eng_Latn")
report.write_report(result, sys.argv[4])
print(time.perf_counter() - t, int(result.summary["tokens"].sum()))
"""


def timed(code: str, *args: str) -> tuple[float, float, int]:
    """(wall seconds after reading the corpus, CPU seconds of the child, tokens) of ``code`` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds, tokens = out.stdout.split()
    return float(seconds), (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), int(tokens)


def clear_cache(tokenizers: list[str], languages: list[str] | None, sample: int) -> int:
    """Delete the fairness result-cache entries the report would read; the number deleted."""
    from workbench import fairness

    texts = fairness.corpus_texts("flores200", languages, "sentences", sample=sample or None)
    paths = [fairness.cache_path(name, texts) for name in tokenizers]
    for path in paths:
        path.unlink(missing_ok=True)
    return len(paths)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--tokenizers", default="gpt2,llama3,gemma3")
    parser.add_argument("--languages", default="", help="comma-separated FLORES codes, first = reference "
                                                        "(default: all, reference eng_Latn)")
    parser.add_argument("--sample", type=int, default=0, help="sentences per language (0 = all 2,009)")
    args = parser.parse_args()
    tokenizers = args.tokenizers.split(",")
    common = (args.tokenizers, args.languages, str(args.sample))
    count_s, count_cpu, count_tokens = timed(COUNTS, *common)
    clear_cache(tokenizers, args.languages.split(",") if args.languages else None, args.sample)
    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "report.html"
        report_s, report_cpu, report_tokens = timed(REPORT, *common, str(html))
        size = html.stat().st_size
    ratio = report_s / count_s
    verdict = "meets" if ratio <= 1.10 else "misses"
    text = f"""## Comparison report (workbench.compare)

Tokenizers {args.tokenizers}; FLORES-200, languages: {args.languages or 'all'}; sentences per language:
{args.sample or 'all'}. Same tokens counted by both runs: {count_tokens == report_tokens} ({report_tokens:,}).

| run | wall s | CPU s |
|---|---|---|
| the counts it needs (`fairness.counts`, sentences, uncached) | {count_s:.2f} | {count_cpu:.2f} |
| the report from an empty result cache (+ HTML, {size / 1024:.0f} KiB) | {report_s:.2f} | {report_cpu:.2f} |

Report / counts: **{ratio:.2f}x** wall ({verdict} the issue-17 target of at most 1.10x),
{report_cpu / count_cpu:.2f}x CPU (the fairer figure when other jobs share the cores).
"""
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
