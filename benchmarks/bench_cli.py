"""Benchmark: start-up of ``workbench --help`` and each sub-command's ``--help``, before and after, in one run.

"Before" is another installation of the command (default: the main checkout's ``/work/main/.venv/bin/workbench``,
i.e. main's HEAD, run without ``PYTHONPATH`` so it imports its own code), "after" is the one beside this
interpreter, run with this environment (``PYTHONPATH=$PWD`` points it at a worktree). Every command of
``workbench.cli.command_paths()`` is timed. Each command is run ``--repeats`` times, the two
installations interleaved, and the median wall time and the peak resident memory (``/usr/bin/time``'s ``%M``)
are reported. Target: every ``--help`` ≤ 0.3 s and ≤ 80 MB.

    python benchmarks/bench_cli.py --out cli_bench.md [--before /path/to/other/.venv/bin/workbench]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

from workbench.cli import command_paths

TARGET_S, TARGET_MB = 0.3, 80


def measure(workbench: str, argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak MB of one ``workbench ARGV --help``, as GNU time reports them."""
    proc = subprocess.run(["/usr/bin/time", "-f", "%e %M", workbench, *argv, "--help"], capture_output=True,
                          text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{workbench} {' '.join(argv)} --help failed: {proc.stderr[-500:]}")
    seconds, kilobytes = proc.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kilobytes) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="cli_bench.md")
    parser.add_argument("--before", default="/work/main/.venv/bin/workbench", help="the baseline installation")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    after = str(Path(sys.executable).with_name("workbench"))
    if not Path(args.before).exists():
        sys.exit(f"no baseline installation at {args.before}: pass --before /path/to/.venv/bin/workbench")
    baseline_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    installs = {"before": (args.before, baseline_env), "after": (after, dict(os.environ))}
    rows = []
    for argv in command_paths():
        runs: dict[str, list[tuple[float, float]]] = {k: [] for k in installs}
        for _ in range(args.repeats):
            for key, (exe, env) in installs.items():
                try:
                    runs[key].append(measure(exe, argv, env))
                except RuntimeError:  # a command the baseline does not have yet
                    runs[key].append((float("nan"), float("nan")))
        med = {k: (statistics.median(s for s, _ in v), max(m for _, m in v)) for k, v in runs.items()}
        rows.append((" ".join(["workbench", *argv, "--help"]), med))
        print(rows[-1], file=sys.stderr, flush=True)
    lines = ["## CLI start-up (`workbench … --help`)", "",
             f"Before: `{args.before}` (main's HEAD); after: `{after}` (this checkout). Median wall time of "
             f"{args.repeats} runs, the two interleaved, and the peak resident memory of any run (`/usr/bin/time` "
             f"`%M`). Target: ≤ {TARGET_S} s and ≤ {TARGET_MB} MB.", "",
             "| command | before s | after s | before MB | after MB | after within target |",
             "|---|---:|---:|---:|---:|---|"]
    for name, med in rows:
        (bs, bm), (as_, am) = med["before"], med["after"]
        ok = "yes" if as_ <= TARGET_S and am <= TARGET_MB else "**no**"
        lines.append(f"| `{name}` | {bs:.2f} | {as_:.2f} | {bm:.0f} | {am:.0f} | {ok} |")
    lines += ["", "nan: the baseline has no such command. `workbench prune …` imports no torch since "
              "`workbench/pruning/__init__.py` loads its rules on first use (`lazy_loader`)."]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
