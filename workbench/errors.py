"""The workbench's exceptions: each message says what went wrong and what to do next."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


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
