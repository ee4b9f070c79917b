"""One comparison report of several tokenizers on one parallel corpus: compute it, write it, keep a leaderboard.

:func:`compute_report` runs each tokenizer once more over the corpus (besides the cached counts of
:func:`workbench.fairness.counts`) and puts side by side, per tokenizer and per language, the
measures of :mod:`workbench.fairness.metrics` (premium, parity, Gini, max/min, fertility, continued words,
compression, unknown rate) and those of :mod:`workbench.compare.measures` (Rényi entropy and
efficiency, Shannon efficiency, vocabulary utilisation, token lengths, vocabulary overlap,
segmentation agreement). :func:`write_report` writes it as HTML (plots embedded, drawn by
:mod:`workbench.compare.explorer`), Markdown, LaTeX, CSV or Parquet; :func:`append_leaderboard`
keeps one results file across runs, one row per (tokenizer fingerprint, corpus digest).

Unlike :mod:`workbench.fairness`, which counts and shows premiums, this module computes nothing new
itself: it gathers token ids and spans and hands them to the measure functions.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import itertools
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
from tqdm.auto import tqdm

from workbench import corpora, fairness, zoo
from workbench.compare import measures
from workbench.config import pick, write_atomic
from workbench.errors import UsageError, WorkbenchError, unknown_name
from workbench.fairness import counting, metrics

#: Output formats of :func:`write_report`, by file suffix.
REPORT_FORMATS = (".html", ".md", ".tex", ".csv", ".parquet")
#: Packages whose versions the reproducibility record lists.
RECORDED_PACKAGES = ("token-workbench", "numpy", "polars", "tiktoken", "tokenizers", "sentencepiece")
_ORDINARY = frozenset({"normal", "byte"})


@dataclass(frozen=True)
class ComparisonReport:
    """Every measure of every tokenizer: overall (``summary``), per language, per script group and family,
    per tokenizer pair, the token length histogram, and the reproducibility record (``provenance``)."""

    summary: pl.DataFrame
    languages: pl.DataFrame
    groups: pl.DataFrame
    pairs: pl.DataFrame
    lengths: pl.DataFrame
    provenance: dict[str, str]


@dataclass(frozen=True)
class _WordSample:
    """The word-sample sentences of one language laid end to end: sentence ``k`` starts at ``offsets[k]``.

    Each sentence is shifted by the lengths of those before it plus one, so no token of one sentence
    touches a word of another, and the word measures of a whole language are one call each
    (:func:`~workbench.compare.measures.word_cuts`, :func:`~workbench.fairness.metrics.tokens_per_word`)
    that gives, word for word, what one call per sentence gives. Cut positions are then offsets into
    the laid-out text, the same for every tokenizer, so segmentations still compare equal.
    """

    indices: list[int]
    offsets: np.ndarray
    spans: np.ndarray  # (words, 2): every word's span, shifted

    @classmethod
    def of(cls, sentences: Sequence[str], indices: Sequence[int], script: str) -> _WordSample:
        lengths = np.array([len(sentences[i]) + 1 for i in indices], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        spans = [np.asarray(metrics.word_spans(sentences[i], script), dtype=np.int64).reshape(-1, 2) + offset
                 for i, offset in zip(indices, offsets.tolist(), strict=True)]
        return cls(list(indices), offsets, np.concatenate(spans) if spans else np.zeros((0, 2), dtype=np.int64))

    def laid_out(self, token_spans: Sequence[np.ndarray]) -> np.ndarray:
        """The token spans of each sample sentence (in :attr:`indices` order), shifted like the words."""
        shifted = [spans + offset for spans, offset in zip(token_spans, self.offsets.tolist(), strict=True)]
        return np.concatenate(shifted) if shifted else np.zeros((0, 2), dtype=np.int64)


@dataclass(frozen=True)
class _Encoded:
    """One tokenizer's pass over the corpus: unigram measures per language, type counts over all of it,
    and per-word cuts and token counts."""

    unigram: dict[str, dict[str, float | None]]
    type_counts: np.ndarray  # occurrences of each vocabulary id over every language
    cuts: dict[str, list[tuple[int, ...]]]
    word_tokens: dict[str, list[int]]


# ------------------------------------------------------------------------------------------ corpus


def _check_corpus(texts: fairness.CorpusTexts) -> None:
    if not texts.texts or not any(s.strip() for sents in texts.texts.values() for s in sents):
        raise UsageError(f"The corpus '{texts.name}' is empty (no language, or no text in any). "
                         "Pass a corpus with text (--corpus flores200, udhr or a folder of <language>.txt files).")


# ------------------------------------------------------------------------------------------ compute


def compute_report(tokenizers: Sequence[str | zoo.Tokenizer], corpus: corpora.CorpusSource | None = None,
                   languages: Sequence[str] | None = None, *, texts: fairness.CorpusTexts | None = None,
                   reference: str = "eng_Latn", alpha: float = measures.DEFAULT_ALPHA, sample: int | None = None,
                   word_sample: int | None = None, progress: bool = False) -> ComparisonReport:
    """The comparison report of ``tokenizers`` on ``corpus`` (or the ready ``texts``), premiums vs ``reference``.

    ``sample`` sentences per language (0 = all; default all, fast mode 50) feed every measure;
    ``word_sample`` of them (default 200; fast mode 20) the word-level ones (fertility, continued
    words, segmentation agreement), as :func:`workbench.fairness.compute_fertility` does. Given
    ``texts``, ``corpus``, ``languages`` and ``sample`` are not used.
    ``tokenizers`` are names, paths or tokenizer objects (:func:`workbench.zoo.resolve`).
    """
    toks = {tok.name: tok for tok in zoo.resolve_all(tokenizers)}
    if len(toks) != len(tokenizers) or not tokenizers:
        raise UsageError(f"Give one or more distinct tokenizers, got {[str(t) for t in tokenizers]}.")
    n = pick(50, 0) if sample is None else sample
    texts = texts or fairness.corpus_texts(corpus, languages, "sentences", sample=n or None)
    _check_corpus(texts)
    if reference not in texts.texts:
        raise unknown_name("reference language", reference, texts.texts)
    sample = corpora.sample_indices(len(next(iter(texts.texts.values()))), word_sample or pick(20, 200))
    words = {code: _WordSample.of(sentences, sample, corpora.language_info(code).script)
             for code, sentences in texts.texts.items()}  # the same for every tokenizer
    frames, encoded = [], {}
    with tqdm(total=len(tokenizers) * len(texts.texts), desc="report", unit="lang", disable=not progress,
              file=sys.stderr) as bar:
        for name, tok in toks.items():
            frame, encoded[name] = _encode(tok, texts, words, alpha, bar)
            frames.append(frame)
    counts = pl.concat(frames)
    lengths = {name: _lengths(toks[name], enc.type_counts) for name, enc in encoded.items()}
    per_language = _language_table(counts, encoded, reference)
    return ComparisonReport(_summary(per_language, encoded, toks, lengths, alpha), per_language,
                            _group_table(per_language), _pair_table(encoded, toks), _length_table(lengths),
                            _provenance(list(toks.values()), texts, reference, alpha))


def _encode(tok: zoo.Tokenizer, texts: fairness.CorpusTexts, words: dict[str, _WordSample], alpha: float,
            bar: tqdm) -> tuple[pl.DataFrame, _Encoded]:
    """One encoding pass over every sentence: the fairness counts and what every other measure reads.

    ``words`` holds, per language, the sentences the word-level measures use; those are encoded with
    their token spans (:meth:`~workbench.zoo.Tokenizer.encode_batch_with_spans`), the rest in one batch,
    so no sentence is encoded twice. The next language is encoded on a thread while this one's measures
    are computed (the encoders release the GIL), so a core is not left idle. Per language only its
    unigram measures, cuts and word counts are kept, and its type counts are added to the total.
    """
    frames, unigram, cuts, word_tokens = [], {}, {}, {}
    type_counts = np.zeros(tok.vocab_size, dtype=np.int64)
    codes = list(texts.texts)
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(_encode_language, tok, texts.texts[codes[0]], words[codes[0]].indices)
        for k, code in enumerate(codes):
            encoded, spanned = pending.result()
            if k + 1 < len(codes):
                pending = pool.submit(_encode_language, tok, texts.texts[codes[k + 1]], words[codes[k + 1]].indices)
            flat = counting.flatten(encoded)
            frames.append(fairness.sentence_counts(tok, texts, code, encoded, flat))
            language_counts = np.bincount(flat[0], minlength=tok.vocab_size)
            type_counts += language_counts
            unigram[code] = _unigram_row(language_counts, tok.vocab_size, alpha)
            token_spans = words[code].laid_out(spanned)
            cuts[code] = measures.word_cuts(words[code].spans, token_spans)
            word_tokens[code] = metrics.tokens_per_word(words[code].spans, token_spans)
            bar.update(1)
    if not type_counts.any():
        raise WorkbenchError(f"Tokenizer '{tok.name}' produced no tokens on the corpus '{texts.name}': "
                             "nothing to measure. Check the corpus text and the tokenizer name.")
    return pl.concat(frames), _Encoded(unigram, type_counts, cuts, word_tokens)


def _encode_language(tok: zoo.Tokenizer, sentences: Sequence[str], sample: Sequence[int]
                     ) -> tuple[list[list[int]], list[np.ndarray]]:
    """The ids of every sentence, and the token spans (an (n, 2) array) of each word-sample sentence ``sample``."""
    with_spans = tok.encode_batch_with_spans([sentences[i] for i in sample])
    spanned = dict(zip(sample, with_spans, strict=True))
    rest = [i for i in range(len(sentences)) if i not in spanned]
    batch = dict(zip(rest, tok.encode_batch([sentences[i] for i in rest]), strict=True))
    encoded = [spanned[i][0] if i in spanned else batch[i] for i in range(len(sentences))]
    return encoded, [np.asarray(spans, dtype=np.int64).reshape(-1, 2) for _, spans in with_spans]


def compute_unigram_measures(tokenizers: Sequence[str | zoo.Tokenizer], texts: fairness.CorpusTexts,
                             alpha: float = measures.DEFAULT_ALPHA) -> pl.DataFrame:
    """Rényi entropy and efficiency, Shannon efficiency and utilisation of each tokenizer over the whole corpus.

    The light part of :func:`compute_report` (one encoding pass, no words, no pairs), for a quick look
    at many tokenizers: one row per tokenizer with its ``vocab_size``; ``renyi_efficiency`` divides by
    the observed types, ``renyi_efficiency_full_vocab`` by the vocabulary size.
    """
    _check_corpus(texts)
    rows = []
    for tok in zoo.resolve_all(tokenizers):
        type_counts = sum(np.bincount(counting.flatten(tok.encode_batch(sentences))[0], minlength=tok.vocab_size)
                          for sentences in texts.texts.values())
        rows.append({"tokenizer": tok.name, "vocab_size": tok.vocab_size,
                     **_unigram_row(type_counts, tok.vocab_size, alpha)})
    return pl.DataFrame(rows)


def _unigram_row(type_counts: np.ndarray, vocab_size: int, alpha: float) -> dict[str, float | None]:
    """Rényi entropy/efficiency, Shannon efficiency and utilisation of one id stream, from the occurrences
    of each vocabulary id (None when undefined)."""
    counts = type_counts[type_counts > 0]  # occurrences of each type used
    enough = counts.size >= 2
    return {"renyi_entropy": measures.renyi_entropy(counts, alpha) if counts.size else None,
            "renyi_efficiency": measures.renyi_efficiency(counts, alpha) if enough else None,
            "shannon_efficiency": measures.shannon_efficiency(counts) if enough else None,
            "renyi_efficiency_full_vocab": measures.renyi_efficiency(counts, alpha, vocab_size) if enough else None,
            "utilisation": measures.vocabulary_utilisation(counts, vocab_size)}


def _language_table(counts: pl.DataFrame, encoded: dict[str, _Encoded], reference: str) -> pl.DataFrame:
    rows = []
    codes = next(iter(encoded.values())).unigram
    units = {code: metrics.word_unit(corpora.language_info(code).script) for code in codes}
    for name, enc in encoded.items():
        for code, unigram in enc.unigram.items():
            words = enc.word_tokens[code]
            has_words = any(n > 0 for n in words)
            rows.append({"language": code, "tokenizer": name, **unigram,
                         "fertility": metrics.fertility(words) if has_words else None,
                         "continued": metrics.continued_words(words) if has_words else None,
                         "word_unit": units[code]})
    premiums = fairness.compute_premium_table(counts, reference)
    return (premiums.join(metrics.rates(counts).drop("unknown_rate"), on=["language", "tokenizer"])
            .join(pl.DataFrame(rows), on=["language", "tokenizer"])
            .sort(pl.col("tokenizer").cast(pl.Enum(list(encoded))), "language"))


def _summary(per_language: pl.DataFrame, encoded: dict[str, _Encoded], toks: dict[str, zoo.Tokenizer],
             lengths: dict[str, measures.TokenLengths], alpha: float) -> pl.DataFrame:
    premiums = per_language.select("language", "tokenizer", "premium")
    rows = []
    for name, enc in encoded.items():
        tok = toks[name]
        length = lengths[name]
        rows.append({"tokenizer": name, "family": tok.spec.family, "vocab_size": tok.vocab_size,
                     "fingerprint": tok.fingerprint, **_unigram_row(enc.type_counts, tok.vocab_size, alpha),
                     "bytes_per_type": length.bytes_per_type, "bytes_per_token": length.bytes_per_occurrence,
                     "chars_per_type": length.chars_per_type, "chars_per_token": length.chars_per_occurrence,
                     "tokens": int(enc.type_counts.sum())})
    means = per_language.group_by("tokenizer").agg(pl.col("fertility", "continued", "premium").mean()
                                                  .name.prefix("mean_"))
    return (pl.DataFrame(rows).join(means, on="tokenizer", maintain_order="left")
            .join(metrics.parity(premiums), on="tokenizer", maintain_order="left")
            .join(metrics.inequality(premiums), on="tokenizer", maintain_order="left"))


def _lengths(tok: zoo.Tokenizer, counts: np.ndarray) -> measures.TokenLengths:
    types = np.flatnonzero(counts)
    return measures.token_lengths([tok.token_bytes(int(i)) for i in types], counts[types].tolist())


def _group_table(per_language: pl.DataFrame) -> pl.DataFrame:
    """Mean premium, fertility and Rényi efficiency per script group and per family, for each tokenizer."""
    frames = [per_language.group_by(pl.col(kind).alias("group"), "tokenizer")
              .agg(pl.len().alias("languages"), pl.col("premium", "fertility", "renyi_efficiency").mean())
              .with_columns(pl.lit(kind).alias("grouping")) for kind in ("script_group", "family")]
    return pl.concat(frames).select("grouping", "group", "tokenizer", "languages", "premium", "fertility",
                                    "renyi_efficiency").sort("grouping", "group", "tokenizer")


def ordinary_vocabulary(tok: zoo.Tokenizer) -> frozenset[bytes]:
    """The byte strings of ``tok``'s ordinary tokens (types ``normal`` and ``byte``: no control or markup)."""
    return frozenset(tok.token_bytes(i) for i, kind in enumerate(tok.token_types) if kind in _ORDINARY)


