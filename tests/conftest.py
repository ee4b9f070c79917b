"""Shared fixtures: the real zoo and assets (fetched by `make test` before pytest runs)."""

from __future__ import annotations

import pytest

from workbench import config, zoo
from workbench.corpora import udhr


@pytest.fixture(scope="session")
def load():
    """The memoized zoo loader (a fixture so tests read as `load("gpt2")`)."""
    return zoo.load_tokenizer


@pytest.fixture
def home_with_assets(tmp_path, monkeypatch):
    """A fresh WORKBENCH_HOME whose ``assets/`` is the real (verified) one, so every derived file is rebuilt."""
    real_assets = config.cache_dir("assets")
    home = tmp_path / "home"
    home.mkdir()
    (home / "assets").symlink_to(real_assets, target_is_directory=True)
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    udhr._udhr_translations.cache_clear()
    yield home
    udhr._udhr_translations.cache_clear()
