"""Benchmark: the Ray engine against the local engine on a sharded multilingual corpus, and memory as it grows.

The corpus is made under /tmp from every FLORES-200 language's sentences (UDHR when FLORES is absent),
repeated with fresh sentence ids, shuffled and cut into Parquet shards of about 25 MB; it is deleted afterwards.
Each (size, engine) runs in a fresh process: ``fairness.counts([tokenizer], corpora.shards(folder),
mode="sentences", totals=True, engine=...)`` (tokens, bytes, characters and words per language, summed as the
shards stream). The Ray child starts a local Ray instance (2 CPUs, one counting actor per CPU) before its clock
starts and reports the start-up apart. Peak memory: the driver's peak RSS and the largest peak RSS of any Ray
worker process (``VmHWM`` in /proc, read before Ray shuts down). Target: Ray time ≤ 1.3 × local.

    python benchmarks/bench_ray.py --out ray_bench.md [--sizes 100,1000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MB = 1_000_000
SHARD = 25 * MB
HERE = Path(__file__).resolve().parent
STARTUP = HERE.parent / "tests" / "fixtures" / "ray_startup"  # see the note in that folder


def make_shards(folder: Path, size: int) -> int:
    """Write at least ``size`` bytes (whole copies of the corpus) of shuffled (language, id, text) rows as Parquet
    shards; returns the rows. The report gives the size counted."""
    import polars as pl

    from workbench import corpora

    name = corpora.default_parallel_corpus()
    corpus = corpora.parallel_corpus(name)
    base = pl.DataFrame([{"language": lang, "text": s} for lang, sents in corpus.items() for s in sents])
    block = int(base["text"].str.len_bytes().sum())
    rows, written, copy = 0, 0, 0
    pending = []
    while written < size:
        part = base.with_columns(id=pl.int_range(0, base.height) + copy * base.height).sample(
            fraction=1.0, shuffle=True, seed=copy)
        pending.append(part)
        written, copy = written + block, copy + 1
    frame = pl.concat(pending).sample(fraction=1.0, shuffle=True, seed=0)
    per_shard = max(1, int(frame.height * SHARD / written))
    for k, start in enumerate(range(0, frame.height, per_shard)):
        frame[start:start + per_shard].write_parquet(folder / f"part-{k:04d}.parquet")
        rows += min(per_shard, frame.height - start)
    return rows


def run_child(folder: Path, tokenizer: str, engine: str) -> None:
    """The measured work in this process: count the shards with ``engine``; print times, rows and peak memory."""
    from workbench import corpora, fairness

    startup = 0.0
    if engine == "ray":
        from workbench.fairness import cluster

        began = time.perf_counter()
        ray = cluster.connect(num_cpus=os.cpu_count())
        startup = time.perf_counter() - began
    shards = corpora.shards(folder)
    start = time.perf_counter()
    totals = fairness.counts([tokenizer], shards, mode="sentences", totals=True, progress=False, engine=engine)
    seconds = time.perf_counter() - start
    workers = _worker_peaks() if engine == "ray" else []
    if engine == "ray":
        ray.shutdown()
    print(json.dumps({"seconds": seconds, "startup": startup, "tokens": int(totals["tokens"].sum()),
                      "bytes": int(totals["bytes"].sum()), "languages": totals.height,
                      "driver_peak": _peak(Path("/proc/self/status")),
                      "worker_peak": max(workers, default=0), "workers": len(workers)}))


def _worker_peaks() -> list[int]:
    """Peak RSS (bytes) of every Ray worker process (``ray::...``) alive now."""
    peaks = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and (proc / "cmdline").read_bytes().startswith(b"ray::"):
                peaks.append(_peak(proc / "status"))
        except (OSError, StopIteration):
            continue
    return peaks


def _peak(status: Path) -> int:
    """A process's peak RSS in bytes (``VmHWM``: unlike ``ru_maxrss``, not inherited from the parent at fork)."""
    return int(next(x for x in status.read_text().splitlines() if x.startswith("VmHWM")).split()[1]) * 1024


def measure(folder: Path, tokenizer: str, engine: str) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(STARTUP), str(HERE.parent), os.environ.get(
        "PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, __file__, "--child", str(folder), "--tokenizer", tokenizer, "--engine",
                           engine], check=True, capture_output=True, text=True, env=env)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def report(results: dict[int, dict[str, dict]], tokenizer: str) -> str:
    lines = [f"## Ray engine vs local engine ({tokenizer}, sentences mode, totals; `benchmarks/bench_ray.py`)", "",
             "Each run in a fresh process: `fairness.counts([tokenizer], corpora.shards(folder), mode=\"sentences\", "
             "totals=True, engine=...)` over Parquet shards of ~25 MB made from every FLORES-200 language, repeated "
             "and shuffled, under /tmp. Ray: a local instance with one counting actor per core; its start-up is "
             "timed apart.", "",
             "| corpus | engine | wall time (s) | MB/s | Ray start-up (s) | driver peak RSS (MiB) | "
             "largest worker peak RSS (MiB) |", "|---|---|---|---|---|---|---|"]
    for _, by_engine in sorted(results.items()):
        for engine, r in by_engine.items():
            worker = f"{r['worker_peak'] / 2**20:.0f} ({r['workers']} processes)" if engine == "ray" else "–"
            lines.append(f"| {r['bytes'] / MB:,.0f} MB | {engine} | {r['seconds']:.1f} | "
                         f"{r['bytes'] / MB / r['seconds']:.1f} | {r['startup']:.1f} | "
                         f"{r['driver_peak'] / 2**20:.0f} | {worker} |")
    big = results[max(results)]
    ratio = big["ray"]["seconds"] / big["local"]["seconds"]
    verdict = "met" if ratio <= 1.3 else "missed"
    lines += ["", f"Ray time over local time at {big['ray']['bytes'] / MB:,.0f} MB: **{ratio:.2f}×** (target ≤ 1.3×: "
              f"**{verdict}**); with Ray's start-up: "
              f"{(big['ray']['seconds'] + big['ray']['startup']) / big['local']['seconds']:.2f}×."]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("ray_bench.md"))
    parser.add_argument("--tokenizer", default="gpt2")
    parser.add_argument("--sizes", default="100,1000", help="corpus sizes in MB, comma-separated")
    parser.add_argument("--engine", choices=("local", "ray"), help=argparse.SUPPRESS)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.tokenizer, args.engine)
        return 0
    results = {}
    for size in (int(s) * MB for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="bench-ray-", dir="/tmp") as tmp:
            rows = make_shards(Path(tmp), size)
            results[size] = {}
            for engine in ("local", "ray"):
                results[size][engine] = done = measure(Path(tmp), args.tokenizer, engine)
                print(f"{size // MB} MB ({rows:,} rows) {engine}: {done['seconds']:.1f} s, driver "
                      f"{done['driver_peak'] / 2**20:.0f} MiB, worker {done['worker_peak'] / 2**20:.0f} MiB",
                      file=sys.stderr, flush=True)
    text = report(results, args.tokenizer)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
