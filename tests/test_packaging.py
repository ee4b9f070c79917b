"""One dependency file per consumer, kept in step: pyproject (ranges), the lock (exact), environment.yml (Binder).

pyproject.toml states compatible ranges; ``requirements/lock.txt`` holds the exact versions ``make`` installs
(as pip constraints), and ``environment.yml`` is generated from the lock by ``scripts/lock.py``. Binder builds
``environment.yml`` and then runs ``.binder/postBuild`` (``pip install --no-deps -e .``), so every package a
notebook needs must be in it at the lock's version. Colab runs the shared setup cell, which installs the
package with a pyproject extra. The Makefile's tools come from pyproject too.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.version import Version

from workbench import notebook

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*==\s*([^\s;#]+)")
LOCK = REPO / "requirements" / "lock.txt"
#: Extras a notebook user needs (Binder, Colab); ``dev`` is for the test suite and may be left out of Binder.
NOTEBOOK_EXTRAS = ("models", "turkish", "vision", "notebooks")
#: Executables the Makefile runs from .venv/bin, and the distribution that provides each.
MAKEFILE_TOOLS = {"python": None, "pip": None, "workbench": "token-workbench", "ruff": "ruff", "voila": "voila",
                  "jupyter": "jupyterlab", "pytest": "pytest"}


def normalise(name: str) -> str:
    """PEP 503 name normalisation (``Foo_Bar`` and ``foo-bar`` are one package)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(requirements: list[str]) -> dict[str, str]:
    """``name -> version`` of the exact (``==``) pins in a list of requirement strings."""
    return {normalise(m.group(1)): m.group(2) for r in requirements if (m := PIN.match(r.strip()))}


def pyproject_requirements(*extras: str) -> dict[str, Requirement]:
    """``name -> requirement`` of the core dependencies plus the named extras (all extras when none are named)."""
    optional = PYPROJECT["project"]["optional-dependencies"]
    reqs = list(PYPROJECT["project"]["dependencies"])
    for extra in extras or optional:
        reqs += [r for r in optional[extra] if not r.startswith(PYPROJECT["project"]["name"])]
    return {normalise(req.name): req for req in map(Requirement, reqs)}


def lock_pins() -> dict[str, str]:
    """``name -> version`` of requirements/lock.txt."""
    return pins(LOCK.read_text(encoding="utf-8").splitlines())


@pytest.fixture(scope="module")
def environment() -> dict:
    path = REPO / "environment.yml"
    assert path.exists(), "environment.yml is missing: Binder and conda users need it"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def environment_pins(env: dict) -> dict[str, str]:
    """Pins of environment.yml: conda ``name=version`` / ``name==version`` and the pip section."""
    conda, pip = [], []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip += dep.get("pip", [])
        else:
            conda.append(re.sub(r"^([^=<>\s]+)=(?!=)", r"\1==", dep))
    return pins(conda + pip)


def test_every_dependency_is_a_range_not_an_exact_pin():
    exact = [str(r) for r in pyproject_requirements().values() if any(s.operator in ("==", "===") for s in r.specifier)]
    assert exact == [], f"exact pins belong in requirements/lock.txt, not pyproject.toml: {exact}"


def test_every_dependency_has_a_lower_bound_and_upper_bounds_say_why():
    unbounded = [str(r) for r in pyproject_requirements().values() if not any(s.operator == ">=" for s in r.specifier)]
    assert unbounded == [], f"no tested lower bound (>=): {unbounded}"
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    capped = [line.strip() for line in text.splitlines() if re.match(r'\s*"[^"]*<[^"]*",', line) and "#" not in line]
    assert capped == [], f"an upper bound without its reason in a comment: {capped}"


def test_the_lock_pins_exactly_pyprojects_dependencies_within_their_ranges():
    ranges, lock = pyproject_requirements(), lock_pins()
    assert sorted(set(ranges) - set(lock)) == [], "in pyproject.toml but not in requirements/lock.txt"
    assert sorted(set(lock) - set(ranges)) == [], "in requirements/lock.txt but not a dependency in pyproject.toml"
    outside = {n: (v, str(ranges[n].specifier)) for n, v in lock.items() if Version(v) not in ranges[n].specifier}
    assert outside == {}, f"locked versions outside pyproject's ranges: {outside}"


