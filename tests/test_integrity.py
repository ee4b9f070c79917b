"""Issue #19, "nothing is trusted that was not verified": each case reproduced on a temporary cache.

Verified caches (:mod:`workbench.cache`): damage, bit flips and unreadable files are misses, never values.
Writes (:func:`workbench.config.write_atomic`): full and read-only disks end in a message and no partial
file; exported files follow the umask; killed writers' temporary files are swept at the next start.
Assets: an in-place edit with its mtime put back is caught; ``assets verify`` re-hashes; ``hash`` and
``verify`` validate names; a killed fetch leaves no client running. Corpora: a misconfigured FLORES
directory is refused, never replaced; ``-n -1`` and a missing ``--out`` directory.
"""

from __future__ import annotations

import errno
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from types import SimpleNamespace

import polars as pl
import pytest

from workbench import assets, cache, cli, config, corpora
from workbench.corpora import udhr
from workbench.errors import AssetError, CacheError, OutputError, UsageError

SMALL_ASSET = "conllu-turkish-web"  # 1.1 MB: cheap to copy into a temporary cache


def _workbench(*argv: str) -> SimpleNamespace:
    """Run the CLI in-process; returns (exit code, stdout, stderr); argparse's own exits are caught too."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = cli.main(list(argv))
        except SystemExit as exc:
            code = exc.code
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


def _mount_tmpfs(target: Path, options: str) -> bool:
    """Mount a tmpfs at ``target`` (root only); False where mounting is not allowed."""
    target.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)],
                          capture_output=True).returncode == 0


@pytest.fixture
def tmpfs(tmp_path):
    """A factory of small tmpfs mounts (unmounted afterwards); skips where the test cannot mount (not root)."""
    mounts = []

    def mount(name: str, options: str) -> Path:
        target = tmp_path / name
        if not _mount_tmpfs(target, options):
            pytest.skip("mounting a tmpfs needs root (a real full / read-only file system is the point of this test)")
        mounts.append(target)
        return target

    yield mount
    for target in mounts:
        subprocess.run(["umount", str(target)], check=False)


# --------------------------------------------------------------------------- verified caches


def test_cache_round_trip_writes_a_sha256sum_sidecar(tmp_path):
    target = cache.write(tmp_path / "r.json", json.dumps({"tokens": 60619}))
    assert cache.read(target, lambda p: json.loads(p.read_text())) == {"tokens": 60619}
    check = subprocess.run(["sha256sum", "-c", cache.sidecar(target).name], cwd=tmp_path, capture_output=True)
    assert check.returncode == 0, check.stdout


@pytest.mark.parametrize("damage", ["no sidecar", "edited data", "edited sidecar", "unparsable"])
def test_damaged_cache_file_is_a_logged_miss_and_is_deleted(tmp_path, caplog, damage):
    target = cache.write(tmp_path / "r.json", json.dumps({"tokens": 60619}))
    if damage == "no sidecar":
        cache.sidecar(target).unlink()
    elif damage == "edited data":
        target.write_text(json.dumps({"tokens": 60669}))
    elif damage == "edited sidecar":
        cache.sidecar(target).write_text("0" * 64 + "  r.json\n")
    read_fn = (lambda p: json.loads(p.read_text())[0]) if damage == "unparsable" else (
        lambda p: json.loads(p.read_text()))
    with caplog.at_level("WARNING", logger="workbench.cache"):
        assert cache.read(target, read_fn) is None
    assert len(caplog.records) == 1 and str(target) in caplog.text and "rebuilt" in caplog.text
    assert not target.exists() and not cache.sidecar(target).exists()
    assert cache.read(target, read_fn) is None  # a plain miss now: nothing more to log
    assert len(caplog.records) == 1


def test_cache_key_follows_content_even_when_mtime_is_put_back(tmp_path):
    file = tmp_path / "llama2.model"
    file.write_bytes(b"\xe2\x96\x81world")
    before, stat = cache.key(file, "v1"), file.stat()
    with file.open("r+b") as fh:  # "▁world" -> "▁worlx", same size
        fh.seek(7)
        fh.write(b"x")
    os.utime(file, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert cache.key(file, "v1") != before
    assert cache.key(file, "v2") != cache.key(file, "v1")


def test_damaged_udhr_cache_is_rebuilt_and_the_true_text_served(home_with_assets):
    truth = corpora.load_udhr("eng")
    [cached] = (home_with_assets / "corpora").glob("udhr-*.json")
    cached.write_text(cached.read_text(encoding="utf-8").replace("All human beings", "All human bxings"),
                      encoding="utf-8")
    udhr._udhr_translations.cache_clear()
    assert corpora.load_udhr("eng") == truth
    assert cache.read(cached, udhr._read_translations)["eng"].articles[1] == truth[0]  # rebuilt and verified


def test_bit_flips_in_the_cached_udhr_corpus_never_yield_a_value(home_with_assets):
    corpora.load_udhr("eng")
    [cached] = (home_with_assets / "corpora").glob("udhr-*.json")
    sidecar = cache.sidecar(cached)
    good, good_sidecar = cached.read_bytes(), sidecar.read_bytes()
    rng = random.Random(19)
    flips = [(cached, good, rng.randrange(len(good) * 8)) for _ in range(150)]
    flips += [(sidecar, good_sidecar, rng.randrange(64 * 8)) for _ in range(30)]  # the recorded hash itself
    served = []
    for path, data, bit in flips:
        cached.write_bytes(good)
        sidecar.write_bytes(good_sidecar)
        damaged = bytearray(data)
        damaged[bit // 8] ^= 1 << (bit % 8)
        path.write_bytes(bytes(damaged))
        served.append(cache.read(cached, udhr._read_translations))
    assert served == [None] * len(flips)  # sha256 catches every single-bit flip: no damaged value is served


def test_bit_flips_in_a_fairness_results_file_never_change_a_printed_number(home_with_assets, tmp_path):
    """Issue 19 case 3: flip single bits of a real counts parquet; every later run prints the true counts."""
    out = tmp_path / "counts.csv"
    argv = ("fairness", "counts", "--tokenizers", "gpt2", "--corpus", "udhr", "--languages", "eng,tur",
            "--mode", "sentences", "--out", str(out))
    assert _workbench(*argv).returncode == 0
    truth = out.read_bytes()
    [cached] = (home_with_assets / "results" / "fairness").glob("*.parquet")
    good = cached.read_bytes()
    rng = random.Random(19)
    printed = []
    for bit in (rng.randrange(len(good) * 8) for _ in range(12)):
        damaged = bytearray(good)
        damaged[bit // 8] ^= 1 << (bit % 8)
        cached.write_bytes(bytes(damaged))
        out.unlink()
        proc = _workbench(*argv)
        printed.append((proc.returncode, out.read_bytes() == truth, cached.read_bytes() == good))
    assert printed == [(0, True, True)] * 12  # each flip is caught, recounted, and the true file written back


@pytest.mark.parametrize("damage", ["edit", "truncate", "empty"])
def test_damaged_converted_tokenizer_is_rebuilt_and_the_true_count_printed(home_with_assets, tmp_path, damage):
    """Issue 19 case 1: the converted llama2 ``.model`` edited ("▁world" -> "▁worlx"), cut or emptied."""
    from workbench import zoo

    out = tmp_path / "counts.csv"
    argv = ("fairness", "counts", "--tokenizers", "llama2", "--corpus", "udhr", "--languages", "eng",
            "--mode", "sentences", "--out", str(out))
    zoo.registry.zoo_tokenizer.cache_clear()
    assert _workbench(*argv).returncode == 0
    truth, model = out.read_bytes(), zoo.loaded_file(zoo.spec("llama2"))
    good = model.read_bytes()
    damaged = {"edit": good.replace("▁world".encode(), "▁worlx".encode(), 1), "truncate": good[:len(good) // 2],
               "empty": b""}[damage]
    assert damaged != good
    model.write_bytes(damaged)
    for results in (home_with_assets / "results" / "fairness").glob("*"):
        results.unlink()  # so the count is really made again, with whatever file the loader takes
    zoo.registry.zoo_tokenizer.cache_clear()
    out.unlink()
    proc = _workbench(*argv)
    zoo.registry.zoo_tokenizer.cache_clear()
    assert (proc.returncode, out.read_bytes(), model.read_bytes()) == (0, truth, good)


def test_tiktokens_temp_copy_of_a_rank_file_is_never_served_when_it_differs(tmp_path, monkeypatch):
    """Issue 19 case 2: tiktoken keeps a copy of each rank file in a shared temp dir; a poisoned copy is ignored."""
    from workbench import zoo
    from workbench.zoo import ranks

    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "data-gym-cache"))
    ranks_file = zoo.loaded_file(zoo.spec("gpt2"))
    truth = ranks.openai_backend("r50k_base", ranks_file).encode("Hello world", False)
    [copy] = (tmp_path / "data-gym-cache").iterdir()
    lines = copy.read_text().splitlines()
    world, last = (next(i for i, line in enumerate(lines) if line.endswith(f" {rank}")) for rank in (truth[1], 50255))
    (w, w_rank), (z, z_rank) = lines[world].split(), lines[last].split()
    lines[world], lines[last] = f"{w} {z_rank}", f"{z} {w_rank}"  # " world" merges last: "Hello| wor|ld" unchecked
    copy.write_text("\n".join(lines) + "\n")
    assert ranks.openai_backend("r50k_base", ranks_file).encode("Hello world", False) == truth


def test_fingerprint_follows_the_converted_file_and_needs_no_load(home_with_assets):
    from workbench import zoo

    first = zoo.fingerprint("llama2")
    assert first == zoo.fingerprint("llama2") and first != zoo.fingerprint("phi3")
    assert zoo.fingerprint("utf8-bytes") != zoo.fingerprint("unicode-chars")


def test_an_edited_pruning_sweep_row_is_recomputed_not_served():
    """Issue 19 case 3: a cached sweep row whose ``cls_cos`` was edited to 0.13 (beside its CI of 0.9x)."""
    from workbench.models import load_model
    from workbench.pruning import sweep

    model, images = load_model("dinov2-s").model, sweep.offline_images(n_named=1, n_labelled=2)
    [truth] = sweep.sweep(model, images, ["tome"], [0.5], progress=False)
    [path] = sorted(config.cache_dir("results", "pruning").glob("*.json"), key=lambda p: p.stat().st_mtime)[-1:]
    try:
        path.write_text(json.dumps({**json.loads(path.read_text()), "cls_cos": 0.13}), encoding="utf-8")
        assert sweep.sweep(model, images, ["tome"], [0.5], progress=False) == [truth]
        assert json.loads(path.read_text())["cls_cos"] == truth["cls_cos"]  # rebuilt with the true value
    finally:
        path.unlink(missing_ok=True)
        cache.sidecar(path).unlink(missing_ok=True)


def test_an_edited_zemberek_analysis_cache_is_reanalysed_not_served(tmp_path):
    """The Turkish analyses cache: an edited segmentation is a miss, and the word is analysed again."""
    from workbench.turkish.lexicon import Analyzer

    truth = Analyzer(tmp_path).analyse(["kitaplarımızı"])["kitaplarımızı"]
    [path] = tmp_path.glob("analyses-*.json")
    path.write_text(path.read_text(encoding="utf-8").replace("kitap", "kitab"), encoding="utf-8")
    again = Analyzer(tmp_path)
    assert len(again) == 0 and again.analyse(["kitaplarımızı"])["kitaplarımızı"] == truth and again.misses == 1


# --------------------------------------------------------------------------- writes: failures, full and read-only disks


def test_failed_write_leaves_neither_target_nor_temp_file(tmp_path):
    def half_then_fail(path: Path) -> None:
        path.write_text("partial")
        raise RuntimeError("writer crashed")

    with pytest.raises(RuntimeError, match="writer crashed"):
        config.write_atomic(tmp_path / "out.parquet", half_then_fail)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("writer", ["bytes", "polars parquet"])
def test_full_filesystem_ends_with_a_clear_message_and_no_partial_file(tmpfs, monkeypatch, writer):
    home = tmpfs("full", "size=1m")
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    results = config.cache_dir("results")
    payload = os.urandom(2 << 20)
    write_fn = payload if writer == "bytes" else pl.DataFrame({"x": [payload[i:i + 64] for i in range(0, 2 << 20, 64)]}
                                                              ).write_parquet
    with pytest.raises(CacheError) as info:
        cache.write(results / "counts.parquet", write_fn)
    message = str(info.value)
    assert str(results) in message and "No space left on device" in message
    assert "Free space" in message and "WORKBENCH_HOME" in message
    assert list(results.iterdir()) == []


def test_udhr_writer_on_a_full_disk_leaves_no_partial_file(tmpfs, monkeypatch):
    home = tmpfs("full-udhr", "size=1m")  # the parsed UDHR JSON is several MB
    (home / "assets").symlink_to(config.cache_dir("assets"), target_is_directory=True)
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    udhr._udhr_translations.cache_clear()
    try:
        with pytest.raises(CacheError, match=r"corpora cannot be used \(No space left on device\)"):
            corpora.load_udhr("eng")
    finally:
        udhr._udhr_translations.cache_clear()
    assert list((home / "corpora").iterdir()) == []


def test_out_in_a_read_only_directory_is_refused_before_and_during_the_work(tmpfs):
    read_only = tmpfs("ro", "ro,size=64k")
    with pytest.raises(OutputError, match=rf"Cannot write {read_only}/t\.csv \(Read-only file system\).*--out"):
        config.check_out(read_only / "t.csv")
    with pytest.raises(OutputError, match="choose another --out"):
        config.write_atomic(read_only / "t.csv", b"a,b\n")


def test_write_errors_that_are_not_the_disks_fault_propagate_unchanged(tmp_path):
    def fail(path: Path) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    with pytest.raises(OSError, match="Input/output error"):
        config.write_atomic(tmp_path / "x", fail)


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_written_files_follow_the_umask_not_mkstemps_0600(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        target = config.write_atomic(tmp_path / "export.csv", "a,b\n")
    finally:
        os.umask(old)
    assert target.stat().st_mode & 0o777 == mode


def test_check_out_creates_missing_directories_and_refuses_a_directory(tmp_path):
    out = config.check_out(tmp_path / "new" / "deeper" / "t.csv")
    assert out.parent.is_dir() and not out.exists()
    assert list(out.parent.iterdir()) == []  # the writability probe is gone
    with pytest.raises(OutputError, match="it is a directory"):
        config.check_out(tmp_path / "new")


def test_killed_writers_temp_is_swept_at_the_next_start_but_a_live_writers_is_kept(tmp_path):
    home = tmp_path / "home"
    (home / "results").mkdir(parents=True)
    killed = ("import os, signal, sys; from pathlib import Path; from workbench import config\n"
              "def die(path):\n    path.write_text('partial')\n    os.kill(os.getpid(), signal.SIGKILL)\n"
              "config.write_atomic(Path(sys.argv[1]), die)")
    proc = subprocess.run([sys.executable, "-c", killed, str(home / "results" / "r.parquet")])
    assert proc.returncode == -signal.SIGKILL
    [leftover] = (home / "results").glob(".r.parquet.*.tmp")
    fd, live = tempfile.mkstemp(dir=home / "results", prefix=f".s.parquet.{config.owner_tag()}.", suffix=".tmp")
    os.close(fd)  # a concurrent writer that is still running: this process
    start = subprocess.run([sys.executable, "-c", "from workbench import config; config.home()"],
                           env={**os.environ, "WORKBENCH_HOME": str(home)})
    assert start.returncode == 0
    assert not leftover.exists() and Path(live).exists()


def test_temp_of_unknown_owner_is_swept_only_when_old(tmp_path):
    temp = tmp_path / ".r.parquet.otherhost~123.abc.tmp"
    temp.write_text("partial")
    assert config.clean_stale_temps(tmp_path) == []
    old = time.time() - config.STALE_AFTER_SECONDS - 60
    os.utime(temp, (old, old))
    assert config.clean_stale_temps(tmp_path) == [temp]


# --------------------------------------------------------------------------- assets


@pytest.fixture
def small_asset_home(tmp_path, monkeypatch):
    """A WORKBENCH_HOME holding a copy of one small verified asset (copied, not re-downloaded)."""
    source = assets.path(SMALL_ASSET).parent
    home = tmp_path / "home"
    shutil.copytree(source, home / "assets" / SMALL_ASSET)
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    return assets.location(SMALL_ASSET)


def _edit_in_place_keeping_mtime(file: Path, offset: int = 100) -> None:
    stat = file.stat()
    with file.open("r+b") as fh:
        fh.seek(offset)
        byte = fh.read(1)
        fh.seek(offset)
        fh.write(bytes([byte[0] ^ 0x01]))
    os.utime(file, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (file.stat().st_size, file.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)


def test_in_place_edit_with_the_mtime_put_back_is_caught(small_asset_home):
    asset = assets.get(SMALL_ASSET)
    assert assets.is_verified(asset)  # writes the stamp
    _edit_in_place_keeping_mtime(small_asset_home)
    assert not assets.is_verified(asset)
    with pytest.raises(AssetError, match="corrupt"):
        assets.path(SMALL_ASSET, fetch_missing=False)


def test_assets_verify_rehashes_even_a_stamp_forged_after_the_edit(small_asset_home):
    asset = assets.get(SMALL_ASSET)
    _edit_in_place_keeping_mtime(small_asset_home)
    stamp = small_asset_home.parent / assets.STAMP_FILE
    stamp.write_text(json.dumps({"fingerprint": cache.fingerprint(small_asset_home), "sha256": asset.sha256}))
    assert assets.is_verified(asset)  # the fast path trusts a stamp written by hand after the edit...
    proc = _workbench("assets", "verify", SMALL_ASSET)
    assert proc.returncode == 3  # ...`assets verify` does not
    assert f"missing or corrupt: {SMALL_ASSET}" in proc.stderr


def test_assets_hash_of_an_uncached_asset_names_the_fetch_command(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    proc = _workbench("assets", "hash", "tiktoken-gpt2")
    assert proc.returncode == 3 and proc.stdout == ""
    assert "is not cached" in proc.stderr and "Run: workbench assets fetch tiktoken-gpt2" in proc.stderr


def test_assets_verify_of_an_unknown_name_lists_the_known_ones():
    proc = _workbench("assets", "verify", "bogus")
    assert proc.returncode == 2
    assert "error: Unknown asset 'bogus'." in proc.stderr and "tiktoken-gpt2" in proc.stderr
    assert "Traceback" not in proc.stderr


def _running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in {"Z", "X"}
    except (OSError, IndexError):
        return False


def _wait_gone(pid: int, seconds: float = 10) -> bool:
    deadline = time.time() + seconds
    while _running(pid) and time.time() < deadline:
        time.sleep(0.05)
    return not _running(pid)


SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def test_a_fetch_killed_outright_leaves_no_client_running(tmp_path):
    fetch = ("import sys; from pathlib import Path; from workbench import assets\n"
             f"assets.run_client({SLEEPER!r} + [sys.argv[1]], Path(sys.argv[1]))")
    parent = subprocess.Popen([sys.executable, "-c", fetch, str(tmp_path)])
    pid_file = tmp_path / assets.CLIENT_PID_FILE
    deadline = time.time() + 60
    while not pid_file.is_file() and time.time() < deadline:
        time.sleep(0.05)
    client = int(pid_file.read_text())
    assert _running(client)
    parent.kill()  # SIGKILL: no handler, no finally, runs in the fetch
    parent.wait()
    assert _wait_gone(client)


def test_a_failed_or_interrupted_fetch_kills_its_client(tmp_path):
    with pytest.raises(subprocess.TimeoutExpired):
        assets.run_client(SLEEPER, tmp_path, timeout=0.5)
    assert _wait_gone(int((tmp_path / assets.CLIENT_PID_FILE).read_text()))


def test_orphaned_fetch_client_and_its_folder_are_cleaned_at_the_next_fetch(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    folder = config.cache_dir("tmp") / f"fetch.{config.owner_tag().split('~')[0]}~{dead.stdout.strip()}.x.tmp"
    (folder / "dl-1").mkdir(parents=True)
    (folder / "dl-1" / "openai_whisper-20250625.tar.gz").write_bytes(b"half an archive")
    orphan = subprocess.Popen([*SLEEPER, str(folder / "dl-1")], start_new_session=True)
    (folder / assets.CLIENT_PID_FILE).write_text(str(orphan.pid))
    unrelated = subprocess.Popen(SLEEPER, start_new_session=True)  # a live process not of this fetch
    try:
        assert assets.clean_stale_fetches() == [folder]
        assert orphan.wait(timeout=10) == -signal.SIGKILL
        assert not folder.exists() and unrelated.poll() is None
    finally:
        unrelated.kill()
        orphan.kill()


# --------------------------------------------------------------------------- corpora


@pytest.fixture
def not_flores(tmp_path, monkeypatch):
    """``$WORKBENCH_FLORES_DIR`` pointing at a folder of text files that is not a FLORES layout."""
    folder = tmp_path / "my-corpus"
    folder.mkdir()
    (folder / "eng_Latn.txt").write_text("Hello\n")
    monkeypatch.setenv("WORKBENCH_FLORES_DIR", str(folder))
    return folder


def test_flores_dir_that_is_not_flores_is_refused_never_swapped_for_udhr(not_flores):
    for call in (corpora.default_parallel_corpus, corpora.flores_available, corpora.flores_languages):
        with pytest.raises(UsageError, match=rf"{not_flores} \(from \$WORKBENCH_FLORES_DIR\) is not a FLORES-200"):
            call()
    proc = _workbench("corpora", "languages")
    assert proc.returncode == 2, proc.stderr
    assert str(not_flores) in proc.stderr and "dev/<code>.dev" in proc.stderr and "UDHR" not in proc.stderr


def test_negative_sample_size_is_a_usage_error():
    proc = _workbench("corpora", "sample", "eng,tur", "--corpus", "udhr", "-n", "-1")
    assert proc.returncode == 2 and "argument -n: must be an integer >= 0, not -1" in proc.stderr
    with pytest.raises(UsageError, match="negative"):
        corpora.sample_indices(10, -1)


def test_corpora_languages_out_in_a_missing_directory_is_created(tmp_path, monkeypatch):
    monkeypatch.delenv("WORKBENCH_FLORES_DIR", raising=False)
    out = tmp_path / "reports" / "2026" / "udhr.csv"
    proc = _workbench("corpora", "languages", "--corpus", "udhr", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    table = pl.read_csv(out)
    assert table.columns[:3] == ["code", "name", "script"] and table.height == len(corpora.udhr_languages())


@pytest.mark.parametrize(("argv", "message"), [
    (("corpora", "sample", "eng,,tur", "--corpus", "udhr"), "(an empty name)"),
    (("corpora", "sample", "", "--corpus", "udhr"), "(an empty name)"),
    (("tokenize", "--tokenizers", "gpt2,", "--text", "hi"), "(an empty name)"),
    (("corpora", "sample", "eng", "-n", "three"), "must be an integer >= 0, not 'three'"),
    (("prune", "eval", "--images", "-1"), "must be an integer >= 0, not -1"),
    (("turkish", "purity", "--limit", "0"), "must be an integer >= 1, not 0"),
    (("turkish", "purity", "--limit", "-1"), "must be an integer >= 1, not -1"),
    (("glitch", "scan", "--model", "gemma3-270m", "--out", "x.csv", "--verify-top", "-5"), "must be an integer >= 0"),
    (("prune", "eval", "--images", "250", "--methods", "tome"), "ask for 0..16 and 0..200"),
])
def test_malformed_name_lists_and_counts_are_usage_errors(argv, message):
    proc = _workbench(*argv)
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr


def test_repeated_names_are_counted_once():
    proc = _workbench("tokenize", "--tokenizers", "gpt2,gpt2", "--text", "Hello world")
    assert proc.returncode == 0 and proc.stdout == "gpt2 (2): Hello |  world\n"


def test_a_converted_model_folder_is_loaded_only_while_it_matches_its_checksum(tmp_path):
    """The dequantized GGUF model folder (issue 19): a changed byte, or no recorded checksum, means convert again."""
    from workbench.models import gguf_weights

    folder = tmp_path / "gemma3-270m-abc-v2"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(bytes(range(256)) * 64)
    cache.sidecar(folder).write_text(f"{cache.digest(folder)}  {folder.name}\n")
    assert gguf_weights._verified(folder) and folder.exists()
    data = bytearray((folder / "model.safetensors").read_bytes())
    data[1000] ^= 1
    (folder / "model.safetensors").write_bytes(bytes(data))
    assert not gguf_weights._verified(folder) and not folder.exists() and not cache.sidecar(folder).exists()
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    assert not gguf_weights._verified(folder) and not folder.exists()  # a folder with no recorded checksum
