"""Score tokenizers on a Turkish corpus: every metric of purity and boundaries, one row per tokenizer.

This module only wires the others together (the ``workbench turkish`` commands over it are in
:mod:`~workbench.turkish.cli`): it reads a corpus (FLORES ``tur_Latn``, UD BOUN/IMST,
the Google web treebank, the user's own text file — e.g. TR-MMLU questions, which no registry
ships and this machine cannot download — or the user's own CoNLL-U file or folder of them, whose gold
lemmas give the root-boundary metrics), finds its words and their gold cuts once, then for each
tokenizer tokenizes every sentence once and computes :mod:`~workbench.turkish.purity` and
:mod:`~workbench.turkish.boundaries` metrics from the same pieces. Text is NFC-normalised before
tokenization; no special tokens are added.
"""

from __future__ import annotations

import bisect
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import polars as pl
from tqdm.auto import tqdm

from workbench import corpora, zoo
from workbench.errors import UsageError, unknown_name
from workbench.turkish.boundaries import BoundaryTally, cut_word, gold_boundaries, root_end
from workbench.turkish.lexicon import Analyzer
from workbench.turkish.normalise import TokenSurface, letter_word_spans, surface_from_bytes, unify_apostrophes
from workbench.turkish.purity import Judge, TokenVerdict, purity

TurkishCorpus = Literal["flores200", "boun", "imst", "web"]
TURKISH_CORPORA: tuple[TurkishCorpus, ...] = ("flores200", "boun", "imst", "web")
SKIPPED_UPOS = frozenset({"PUNCT", "NUM", "SYM", "X"})
COLUMNS = ("tokenizer", "corpus", "tr_type", "pure_type", "tr_token", "pure_token", "boundary_f1", "tokens")


@dataclass
class Document:
    """One text unit and, for treebanks, gold lemmas keyed by the character offset where their word starts."""

    text: str
    lemmas: dict[int, str] = field(default_factory=dict)


def _ud_document(sentence: corpora.Sentence) -> Document:
    text = unicodedata.normalize("NFC", sentence.text)
    starts = {s for s, _ in letter_word_spans(unify_apostrophes(text))}
    lemmas, cursor = {}, 0
    for word in sentence.words:
        found = text.find(unicodedata.normalize("NFC", word.form), cursor)
        if found < 0:
            continue
        cursor = found + len(word.form)
        if found in starts and word.upos not in SKIPPED_UPOS and word.lemma not in {"", "_"}:
            lemmas.setdefault(found, word.lemma)
    return Document(text, lemmas)


BATCH = 2048  # documents per batch when a text file is streamed (purity_table, verdict_table)


def load_documents(corpus: TurkishCorpus | str | Path, limit: int | None = None) -> list[Document]:
    """Documents of a named corpus, a UTF-8 text file (one document per non-empty line), or the user's treebank.

    A ``.conllu`` file, or a folder of them, is a treebank: one document per sentence, with its gold lemmas.
    A folder of ``.txt`` files is text, read file by file. ``limit`` takes a seeded sample of that many documents.
    """
    text = _text_source(corpus)
    if text is not None:
        docs = [doc for batch in _text_batches(text, BATCH) for doc in batch]
    elif corpus == "flores200":
        docs = [Document(unicodedata.normalize("NFC", s)) for s in corpora.load_flores("tur_Latn", split="both")]
    elif corpus in TURKISH_CORPORA:
        docs = [_ud_document(s) for s in corpora.ud_turkish(corpus)]
    else:
        docs = [_ud_document(s) for file in _conllu_files(Path(corpus)) for s in corpora.load_conllu(file)]
    return docs if limit is None else corpora.sample(docs, limit)


def iter_documents(corpus: TurkishCorpus | str | Path, limit: int | None = None,
                   batch: int = BATCH) -> Iterator[list[Document]]:
    """The documents of :func:`load_documents` in lists: a text file or folder without ``limit`` is streamed
    ``batch`` lines at a time (memory stays bounded however big the file); anything else comes in one list."""
    text = _text_source(corpus) if limit is None else None
    if text is not None:
        yield from _text_batches(text, batch)
    else:
        yield load_documents(corpus, limit)


