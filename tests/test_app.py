"""The app (``workbench.app``): tabs built when opened, controls beside results, the mode switch, the command.

Driven headlessly, as a reader would in the browser: select a tab, flip the switch, change a control; then check
what was built and computed. The page itself, in Chromium under Voila, is tests/test_browser.py's.

``workbench/app/dashboard.ipynb`` is not under nbval: its one output is a widget, which nbval's sanitising leaves
out of the comparison, so nbval would only check that it runs; the real-dashboard test here (the same call) and
the browser test (Voila runs the notebook) check that and more.
"""

from __future__ import annotations

import json

import ipywidgets as widgets
import pytest

from workbench import cli, config, explorers
from workbench.app import board, dashboard, sections, serve
from workbench.errors import AssetError


def fake_section(title: str, calls: list, error: Exception | None = None) -> sections.Section:
    """A section whose explorer squares a slider; ``calls`` records the mode of every build."""

    def build():
        calls.append("fast" if config.fast_mode() else "full")
        if error is not None:
            raise error
        slider = widgets.IntSlider(value=2, description="n")
        return [("squares", explorers.explorer({"n": slider}, lambda n: n * n, lambda r: f"<b>{r}</b>"))]

    return sections.Section(title, f"{title}?", "text for readers", ("a little", "everything"), build)


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setenv("WORKBENCH_FAST", "1")  # restored after the test, whatever the switch set


def page_text(board_: board.Dashboard, index: int) -> str:
    return " ".join(w.value for w in board_.pages[index].children if isinstance(w, widgets.HTML))


def test_a_tab_is_built_when_first_opened_and_only_once(fast):
    calls = {name: [] for name in "ab"}
    app = dashboard([fake_section(name, calls[name]) for name in "ab"], open_first=False)
    assert app.tabs.titles == ("a", "b") and app.explorers == {} and calls == {"a": [], "b": []}
    app.tabs.selected_index = 1
    app.tabs.selected_index = 0
    app.tabs.selected_index = 1
    assert calls == {"a": ["fast"], "b": ["fast"]} and sorted(app.explorers) == [0, 1]


def test_the_first_tab_opens_at_once_with_its_controls_beside_its_result(fast):
    app = dashboard([fake_section("a", []), fake_section("b", [])])
    assert app.tabs.selected_index == 0 and list(app.explorers) == [0]
    (ex,) = app.explorers[0]
    row = ex.children[0]
    assert isinstance(row, widgets.HBox) and row.children[1] is ex.output
    assert list(row.children[0].children) == list(ex.controls.values())
    assert app.pages[0].children[-1] is ex and app.pages[1].children == ()
    ex.controls["n"].value = 7
    assert ex.result == 49 and ex.output.value == "<b>49</b>"


def test_the_intro_says_what_this_mode_computes_and_what_the_other_would(fast):
    app = dashboard([fake_section("a", [])])
    text = page_text(app, 0)
    assert "a?" in text and "text for readers" in text
    assert "computes on a little (fast mode; the full mode: everything)" in text
    assert "Fast mode (now)" in app.note.value and "10–30 min" in app.note.value
    same = sections.Section("c", "c?", "", ("your text", "your text"), lambda: [])
    assert "This tab is the same in both modes: your text." in page_text(dashboard([same]), 0)


def test_the_mode_switch_recomputes_the_open_tab_in_full_mode_and_drops_the_others(fast):
    calls = {name: [] for name in "ab"}
    app = dashboard([fake_section(name, calls[name]) for name in "ab"])
    app.tabs.selected_index = 1
    assert app.mode.value is True and sorted(app.explorers) == [0, 1]
    app.mode.value = False
    assert not config.fast_mode() and calls == {"a": ["fast"], "b": ["fast", "full"]}
    assert list(app.explorers) == [1] and app.pages[0].children == ()
    assert "computes on everything (full mode" in page_text(app, 1)
    app.tabs.selected_index = 0
    assert calls["a"] == ["fast", "full"]


def test_the_app_starts_in_fast_mode_unless_the_environment_chose(monkeypatch):
    monkeypatch.delenv("WORKBENCH_FAST", raising=False)
    assert dashboard([fake_section("a", [])]).mode.value is True and config.fast_mode()
    monkeypatch.setenv("WORKBENCH_FAST", "0")
    calls = []
    assert dashboard([fake_section("a", calls)]).mode.value is False and calls == ["full"]


def test_a_tab_that_cannot_open_says_why_and_the_others_still_work(fast):
    missing = AssetError("gemma3-270m is not in the cache. Run: workbench assets fetch")
    app = dashboard([fake_section("a", [], error=missing), fake_section("b", [])])
    assert "This tab cannot open" in page_text(app, 0) and "workbench assets fetch" in page_text(app, 0)
    assert 0 not in app.explorers
    app.tabs.selected_index = 1
    assert list(app.explorers) == [1]


