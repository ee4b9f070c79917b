"""Parallel corpora by name (``flores200`` or ``udhr``) or the user's own: aligned sentences, corpus totals, samples.

The one entry point the analyses use: it dispatches to :mod:`~workbench.corpora.flores`,
:mod:`~workbench.corpora.udhr` or, for a path or a mapping, :mod:`~workbench.corpora.user`; checks
that every language has the same number of sentences, falls back
to UDHR (with a warning) only when FLORES is configured nowhere, and draws samples that keep the languages aligned.
"""

from __future__ import annotations

import logging
import random
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Literal, TypeAlias, TypeVar

from workbench.corpora.flores import flores_dir, flores_languages, flores_raw, load_flores
from workbench.corpora.udhr import load_udhr, udhr_languages
from workbench.corpora.user import user_parallel_corpus
from workbench.errors import OfflineError, UsageError, WorkbenchError, unknown_name

log = logging.getLogger(__name__)

T = TypeVar("T")
CorpusName = Literal["flores200", "udhr"]

CORPORA: tuple[CorpusName, ...] = ("flores200", "udhr")
#: What every ``corpus=`` parameter takes: a corpus name, a path to the user's corpus, or a mapping of sentences.
CorpusSource: TypeAlias = CorpusName | str | Path | Mapping[str, Sequence[str]]


def is_named(source: CorpusSource | None) -> bool:
    """True for ``None`` (the default corpus) and the names of :data:`CORPORA`; False for paths and mappings."""
    return source is None or (isinstance(source, str) and source in CORPORA)


def _corpus_languages(name: str, path: str | Path | None) -> list[str]:
    if name not in CORPORA:
        raise unknown_name("corpus", name, CORPORA)
    return flores_languages(path) if name == "flores200" else udhr_languages(path)


def parallel_corpus(
    name: CorpusSource, languages: Iterable[str] | None = None, *, path: str | Path | None = None, **columns: str
) -> dict[str, list[str]]:
    """Aligned sentences by language code (FLORES: 2,009 sentences; UDHR: 30 articles; or the user's corpus).

    ``name`` is a corpus name, or a folder/table path or a mapping
    (:func:`~workbench.corpora.user.user_parallel_corpus`, which takes the table's ``columns``:
    ``language_column``, ``text_column``, ``id_column``). ``path`` is the
    FLORES directory or the UDHR declarations directory. Every language is checked before any is read,
    and all must have the same number of sentences.
    """
    if not is_named(name):
        if isinstance(name, str) and not Path(name).exists():
            raise unknown_name("corpus (a name, or the path of your folder or table)", name, CORPORA)
        corpus = user_parallel_corpus(name, **columns)
        return corpus if languages is None else {code: corpus[code] for code in _known(languages, list(corpus), name)}
    known = _corpus_languages(name, path)
    codes = list(languages) if languages is not None else known
    for code in codes:
        if code not in known:
            raise unknown_name(f"{name} language", code, known)
    load = load_flores if name == "flores200" else load_udhr
    corpus = {code: load(code, path=path) for code in codes}
    _check_aligned(corpus)
    return corpus


def _known(languages: Iterable[str], known: list[str], corpus: object) -> list[str]:
    codes = list(languages)
    for code in codes:
        if code not in known:
            raise unknown_name(f"language of corpus {corpus if not isinstance(corpus, Mapping) else 'mapping'}",
                               code, known)
    return codes


def corpus_raw(name: CorpusSource, lang: str, *, path: str | Path | None = None) -> str:
    """The corpus-total string of a language: :func:`flores_raw` for FLORES, the 30 articles joined by " " for UDHR.

    For a user corpus (a path or mapping) its sentences joined by " ", as for UDHR.
    """
    if not is_named(name):
        return " ".join(parallel_corpus(name, [lang])[lang])
    if name not in CORPORA:
        raise unknown_name("corpus", name, CORPORA)
    return flores_raw(lang, path) if name == "flores200" else " ".join(load_udhr(lang, path))


def _check_aligned(corpus: dict[str, list[str]]) -> None:
    lengths = Counter(len(sentences) for sentences in corpus.values())
    if len(lengths) > 1:
        expected = lengths.most_common(1)[0][0]
        odd = ", ".join(f"{code} has {len(s)}" for code, s in sorted(corpus.items()) if len(s) != expected)
        raise WorkbenchError(f"Corpus is not aligned: most languages have {expected} sentences, but {odd}.")


def default_parallel_corpus(path: str | Path | None = None) -> CorpusName:
    """``"flores200"`` when FLORES-200 is available, else ``"udhr"`` with a warning saying so.

    Only a FLORES that is configured nowhere (no ``path``, no ``$WORKBENCH_FLORES_DIR``, no shared copy,
    hub offline) falls back; a configured directory that is not FLORES raises (see :func:`flores_dir`).
    """
    try:
        flores_dir(path)
    except OfflineError as err:
        message = f"FLORES-200 is not available, so the analysis falls back to UDHR (30 articles). Reason: {err}"
        log.warning(message)
        warnings.warn(message, stacklevel=2)
        return "udhr"
    return "flores200"


def sample_indices(length: int, n: int, seed: int = 0) -> list[int]:
    """``min(n, length)`` distinct indices of ``range(length)``, drawn with ``seed``, in increasing order.

    >>> sample_indices(10, 3, seed=0)
    [0, 6, 9]
    """
    if n < 0:
        raise UsageError(f"Cannot sample a negative number of items ({n}); give n >= 0.")
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