def _text_source(corpus: TurkishCorpus | str | Path) -> corpora.MonolingualCorpus | None:
    """The user's text (a file that is not ``.conllu``, or a folder of ``.txt`` without ``.conllu``), else None.

    A path that exists as neither raises, listing the named corpora.
    """
    if isinstance(corpus, str) and corpus in TURKISH_CORPORA:
        return None
    path = Path(corpus)
    if path.is_file() and path.suffix != ".conllu":
        return corpora.monolingual_corpus(path, "tur")
    if path.is_dir() and not any(path.glob("*.conllu")) and any(path.glob("*.txt")):
        return corpora.monolingual_corpus(path, "tur")
    if not path.exists():
        raise unknown_name("Turkish corpus (or an existing text file, .conllu file or treebank folder)", str(corpus),
                           TURKISH_CORPORA)
    return None


def _text_batches(text: corpora.MonolingualCorpus, batch: int) -> Iterator[list[Document]]:
    for lines in text.batches(batch):
        yield [Document(unicodedata.normalize("NFC", line)) for line in lines]


def _conllu_files(path: Path) -> list[Path]:
    """The CoNLL-U files of a ``.conllu`` path or of a folder (a folder without any raises)."""
    if path.is_dir():
        files = sorted(path.glob("*.conllu"))
        if not files:
            raise UsageError(f"The folder {path} holds no .conllu or .txt files: give a treebank folder, a .conllu "
                             f"file, a text file or a folder of them, or one of {', '.join(TURKISH_CORPORA)}.")
        return files
    return [path]


@dataclass
class PreparedCorpus:
    """Documents with their word spans, gold cuts and gold root ends, computed once for all tokenizers."""

    name: str
    documents: list[Document]
    words: list[list[tuple[tuple[int, int], tuple[int, ...] | None, int | None]]]


def prepare(name: str, documents: list[Document], analyzer: Analyzer) -> PreparedCorpus:
    """Find every word, analyse the distinct ones (cached), and attach gold cuts and lemma root ends."""
    spans = [letter_word_spans(unify_apostrophes(d.text)) for d in documents]
    texts = [unify_apostrophes(d.text) for d in documents]
    analyses = analyzer.analyse({t[s:e] for t, doc_spans in zip(texts, spans, strict=True) for s, e in doc_spans})
    words = []
    for doc, text, doc_spans in zip(documents, texts, spans, strict=True):
        words.append([((s, e), gold_boundaries(text[s:e], analyses[text[s:e]]),
                       root_end(text[s:e], doc.lemmas[s]) if s in doc.lemmas else None) for s, e in doc_spans])
    return PreparedCorpus(name, documents, words)


@dataclass
class Tally:
    """One tokenizer's running totals over a corpus prepared a batch at a time: token occurrences per id, each
    id's surface and the word cuts' sums (:class:`~workbench.turkish.boundaries.BoundaryTally`).

    Its size is bounded by the vocabulary, not the corpus, and adding the batches of a corpus gives exactly the
    totals of adding it whole (:func:`purity_table` streams a text file this way).
    """

    id_counts: Counter = field(default_factory=Counter)
    surfaces: dict[int, TokenSurface] = field(default_factory=dict)
    boundaries: BoundaryTally = field(default_factory=BoundaryTally)

    def add(self, tokenizer: zoo.Tokenizer, corpus: PreparedCorpus) -> None:
        """Tokenize every document of ``corpus`` once and add its tokens and word cuts."""
        for doc, words in zip(corpus.documents, corpus.words, strict=True):
            pieces = tokenizer.pieces(doc.text)
            self.id_counts.update(p.id for p in pieces)
            solid = [p for p in pieces if p.end > p.start]
            starts, ends = [p.start for p in solid], [p.end for p in solid]
            edges = sorted({*starts, *ends})
            text = unify_apostrophes(doc.text)
            self.boundaries.add(
                cut_word(text, (s, e), edges, bisect.bisect_left(starts, e) - bisect.bisect_right(ends, s), gold, root)
                for (s, e), gold, root in words)
        for token_id in self.id_counts.keys() - self.surfaces.keys():
            self.surfaces[token_id] = surface_from_bytes(tokenizer.token_bytes(token_id))

    def key_counts(self) -> Counter:
        """Token occurrences per lookup key (:class:`~workbench.turkish.normalise.TokenSurface` ``key``)."""
        counts: Counter = Counter()
        for token_id, n in self.id_counts.items():
            counts[self.surfaces[token_id].key] += n
        return counts

    def score(self, tokenizer: str, corpus: str, judge: Judge) -> tuple[dict, dict[str, TokenVerdict]]:
        """One row of metrics (see :data:`COLUMNS` and the metric modules) and the verdict of every token type."""
        verdicts = judge.classify(self.surfaces.values())
        result, scores = purity(self.key_counts(), verdicts), self.boundaries.scores()
        row = {"tokenizer": tokenizer, "corpus": corpus, "tr_type": result.tr_type, "pure_type": result.pure_type,
               "tr_token": result.tr_token, "pure_token": result.pure_token, "boundary_f1": scores.f1,
               "tokens": sum(self.id_counts.values()), "types": result.types}
        row |= {f"boundary_{k}" if k in {"precision", "recall"} else k: v
                for k, v in asdict(scores).items() if k != "f1"}
        return row, verdicts


