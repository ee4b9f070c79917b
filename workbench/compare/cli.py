"""The ``workbench report`` command: one comparison report of several tokenizers, written by suffix.

Only the standard library and :mod:`workbench.errors` are imported here; the analysis is imported
inside the command, so ``workbench --help`` stays light.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.errors import TOKENIZERS_HELP


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    """Add ``workbench report --tokenizers A,B,C --corpus X --out report.html [--out report.md ...]``."""
    parser = subparsers.add_parser("report", help="compare tokenizers on a corpus: every intrinsic measure, "
                                                  "one report (.html, .md, .tex, .csv, .parquet)")
    parser.add_argument("--tokenizers", required=True, help=f"{TOKENIZERS_HELP}, e.g. gpt2,llama3,gemma3")
    parser.add_argument("--corpus", default=None,
                        help="flores200, udhr, a folder of <language>.txt files or a .csv/.tsv/.parquet/.jsonl "
                             "table with language and text columns (default: flores200 if present)")
    parser.add_argument("--languages", default=None, help="comma-separated codes (default: all)")
    parser.add_argument("--reference", default="eng_Latn", help="reference language of the premiums")
    parser.add_argument("--alpha", type=float, default=2.5, help="order of the Rényi entropy (default 2.5)")
    parser.add_argument("--sample", type=int, default=None, help="sentences per language (0 = all; default all, "
                                                                   "50 in fast mode)")
    parser.add_argument("--out", type=Path, action="append", required=True,
                        help="output file; the suffix picks the format; repeat for several")
    parser.add_argument("--leaderboard", type=Path, default=None, help="a .parquet results file to append to")
    parser.set_defaults(func=_cli_report)


def _cli_report(args: argparse.Namespace) -> int:
    from workbench.compare import report

    for target in [*args.out, *([args.leaderboard] if args.leaderboard else [])]:
        report.check_output(target)  # before any work: nothing is half-written
    languages = args.languages.split(",") if args.languages else None
    result = report.compute_report(args.tokenizers.split(","), args.corpus, languages, reference=args.reference,
                                   alpha=args.alpha, sample=args.sample,
                                   progress=True)
    for target in args.out:
        print(f"wrote {report.write_report(result, target)}", file=sys.stderr)
    if args.leaderboard:
        board = report.append_leaderboard(result, args.leaderboard)
        print(f"leaderboard {args.leaderboard}: {len(board)} rows", file=sys.stderr)
    return 0