def _pair_table(encoded: dict[str, _Encoded], toks: dict[str, zoo.Tokenizer]) -> pl.DataFrame:
    vocabularies = {name: ordinary_vocabulary(toks[name]) for name in encoded}
    cuts = {name: [c for code in enc.cuts for c in enc.cuts[code]] for name, enc in encoded.items()}
    rows = [{"tokenizer_a": a, "tokenizer_b": b,
             "vocabulary_overlap": measures.vocabulary_overlap(vocabularies[a], vocabularies[b]),
             "segmentation_agreement": measures.segmentation_agreement(cuts[a], cuts[b]) if cuts[a] else None}
            for a, b in itertools.combinations(encoded, 2)]
    schema = {"tokenizer_a": pl.String, "tokenizer_b": pl.String, "vocabulary_overlap": pl.Float64,
              "segmentation_agreement": pl.Float64}
    return pl.DataFrame(rows, schema=schema)


def _length_table(lengths: dict[str, measures.TokenLengths]) -> pl.DataFrame:
    return pl.DataFrame([{"tokenizer": name, "bytes": length, "occurrences": n}
                         for name, dist in lengths.items() for length, n in dist.histogram.items()])


def _provenance(tokenizers: Sequence[zoo.Tokenizer], texts: fairness.CorpusTexts, reference: str,
                alpha: float) -> dict[str, str]:
    versions = {}
    for package in RECORDED_PACKAGES:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return {"date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"), "corpus": str(texts.name),
            "corpus_digest": texts.digest, "languages": str(len(texts.texts)),
            "sentences_per_language": str(len(next(iter(texts.texts.values())))), "reference": reference,
            "alpha": str(alpha), **{f"fingerprint {t.name}": t.fingerprint for t in tokenizers},
            **{f"version {p}": v for p, v in versions.items()}}


