"""The ``workbench`` command: every analysis of the notebooks, under the same names, from a shell.

Exit codes: 0 success; 1 an analysis failed; 2 bad usage (unknown name, invalid option, input text that is not
valid UTF-8); 3 an asset is missing or corrupt, or the registries / hub cannot be reached; 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from workbench.app.serve import DEFAULT_PORT
from workbench.errors import (
    TOKENIZERS_HELP,
    AssetError,
    InvalidTextError,
    UnknownNameError,
    UsageError,
    WorkbenchError,
    names_arg,
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_ASSETS, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

#: Sub-commands that an analysis module adds through ``register_cli(subparsers)``: name -> (module, one-line
#: help). A module is imported only when its own command is parsed, so ``workbench --help`` lists these help
#: lines without importing any analysis (tests/test_cli_startup.py checks each line is the module's own).
COMMANDS = {
    "corpora": ("workbench.corpora", "parallel corpora and Turkish treebanks"),
    "fairness": ("workbench.fairness", "token counts and premiums over a parallel corpus"),
    "turkish": ("workbench.turkish", "Turkish %%TR / %%Pure and morphology-aware boundary metrics"),
    "glitch": ("workbench.glitch", "under-trained (glitch) tokens: Land & Bartolo 2024"),
    "prune": ("workbench.pruning.cli", "visual token pruning"),
    "report": ("workbench.compare", "compare tokenizers on a corpus: every intrinsic measure, "
                                    "one report (.html, .md, .tex, .csv, .parquet)"),
}
#: The analysis modules, in the order of :data:`COMMANDS`.
ANALYSES = tuple(dict.fromkeys(module for module, _ in COMMANDS.values()))


def _assets_command(args: argparse.Namespace) -> int:
    from workbench import assets

    if args.action == "fetch":
        for path in assets.fetch(args.names or None, include_optional=args.all):
            print(path)
    elif args.action == "verify":
        rows = assets.verify(args.names)
        bad = [r["name"] for r in rows if not r["cached"] and not r["optional"]]
        _print_rows(rows, ["name", "cached", "optional"], args.json)
        if bad:
            print(f"missing or corrupt: {', '.join(bad)}. Run: workbench assets fetch", file=sys.stderr)
            return EXIT_ASSETS
    elif args.action == "hash":
        for name in args.names:
            print(f"{assets.cached_digest(name)}  {name}")
    else:
        _print_rows(assets.status(), ["name", "cached", "licence", "source"], args.json)
    return EXIT_OK


def _tokenizers_command(args: argparse.Namespace) -> int:
    from workbench import zoo

    rows = zoo.describe()
    if args.vocab:
        for row in rows:
            row["vocab_size"] = zoo.load_tokenizer(str(row["name"])).vocab_size
            row["encoder"], row["why"] = zoo.encoder(str(row["name"]))
    loaded = ["vocab_size", "encoder", "why"] if args.vocab else []
    _print_rows(rows, ["name", "family", "description", "source", "licence", *loaded], args.json)
    return EXIT_OK


def _tokenize_command(args: argparse.Namespace) -> int:
    from workbench import token_view

    text = args.text if args.text is not None else _read_stdin()
    for name, groups in token_view.compute_token_view(text, args.tokenizers).items():
        ids = [i for g in groups for i in g.ids]
        if args.json:
            print(json.dumps({"tokenizer": name, "ids": ids, "pieces": [g.text for g in groups],
                              "piece_ids": [list(g.ids) for g in groups]}, ensure_ascii=False))
        else:
            print(f"{name} ({len(ids)}): " + " | ".join(g.text for g in groups))
    return EXIT_OK


def _read_stdin() -> str:
    """All of stdin as UTF-8 text; undecodable bytes are a usage error, not a tokenizer crash."""
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidTextError(f"stdin is not valid UTF-8 ({exc.reason} 0x{data[exc.start]:02x} at byte {exc.start}). "
                               "Re-encode the input as UTF-8 (e.g. iconv -t UTF-8).") from None


def _reproduce_command(args: argparse.Namespace) -> int:
    from workbench import reports

    written = reports.run_notebooks(args.notebooks or None, out_dir=args.out, fast=args.fast)
    for path in written:
        print(path)
    return EXIT_OK


def _notebooks_command(args: argparse.Namespace) -> int:
    from workbench import notebook

    folder = args.dir or ("token-workbench-solutions" if args.solutions else "token-workbench-notebooks")
    results = notebook.copy_notebooks(folder, force=args.force, solutions=args.solutions)
    for path, what in results:
        print(f"{what:<11} {path}")
    folder = Path(folder).expanduser().resolve()
    print(f"the notebooks are in {folder}; open them with: jupyter lab {folder}", file=sys.stderr)
    return EXIT_OK


def _app_command(args: argparse.Namespace) -> int:
    from workbench.app import serve

    return serve.serve(args.port, full=args.full, browser=args.browser, ip=args.ip)


def _print_rows(rows: list[dict], columns: list[str], as_json: bool) -> None:
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        print("  ".join(str(row.get(c, "")).ljust(widths[c]) for c in columns))


class _VersionAction(argparse.Action):
    """``--version``: reads the installed distribution's version only when asked (importlib.metadata is not free)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print the installed version and exit", **kwargs)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        from workbench import __version__

        print(f"token-workbench {__version__}")
        parser.exit()


