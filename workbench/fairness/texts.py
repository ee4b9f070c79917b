"""The corpus texts a fairness count runs on: one string per language (petrov) or its sentences, with a digest.

:mod:`workbench.corpora` reads and parses the parallel corpora; this module picks from them what one
counting run encodes, in one of two :data:`Mode` s (see :mod:`~workbench.fairness.counting`, which
encodes them), and fingerprints it so counts can be cached by content. The corpus is a name
(``flores200``, ``udhr``) or the user's own (a folder, a table file or a mapping: see
:mod:`workbench.corpora.user`), whose identity in the caches is its label and its content digest.

* ``petrov`` — Petrov et al. (2023)'s exact recipe: per language the dev then devtest split on ``"\\n"``
  (trailing empty strings kept), joined by one space (:func:`workbench.corpora.flores_raw`).
* ``sentences`` — every sentence on its own, optionally a seeded aligned sample of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from workbench import corpora
from workbench.errors import unknown_name

Mode = Literal["petrov", "sentences"]
MODES: tuple[Mode, ...] = ("petrov", "sentences")


@dataclass(frozen=True)
class CorpusTexts:
    """The texts one counting run encodes: a string per language (petrov) or its sentences, plus their digest."""

    name: str
    mode: Mode
    texts: dict[str, str] | dict[str, list[str]]
    digest: str
    sentence_ids: tuple[int, ...] | None = None


def corpus_texts(corpus: corpora.CorpusSource | None = None, languages: Sequence[str] | None = None,
                 mode: Mode = "petrov", path: str | Path | None = None, *, sample: int | None = None,
                 seed: int = 0) -> CorpusTexts:
    """Read the texts of ``corpus`` (default: FLORES-200 if present, else UDHR) for ``mode``.

    ``corpus`` may be a path to the user's corpus or a ``{language: [sentences]}`` mapping
    (:func:`workbench.corpora.parallel_corpus`); its ``name`` is then :func:`~workbench.corpora.corpus_label`.

    ``sample`` (sentences mode only) keeps the same ``sample`` sentence positions in every language
    (seeded); their original indices become the ``sentence_id``. Unknown corpus names, modes and
    language codes raise before anything is read; empty or non-UTF-8 files raise a
    :class:`~workbench.errors.WorkbenchError`.
    """
    if mode not in MODES:
        raise unknown_name("counting mode", mode, MODES)
    if not corpora.is_named(corpus):
        return _user_texts(corpus, languages, mode, sample, seed)
    name = corpus or corpora.default_parallel_corpus(path)
    if mode == "sentences":
        texts: dict = corpora.parallel_corpus(name, languages, path=path)
        ids = corpora.sample_indices(len(next(iter(texts.values()))), sample, seed) if sample else None
        texts = {code: [sents[i] for i in ids] for code, sents in texts.items()} if ids else texts
        return CorpusTexts(name, mode, texts, corpora.corpus_digest(texts), tuple(ids) if ids else None)
    known = corpora.flores_languages(path) if name == "flores200" else corpora.udhr_languages(path)
    codes = list(languages) if languages is not None else known
    for code in codes:
        if code not in known:
            raise unknown_name(f"{name} language", code, known)
    texts = {code: corpora.corpus_raw(name, code, path=path) for code in codes}
    return CorpusTexts(name, mode, texts, corpora.corpus_digest({k: [v] for k, v in texts.items()}))


def flores_split_texts(languages: Sequence[str] | None = None, split: corpora.Split = "devtest",
                       mode: Mode = "sentences") -> CorpusTexts:
    """FLORES-200 texts of one ``split`` only (``dev`` or ``devtest``), e.g. to measure on ``devtest`` a tokenizer
    trained on ``dev`` (:mod:`workbench.zoo.training`), so nothing leaks; petrov mode joins the lines by " "."""
    if mode not in MODES:
        raise unknown_name("counting mode", mode, MODES)
    sentences = {code: corpora.load_flores(code, split=split) for code in languages or corpora.flores_languages()}
    texts = sentences if mode == "sentences" else {code: " ".join(lines) for code, lines in sentences.items()}
    digest = corpora.corpus_digest(sentences if mode == "sentences" else {k: [v] for k, v in texts.items()})
    return CorpusTexts(f"flores200-{split}", mode, texts, digest)
def _user_texts(corpus: corpora.CorpusSource, languages: Sequence[str] | None, mode: Mode, sample: int | None,
                seed: int) -> CorpusTexts:
    """:func:`corpus_texts` of a user corpus: its sentences, or each language's sentences joined by one space."""
    sentences = corpora.parallel_corpus(corpus, languages)
    name = corpora.corpus_label(corpus)
    if mode == "petrov":
        texts = {code: " ".join(sents) for code, sents in sentences.items()}
        return CorpusTexts(name, mode, texts, corpora.corpus_digest({k: [v] for k, v in texts.items()}))
    ids = corpora.sample_indices(len(next(iter(sentences.values()))), sample, seed) if sample else None
    sentences = {code: [sents[i] for i in ids] for code, sents in sentences.items()} if ids else sentences
    return CorpusTexts(name, mode, sentences, corpora.corpus_digest(sentences), tuple(ids) if ids else None)
