"""The ``workbench fairness counts|report|monolingual`` commands: a thin argparse layer over the fairness package.

Only the standard library is imported at the top, so building ``workbench --help`` loads no corpus,
tokenizer or plotting code; each command imports what it runs. Corpus names, counting modes and
language codes are checked by :func:`~workbench.fairness.texts.corpus_texts` (an unknown one is a
usage error that lists the known ones), so the lists are written in one place.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.errors import TOKENIZERS_HELP


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    """Add ``workbench fairness counts|report|monolingual``."""
    parser = subparsers.add_parser("fairness", help="token counts and premiums over a parallel corpus")
    commands = parser.add_subparsers(dest="fairness_command", required=True)
    for command, helptext, func in (("counts", "token counts per (language, tokenizer) as CSV/Parquet", counts_command),
                                    ("report", "an HTML report of premiums and inequality", report_command)):
        sub = commands.add_parser(command, help=helptext)
        sub.add_argument("--corpus", default=None, help="flores200, udhr, a folder of <language>.txt files, or a "
                         ".csv/.tsv/.parquet/.jsonl table with language and text columns (default: flores200)")
        sub.add_argument("--tokenizers", default=None, help=f"{TOKENIZERS_HELP} (default: the default zoo)")
        sub.add_argument("--mode", default="petrov", help="petrov (whole-corpus strings, default) or sentences")
        sub.add_argument("--languages", default=None, help="comma-separated codes (default: all)")
        sub.add_argument("--reference", default="eng_Latn", help="reference language for premiums (report)")
        sub.add_argument("--engine", default="local", help="local (default) or ray: count on a Ray cluster "
                         '(pip install "token-workbench[scale]"); with ray, --corpus may also be a folder or URI of '
                         ".parquet/.jsonl/.txt shards (sentences mode, streamed)")
        sub.add_argument("--address", default=None, help="the Ray cluster (host:6379, ray://host:10001; default: "
                         "$RAY_ADDRESS, else a local Ray instance)")
        sub.add_argument("--skip-bad-shards", action="store_true", help="leave out shards that cannot be read "
                         "(each named in a warning) instead of failing")
        sub.add_argument("--out", type=Path, required=True)
        sub.set_defaults(func=func)
    mono = commands.add_parser("monolingual", help="compression and fertility over a text file or folder, streamed")
    mono.add_argument("--corpus", required=True, help="a UTF-8 text file, or a folder of .txt files")
    mono.add_argument("--tokenizers", default=None, help="comma-separated zoo names (default: the default zoo)")
    mono.add_argument("--language", default=None, help="a label for the rows (default: the file name)")
    mono.add_argument("--no-words", action="store_true", help="tokens, bytes and characters only (faster)")
    mono.add_argument("--out", type=Path, required=True)
    mono.set_defaults(func=monolingual_command)


def _counts(args: argparse.Namespace, totals: bool = False):
    """The counts the arguments ask for (a polars frame)."""
    from workbench import zoo
    from workbench.fairness.counting import counts

    tokenizers = args.tokenizers.split(",") if args.tokenizers else zoo.list_tokenizers(default_only=True)
    languages = args.languages.split(",") if args.languages else None
    return counts(tokenizers, _corpus(args), languages, args.mode, engine=args.engine, address=args.address,
                  totals=totals, skip_bad_shards=args.skip_bad_shards)


def _corpus(args: argparse.Namespace):
    """``--corpus``; with ``--engine ray``, a URI or a folder holding no ``<language>.txt`` is read as shards."""
    from workbench import corpora

    corpus = args.corpus
    if args.engine == "ray" and corpus and ("://" in corpus or (Path(corpus).is_dir()
                                                                and not any(Path(corpus).glob("*.txt")))):
        return corpora.shards(corpus)
    return corpus


def counts_command(args: argparse.Namespace) -> int:
    """``workbench fairness counts``: one row per (language, tokenizer), sentence counts summed, to ``--out``."""
    from workbench.fairness.exports import export

    frame = _counts(args, totals=True)
    export(frame, args.out)
    print(f"wrote {len(frame)} rows to {args.out}", file=sys.stderr)
    return 0


def monolingual_command(args: argparse.Namespace) -> int:
    """``workbench fairness monolingual``: one row per tokenizer over a streamed text file or folder, to ``--out``."""
    from workbench import corpora, zoo
    from workbench.fairness.exports import export
    from workbench.fairness.monolingual import monolingual_counts

    corpus = corpora.monolingual_corpus(args.corpus, args.language)
    tokenizers = args.tokenizers.split(",") if args.tokenizers else zoo.list_tokenizers(default_only=True)
    frame = monolingual_counts(tokenizers, corpus, words=not args.no_words)
    export(frame, args.out)
    print(f"wrote {len(frame)} rows to {args.out}", file=sys.stderr)
    return 0


def report_command(args: argparse.Namespace) -> int:
    """``workbench fairness report``: the HTML page of :func:`~workbench.fairness.explorer.render_report`."""
    from workbench.fairness.explorer import render_report

    page = render_report(_counts(args), args.reference)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(page, encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0
