"""``workbench glitch``: the glitch-token pipeline from the command line (scan a model, census tokenizers).

:func:`register_cli` adds the sub-commands to the ``workbench`` command (``workbench/cli.py`` calls it for
every analysis); each is a thin shell over :mod:`workbench.glitch` and returns an exit code.
"""

from __future__ import annotations

import argparse
import json
import sys

from workbench.config import check_out, write_atomic
from workbench.errors import TOKENIZERS_HELP, count_arg


def register_cli(subparsers) -> None:
    """Add ``glitch scan`` and ``glitch census`` to an argparse sub-parsers object."""
    glitch = subparsers.add_parser("glitch", help="under-trained (glitch) tokens: Land & Bartolo 2024")
    sub = glitch.add_subparsers(dest="glitch_command", required=True)
    scan = sub.add_parser("scan", help="categories, indicators and verification for every token id of a model")
    scan.add_argument("--model", required=True, help="gemma3-270m, minilm-l6, qwen2.5-0.5b, hf:<repo>, or the path "
                      "of a local model directory (a save_pretrained folder, scanned with its own tokenizer)")
    scan.add_argument("--tokenizer", help="the model's tokenizer, for a model folder that holds none (a name or path)")
    scan.add_argument("--out", required=True, help="CSV file to write (one row per token id)")
    scan.add_argument("--verify-top", type=count_arg(0), default=0, help="verify the N most suspicious candidates")
    scan.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    scan.set_defaults(func=_scan)
    census = sub.add_parser("census", help="token categories per tokenizer")
    census.add_argument("--tokenizers", default="", help=f"{TOKENIZERS_HELP} (default: the default zoo set)")
    census.add_argument("--json", action="store_true", help="print JSON instead of a table")
    census.set_defaults(func=_census)


def _scan(args: argparse.Namespace) -> int:
    from workbench.glitch.scan import scan
    from workbench.models import load_model
    from workbench.zoo import load_tokenizer

    out = check_out(args.out)  # before the scan: a folder that cannot be written fails now
    tok = load_tokenizer(args.tokenizer) if args.tokenizer else None
    result = scan(load_model(args.model), tok, verify_top=args.verify_top)
    write_atomic(out, result.table.write_csv)
    table = result.table
    summary = {"model": args.model, "rows": table.height, "main_indicator": result.main_indicator,
               "candidates": int(table["candidate"].sum()), "verified": int(table["verified"].fill_null(False).sum()),
               "verified_tested": int(table["verified"].is_not_null().sum()), "notes": result.notes, "out": args.out}
    print(json.dumps(summary, indent=1) if args.json else "\n".join(f"{k}: {v}" for k, v in summary.items()))
    return 0


def _census(args: argparse.Namespace) -> int:
    from workbench.glitch.categories import census
    from workbench.zoo import list_tokenizers, load_tokenizer

    names = [n.strip() for n in args.tokenizers.split(",") if n.strip()] or list_tokenizers(default_only=True)
    rows = [census(load_tokenizer(n)) for n in names if n != "unicode-chars"]
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    header = list(rows[0])
    print("\t".join(header))
    for row in rows:
        print("\t".join(str(row[h]) for h in header))
    sys.stdout.flush()
    return 0
