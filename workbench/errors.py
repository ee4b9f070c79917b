"""The workbench's exceptions: each message says what went wrong and what to do next."""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Callable, Iterable


class WorkbenchError(Exception):
    """Base class of every error the workbench raises on purpose."""


class UnknownNameError(WorkbenchError, KeyError):
    """A tokenizer, model, corpus, language or asset name that is not known."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class InvalidTextError(WorkbenchError, ValueError):
    """Input that is not valid Unicode text (a lone surrogate) or a file that is not valid UTF-8."""


class UsageError(WorkbenchError, ValueError):
    """A command-line option this analysis cannot take (e.g. a block the model does not have)."""


class OutputError(UsageError):
    """An output path the user chose (``--out``) that cannot be written: missing rights, read-only or full."""


class ClusterError(WorkbenchError):
    """The Ray cluster an ``engine="ray"`` count asked for cannot be reached or started."""


class AssetError(WorkbenchError):
    """A registry asset is missing, corrupt, or could not be fetched."""


class CacheError(AssetError):
    """The cache directory cannot be created or written (read-only, no permission, or full)."""


class OfflineError(AssetError):
    """The package registries (or the model hub) cannot be reached from this machine."""


def unknown_name(kind: str, name: str, known: Iterable[str]) -> UnknownNameError:
    """An error for an unknown ``name`` of ``kind`` that lists the known names and the closest one.

    >>> str(unknown_name("tokenizer", "gtp2", ["gpt2", "llama3"]))
    "Unknown tokenizer 'gtp2'. Did you mean 'gpt2'? Known: gpt2, llama3"
    """
    known = sorted(known)
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return UnknownNameError(f"Unknown {kind} '{name}'.{hint} Known: {', '.join(known)}")


def count_arg(minimum: int = 0) -> Callable[[str], int]:
    """An argparse ``type``: an integer of at least ``minimum``; anything else is a usage error (exit 2) saying so.

    >>> count_arg(1)("3")
    3
    >>> count_arg(0)("-1")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: must be an integer >= 0, not -1
    """

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer >= {minimum}, not {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be an integer >= {minimum}, not {value}")
        return value

    parse.__name__ = f"integer >= {minimum}"  # argparse names the type in its messages
    return parse


#: The ``--tokenizers`` help of every CLI command: what a tokenizer argument may be (workbench.zoo.load_tokenizer).
TOKENIZERS_HELP = ("comma-separated zoo names or tokenizer paths (tokenizer.json, a tokenizer folder, .model, .gguf, "
                   ".tiktoken:PRESET)")


def names_arg(text: str) -> list[str]:
    """An argparse ``type`` for a comma-separated list of names: stripped, repeats dropped (first kept).

    An empty list or an empty name is a usage error, never "all" by accident.

    >>> names_arg("gpt2, llama3,gpt2")
    ['gpt2', 'llama3']
    """
    names = [part.strip() for part in text.split(",")]
    if not text.strip() or "" in names:
        raise argparse.ArgumentTypeError(f"expected comma-separated names, got {text!r} (an empty name)")
    return list(dict.fromkeys(names))
