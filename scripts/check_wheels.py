"""Ask the package index whether every locked dependency has a wheel for Python 3.12 and 3.13 on manylinux x86_64.

Only 3.11 runs on the project's machines, so this is how ``requires-python = ">=3.11"`` is backed for the
newer versions: for each ``name==version`` of requirements/lock.txt and each Python version, pip resolves that
one file (``install --dry-run --no-deps --only-binary :all: --python-version … --platform …``; metadata only,
nothing is downloaded or installed) and the wheel it would take is printed. Exit 1 if any is missing.

    python scripts/check_wheels.py [--python 3.12 --python 3.13] [--out wheels.md]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lock import read_lock  # noqa: E402  (scripts/ is not a package)

#: glibc 2.17 (manylinux2014) up to 2.35 (Ubuntu 22.04, Colab's): pip does not widen a --platform tag itself.
PLATFORMS = ["manylinux2014_x86_64", *(f"manylinux_2_{minor}_x86_64" for minor in range(17, 36))]


def wheel_for(name: str, version: str, python: str) -> str | None:
    """The file name of the wheel pip would install for ``name==version`` on ``python``, or None."""
    with tempfile.TemporaryDirectory() as target:
        cmd = [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--no-deps", "--ignore-installed",
               "--only-binary", ":all:", "--python-version", python, "--implementation", "cp",
               *(arg for platform in PLATFORMS for arg in ("--platform", platform)),
               "--target", target, "--report", "-", f"{name}=={version}"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        return None
    report = json.loads(proc.stdout)
    return report["install"][0]["download_info"]["url"].rsplit("/", 1)[-1] if report["install"] else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", action="append", help="Python versions (default: 3.12 and 3.13)")
    parser.add_argument("--out", type=Path, help="also write the table here (markdown)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    pythons = args.python or ["3.12", "3.13"]
    pins = read_lock()
    jobs = [(name, version, python) for name, version in pins.items() for python in pythons]
    with ThreadPoolExecutor(args.jobs) as pool:
        wheels = dict(zip(jobs, pool.map(lambda job: wheel_for(*job), jobs), strict=True))
    lines = ["| package | locked | " + " | ".join(f"Python {p} wheel" for p in pythons) + " |",
             "|---|---|" + "---|" * len(pythons)]
    for name, version in pins.items():
        cells = [f"`{w}`" if (w := wheels[name, version, p]) else "**none**" for p in pythons]
        lines.append(f"| {name} | {version} | " + " | ".join(cells) + " |")
    missing = [f"{name}=={version} (Python {python})" for (name, version, python), w in wheels.items() if not w]
    lines += ["", f"{len(pins)} locked packages; missing wheels: {', '.join(missing) or 'none'}."]
    print("\n".join(lines))
    if args.out:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