def build_parser(load: Iterable[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser; ``load`` names the :data:`COMMANDS` whose analysis is imported (default: all).

    The others are listed with their help line only (enough for ``workbench --help``, not for parsing them).
    """
    load = set(COMMANDS if load is None else load)
    parser = argparse.ArgumentParser(
        prog="workbench", description="token-workbench: every analysis of the notebooks, from a shell.",
        epilog="exit codes: 0 ok; 1 analysis failed; 2 bad usage or unknown name; 3 asset missing, corrupt or offline; "
               "130 interrupted")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress at INFO level")
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("assets", help="fetch, list and verify the registry assets")
    p.add_argument("action", choices=["fetch", "list", "verify", "hash"])
    p.add_argument("names", nargs="*", help="asset names (default: all non-optional)")
    p.add_argument("--all", action="store_true", help="with fetch: include optional (large) assets")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_assets_command)

    p = sub.add_parser("tokenizers", help="list the tokenizer zoo (name, family, source, licence)")
    p.add_argument("--vocab", action="store_true", help="load each tokenizer to show its vocabulary size and encoder "
                   "(tiktoken / tokenizers / sentencepiece) and, for a tokenizer.json, why: not tiktoken, or how its "
                   "tiktoken ids are known to be those of tokenizers")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_tokenizers_command)

    p = sub.add_parser("tokenize", help="show how tokenizers split a text (stdin if no --text)")
    p.add_argument("--tokenizers", type=names_arg, default="cl100k_base", help=TOKENIZERS_HELP)
    p.add_argument("--text")
    p.add_argument("--json", action="store_true", help="one JSON line per tokenizer: ids, pieces (byte pieces of "
                   "one character joined, as the notebook view shows them) and piece_ids (the ids of each piece)")
    p.set_defaults(func=_tokenize_command)

    p = sub.add_parser("reproduce", help="execute the notebooks and write executed copies + HTML to reports/")
    p.add_argument("notebooks", nargs="*", help="notebook paths (default: every numbered notebook)")
    p.add_argument("--out", default="reports")
    p.add_argument("--fast", action="store_true", help="fast mode (WORKBENCH_FAST=1): smaller sizes, same code")
    p.set_defaults(func=_reproduce_command)

    p = sub.add_parser("notebooks", help="copy the numbered notebooks into a folder of yours, to open and edit there")
    p.add_argument("dir", nargs="?", help="the folder (created if missing; default: ./token-workbench-notebooks, "
                   "with --solutions ./token-workbench-solutions)")
    p.add_argument("--force", action="store_true", help="overwrite notebooks you edited since they were copied")
    p.add_argument("--solutions", action="store_true", help="the instructor's copy: every \"Your turn\" exercise "
                   "with its solution filled in (the default copy, the students', has none)")
    p.set_defaults(func=_notebooks_command)

    p = sub.add_parser("app", help="serve the four analyses as one dashboard (Voila, no code shown), in fast mode",
                       description="Serve the app: one tab per analysis, controls beside their results, no code. "
                       "It starts in fast mode (small samples) and has a switch to the full mode.")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"the port to serve on (default: {DEFAULT_PORT})")
    p.add_argument("--ip", default="localhost", help="the address to listen on (default: localhost; 0.0.0.0 for "
                   "every interface)")
    p.add_argument("--full", action="store_true", help="start in full mode (every language, candidate and image; "
                   "tabs take minutes to open the first time)")
    p.add_argument("--browser", action="store_true", help="open the app in a web browser")
    p.set_defaults(func=_app_command)

    for module in dict.fromkeys(module for name, (module, _) in COMMANDS.items() if name in load):
        importlib.import_module(module).register_cli(sub)
    for name, (_, helptext) in COMMANDS.items():
        if name not in load:
            sub.add_parser(name, help=helptext, add_help=False)
    return parser


def command_paths(parser: argparse.ArgumentParser | None = None) -> list[list[str]]:
    """Every command of ``parser`` (default: the full one) as argv words: ``[]``, ``["prune", "eval"]``, ...

    benchmarks/bench_cli.py times each one's ``--help``; tests/test_cli_startup.py checks what each imports.
    """
    parser = parser or build_parser()
    paths = [[]]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                paths += [[name, *rest] for rest in command_paths(sub)]
    return paths


#: Import names of optional dependencies whose distribution (the name an extra lists) is spelled differently.
IMPORT_TO_DISTRIBUTION = {"skimage": "scikit-image", "zemberek": "zemberek-python", "pkg_resources": "setuptools",
                          "xdist": "pytest-xdist"}


def missing_extra_message(exc: ModuleNotFoundError) -> str | None:
    """What to install for a module an optional extra provides, e.g. ``pip install "token-workbench[vision]"``.

    ``None`` when the missing module is in no extra of the installed distribution (then it is a real bug).
    """
    from importlib import metadata

    top = (exc.name or "").split(".")[0]
    wanted = _normalise(IMPORT_TO_DISTRIBUTION.get(top, top))
    try:
        requires = metadata.requires("token-workbench") or []
    except metadata.PackageNotFoundError:
        return None
    extras = [m.group(2) for r in requires
              if (m := re.match(r"\s*([A-Za-z0-9_.\-]+).*;.*extra\s*==\s*['\"]([^'\"]+)['\"]", r))
              and _normalise(m.group(1)) == wanted]
    if not extras:
        return None
    install = " or ".join(f'pip install "token-workbench[{extra}]"' for extra in dict.fromkeys(extras))
    return f"this command needs {top}, from an optional extra; install it with: {install}"


def _normalise(name: str) -> str:
    """PEP 503 name normalisation (``Foo_Bar`` and ``foo-bar`` are one distribution)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _command_of(argv: Sequence[str]) -> str | None:
    """The sub-command ``argv`` names: its first word that is not an option (the top-level options take no value)."""
    return next((word for word in argv if not word.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``workbench`` command."""
    argv = sys.argv[1:] if argv is None else list(argv)
    command = _command_of(argv)
    try:
        args = build_parser([command] if command in COMMANDS else []).parse_args(argv)
        logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
        return args.func(args)
    except ModuleNotFoundError as exc:
        if (message := missing_extra_message(exc)) is None:
            raise
        print(f"error: {message}", file=sys.stderr)
        return EXIT_USAGE
    except (UnknownNameError, InvalidTextError, UsageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except AssetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ASSETS
    except WorkbenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:  # caches are written atomically: an interrupted run leaves no partial file
        print("interrupted: finished results are cached; run the same command again to resume", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
