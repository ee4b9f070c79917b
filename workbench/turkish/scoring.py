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
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import polars as pl
from tqdm.auto import tqdm

from workbench import corpora, zoo
from workbench.errors import UsageError, unknown_name
from workbench.turkish.boundaries import WordCut, cut_word, gold_boundaries, root_end, score_words
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


def load_documents(corpus: TurkishCorpus | str | Path, limit: int | None = None) -> list[Document]:
    """Documents of a named corpus, a UTF-8 text file (one document per non-empty line), or the user's treebank.

    A ``.conllu`` file, or a folder of them, is a treebank: one document per sentence, with its gold lemmas.
    """
    named = isinstance(corpus, str) and corpus in TURKISH_CORPORA
    conllu = [] if named else _conllu_files(Path(corpus))
    if conllu:
        docs = [_ud_document(s) for file in conllu for s in corpora.load_conllu(file)]
    elif isinstance(corpus, Path) or (isinstance(corpus, str) and not named and Path(corpus).is_file()):
        lines = corpora.read_corpus_file(corpus).splitlines()
        docs = [Document(unicodedata.normalize("NFC", line)) for line in lines if line.strip()]
    elif corpus == "flores200":
        docs = [Document(unicodedata.normalize("NFC", s)) for s in corpora.load_flores("tur_Latn", split="both")]
    elif corpus in TURKISH_CORPORA:
        docs = [_ud_document(s) for s in corpora.ud_turkish(corpus)]
    else:
        raise unknown_name("Turkish corpus (or an existing text file)", str(corpus), TURKISH_CORPORA)
    return docs if limit is None else corpora.sample(docs, limit)


def _conllu_files(path: Path) -> list[Path]:
    """The CoNLL-U files of a ``.conllu`` path or of a folder (a folder without any raises); else none."""
    if path.is_dir():
        files = sorted(path.glob("*.conllu"))
        if not files:
            raise UsageError(f"The folder {path} holds no .conllu files: give a treebank folder, a .conllu file "
                             f"or a text file, or one of {', '.join(TURKISH_CORPORA)}.")
        return files
    return [path] if path.suffix == ".conllu" and path.is_file() else []


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


def _surfaces(tokenizer: zoo.Tokenizer, ids: set[int], known: dict[int, TokenSurface]) -> None:
    for token_id in ids - known.keys():
        known[token_id] = surface_from_bytes(tokenizer.token_bytes(token_id))


def tokenize_corpus(tokenizer: zoo.Tokenizer, corpus: PreparedCorpus) -> tuple[Counter, list[WordCut], dict]:
    """(token occurrences per id, word cuts, surfaces per id) of one tokenizer over a prepared corpus."""
    id_counts: Counter = Counter()
    cuts: list[WordCut] = []
    for doc, words in zip(corpus.documents, corpus.words, strict=True):
        pieces = tokenizer.pieces(doc.text)
        id_counts.update(p.id for p in pieces)
        solid = [p for p in pieces if p.end > p.start]
        starts, ends = [p.start for p in solid], [p.end for p in solid]
        edges = sorted({*starts, *ends})
        text = unify_apostrophes(doc.text)
        for (s, e), gold, root in words:
            n_tokens = bisect.bisect_left(starts, e) - bisect.bisect_right(ends, s)
            cuts.append(cut_word(text, (s, e), edges, n_tokens, gold, root))
    surfaces: dict[int, TokenSurface] = {}
    _surfaces(tokenizer, set(id_counts), surfaces)
    return id_counts, cuts, surfaces


def score_tokenizer(tokenizer: zoo.Tokenizer, corpus: PreparedCorpus,
                    judge: Judge) -> tuple[dict, dict[str, TokenVerdict]]:
    """One row of metrics (see :data:`COLUMNS` and the metric modules) and the verdict of every token type."""
    id_counts, cuts, surfaces = tokenize_corpus(tokenizer, corpus)
    key_counts: Counter = Counter()
    for token_id, n in id_counts.items():
        key_counts[surfaces[token_id].key] += n
    verdicts = judge.classify(surfaces.values())
    result, scores = purity(key_counts, verdicts), score_words(cuts)
    row = {"tokenizer": tokenizer.name, "corpus": corpus.name, "tr_type": result.tr_type,
           "pure_type": result.pure_type, "tr_token": result.tr_token, "pure_token": result.pure_token,
           "boundary_f1": scores.f1, "tokens": sum(id_counts.values()), "types": result.types}
    row |= {f"boundary_{k}" if k in {"precision", "recall"} else k: v for k, v in asdict(scores).items() if k != "f1"}
    return row, verdicts


def purity_table(tokenizers: Sequence[str | zoo.Tokenizer], corpus: TurkishCorpus | str | Path = "flores200", *,
                 limit: int | None = None, analyzer: Analyzer | None = None) -> pl.DataFrame:
    """All metrics, one row per tokenizer, on ``corpus`` (see :func:`load_documents`: a name, text file or treebank)."""
    analyzer = analyzer if analyzer is not None else Analyzer()
    judge = Judge(analyzer)
    prepared = prepare(str(corpus), load_documents(corpus, limit), analyzer)
    rows = [score_tokenizer(tok, prepared, judge)[0]
            for tok in tqdm(zoo.resolve_all(tokenizers), desc=f"turkish metrics ({corpus})", file=sys.stderr)]
    return pl.DataFrame(rows)


def verdict_table(tokenizer: str | zoo.Tokenizer, corpus: TurkishCorpus | str | Path = "flores200", *,
                  limit: int | None = None, analyzer: Analyzer | None = None) -> pl.DataFrame:
    """Every token type of one tokenizer on ``corpus``: key, class, occurrences, Zemberek segmentation."""
    analyzer = analyzer if analyzer is not None else Analyzer()
    prepared = prepare(str(corpus), load_documents(corpus, limit), analyzer)
    tok = zoo.resolve(tokenizer)
    id_counts, _, surfaces = tokenize_corpus(tok, prepared)
    counts: Counter = Counter()
    for token_id, n in id_counts.items():
        counts[surfaces[token_id].key] += n
    verdicts = Judge(analyzer).classify(surfaces.values())
    rows = [{"key": k, "class": v.token_class, "occurrences": counts[k], "segmentation": "+".join(v.segmentation),
             "in_wordlist": v.in_wordlist} for k, v in verdicts.items()]
    return pl.DataFrame(rows).sort("occurrences", descending=True)
