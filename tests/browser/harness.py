"""Drive JupyterLab and Voila in Debian's headless Chromium through Playwright (the browser tests' plumbing).

``tests/test_browser.py`` says *what* a user must see; this module knows *how*: start a Jupyter
server on a free loopback port with a token and an isolated settings directory, launch the system
Chromium (``/usr/bin/chromium``, never a browser download), run every cell of a notebook through
JupyterLab's own command, and poke a widget the way a user would.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ENSURE_SCRIPT = REPO / "scripts" / "ensure_browser.sh"
CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling home, which this closed network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]

# JupyterLab user settings for a test run: no autosave (nothing is written into notebooks/; checkpoints go to
# the server's temporary directory, see start_lab), every cell
# in the DOM (no windowing), no news or update pop-ups over the page.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}

# Run in the page: True when the kernel is idle, no cell is queued or running, and every code cell ran since the
# outputs were cleared (stored execution counts are cleared first), or a cell failed (run-all stops there).
JS_RUN_FINISHED = """() => {
  const nb = window.jupyterapp.shell.currentWidget;
  const kernel = nb && nb.sessionContext.session && nb.sessionContext.session.kernel;
  if (!kernel || kernel.status !== 'idle' || nb.sessionContext.pendingInput) return false;
  const cells = nb.content.widgets.filter(c => c.model.type === 'code');
  if (cells.some(c => c.model.executionState === 'running')) return false;
  const failed = cells.some(c => c.model.outputs.toJSON().some(o => o.output_type === 'error'));
  return failed || cells.every(c => c.model.executionCount !== null);
}"""

JS_CLEARED = """() => window.jupyterapp.shell.currentWidget.content.widgets
  .every(c => c.model.type !== 'code' || c.model.executionCount === null)"""

# Run in the page: one entry per error output or traceback printed to stderr.
JS_ERRORS = """() => {
  const nb = window.jupyterapp.shell.currentWidget;
  const out = [];
  nb.content.widgets.forEach((c, i) => {
    if (c.model.type !== 'code') return;
    for (const o of c.model.outputs.toJSON()) {
      if (o.output_type === 'error') out.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
      const text = Array.isArray(o.text) ? o.text.join('') : (o.text || '');
      if (o.name === 'stderr' && text.includes('Traceback')) out.push(`cell ${i} stderr: ${text.slice(0, 400)}`);
    }
  });
  return out;
}"""

# The interactive controls a user would touch, in the order the tests try them.
CONTROLS = {
    "dropdown": ".jupyter-widgets.widget-dropdown select",
    "slider": ".jupyter-widgets.widget-slider .noUi-handle",
    "select": ".jupyter-widgets.widget-select select",
    "text": ".jupyter-widgets.widget-text input, .jupyter-widgets.widget-textarea textarea",
}
# What the output of an explorer consists of (the controls' own readouts are left out).
JS_OUTPUT_SIGNATURE = """(root) => Array.from(root.querySelectorAll(
    '.widget-output, .widget-html-content, .jp-OutputArea-output img, .jp-RenderedImage img, svg'))
  .map(e => e.tagName === 'IMG' ? e.src.slice(-200) : e.innerHTML).join('|').length + ':' +
  Array.from(root.querySelectorAll('.widget-output, .widget-html-content')).map(e => e.innerText).join('|')"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_chromium() -> str | None:
    """The system Chromium (``scripts/ensure_browser.sh`` installs it if missing); None, reason printed, if not."""
    if ENSURE_SCRIPT.exists():  # a no-op in milliseconds when everything is there
        subprocess.run(["bash", str(ENSURE_SCRIPT)], check=False, stdin=subprocess.DEVNULL)
    return str(CHROMIUM) if CHROMIUM.exists() else None


def loud_skip_banner(reason: str) -> str:
    """A banner for stderr: a skipped browser test must never go unnoticed."""
    bar = "!" * 100
    text = f"\n{bar}\n!! BROWSER TESTS SKIPPED: {reason}\n{bar}\n"
    print(text, file=sys.stderr, flush=True)
    return reason


