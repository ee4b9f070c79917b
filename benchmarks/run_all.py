"""Run every ``benchmarks/bench_*.py`` and write one report (``make bench`` -> BENCHMARKS.md).

Each benchmark is a script that takes ``--out FILE`` and writes a markdown section with its figures
and the ratios it measured side by side in one run. This runner adds the machine and the date.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent


def machine() -> str:
    """CPU model, cores, memory and Python, as one markdown line."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return f"{cpu}, {os.cpu_count()} cores, {mem_kb / 2**20:.0f} GiB, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="BENCHMARKS.md")
    parser.add_argument("benchmarks", nargs="*", help="benchmark scripts (default: all)")
    args = parser.parse_args()
    scripts = [Path(b) for b in args.benchmarks] or sorted(HERE.glob("bench_*.py"))
    sections, failed = [], []
    for script in scripts:
        print(f"== {script.name}", file=sys.stderr, flush=True)
        with tempfile.NamedTemporaryFile(suffix=".md", delete=False) as tmp:
            proc = subprocess.run([sys.executable, str(script), "--out", tmp.name])
            text = Path(tmp.name).read_text(encoding="utf-8")
        if proc.returncode != 0:
            failed.append(script.name)
            text += f"\n**{script.name} failed (exit {proc.returncode}); figures above may be incomplete.**\n"
        sections.append(text.strip())
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = (f"# Benchmarks\n\nWritten by `make bench` on {now}.\n\nMachine: {machine()}.\n\n"
              "Every ratio is measured side by side in one run of the benchmark that reports it.\n")
    Path(args.out).write_text("\n\n".join([header, *sections]) + "\n", encoding="utf-8")
    print(f"wrote {args.out}" + (f"; failed: {', '.join(failed)}" if failed else ""), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
