"""Shared fixtures: the real zoo and assets (fetched by `make test` before pytest runs)."""

from __future__ import annotations

import pytest

from workbench import zoo


@pytest.fixture(scope="session")
def load():
    """The memoized zoo loader (a fixture so tests read as `load("gpt2")`)."""
    return zoo.load_tokenizer