@dataclass
class Server:
    """A Jupyter server process (JupyterLab or Voila) on loopback."""

    kind: str
    port: int
    token: str
    proc: subprocess.Popen
    workdir: Path
    log: Path
    base: str = field(init=False)

    def __post_init__(self) -> None:
        self.base = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, path: str, timeout: float = 120) -> None:
        """Poll ``path`` until the server answers 200 (or fail with the server's log tail)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.base + path, timeout=5) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.5)
        raise RuntimeError(f"{self.kind} did not start on {self.base}:\n{self.log.read_text()[-3000:]}")

    def api(self, method: str, path: str) -> object:
        """One call of the Jupyter REST API with the token."""
        req = urllib.request.Request(f"{self.base}{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """End every session's kernel (one notebook's kernel must not slow the next)."""
        for session in self.api("GET", "/api/sessions"):
            self.api("DELETE", f"/api/sessions/{session['id']}")

    def stop(self) -> None:
        """Terminate the server (its kernels go with it) and remove its settings directory."""
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _server_env(workdir: Path) -> dict[str, str]:
    env = dict(os.environ, WORKBENCH_FAST="1", JUPYTER_RUNTIME_DIR=str(workdir / "runtime"),
               JUPYTER_CONFIG_DIR=str(workdir / "config"), PYTHONUNBUFFERED="1")
    env.pop("JUPYTER_TOKEN", None)
    return env


def start_lab(root: Path = REPO) -> Server:
    """JupyterLab on a free loopback port with a random token, isolated settings, the app exposed to tests."""
    workdir = Path(tempfile.mkdtemp(prefix="wb-lab-"))
    for plugin, values in LAB_SETTINGS.items():
        target = workdir / "settings" / f"{plugin}.jupyterlab-settings"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    port, token = free_port(), secrets.token_hex(16)
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={root}", f"--LabApp.user_settings_dir={workdir / 'settings'}",
           f"--LabApp.workspaces_dir={workdir / 'workspaces'}", "--LabApp.expose_app_in_browser=True",
           f"--FileCheckpoints.checkpoint_dir={workdir / 'checkpoints'}",  # not .ipynb_checkpoints/ beside notebooks
           "--LabApp.news_url=None", "--ServerApp.allow_root=True", "--LabApp.extension_manager=readonly",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    log = workdir / "server.log"
    proc = subprocess.Popen(cmd, cwd=root, env=_server_env(workdir), stdout=log.open("w"), stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    server = Server("JupyterLab", port, token, proc, workdir, log)
    server.wait_ready(f"/api/status?token={token}")
    return server


def start_voila(directory: Path) -> Server:
    """Voila serving ``directory`` with its sources stripped (``voila notebooks/``), on a free loopback port."""
    workdir = Path(tempfile.mkdtemp(prefix="wb-voila-"))
    port = free_port()
    cmd = [sys.executable, "-m", "voila", str(directory), "--no-browser", "--strip_sources=True",
           f"--port={port}", "--Voila.ip=127.0.0.1"]
    log = workdir / "server.log"
    proc = subprocess.Popen(cmd, cwd=REPO, env=_server_env(workdir), stdout=log.open("w"), stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    server = Server("Voila", port, "", proc, workdir, log)
    server.wait_ready("/")
    return server


def start_app() -> Server:
    """The app as ``workbench app`` serves it (:func:`workbench.app.serve.voila_command`: the package's dashboard
    notebook, sources stripped, fast mode), on a free loopback port. Ready when Voila serves its static files:
    polling the page itself would start a kernel and run the dashboard once for nothing."""
    from workbench.app import serve

    workdir = Path(tempfile.mkdtemp(prefix="wb-app-"))
    port = free_port()
    cmd, env = serve.voila_command(port, ip="127.0.0.1")
    log = workdir / "server.log"
    proc = subprocess.Popen(cmd, cwd=workdir, env=_server_env(workdir) | {"WORKBENCH_FAST": env["WORKBENCH_FAST"]},
                            stdout=log.open("w"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = Server("Voila app", port, "", proc, workdir, log)
    server.wait_ready("/voila/static/voila.js")
    return server


def output_signature(page, root_selector: str) -> str:
    """A fingerprint of what the explorers show under ``root_selector`` (their outputs, not their controls)."""
    return page.locator(root_selector).first.evaluate(JS_OUTPUT_SIGNATURE)


def change_control(kind: str, control) -> str:
    """Change one visible control the way a user would; returns what was done (for messages)."""
    if kind in ("dropdown", "select"):
        options = control.locator("option").all_inner_texts()
        index = control.evaluate("e => e.selectedIndex")
        if len(options) < 2:
            return ""
        current, choice = options[max(index, 0)], options[(index + 1) % len(options)]  # the next one, as a user would
        control.select_option(label=choice)
        return f"{kind} {current!r} -> {choice!r}"
    if kind == "slider":
        control.focus()
        control.press("ArrowRight")
        control.press("ArrowRight")
        return "slider two steps right"
    control.fill(control.input_value() + " and more")
    control.press("Enter")
    return "text edited"


def poke_widgets(page, root_selector: str, timeout_s: float = 90) -> tuple[bool, str]:
    """Change visible controls one at a time until an output follows; (changed?, what was tried)."""
    tried = []
    for kind, selector in CONTROLS.items():
        for control in page.locator(f"{root_selector} {selector}").all()[:2]:
            if not control.is_visible():
                continue
            before = output_signature(page, root_selector)
            action = change_control(kind, control)
            if not action:
                continue
            tried.append(action)
            deadline = time.monotonic() + timeout_s
            while time.monotonic() < deadline:
                page.wait_for_timeout(500)
                if output_signature(page, root_selector) != before:
                    control.scroll_into_view_if_needed()
                    return True, action
            timeout_s = 15  # the first control gets the long wait (a first tokenizer load), the rest less
    return False, "; ".join(tried) or "no visible slider, dropdown, select or text box"