# ------------------------------------------------------------------------------------------ write


def check_output(target: str | Path) -> Path:
    """``target`` as a Path once its suffix is a :data:`REPORT_FORMATS` one and its folder exists (else a UsageError).

    Called before any work, so a bad ``--out`` fails at once and nothing is half-written.
    """
    target = Path(target)
    if target.suffix not in REPORT_FORMATS:
        raise unknown_name("report format", target.suffix or "(no suffix)", REPORT_FORMATS)
    if not target.parent.is_dir():
        raise UsageError(f"The folder {target.parent} of the output {target} does not exist. "
                         f"Create it (mkdir -p {target.parent}) or choose another output path.")
    return target


def report_tables(report: ComparisonReport) -> dict[str, pl.DataFrame]:
    """The report's tables by title, in reading order (what the Markdown, LaTeX and HTML outputs show)."""
    return {"Summary per tokenizer": report.summary, "Per language": report.languages,
            "Script groups and families": report.groups, "Tokenizer pairs": report.pairs,
            "Token lengths (bytes per occurrence)": report.lengths}


def _cell(value: object, digits: int = 4) -> str:
    return "—" if value is None else f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def report_markdown(report: ComparisonReport) -> str:
    """The report as Markdown: the reproducibility record, then every table of :func:`report_tables`."""
    lines = ["# Tokenizer comparison", "", "## Reproducibility", "",
             *[f"- **{k}**: `{v}`" for k, v in report.provenance.items()]]
    for title, frame in report_tables(report).items():
        lines += ["", f"## {title}", "", "| " + " | ".join(frame.columns) + " |",
                  "|" + "---|" * len(frame.columns)]
        lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.iter_rows()]
    return "\n".join([*lines, ""])


