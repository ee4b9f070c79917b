"""Corpus files: read one as checked UTF-8, hash a parallel corpus.

The only module of :mod:`workbench.corpora` that reads corpus bytes directly (parsed corpora are cached
through :mod:`workbench.cache`, which verifies them before every read); the corpus modules
(:mod:`~workbench.corpora.flores`, :mod:`~workbench.corpora.udhr`, :mod:`~workbench.corpora.treebanks`)
read through :func:`read_corpus_file`, so an empty or mis-encoded file fails with the same clear message
whichever corpus it belongs to.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from workbench.errors import WorkbenchError


def read_corpus_file(path: str | Path) -> str:
    """The UTF-8 text of a corpus file; an empty or non-UTF-8 file raises a :class:`WorkbenchError`.

    >>> read_corpus_file("/no/such/file")
    Traceback (most recent call last):
    workbench.errors.WorkbenchError: Corpus file /no/such/file does not exist.
    """
    path = Path(path)
    if not path.is_file():
        raise WorkbenchError(f"Corpus file {path} does not exist.")
    data = path.read_bytes()
    if not data.strip():
        raise WorkbenchError(f"Corpus file {path} is empty. Replace it with a complete copy.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise WorkbenchError(
            f"Corpus file {path} is not valid UTF-8 (byte {err.start}: {err.reason}). "
            "Re-download it or re-encode it as UTF-8."
        ) from None


def corpus_digest(corpus: dict[str, list[str]]) -> str:
    """A sha256 over a parallel corpus (languages and sentences), for result-cache keys."""
    digest = hashlib.sha256()
    for lang in sorted(corpus):
        digest.update(lang.encode() + b"\0")
        for sentence in corpus[lang]:
            digest.update(sentence.encode("utf-8") + b"\n")
    return digest.hexdigest()