def test_environment_yml_is_generated_from_the_lock():
    check = subprocess.run([sys.executable, str(REPO / "scripts" / "lock.py"), "--check"], capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stderr


def test_environment_yml_has_every_notebook_package_at_the_lock_version(environment):
    want = {n: v for n, v in lock_pins().items() if n in pyproject_requirements(*NOTEBOOK_EXTRAS)}
    have = {n: Version(v).public for n, v in environment_pins(environment).items()}
    missing = sorted(set(want) - set(have))
    differ = {n: (want[n], have[n]) for n in set(want) & set(have) if want[n] != have[n]}
    assert missing == [], f"in the lock but not in environment.yml: {missing}"
    assert differ == {}, f"lock vs environment.yml versions: {differ}"


def test_environment_yml_pins_nothing_pyproject_does_not(environment):
    extra = sorted(set(environment_pins(environment)) - set(pyproject_requirements()) - {"python", "pip", "nodejs"})
    assert extra == [], f"pinned in environment.yml only (add them to pyproject.toml): {extra}"


def test_binder_gets_the_cpu_build_of_the_locked_torch(environment):
    pip = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in pip
    assert f"torch=={lock_pins()['torch']}+cpu" in pip


def test_environment_python_is_the_minimum_of_requires_python(environment):
    python = next(d for d in environment["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python.split("=")[-1] == "3.11"
    assert PYPROJECT["project"]["requires-python"] == ">=3.11"
    assert PYPROJECT["tool"]["ruff"]["target-version"] == "py311"


def test_setup_cell_installs_this_package_by_name_with_an_existing_extra():
    install = re.search(r'!pip install -q "([^"]+)"', notebook.SETUP_CELL)
    assert install, "the setup cell must install the workbench on Colab"
    spec = install.group(1)
    name, extras = re.fullmatch(r"([A-Za-z0-9_.\-]+)\[([^\]]+)\]", spec).groups()  # by name: no URL, no pin
    assert normalise(name) == normalise(PYPROJECT["project"]["name"])
    assert set(extras.split(",")) <= set(PYPROJECT["project"]["optional-dependencies"])


def test_setup_cell_installs_only_on_colab_and_forces_no_restart():
    assert 'if "google.colab" in sys.modules:' in notebook.SETUP_CELL
    pip_lines = [line for line in notebook.SETUP_CELL.splitlines() if "pip install" in line]
    assert pip_lines and all(line.startswith("    ") for line in pip_lines), "a pip install outside the Colab branch"
    # replacing what the runtime has already imported is what makes Colab ask for a restart
    assert not re.search(r"--upgrade|\s-U\s|--force-reinstall|--ignore-installed|restart|os\._exit|kill",
                         notebook.SETUP_CELL)


def test_setup_cell_says_what_to_do_when_the_install_fails():
    """Before the package is published, the install fails: the cell then points at README's Colab section."""
    message = re.search(r'\|\| echo "([^"]+)"', notebook.SETUP_CELL)
    assert message and "not on PyPI yet" in message.group(1) and "README, Colab" in message.group(1)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert re.search(r"^### .*Colab", readme, re.MULTILINE), "README needs the Colab section the cell points at"


def test_binder_post_build_installs_the_package():
    post_build = REPO / ".binder" / "postBuild"
    assert post_build.exists() and os.access(post_build, os.X_OK)
    assert re.search(r"^pip install .*-e \.\s*$", post_build.read_text(), re.MULTILINE)


def test_every_makefile_tool_comes_from_a_pin():
    used = set(re.findall(r"\$\(BIN\)/([A-Za-z0-9_\-]+)", (REPO / "Makefile").read_text()))
    unknown = sorted(used - set(MAKEFILE_TOOLS))
    assert unknown == [], f"Makefile runs .venv/bin/{unknown}: add them to MAKEFILE_TOOLS with their package"
    provided = {**pyproject_requirements(), normalise(PYPROJECT["project"]["name"]): "self"}
    missing = sorted(t for t in used if MAKEFILE_TOOLS[t] and normalise(MAKEFILE_TOOLS[t]) not in provided)
    assert missing == [], f"the Makefile runs {missing} but no pyproject extra installs them"


def test_browser_tests_have_their_driver_pinned():
    assert "playwright" in pyproject_requirements("dev"), "tests/test_browser.py needs playwright in the dev extra"
    assert "playwright" in lock_pins()


def test_readme_quick_start_says_what_the_code_does(monkeypatch, tmp_path):
    """The quick start's Python version, notebook command and output folders are the ones the code uses."""
    from workbench import config

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quick = readme[readme.index("## Quick start"):readme.index("## The two commands")]
    assert f'requires-python = "{PYPROJECT["project"]["requires-python"]}"' in quick
    assert any(Requirement(r).name == "jupyterlab" for r in PYPROJECT["project"]["optional-dependencies"]["notebooks"])
    assert ".venv/bin/jupyter lab notebooks/" in quick and "workbench notebooks DIR" in quick
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = makefile[makefile.index("\nreproduce:"):].split("\n\n")[0]
    assert recipe.endswith("workbench reproduce --out reports") and "`reports/`" in quick
    export_cell = next(c for c in notebook_cells("01_multilingual_fairness") if "fairness.export(" in c)
    assert 'config.cache_dir("results", "exports")' in export_cell and "$WORKBENCH_HOME/results/exports/" in quick
    monkeypatch.delenv("WORKBENCH_HOME", raising=False)
    assert config._home_path().parts[-2:] == (".cache", "token-workbench") and "~/.cache/token-workbench" in quick
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    assert config.cache_dir("results", "exports") == tmp_path / "results" / "exports"


def notebook_cells(name: str) -> list[str]:
    import json

    cells = json.loads((REPO / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
