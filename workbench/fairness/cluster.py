"""Ray Data as the counting engine (``engine="ray"``): the counting of :mod:`~workbench.fairness.counting` on a cluster.

Nothing is counted here that :mod:`~workbench.fairness.counting` does not count: its per-batch function
(:func:`~workbench.fairness.counting.count_rows`) runs inside a Ray Data actor (:class:`_Counter`: the
tokenizers are shipped once per actor, not per batch) and its aggregation runs on the driver, so the rows are
the local engine's to the token. The texts come from the driver's corpus (one block per language; in petrov
mode each language's whole string is one row, so one task encodes it whole, exactly as locally) or from
:class:`~workbench.corpora.Shards` read by Ray (``read_binary_files``, any pyarrow filesystem) and parsed by
:func:`~workbench.corpora.read_shard`. Execution streams (Ray Data's own progress bars); a dead worker's
batch is retried on a restarted actor (``max_restarts``/``max_task_retries``). Ray is an optional extra
(``pip install "token-workbench[scale]"``), imported only here and only when asked for.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Iterator, Sequence

import polars as pl

from workbench import corpora, errors, zoo
from workbench.errors import ClusterError, WorkbenchError
from workbench.fairness import counting
from workbench.fairness.texts import CorpusTexts

#: Ray's start-up waits, raised for a local instance on a loaded machine (its defaults give up after 10-30 s).
_START_WAITS = {"RAY_raylet_start_wait_time_s": "180", "RAY_agent_register_timeout_ms": "180000"}
#: Retries of a batch whose worker died: the actor restarts and the batch runs again (counts are pure).
_RETRIES = {"max_restarts": -1, "max_task_retries": 3}


def ray_module():
    """The ``ray`` module, or a ``ModuleNotFoundError`` saying which extra installs it."""
    try:
        import ray
        import ray.data  # noqa: F401  (ray[data]: pandas and pyarrow besides ray itself)
    except ModuleNotFoundError as err:
        raise ModuleNotFoundError(f'engine="ray" needs Ray Data ({err.name} is missing): '
                                  'pip install "token-workbench[scale]"', name=err.name) from None
    return ray


def connect(address: str | None = None, num_cpus: int | None = None):
    """Ray, connected: the running instance, the cluster at ``address``, or a new local instance.

    ``address`` is what ``ray.init`` takes (``host:6379``, ``ray://host:10001``, ``auto``); ``None`` uses
    ``$RAY_ADDRESS`` if set, else starts Ray here with ``num_cpus`` (default: all). A cluster that cannot be
    reached is a :class:`~workbench.errors.ClusterError` naming the address.
    """
    ray = ray_module()
    if ray.is_initialized():
        return ray
    if address not in (None, "auto", "local"):
        _probe(address)
    if address is None and "RAY_ADDRESS" not in os.environ:
        for name, value in _START_WAITS.items():
            os.environ.setdefault(name, value)
    try:
        ray.init(address=address, num_cpus=num_cpus if address is None else None, include_dashboard=False,
                 log_to_driver=False)
    except Exception as err:  # Ray raises ConnectionError, RuntimeError or a bare Exception, by version
        raise _unreachable(address or os.environ.get("RAY_ADDRESS") or "a new local instance",
                           str(err).splitlines()[0]) from None
    return ray


def _unreachable(where: str, reason: str) -> ClusterError:
    return ClusterError(f"Cannot reach the Ray cluster at {where}: {reason}. Start one with `ray start --head` and "
                        "pass its address (host:6379 or ray://host:10001), or leave address=None to start Ray on "
                        "this machine.")


def _probe(address: str, timeout: float = 10.0) -> None:
    """Raise a :class:`ClusterError` at once when nothing listens at ``address`` (``ray.init`` retries for minutes)."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    try:
        socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout).close()
    except (OSError, ValueError) as err:
        raise _unreachable(address, str(err)) from None


def count_texts(toks: Sequence[zoo.Tokenizer], texts: CorpusTexts, address: str | None,
                progress: bool) -> pl.DataFrame:
    """:func:`~workbench.fairness.counting.count_rows` of the driver's ``texts`` on Ray (one block per language)."""
    import pyarrow as pa

    ray = connect(address)
    petrov = texts.mode == "petrov"
    blocks = [pa.table(counting.petrov_batch(texts, [code]) if petrov else {
        "language": [code] * len(sentences), "sentence_id": list(texts.sentence_ids or range(len(sentences))),
        "text": sentences}) for code, sentences in texts.texts.items()]
    scripts = None if petrov else {code: corpora.language_info(code).script for code in texts.texts}
    dataset = ray.data.from_arrow(blocks)
    return pl.concat(_run(ray, dataset, toks, scripts, totals=False, progress=progress, batch=1 if petrov else None))


