"""`hf:<repo>` loading through the real hub client, against a local stand-in of the hub cache."""

from __future__ import annotations

import os
import subprocess
import sys

from workbench import assets

LOAD = "from workbench import zoo; t = zoo.load_tokenizer('hf:acme/tiny'); print(t.vocab_size, t.encode('Hello world'))"


def _run(home, **env):
    full = {**os.environ, "WORKBENCH_HOME": str(home), "HF_HUB_OFFLINE": "1", **env}
    return subprocess.run([sys.executable, "-c", LOAD], capture_output=True, text=True, env=full, timeout=300)


def test_hub_tokenizer_loads_from_the_hub_cache(tmp_path):
    snapshot = tmp_path / "hub" / "models--acme--tiny" / "snapshots" / ("0" * 40)
    snapshot.mkdir(parents=True)
    (snapshot / "tokenizer.json").write_bytes(assets.path("hfjson-bert-base-uncased").read_bytes())
    (tmp_path / "hub" / "models--acme--tiny" / "refs").mkdir()
    (tmp_path / "hub" / "models--acme--tiny" / "refs" / "main").write_text("0" * 40)
    proc = _run(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split(maxsplit=1) == ["30522", "[7592, 2088]\n"]


def test_hub_tokenizer_offline_and_uncached_says_so(tmp_path):
    proc = _run(tmp_path)
    assert proc.returncode != 0
    assert "Could not load 'hf:acme/tiny' from the Hugging Face hub" in proc.stderr
    assert "offline, use a zoo name" in proc.stderr
