"""A corpus too big for one file: sharded Parquet, JSONL or text files on any filesystem pyarrow reads.

Unlike :mod:`~workbench.corpora.user` (one folder or table, read whole and checked for alignment), a
:class:`Shards` corpus is only listed here; each shard is parsed on its own by :func:`read_shard`, on the
driver (``engine="local"``) or on a cluster worker (``engine="ray"``, :mod:`workbench.fairness.cluster`), so
memory holds one shard at a time. Every shard becomes rows of :data:`ROW_COLUMNS`:

* ``.parquet`` / ``.jsonl``: a language and a text column (:data:`~workbench.corpora.user.LANGUAGE_COLUMNS`,
  :data:`~workbench.corpora.user.TEXT_COLUMNS`) and an integer sentence id (:data:`~workbench.corpora.user.ID_COLUMNS`;
  without one, the row's position in its shard);
* ``.txt``: ``<language>.txt``, one sentence a line (empty lines skipped), the line number as sentence id.

A shard that is not UTF-8, is truncated or lacks a column raises a :class:`~workbench.errors.WorkbenchError`
naming the file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from workbench.corpora.user import ID_COLUMNS, LANGUAGE_COLUMNS, TEXT_COLUMNS
from workbench.errors import UsageError, WorkbenchError

ShardFormat = Literal["parquet", "jsonl", "text"]
SHARD_SUFFIXES: dict[str, ShardFormat] = {".parquet": "parquet", ".jsonl": "jsonl", ".txt": "text"}
#: The rows a shard holds: one per sentence.
ROW_COLUMNS = ("language", "sentence_id", "text")


@dataclass(frozen=True)
class Shards:
    """The files of a sharded corpus (all one format) and the pyarrow filesystem they are on (None: local)."""

    paths: tuple[str, ...]
    format: ShardFormat
    filesystem: object | None = None

    @property
    def label(self) -> str:
        """A short name for messages: the first shard's folder and the number of shards."""
        return f"{Path(self.paths[0]).parent} ({len(self.paths)} shards)"


def shards(location: str | Path, filesystem: object | None = None) -> Shards:
    """The shards under ``location``: a folder or URI (``s3://bucket/corpus/``, listed recursively) or one file.

    ``filesystem`` is a ``pyarrow.fs.FileSystem`` (default: inferred from the URI, local for a path).
    A location with no ``.parquet``, ``.jsonl`` or ``.txt`` file, or with more than one of those formats,
    is a :class:`~workbench.errors.UsageError`.
    """
    from pyarrow import fs

    if filesystem is None:
        filesystem, root = fs.FileSystem.from_uri(str(location)) if "://" in str(location) else (
            fs.LocalFileSystem(), str(Path(location).resolve()))
    else:
        root = str(location)
    info = filesystem.get_file_info(root)
    if info.type == fs.FileType.NotFound:
        raise UsageError(f"No shards at {location}: give a folder, a URI or a file of .parquet, .jsonl or .txt shards.")
    found = [info] if info.type == fs.FileType.File else filesystem.get_file_info(fs.FileSelector(root, recursive=True))
    files = sorted(f.path for f in found if f.type == fs.FileType.File and Path(f.path).suffix in SHARD_SUFFIXES)
    formats = {SHARD_SUFFIXES[Path(f).suffix] for f in files}
    if len(formats) != 1:
        what = f"shards of several formats ({', '.join(sorted(formats))})" if formats else "no shard"
        raise UsageError(f"{location} holds {what}: put .parquet, .jsonl or .txt shards there, one format.")
    return Shards(tuple(files), formats.pop(), None if isinstance(filesystem, fs.LocalFileSystem) else filesystem)


def read_shard(path: str, data: bytes, format: ShardFormat):
    """The :data:`ROW_COLUMNS` rows (a ``pyarrow.Table``) of one shard's bytes; a bad shard raises, naming ``path``."""
    import pyarrow as pa

    try:
        if format == "text":
            lines = data.decode("utf-8").split("\n")
            keep = [i for i, line in enumerate(lines) if line.strip()]
            text = [lines[i].removesuffix("\r") for i in keep]
            return pa.table({"language": [Path(path).stem] * len(keep), "sentence_id": pa.array(keep, pa.int64()),
                             "text": pa.array(text, pa.string())})
        table = _read_table(data, format)
    except UnicodeDecodeError as err:
        raise WorkbenchError(f"Shard {path} is not valid UTF-8 (byte {err.start}: {err.reason}). "
                             "Re-encode it as UTF-8.") from None
    except (pa.ArrowException, OSError) as err:
        raise WorkbenchError(f"Shard {path} cannot be read as {format} (truncated or damaged?): {err}") from None
    return _rows(table, path)


def _read_table(data: bytes, format: ShardFormat):
    import pyarrow.json as pj
    import pyarrow.parquet as pq

    if format == "parquet":
        return pq.read_table(io.BytesIO(data))
    data.decode("utf-8")  # pyarrow's JSON reader names no byte; this names the first bad one
    return pj.read_json(io.BytesIO(data))


def _rows(table, path: str):
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = {}
    for role, names in (("language", LANGUAGE_COLUMNS), ("text", TEXT_COLUMNS), ("sentence_id", ID_COLUMNS)):
        name = next((c for c in names if c in table.column_names), None)
        if name is None and role != "sentence_id":
            raise WorkbenchError(f"Shard {path} has no {role} column ({' or '.join(names)}). "
                                 f"Columns found: {', '.join(table.column_names)}.")
        columns[role] = table[name] if name else pa.array(range(len(table)), pa.int64())
    try:
        ids = pc.cast(columns["sentence_id"], pa.int64())
    except pa.ArrowInvalid:
        raise WorkbenchError(f"Shard {path}: the sentence ids are not integers.") from None
    return pa.table({"language": pc.cast(columns["language"], pa.string()), "sentence_id": ids,
                     "text": pc.fill_null(pc.cast(columns["text"], pa.string()), "")})
