"""``workbench --help`` stays light: no analysis (torch, polars, scipy) is imported to list or explain commands.

Time is not asserted here (benchmarks/bench_cli.py measures it); what makes it slow is: which heavy modules a
``--help`` imports, and the peak memory of the process that prints it (``VmHWM``: unlike ``ru_maxrss``, not
inherited across exec).
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata

import pytest

from workbench import cli

HEAVY = ("torch", "polars", "numpy", "scipy", "transformers", "tokenizers", "matplotlib", "ipywidgets")
#: Every command of the full parser, each sub-command and sub-sub-command (``prune eval`` included).
HELPS = cli.command_paths()
PROBE = """
import json, re, sys
HEAVY = json.loads(sys.argv[1])
from workbench.cli import main
try:
    main(sys.argv[2:] + ["--help"])
except SystemExit:
    pass
print(json.dumps({"heavy": sorted(m for m in HEAVY if m in sys.modules),
                  "max_rss_mb": int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read())[1]) / 1024}))
"""


def run_probe(argv: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE, json.dumps(HEAVY), *argv], capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out.splitlines()[-1])


@pytest.mark.parametrize("argv", HELPS, ids=lambda a: " ".join(a) or "workbench")
def test_help_imports_no_analysis_and_stays_under_80_mb(argv):
    probe = run_probe(argv)
    assert probe["heavy"] == [], f"`workbench {' '.join(argv)} --help` imports {probe['heavy']}"
    assert probe["max_rss_mb"] < 80, probe


def test_every_command_is_probed():
    assert ["prune", "eval"] in HELPS and ["notebooks"] in HELPS and len(HELPS) > len(cli.COMMANDS) * 2


def test_pruning_package_and_its_cli_import_no_torch():
    code = f"import sys, workbench.pruning.cli as c; print([m for m in {HEAVY!r} if m in sys.modules])"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


def test_pruning_names_resolve_on_first_use():
    from workbench import pruning

    assert callable(pruning.apply) and pruning.patch.check_keep(0.5) is None
    assert set(pruning.METHOD_RULES) == set(pruning.METHODS)


def test_import_workbench_pulls_in_no_torch_or_polars():
    code = f"import sys, workbench; print([m for m in {HEAVY!r} if m in sys.modules])"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


def test_listed_help_lines_are_each_modules_own():
    """The help line ``workbench --help`` shows without importing an analysis is the one its register_cli gives."""
    def help_lines(parser) -> dict[str, str]:
        subparsers = next(a for a in parser._actions if isinstance(a, type(parser._subparsers._group_actions[0])))
        return {a.dest: a.help for a in subparsers._choices_actions}

    real, listed = help_lines(cli.build_parser()), help_lines(cli.build_parser([]))
    assert {n: real[n] for n in cli.COMMANDS} == {n: listed[n] for n in cli.COMMANDS}
    assert set(real) == set(listed)


def test_turkish_corpus_help_names_the_scoring_corpora():
    from workbench.turkish import cli as turkish_cli
    from workbench.turkish.scoring import TURKISH_CORPORA

    assert turkish_cli.CORPUS_HELP == ", ".join(TURKISH_CORPORA)


def test_a_missing_extra_is_exit_2_naming_the_extra_not_a_traceback():
    code = ("import sys; sys.modules['torch'] = None\n"  # torch 'not installed'
            "from workbench.cli import main; sys.exit(main(['prune', 'eval', '--images', '0']))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == cli.EXIT_USAGE, run.stderr
    assert 'pip install "token-workbench[vision]"' in run.stderr and "Traceback" not in run.stderr


def test_missing_extra_message_is_none_for_a_module_no_extra_provides():
    assert cli.missing_extra_message(ModuleNotFoundError("no", name="not_a_dependency")) is None
    assert "token-workbench[vision]" in cli.missing_extra_message(ModuleNotFoundError("no", name="skimage.io"))


def test_version_is_the_installed_distributions():
    import workbench

    out = subprocess.run([sys.executable, "-m", "workbench.cli", "--version"], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == f"token-workbench {metadata.version('token-workbench')}" == f"token-workbench {workbench.__version__}"
