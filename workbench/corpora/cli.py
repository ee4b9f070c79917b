"""The ``workbench corpora languages|sample|treebank`` command: a thin argparse layer over the corpus API.

It only parses arguments and prints; the work is in :mod:`~workbench.corpora.languages`,
:mod:`~workbench.corpora.parallel` and :mod:`~workbench.corpora.treebanks`, imported inside each command
so that ``workbench --help`` loads no corpus and no polars (only the name lists for the choices).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.config import check_out, write_atomic
from workbench.errors import count_arg, names_arg


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    """Add ``workbench corpora languages|sample|treebank``."""
    from workbench.corpora.parallel import CORPORA
    from workbench.corpora.treebanks import TREEBANKS

    parser = subparsers.add_parser("corpora", help="parallel corpora and Turkish treebanks")
    commands = parser.add_subparsers(dest="corpora_command", required=True)
    languages = commands.add_parser("languages", help="the languages of a corpus, with script and direction")
    languages.add_argument("--corpus", default=None, help=f"{', '.join(CORPORA)}, or a folder/table of your own "
                           "(default: flores200 if present)")
    languages.add_argument("--out", type=Path,
                           help="write CSV here instead of printing (missing directories are created)")
    languages.set_defaults(func=_cli_languages)
    show = commands.add_parser("sample", help="print a seeded, aligned sample of sentences")
    show.add_argument("languages", type=names_arg, help="comma-separated codes, e.g. eng_Latn,tur_Latn")
    show.add_argument("--corpus", default=None, help="as for languages")
    show.add_argument("-n", type=count_arg(0), default=3, help="sentences per language (>= 0)")
    show.add_argument("--seed", type=int, default=0)
    show.set_defaults(func=_cli_sample)
    bank = commands.add_parser("treebank", help="sentence and word counts of a Turkish treebank")
    bank.add_argument("name", choices=TREEBANKS)
    bank.set_defaults(func=_cli_treebank)


def _cli_languages(args: argparse.Namespace) -> int:
    import polars as pl

    from workbench.corpora.languages import languages_table
    from workbench.corpora.parallel import default_parallel_corpus

    out = check_out(args.out) if args.out else None
    table = languages_table(args.corpus or default_parallel_corpus())
    if out:
        write_atomic(out, table.write_csv)
    else:
        with pl.Config(tbl_rows=-1, tbl_width_chars=160):
            print(table)
    return 0


def _cli_sample(args: argparse.Namespace) -> int:
    from workbench.corpora.parallel import default_parallel_corpus, parallel_corpus, sample_sentences

    corpus = parallel_corpus(args.corpus or default_parallel_corpus(), args.languages)
    for lang, sentences in sample_sentences(corpus, args.n, args.seed).items():
        print(f"== {lang}")
        print("\n".join(sentences))
    return 0


def _cli_treebank(args: argparse.Namespace) -> int:
    from workbench.corpora.treebanks import ud_turkish

    sentences = ud_turkish(args.name)
    words = sum(len(s.words) for s in sentences)
    print(f"{args.name}: {len(sentences)} sentences, {words} words")
    return 0
