"""engine="ray" counts what engine="local" counts, to the token: FLORES in both modes, sharded corpora, a dead
worker, bad shards, two nodes, an unreachable cluster.

Ray starts once for the module (2 CPUs); the two-node test runs last, on its own simulated cluster
(``ray.cluster_utils.Cluster``). Select them with ``-m ray``. Every Ray process gets
``tests/fixtures/ray_startup`` on its path (see the file there: it keeps Ray's start-up within its deadlines
on a loaded machine).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from workbench import corpora, fairness, zoo
from workbench.errors import UnknownNameError, WorkbenchError
from workbench.fairness import cluster, counting

ray = pytest.importorskip("ray", reason='the Ray engine needs the scale extra: pip install "token-workbench[scale]"')
pytestmark = pytest.mark.ray
needs_flores = pytest.mark.skipif(not corpora.flores_available(), reason="FLORES-200 is not on this machine")
STARTUP = Path(__file__).parent / "fixtures" / "ray_startup"
ROOT = Path(__file__).resolve().parents[1]
LANGS = ["eng_Latn", "tur_Latn", "zho_Hans", "shn_Mymr"]  # space-separated, agglutinative, no spaces, byte fallback
TOKS = ["gpt2", "llama2"]


def _ray_env() -> None:
    """The path every Ray process inherits: the start-up fixture and this checkout (workers import workbench)."""
    os.environ["PYTHONPATH"] = os.pathsep.join([str(STARTUP), str(ROOT), os.environ.get("PYTHONPATH", "")])


@pytest.fixture(scope="module")
def local_ray():
    _ray_env()
    yield cluster.connect(num_cpus=2)
    ray.shutdown()


@pytest.fixture(scope="module")
def sentences():
    corpus = corpora.parallel_corpus("flores200", LANGS) if corpora.flores_available() else corpora.parallel_corpus(
        "udhr", ["eng", "tur", "cmn_hans", "shn"])
    return dict(sorted(corpus.items()))  # shards come back with their languages sorted


def _write_shards(sentences: dict[str, list[str]], folder: Path) -> Path:
    """Two Parquet and two JSONL shards... of the same rows, cut across languages; returns the Parquet folder."""
    rows = pl.DataFrame([{"language": lang, "id": i, "text": s} for lang, sents in sentences.items()
                         for i, s in enumerate(sents)]).sample(fraction=1.0, shuffle=True, seed=0)
    half = len(rows) // 2
    (folder / "parquet").mkdir(parents=True)
    (folder / "jsonl").mkdir()
    for k, part in enumerate((rows[:half], rows[half:])):
        part.write_parquet(folder / "parquet" / f"part-{k}.parquet")
        part.write_ndjson(folder / "jsonl" / f"part-{k}.jsonl")
    return folder


@needs_flores
@pytest.mark.parametrize("mode", ["petrov", "sentences"])
def test_whole_flores_counts_equal_the_local_engine(local_ray, mode):
    local = fairness.counts(["gpt2"], "flores200", None, mode, cache=False, progress=False)
    on_ray = fairness.counts(["gpt2"], "flores200", None, mode, cache=False, progress=False, engine="ray")
    assert local.height == (204 if mode == "petrov" else 204 * 2009)
    assert_frame_equal(local, on_ray)


def test_sharded_corpus_counts_equal_the_local_engine(local_ray, sentences, tmp_path):
    folder = _write_shards(sentences, tmp_path)
    local = fairness.counts(TOKS, sentences, mode="sentences", cache=False, progress=False)
    for fmt in ("parquet", "jsonl"):
        shards = corpora.shards(folder / fmt)
        assert len(shards.paths) == 2 and shards.format == fmt
        assert_frame_equal(local, fairness.counts(TOKS, shards, mode="sentences", progress=False, engine="ray"))
        assert_frame_equal(local, fairness.counts(TOKS, shards, mode="sentences", progress=False))
    totals = fairness.counts(TOKS, corpora.shards(folder / "parquet"), mode="sentences", totals=True,
                             progress=False, engine="ray")
    assert_frame_equal(counting.sum_totals(local), totals)
    assert totals["tokens"].sum() == local["tokens"].sum() > 0


class _DiesOnce(zoo.Tokenizer):
    """gpt2, whose worker process exits (as a killed worker does) the first time it sees the marked sentence."""

    def __init__(self, marker: str, sentence: str) -> None:
        base = zoo.resolve("gpt2")
        super().__init__(base.spec, base._backend)
        self.marker, self.sentence = marker, sentence

    def encode_batch(self, texts, **kwargs):
        if self.sentence in texts and not os.path.exists(self.marker):
            Path(self.marker).write_text(str(os.getpid()))
            os._exit(1)
        return super().encode_batch(texts, **kwargs)


def test_a_worker_killed_mid_job_is_retried_and_the_counts_are_identical(local_ray, sentences, tmp_path):
    from ray import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import this test module
    shards = corpora.shards(_write_shards(sentences, tmp_path) / "parquet")
    marker = tmp_path / "died"
    dying = _DiesOnce(str(marker), sentences[LANGS[1] if LANGS[1] in sentences else "tur"][100])
    counted = fairness.counts([dying], shards, mode="sentences", progress=False, engine="ray")
    assert marker.exists() and int(marker.read_text()) != os.getpid(), "no worker died: the test tested nothing"
    assert_frame_equal(fairness.counts(["gpt2"], sentences, mode="sentences", cache=False, progress=False), counted)


def test_bad_shards_are_named_and_skipped_only_when_asked(local_ray, sentences, tmp_path):
    folder = _write_shards(sentences, tmp_path)
    good = fairness.counts(["gpt2"], corpora.shards(folder / "parquet"), mode="sentences", progress=False)
    data = (folder / "parquet" / "part-1.parquet").read_bytes()
    (folder / "parquet" / "part-2.parquet").write_bytes(data[: len(data) // 2])
    (folder / "jsonl" / "part-2.jsonl").write_bytes(b'{"language": "eng_Latn", "id": 0, "text": "caf\xe9"}\n')
    for fmt, bad in (("parquet", "part-2.parquet"), ("jsonl", "part-2.jsonl")):
        shards = corpora.shards(folder / fmt)
        for engine in ("local", "ray"):
            with pytest.raises(WorkbenchError, match=bad):
                fairness.counts(["gpt2"], shards, mode="sentences", progress=False, engine=engine)
            with pytest.warns(UserWarning, match=f"Skipped 1 bad shard.*{bad}"):
                skipped = fairness.counts(["gpt2"], shards, mode="sentences", progress=False, engine=engine,
                                          skip_bad_shards=True)
            assert_frame_equal(good, skipped)


def test_cli_counts_shards_on_ray_as_the_local_engine_counts_the_corpus(local_ray, sentences, tmp_path):
    from workbench import cli

    folder = _write_shards(sentences, tmp_path)
    (tmp_path / "corpus").mkdir()
    for lang, sents in sentences.items():
        (tmp_path / "corpus" / f"{lang}.txt").write_text("\n".join(sents) + "\n", encoding="utf-8")
    common = ["fairness", "counts", "--tokenizers", "gpt2", "--mode", "sentences"]
    assert cli.main([*common, "--corpus", str(tmp_path / "corpus"), "--out", str(tmp_path / "local.csv")]) == 0
    assert cli.main([*common, "--corpus", str(folder / "parquet"), "--engine", "ray", "--out",
                     str(tmp_path / "ray.csv")]) == 0
    assert_frame_equal(pl.read_csv(tmp_path / "local.csv"), pl.read_csv(tmp_path / "ray.csv"))


def test_petrov_mode_on_shards_and_unknown_engines_are_usage_errors(tmp_path, sentences):
    folder = _write_shards(sentences, tmp_path)
    with pytest.raises(WorkbenchError, match="mode='sentences'"):
        fairness.counts(["gpt2"], corpora.shards(folder / "jsonl"), mode="petrov", progress=False)
    with pytest.raises(UnknownNameError, match="Known: local, ray"):
        fairness.counts(["gpt2"], sentences, engine="spark")


def test_without_ray_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ModuleNotFoundError, match=r'pip install "token-workbench\[scale\]"'):
        cluster.ray_module()


def test_an_unreachable_cluster_is_a_clear_error_naming_the_address():
    _ray_env()
    env = {**os.environ, "RAY_ADDRESS": ""}
    run = subprocess.run([sys.executable, "-c", "from workbench.fairness import cluster; "
                          "cluster.connect('127.0.0.1:1')"], capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode != 0
    assert "ClusterError: Cannot reach the Ray cluster at 127.0.0.1:1" in run.stderr


def test_a_two_node_cluster_counts_what_one_machine_counts(sentences, tmp_path):
    from ray.cluster_utils import Cluster

    _ray_env()
    ray.shutdown()
    nodes = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    nodes.add_node(num_cpus=1)
    try:
        cluster.connect(nodes.address)
        assert len([n for n in ray.nodes() if n["Alive"]]) == 2
        shards = corpora.shards(_write_shards(sentences, tmp_path) / "jsonl")
        local = fairness.counts(TOKS, sentences, mode="sentences", cache=False, progress=False)
        assert_frame_equal(local, fairness.counts(TOKS, shards, mode="sentences", progress=False, engine="ray"))
        petrov = fairness.counts(TOKS, sentences, mode="petrov", cache=False, progress=False)
        assert_frame_equal(petrov, fairness.counts(TOKS, sentences, mode="petrov", cache=False, progress=False,
                                                   engine="ray"))
    finally:
        ray.shutdown()
        nodes.shutdown()
