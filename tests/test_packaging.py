"""One dependency file per consumer, kept in step: pyproject (pip), environment.yml (Binder), setup cell (Colab).

Binder builds ``environment.yml`` and then runs ``.binder/postBuild`` (``pip install --no-deps -e .``), so
every pin a notebook needs must be in ``environment.yml`` at pyproject's version. Colab runs the shared
setup cell, which installs the package with a pyproject extra. The Makefile's tools come from pins too.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import pytest
import yaml

from workbench import notebook

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*==\s*([^\s;#]+)")
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


def pyproject_pins(*extras: str) -> dict[str, str]:
    """Pins of the core dependencies plus the named extras (all extras when none are named)."""
    optional = PYPROJECT["project"]["optional-dependencies"]
    reqs = list(PYPROJECT["project"]["dependencies"])
    for extra in extras or optional:
        reqs += [r for r in optional[extra] if not r.startswith(PYPROJECT["project"]["name"])]
    return pins(reqs)


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


def test_every_dependency_is_an_exact_pin():
    optional = PYPROJECT["project"]["optional-dependencies"]
    everything = PYPROJECT["project"]["dependencies"] + [r for v in optional.values() for r in v]
    loose = [r for r in everything if not PIN.match(r) and not r.startswith(PYPROJECT["project"]["name"])]
    assert loose == [], f"not pinned with ==: {loose}"


def test_environment_yml_has_every_notebook_pin_at_the_pyproject_version(environment):
    want, have = pyproject_pins(*NOTEBOOK_EXTRAS), environment_pins(environment)
    missing = sorted(set(want) - set(have))
    differ = {n: (want[n], have[n]) for n in set(want) & set(have) if want[n] != have[n]}
    assert missing == [], f"in pyproject.toml but not in environment.yml: {missing}"
    assert differ == {}, f"pyproject.toml vs environment.yml versions: {differ}"


def test_environment_yml_pins_nothing_pyproject_does_not(environment):
    extra = sorted(set(environment_pins(environment)) - set(pyproject_pins()) - {"python", "pip", "nodejs"})
    assert extra == [], f"pinned in environment.yml only (add them to pyproject.toml): {extra}"


def test_environment_python_matches_requires_python(environment):
    python = next(d for d in environment["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python.split("=")[-1] == "3.11"
    assert PYPROJECT["project"]["requires-python"] == ">=3.11,<3.12"


def test_setup_cell_installs_this_package_with_an_existing_extra():
    install = re.search(r'%pip install -q "([^"]+)"', notebook.SETUP_CELL)
    assert install, "the setup cell must install the workbench on Colab"
    spec = install.group(1)
    name, extras = re.match(r"([A-Za-z0-9_.\-]+)\[([^\]]+)\]", spec).groups()
    assert normalise(name) == normalise(PYPROJECT["project"]["name"])
    assert set(extras.split(",")) <= set(PYPROJECT["project"]["optional-dependencies"])
    # any version the cell names itself must be pyproject's
    named = pins(re.findall(r"[A-Za-z0-9_.\-]+==[^\s\"']+", notebook.SETUP_CELL))
    assert {n: v for n, v in named.items() if pyproject_pins().get(n) != v} == {}


def test_setup_cell_installs_only_on_colab():
    assert 'if "google.colab" in sys.modules:' in notebook.SETUP_CELL
    pip_lines = [line for line in notebook.SETUP_CELL.splitlines() if "%pip" in line]
    assert all(line.startswith("    ") for line in pip_lines), "a %pip outside the Colab branch"


def test_binder_post_build_installs_the_package():
    post_build = REPO / ".binder" / "postBuild"
    assert post_build.exists() and os.access(post_build, os.X_OK)
    assert re.search(r"^pip install .*-e \.\s*$", post_build.read_text(), re.MULTILINE)


def test_every_makefile_tool_comes_from_a_pin():
    used = set(re.findall(r"\$\(BIN\)/([A-Za-z0-9_\-]+)", (REPO / "Makefile").read_text()))
    unknown = sorted(used - set(MAKEFILE_TOOLS))
    assert unknown == [], f"Makefile runs .venv/bin/{unknown}: add them to MAKEFILE_TOOLS with their package"
    provided = {**pyproject_pins(), normalise(PYPROJECT["project"]["name"]): "self"}
    missing = sorted(t for t in used if MAKEFILE_TOOLS[t] and normalise(MAKEFILE_TOOLS[t]) not in provided)
    assert missing == [], f"the Makefile runs {missing} but no pyproject extra installs them"


def test_browser_tests_have_their_driver_pinned():
    assert "playwright" in pyproject_pins("dev"), "tests/test_browser.py needs playwright==… in the dev extra"
