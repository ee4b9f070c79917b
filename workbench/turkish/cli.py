"""``workbench turkish purity|tokens|paper``: the Turkish analysis from a shell, a thin shell over its modules.

Each sub-command parses its options, calls :mod:`~workbench.turkish.scoring` (purity and boundary
metrics per tokenizer, the class of every token type) or :mod:`~workbench.turkish.correlation` (the
paper's %TR vs TR-MMLU claim), prints or writes the result and returns an exit code. Nothing here
computes a metric.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from workbench.config import check_out, write_atomic
from workbench.errors import TOKENIZERS_HELP, WorkbenchError, count_arg, unknown_name

#: ``--corpus`` choices as the help line shows them, without importing the scoring code (and polars) to build
#: ``--help``; tests/test_cli_startup.py checks this is :data:`workbench.turkish.scoring.TURKISH_CORPORA`.
CORPUS_HELP = "flores200, boun, imst, web"


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    """Add ``workbench turkish purity|tokens|paper``."""
    parser = subparsers.add_parser("turkish", help="Turkish %%TR / %%Pure and morphology-aware boundary metrics")
    commands = parser.add_subparsers(dest="turkish_command", required=True)
    run = commands.add_parser("purity", help="all metrics, one row per tokenizer")
    run.add_argument("--tokenizers", default=None, help=f"{TOKENIZERS_HELP} (default: the default zoo)")
    run.add_argument("--corpus", default="flores200",
                     help=f"one of {CORPUS_HELP}, a UTF-8 text file path (e.g. your TR-MMLU "
                          "questions), or your treebank: a .conllu file or a folder of them (gold lemmas)")
    run.add_argument("--limit", type=count_arg(1), default=None, help="a seeded sample of this many sentences")
    run.add_argument("--out", type=Path, help="write CSV here")
    run.add_argument("--json", action="store_true", help="print JSON rows instead of a table")
    run.set_defaults(func=_cli_purity)
    tokens = commands.add_parser("tokens", help="every token type of one tokenizer with its class")
    tokens.add_argument("tokenizer")
    tokens.add_argument("--corpus", default="flores200", help="as for purity")
    tokens.add_argument("--out", type=Path, help="write CSV here")
    tokens.set_defaults(func=_cli_tokens)
    paper = commands.add_parser("paper", help="test the paper's %%TR vs TR-MMLU claim on its own table")
    paper.add_argument("--scores", type=Path, help="CSV with columns tokenizer,score,tr (your own rows)")
    paper.add_argument("--json", action="store_true")
    paper.set_defaults(func=_cli_paper)


def _check_corpus(corpus: str) -> None:
    from workbench.turkish.scoring import TURKISH_CORPORA

    if corpus not in TURKISH_CORPORA and not Path(corpus).exists():
        raise unknown_name("Turkish corpus (or an existing text file, .conllu file or treebank folder)", corpus,
                           TURKISH_CORPORA)


def _cli_purity(args: argparse.Namespace) -> int:
    import polars as pl

    from workbench import zoo
    from workbench.turkish.scoring import COLUMNS, purity_table

    _check_corpus(args.corpus)
    out = check_out(args.out) if args.out else None  # before the work: a bad folder fails now
    names = args.tokenizers.split(",") if args.tokenizers else zoo.list_tokenizers(default_only=True)
    table = purity_table(names, args.corpus, limit=args.limit)
    if out:
        write_atomic(out, table.write_csv)
    if args.json:
        print(json.dumps(table.to_dicts(), ensure_ascii=False))
    elif not args.out:
        with pl.Config(tbl_rows=-1, tbl_cols=len(COLUMNS), float_precision=4):
            print(table.select(COLUMNS))
    return 0


def _cli_tokens(args: argparse.Namespace) -> int:
    import polars as pl

    from workbench.turkish.scoring import verdict_table

    _check_corpus(args.corpus)
    out = check_out(args.out) if args.out else None
    table = verdict_table(args.tokenizer, args.corpus)
    if out:
        write_atomic(out, table.write_csv)
    else:
        with pl.Config(tbl_rows=40):
            print(table)
    return 0


def _cli_paper(args: argparse.Namespace) -> int:
    import polars as pl

    from workbench.turkish import correlation

    if args.scores:
        frame = pl.read_csv(args.scores)
        missing = {"score", "tr"} - set(frame.columns)
        if missing:
            raise WorkbenchError(f"{args.scores} lacks the column(s) {', '.join(sorted(missing))}.")
        result = correlation.correlate(frame["tr"].to_list(), frame["score"].to_list())
    else:
        result = correlation.paper_correlation()
    print(json.dumps(asdict(result), indent=None if args.json else 2))
    return 0