def count_shards(toks: Sequence[zoo.Tokenizer], shards: corpora.Shards, languages: set[str] | None,
                 address: str | None, totals: bool, skip: bool, progress: bool) -> tuple[pl.DataFrame, list[str]]:
    """(the count rows, or partial totals, of every shard read by Ray; the messages of the shards skipped)."""
    ray = connect(address)
    # Reading takes no CPU of its own (num_cpus=0): the counting actors hold one each, and a read that waited for a
    # free CPU would wait for ever; Ray Data's backpressure still bounds how many shards are in memory.
    files = ray.data.read_binary_files(list(shards.paths), filesystem=shards.filesystem, include_paths=True,
                                       override_num_blocks=len(shards.paths), num_cpus=0)
    rows = files.map_batches(_read_shards, batch_size=1, batch_format="pyarrow", num_cpus=0,
                             fn_kwargs={"format": shards.format, "languages": languages, "skip": skip})
    frames = list(_run(ray, rows, toks, {}, totals=totals, progress=progress, batch=counting.SHARD_BATCH))
    frame = pl.concat(frames) if frames else pl.DataFrame()
    if frame.is_empty():
        return frame, []
    bad = frame.filter(pl.col("error").is_not_null())["error"].unique(maintain_order=True).to_list()
    return frame.filter(pl.col("error").is_null()).drop("error"), bad


def _read_shards(files, format: corpora.ShardFormat, languages: set[str] | None, skip: bool):
    """Ray's step from a shard's bytes to its rows (an ``error`` column: the message of a shard skipped)."""
    import pyarrow as pa

    path, data = files["path"][0].as_py(), files["bytes"][0].as_py()
    try:
        table = counting.select_languages(corpora.read_shard(path, data, format), languages)
    except WorkbenchError as err:
        if not skip:
            raise
        return pa.table({"language": [""], "sentence_id": [-1], "text": [""], "error": [str(err)]})
    return table.append_column("error", pa.nulls(len(table), pa.string()))


class _Counter:
    """A Ray Data actor: the tokenizers, loaded once, counting each batch with ``counting.count_rows``.

    Rows with an ``error`` (a skipped shard) pass through, so the driver can name the shard.
    """

    def __init__(self, toks, scripts: dict[str, str] | None, totals: bool) -> None:
        import ray

        self.toks, self.scripts, self.totals = ray.get(toks), scripts, totals  # toks: the driver's ray.put

    def __call__(self, batch):
        import pyarrow.compute as pc

        errors = batch.filter(pc.is_valid(batch["error"])) if "error" in batch.column_names else None
        good = batch.filter(pc.is_null(batch["error"])) if errors is not None else batch
        rows = counting.count_rows(self.toks, good.select(["language", "sentence_id", "text"]).to_pydict(),
                                   self.scripts) if len(good) else pl.DataFrame(schema=counting.COUNT_SCHEMA)
        rows = counting.sum_totals(rows) if self.totals else rows
        if errors is not None:
            rows = pl.concat([rows.with_columns(error=pl.lit(None, pl.String)),
                              pl.from_arrow(errors.select(["language", "error"]))], how="diagonal_relaxed")
        return rows.to_arrow()


def _run(ray, dataset, toks: Sequence[zoo.Tokenizer], scripts: dict[str, str] | None, *, totals: bool,
         progress: bool, batch: int | None) -> Iterator[pl.DataFrame]:
    """Stream ``dataset`` through a pool of :class:`_Counter` actors (one per CPU) into polars frames."""
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = progress
    actors = max(1, int(ray.cluster_resources().get("CPU", 1)))
    counted = dataset.map_batches(_Counter, fn_constructor_args=(ray.put(list(toks)), scripts, totals),
                                  batch_size=batch, batch_format="pyarrow", num_cpus=1,
                                  compute=ray.data.ActorPoolStrategy(size=actors),
                                  **_RETRIES)
    try:
        for part in counted.iter_batches(batch_size=None, batch_format="pyarrow"):
            yield pl.from_arrow(part)
    except Exception as err:
        raise _user_error(err) from None


def _user_error(err: BaseException) -> BaseException:
    """The workbench error a Ray task raised, without Ray's wrapping, else ``err`` itself.

    Ray Data wraps it (``RayTaskError(UserCodeException)``) and may carry it only as text across processes, so
    the chain is searched first, then the last ``workbench.errors.<Name>: <message>`` line of the text.
    """
    seen, depth = err, 0
    while seen is not None and depth < 10:
        if isinstance(seen, WorkbenchError) and type(seen).__module__ == errors.__name__:
            return seen
        seen, depth = getattr(seen, "cause", None) or seen.__cause__, depth + 1
    found = re.findall(rf"^{re.escape(errors.__name__)}\.(\w+): (.*)$", str(err), re.MULTILINE)
    kind = getattr(errors, found[-1][0], None) if found else None
    return kind(found[-1][1]) if isinstance(kind, type) and issubclass(kind, WorkbenchError) else err