def score_tokenizer(tokenizer: zoo.Tokenizer, corpus: PreparedCorpus,
                    judge: Judge) -> tuple[dict, dict[str, TokenVerdict]]:
    """One row of metrics (see :data:`COLUMNS` and the metric modules) and the verdict of every token type."""
    tally = Tally()
    tally.add(tokenizer, corpus)
    return tally.score(tokenizer.name, corpus.name, judge)


def _tallies(toks: Sequence[zoo.Tokenizer], corpus: TurkishCorpus | str | Path, limit: int | None,
             analyzer: Analyzer, batch: int) -> list[Tally]:
    """The :class:`Tally` of each tokenizer over ``corpus``, read a batch at a time (:func:`iter_documents`)."""
    tallies = [Tally() for _ in toks]
    with tqdm(desc=f"turkish metrics ({corpus})", unit="doc", file=sys.stderr) as bar:
        for docs in iter_documents(corpus, limit, batch):
            prepared = prepare(str(corpus), docs, analyzer)
            for tok, tally in zip(toks, tallies, strict=True):
                bar.set_postfix_str(tok.name)
                tally.add(tok, prepared)
            bar.update(len(docs))
    return tallies


def purity_table(tokenizers: Sequence[str | zoo.Tokenizer], corpus: TurkishCorpus | str | Path = "flores200", *,
                 limit: int | None = None, analyzer: Analyzer | None = None, batch: int = BATCH) -> pl.DataFrame:
    """All metrics, one row per tokenizer, on ``corpus`` (see :func:`load_documents`: a name, text or treebank).

    The user's text file or folder is streamed ``batch`` documents at a time unless ``limit`` samples it.
    """
    analyzer = analyzer if analyzer is not None else Analyzer()
    toks = zoo.resolve_all(tokenizers)
    tallies = _tallies(toks, corpus, limit, analyzer, batch)
    judge = Judge(analyzer)
    return pl.DataFrame([tally.score(tok.name, str(corpus), judge)[0] for tok, tally in zip(toks, tallies,
                                                                                            strict=True)])


def verdict_table(tokenizer: str | zoo.Tokenizer, corpus: TurkishCorpus | str | Path = "flores200", *,
                  limit: int | None = None, analyzer: Analyzer | None = None, batch: int = BATCH) -> pl.DataFrame:
    """Every token type of one tokenizer on ``corpus``: key, class, occurrences, Zemberek segmentation."""
    analyzer = analyzer if analyzer is not None else Analyzer()
    (tally,) = _tallies([zoo.resolve(tokenizer)], corpus, limit, analyzer, batch)
    counts = tally.key_counts()
    verdicts = Judge(analyzer).classify(tally.surfaces.values())
    rows = [{"key": k, "class": v.token_class, "occurrences": counts[k], "segmentation": "+".join(v.segmentation),
             "in_wordlist": v.in_wordlist} for k, v in verdicts.items()]
    return pl.DataFrame(rows).sort("occurrences", descending=True)
