"""Corpus files: read one as checked UTF-8 (whole, or streamed line by line), hash a parallel corpus.

The only module of :mod:`workbench.corpora` that reads corpus bytes directly (parsed corpora are cached
through :mod:`workbench.cache`, which verifies them before every read); the corpus modules
(:mod:`~workbench.corpora.flores`, :mod:`~workbench.corpora.udhr`, :mod:`~workbench.corpora.treebanks`)
read through :func:`read_corpus_file`, so an empty or mis-encoded file fails with the same clear message
whichever corpus it belongs to. :func:`iter_lines` streams a file of any size in bounded memory and
names the line and byte offset of the first byte that is not UTF-8.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from workbench.errors import InvalidTextError, WorkbenchError

#: The longest piece :func:`iter_lines` yields, in bytes: a longer line comes in pieces of at most this size.
MAX_LINE_BYTES = 1 << 20


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


def iter_lines(path: str | Path, *, max_bytes: int = MAX_LINE_BYTES) -> Iterator[str]:
    """The lines of a UTF-8 file without their ``\\n`` (and ``\\r``), read lazily: memory stays bounded.

    A line longer than ``max_bytes`` is yielded in pieces cut at a character boundary. A missing or
    empty file raises a :class:`WorkbenchError`; a byte that is not UTF-8 raises an
    :class:`~workbench.errors.InvalidTextError` naming the file, the line and the byte offset.
    """
    path = Path(path)
    if not path.is_file():
        raise WorkbenchError(f"Corpus file {path} does not exist.")
    if path.stat().st_size == 0:
        raise WorkbenchError(f"Corpus file {path} is empty. Put text in it (one sentence or document a line).")
    offset, number, carry = 0, 1, b""
    with path.open("rb") as handle:
        while chunk := carry + (raw := handle.readline(max_bytes)):
            whole = chunk.endswith(b"\n")
            last = not whole and len(raw) < max_bytes  # end of file, no final newline
            cut = len(chunk) if whole or last else _char_boundary(chunk) or len(chunk)
            cut -= not (whole or last) and cut > 1 and chunk[cut - 1:cut] == b"\r"  # keep "\r\n" together
            piece, carry = chunk[:cut], chunk[cut:]
            text = _decode_line(piece, path, number, offset)
            yield text.removesuffix("\n").removesuffix("\r") if whole else text
            offset, number = offset + len(piece), number + whole
            if last:
                break


def _char_boundary(chunk: bytes) -> int:
    """The length of ``chunk`` less a trailing incomplete UTF-8 character (continuation bytes 0b10xxxxxx)."""
    end = len(chunk)
    for back in range(1, min(4, end) + 1):
        byte = chunk[end - back]
        if byte & 0xC0 != 0x80:  # a lead byte (or ASCII): is its character complete?
            need = 1 if byte < 0x80 else 2 if byte >> 5 == 0b110 else 3 if byte >> 4 == 0b1110 else 4
            return end if need <= back else end - back
    return end


def _decode_line(raw: bytes, path: Path, number: int, offset: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InvalidTextError(
            f"Corpus file {path} is not valid UTF-8: line {number}, byte offset {offset + err.start} "
            f"({err.reason}). Re-encode it as UTF-8 (e.g. iconv -t UTF-8).") from None


def corpus_digest(corpus: dict[str, list[str]]) -> str:
    """A sha256 over a parallel corpus (languages and sentences), for result-cache keys."""
    digest = hashlib.sha256()
    for lang in sorted(corpus):
        digest.update(lang.encode() + b"\0")
        for sentence in corpus[lang]:
            digest.update(sentence.encode("utf-8") + b"\n")
    return digest.hexdigest()
