"""The wheel works on its own, and installs into an environment without replacing what is there.

``python -m build`` makes the sdist and the wheel; each test installs the wheel (not editable, not the checkout)
into a fresh venv and runs it from a working directory outside the repository, with ``PYTHONPATH`` cleared so
nothing of the checkout is imported. The asset cache is the shared one (``$WORKBENCH_HOME`` or the user cache),
so nothing is downloaded twice.

* **A fresh environment** (``installed``): torch first at the lock's version (the CPU wheel; any looser spec pulls
  a multi-GB CUDA build, as in the Makefile), then ``<wheel>[notebooks]`` with the lock as constraints.
* **An existing environment** (``existing``): other allowed versions of numpy, transformers and polars (pyproject's
  lower bounds, which differ from the lock) are installed first, plus torch. torch is the lock's CPU wheel here
  too: any other torch from the index is a multi-GB CUDA build, so a second torch version cannot be tried.
  Then pip's dry-run report of installing the wheel shows it replaces none of them.

Marked ``wheel``: part of ``make test``'s main run, not of the lowest-versions job (``make test-lowest``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LOCK = REPO / "requirements" / "lock.txt"
_spec = importlib.util.spec_from_file_location("lock_script", REPO / "scripts" / "lock.py")
lock_script = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lock_script)

pytestmark = [pytest.mark.wheel, pytest.mark.slow, pytest.mark.xdist_group("wheel")]
#: Packages a user's environment already has that installing the wheel must not replace.
KEPT = ("numpy", "torch", "transformers", "polars")
NOTEBOOK = "00_environment_check.ipynb"


def clean_env() -> dict[str, str]:
    """This environment without what points Python at the checkout or at another venv; fast mode on."""
    drop = {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}
    return {**{k: v for k, v in os.environ.items() if k not in drop}, "WORKBENCH_FAST": "1"}


def run(cmd: list[str | Path], cwd: Path) -> str:
    """Run ``cmd`` in ``cwd`` with :func:`clean_env`; its stdout, or a failure showing the end of its output."""
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=clean_env(), capture_output=True, text=True)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} exited {proc.returncode}:\n{proc.stdout[-3000:]}\n" \
                                 f"{proc.stderr[-3000:]}"
    return proc.stdout


def make_venv(path: Path, *installs: list[str | Path]) -> Path:
    """A fresh venv at ``path``; each of ``installs`` is the arguments of one ``pip install``, run in order.

    Returns the venv's ``bin/``.
    """
    run([sys.executable, "-m", "venv", path], cwd=path.parent)
    for args in installs:
        run([path / "bin" / "python", "-m", "pip", "install", "--quiet", *args], cwd=path.parent)
    return path / "bin"


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict[str, Path]:
    """The sdist and the wheel ``python -m build`` makes of the checkout."""
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--outdir", out, REPO], cwd=out)
    wheels, sdists = list(out.glob("*.whl")), list(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, sorted(p.name for p in out.iterdir())
    return {"wheel": wheels[0], "sdist": sdists[0]}


@pytest.fixture(scope="module")
def installed(dist, tmp_path_factory) -> Path:
    """``bin/`` of a fresh venv with the wheel and its notebooks extra at the lock's versions."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    return make_venv(venv, ["-c", LOCK, "torch"], ["-c", LOCK, f"{dist['wheel']}[notebooks]"])


@pytest.fixture
def outside(tmp_path) -> Path:
    """A working directory outside the repository."""
    assert not tmp_path.resolve().is_relative_to(REPO)
    return tmp_path


def wheel_version(wheel: Path) -> str:
    return wheel.name.split("-")[1]


def test_the_wheel_ships_the_package_and_the_numbered_notebooks(dist):
    names = zipfile.ZipFile(dist["wheel"]).namelist()
    notebooks = sorted(p.name for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert sorted(n.rsplit("/", 1)[1] for n in names if n.startswith("workbench/_notebooks/") and
                  n.endswith(".ipynb")) == notebooks
    assert "workbench/_notebooks/data/udhr.md" in names and "workbench/assets.toml" in names
    assert "workbench/app/dashboard.ipynb" in names, "workbench app serves the package's own dashboard notebook"
    assert not any(n.startswith(("tests/", "notebooks/")) or n.endswith("conftest.py") for n in names)


def test_the_sdist_has_what_builds_and_tests_it(dist):
    import tarfile

    root = dist["sdist"].name.removesuffix(".tar.gz")
    names = set(tarfile.open(dist["sdist"]).getnames())
    assert {f"{root}/{p}" for p in ("pyproject.toml", "requirements/lock.txt", f"notebooks/{NOTEBOOK}",
                                     "tests/test_wheel.py", "workbench/cli.py")} <= names


def test_version_is_the_wheels_and_the_package_is_not_the_checkout(installed, dist, outside):
    version = wheel_version(dist["wheel"])
    assert run([installed / "workbench", "--version"], outside).strip() == f"token-workbench {version}"
    where = run([installed / "python", "-c", "import workbench; print(workbench.__version__, workbench.__file__)"],
                outside).split()
    assert where[0] == version and Path(where[1]).is_relative_to(installed.parent), where


def test_load_tokenizer_from_the_installed_package(installed, outside):
    code = "import workbench; print(workbench.load_tokenizer('gpt2').encode('Hello world'))"
    assert run([installed / "python", "-c", code], outside).strip() == "[15496, 995]"


def test_notebook_00_runs_from_the_copy_workbench_notebooks_makes(installed, outside):
    run([installed / "workbench", "notebooks", "mine"], outside)
    assert (outside / "mine" / NOTEBOOK).is_file() and (outside / "mine" / "data" / "udhr.md").is_file()
    run([installed / "workbench", "reproduce", f"mine/{NOTEBOOK}", "--fast", "--out", "executed"], outside)
    nb = json.loads((outside / "executed" / NOTEBOOK).read_text(encoding="utf-8"))
    outputs = [o for cell in nb["cells"] if cell["cell_type"] == "code" for o in cell["outputs"]]
    assert [o for o in outputs if o["output_type"] == "error"] == []
    assert any("required assets verified: True" in "".join(o.get("text", "")) for o in outputs)


@pytest.fixture(scope="module")
def existing(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """``bin/`` of a venv that has the lock's torch and other allowed numpy, transformers and polars, and those."""
    others = {n: v for n, v in lock_script.lowest_pins().items() if n in KEPT and n != "torch"}
    venv = tmp_path_factory.mktemp("existing") / "venv"
    return make_venv(venv, ["-c", LOCK, "torch"], [f"{n}=={v}" for n, v in others.items()]), others


def test_installing_into_an_existing_environment_replaces_none_of_its_packages(existing, dist, outside):
    bin_dir, others = existing
    locked = lock_script.read_lock()
    assert {n: v for n, v in others.items() if v == locked[n]} == {}, \
        "pyproject's lower bound is the lock's version: no other allowed version to pre-install"
    run([bin_dir / "python", "-m", "pip", "install", "--quiet", "--dry-run", "--report", "report.json",
         dist["wheel"]], outside)
    report = json.loads((outside / "report.json").read_text(encoding="utf-8"))
    would_install = {item["metadata"]["name"].lower(): item["metadata"]["version"] for item in report["install"]}
    assert "token-workbench" in would_install
    assert {n: v for n, v in would_install.items() if n in KEPT} == {}