def test_a_tab_that_needs_an_extra_names_it(fast):
    missing = ModuleNotFoundError("No module named 'zemberek'", name="zemberek")
    app = dashboard([fake_section("a", [], error=missing)])
    assert 'pip install &quot;token-workbench[turkish]&quot;' in page_text(app, 0)  # escaped HTML


def test_the_real_dashboard_opens_fairness_first_and_turkish_only_when_asked(fast):
    """The shipped sections, with the analyses' own explorers (tokenizers and counts from the cache)."""
    app = dashboard()
    assert [s.title for s in sections.SECTIONS] == list(app.tabs.titles)
    assert list(app.explorers) == [0], "only the open tab is built: no model of another tab is loaded"
    cost, sentences = app.explorers[0]
    assert list(cost.controls) == ["tokenizer", "price_per_million"]
    assert list(cost.controls["tokenizer"].options) == list(sections.FAIRNESS_TOKENIZERS)
    cost.controls["tokenizer"].value = "gemma3"
    languages, _ = sections.fairness_languages("flores200")
    assert set(cost.result["tokenizer"]) == {"gemma3"} and sorted(cost.result["language"]) == sorted(languages)
    assert sentences.result.languages[0].tokens.keys() == set(sections.FAIRNESS_TOKENIZERS)
    app.tabs.selected_index = 1
    (classes,) = app.explorers[1]
    classes.controls["text"].value = "Evlerimizden geldik."
    assert classes.result.tokenizer == "o200k_base" and classes.result.tokens


def test_the_sections_state_the_sizes_their_build_uses(fast):
    from workbench.pruning import sweep

    glitch, pruning = sections.SECTIONS[2], sections.SECTIONS[3]
    assert [str(n) in text for n, text in zip(sections.GLITCH_VERIFY, glitch.sizes, strict=True)] == [True, True]
    assert str(len(sweep.offline_images(n_labelled=0))) in pruning.sizes[0]
    assert str(len(sweep.NAMED_IMAGES)) in pruning.sizes[1]
    languages, reference = sections.fairness_languages("flores200")
    assert str(len(languages)) in sections.SECTIONS[0].sizes[0] and reference == "eng_Latn"


def test_the_dashboard_notebook_ships_in_the_package_and_only_calls_dashboard():
    cells = json.loads(serve.NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    assert serve.NOTEBOOK.parent.name == "app" and serve.NOTEBOOK.parent.parent.name == "workbench"
    assert code == ["from workbench.app import dashboard\n\ndashboard()"]
    assert not any("cell above" in "".join(c["source"]) for c in cells), "a reader sees no cells"


def test_voila_command_serves_the_package_notebook_with_code_hidden_in_fast_mode_unless_full():
    argv, env = serve.voila_command(9001)
    assert argv[1:4] == ["-m", "voila", str(serve.NOTEBOOK)]
    assert {"--port=9001", "--strip_sources=True", "--no-browser", "--Voila.ip=localhost"} <= set(argv)
    assert env["WORKBENCH_FAST"] == "1"
    argv, env = serve.voila_command(full=True, browser=True, ip="0.0.0.0")
    assert env["WORKBENCH_FAST"] == "0" and "--no-browser" not in argv
    assert {f"--port={serve.DEFAULT_PORT}", "--Voila.ip=0.0.0.0"} <= set(argv)


def test_workbench_app_help_names_its_options(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["app", "--help"])
    out = capsys.readouterr().out
    assert stop.value.code == 0 and all(option in out for option in ("--port", "--full", "--ip", "--browser"))


def test_workbench_app_runs_the_voila_command_it_builds(monkeypatch):
    ran = []
    monkeypatch.setattr(serve.subprocess, "call", lambda argv, env: ran.append((argv, env)) or 0)
    assert cli.main(["app", "--port", "9002", "--full"]) == 0
    assert ran == [serve.voila_command(9002, full=True)]
    with pytest.raises(SystemExit) as stop:
        cli.main(["app", "--port", "x"])
    assert stop.value.code == 2


def test_workbench_app_without_voila_names_the_extra_that_installs_it(monkeypatch, capsys):
    real = serve.importlib.util.find_spec
    monkeypatch.setattr(serve.importlib.util, "find_spec", lambda name: None if name == "voila" else real(name))
    assert cli.main(["app"]) == cli.EXIT_USAGE
    assert 'pip install "token-workbench[notebooks]"' in capsys.readouterr().err