def report_latex(report: ComparisonReport) -> str:
    """The report's tables as LaTeX ``table`` environments (booktabs), the record as a comment block."""
    escape = lambda s: str(s).replace("\\", r"\textbackslash{}").replace("_", r"\_").replace("&", r"\&") \
        .replace("%", r"\%").replace("#", r"\#")  # noqa: E731
    parts = [f"% {k}: {v}" for k, v in report.provenance.items()]
    for title, frame in report_tables(report).items():
        parts += [r"\begin{table}", r"\centering", f"\\caption{{{escape(title)}}}",
                  r"\begin{tabular}{" + "l" * len(frame.columns) + "}", r"\toprule",
                  " & ".join(escape(c) for c in frame.columns) + r" \\", r"\midrule",
                  *[" & ".join(escape(_cell(v)) for v in row) + r" \\" for row in frame.iter_rows()],
                  r"\bottomrule", r"\end{tabular}", r"\end{table}"]
    return "\n".join([*parts, ""])


def write_report(report: ComparisonReport, target: str | Path) -> Path:
    """Write ``report`` by ``target``'s suffix (:data:`REPORT_FORMATS`), atomically.

    ``.html``: everything with the plots embedded (:func:`workbench.compare.explorer.render_report_html`);
    ``.md``, ``.tex``: every table; ``.csv``, ``.parquet``: the per-language table (one row per
    language and tokenizer, every measure), the one a user analyses further.
    """
    target = check_output(target)
    if target.suffix == ".html":
        from workbench.compare.explorer import render_report_html  # the only drawing step; matplotlib on demand

        return write_atomic(target, render_report_html(report))
    writers = {".md": report_markdown, ".tex": report_latex}
    if target.suffix in writers:
        return write_atomic(target, writers[target.suffix](report))
    table = report.languages
    return write_atomic(target, table.write_csv if target.suffix == ".csv" else table.write_parquet)


