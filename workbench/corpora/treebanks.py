"""Turkish treebanks in CoNLL-U (UD BOUN and IMST; Google's web and wiki treebanks) for the morphology metrics.

Sentences with gold lemmas, UPOS and features, parsed into :class:`Sentence` and :class:`Word`. Unlike
the parallel corpora (:mod:`~workbench.corpora.parallel`) these are monolingual and annotated: a
sentence's syntactic words and surface tokens are kept apart.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from workbench import assets
from workbench.config import shared_data_dir
from workbench.corpora.files import read_corpus_file
from workbench.errors import WorkbenchError, unknown_name

Treebank = Literal["boun", "imst", "web", "wiki"]

TREEBANKS: tuple[Treebank, ...] = ("boun", "imst", "web", "wiki")
TREEBANK_ASSETS = {"web": "conllu-turkish-web", "wiki": "conllu-turkish-wiki"}
UD_SPLIT_ORDER = ("train", "dev", "test")


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