# ------------------------------------------------------------------------------------------ leaderboard

#: A leaderboard row is one tokenizer (by fingerprint, so a retrained tokenizer has its own) on one corpus.
LEADERBOARD_KEY = ("fingerprint", "corpus_digest")


def leaderboard_rows(report: ComparisonReport) -> pl.DataFrame:
    """The report's summary with the corpus, its digest, the date, reference and α: rows for a results file."""
    record = report.provenance
    return report.summary.with_columns(
        pl.lit(record["corpus"]).alias("corpus"), pl.lit(record["corpus_digest"]).alias("corpus_digest"),
        pl.lit(record["reference"]).alias("reference"), pl.lit(float(record["alpha"])).alias("alpha"),
        pl.lit(record["date"]).alias("date"))


def append_leaderboard(report: ComparisonReport, target: str | Path) -> pl.DataFrame:
    """Add the report's rows to the Parquet results file ``target`` (created if absent) and return the whole file.

    A row with the same :data:`LEADERBOARD_KEY` is replaced (the newest run wins); other rows stay.
    Written atomically.
    """
    target = Path(target)
    if target.suffix != ".parquet":
        raise UsageError(f"The leaderboard is a Parquet file; got {target}. Use a name ending in .parquet.")
    check_output(target)
    new = leaderboard_rows(report)
    old = pl.read_parquet(target) if target.is_file() else new.clear()
    kept = old.join(new.select(LEADERBOARD_KEY), on=list(LEADERBOARD_KEY), how="anti")
    board = pl.concat([kept, new], how="diagonal_relaxed")
    write_atomic(target, board.write_parquet)
    return board
