"""The figures Petrov et al. (2023) published, with their source: the numbers this analysis reproduces.

Petrov, La Malfa, Torr & Bibi (2023), "Language Model Tokenizers Introduce Unfairness Between
Languages" (NeurIPS), repository AleksandarPetrov/tokenization-fairness:

* ``assets/tokenization_lengths.csv`` — corpus-total token counts per (language, tokenizer) of the
  FLORES-200 dev+devtest string (identical in every commit). Its columns for the tokenizers the zoo
  holds, all 204 languages, are ``workbench/data/petrov_2023_tokenization_lengths.csv`` (rows keyed by
  FLORES code; :func:`published_counts`); :data:`PETROV_2023_COUNTS` is its English, Turkish and Shan rows;
* ``assets/tokenization_lengths_validated.csv`` — premiums vs English, cells blanked where more than
  10% of the text became unknown tokens: :data:`PETROV_2023_PREMIUMS` (2 d.p.).

This is the one place these numbers are written: :mod:`~workbench.fairness.comparison` sets our counts
beside them, and the tests (``tests/test_fairness.py``, ``tests/test_zoo_golden.py``,
``tests/test_petrov_golden.py``: all 204 languages) read them from here. Unlike every other module of the
package, nothing here computes (it only reads that table).

>>> published_tokens("cl100k_base", "eng_Latn")
52835
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

#: The published file's extract: FLORES code, then the counts of :data:`PETROV_2023_COLUMNS`.
PETROV_2023_TABLE = Path(__file__).resolve().parent.parent / "data" / "petrov_2023_tokenization_lengths.csv"
#: Their columns whose tokenizer the zoo holds -> zoo name. RoBERTa, r50k_base and p50k_edit share GPT-2's
#: vocabulary; ByT5 counts UTF-8 bytes (its English 259,396 equals the byte count, no EOS in their recipe);
#: CANINE and UTF-32 count code points.
PETROV_2023_COLUMNS = {"GPT-2": "gpt2", "p50k_base": "p50k_base", "cl100k_base": "cl100k_base", "LLAMA": "llama2",
                       "Qwen": "qwen1", "XLM-RoBERTa": "xlm-roberta", "ByT5": "utf8-bytes", "UTF-32": "unicode-chars"}
#: The FLORES-200 languages whose rows :data:`PETROV_2023_COUNTS` holds, in its column order.
PETROV_2023_COUNTED_LANGUAGES = ("eng_Latn", "tur_Latn", "shn_Mymr")


def published_counts(tokenizer: str) -> dict[str, int]:
    """Petrov et al.'s corpus-total count for zoo ``tokenizer`` in each of the 204 FLORES-200 languages.

    Raises ``KeyError`` for a tokenizer whose column is not in :data:`PETROV_2023_COLUMNS`.

    >>> published_counts("xlm-roberta")["ben_Beng"]
    82135
    """
    return _table()[tokenizer]


@cache
def _table() -> dict[str, dict[str, int]]:
    """:data:`PETROV_2023_TABLE` by zoo name, then FLORES code."""
    lines = [line for line in PETROV_2023_TABLE.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    rows = list(csv.DictReader(lines))
    return {tok: {row["language"]: int(row[column]) for row in rows} for column, tok in PETROV_2023_COLUMNS.items()}


#: Corpus-total counts (English, Turkish, Shan rows of :data:`PETROV_2023_TABLE`) by their column name:
#: (zoo name, eng_Latn, tur_Latn, shn_Mymr).
PETROV_2023_COUNTS: dict[str, tuple[str, int, int, int]] = {
    column: (tok, *(published_counts(tok)[lang] for lang in PETROV_2023_COUNTED_LANGUAGES))
    for column, tok in PETROV_2023_COLUMNS.items()
}
#: Their columns whose vocabulary equals a zoo tokenizer's (so their counts are the same numbers).
PETROV_2023_EQUIVALENT = {"RoBERTa": "gpt2", "r50k_base": "gpt2", "p50k_edit": "p50k_base", "CANINE": "unicode-chars"}
#: Their columns no registry offers (so not reproducible offline): the tokenizer files exist only on the
#: Hugging Face hub (or in fairseq2 for SeamlessM4T), which these machines cannot reach.
PETROV_2023_UNAVAILABLE = ("BLOOM", "NLLB", "SeamlessM4T", "M2M100", "MBart50", "mT5", "FlanT5", "Glot500",
                           "GottBERT", "CamemBERT", "PhoBERT", "RoCBert", "ArabicBERT", "MuRIL", "BERT Japanese")
#: The 15 languages of :data:`PETROV_2023_PREMIUMS`, in its column order.
PETROV_2023_LANGUAGES = ("tur_Latn", "shn_Mymr", "mya_Mymr", "deu_Latn", "fra_Latn", "spa_Latn", "zho_Hans",
                         "jpn_Jpan", "kor_Hang", "arb_Arab", "hin_Deva", "rus_Cyrl", "dzo_Tibt", "ory_Orya", "sat_Olck")
#: Premiums vs English (2 d.p.), ``tokenization_lengths_validated.csv``, by zoo name; ``None`` where they
#: blanked the cell (> 10% unknown tokens).
PETROV_2023_PREMIUMS: dict[str, tuple[float | None, ...]] = {
    "gpt2": (2.43, 18.76, 16.89, 2.14, 2.00, 1.99, 3.21, 3.00, 5.07, 4.40, 7.46, 5.74, 16.36, 13.38, 12.86),
    "cl100k_base": (1.91, 15.05, 11.70, 1.58, 1.60, 1.55, 1.91, 2.30, 2.38, 3.04, 4.79, 2.49, 12.33, 12.48, 12.80),
    "llama2": (2.09, 11.85, 8.37, 1.41, 1.47, 1.45, 2.00, 2.24, 3.18, 3.42, 4.60, 1.64, 7.42, 11.59, 11.92),
    "qwen1": (1.61, 10.51, 8.99, 1.55, 1.57, 1.52, 1.07, 1.46, 1.64, 1.63, 4.47, 1.75, 8.19, 9.79, 8.99),
    "xlm-roberta": (1.04, 4.43, 1.72, 1.17, 1.30, 1.20, 0.97, 1.11, 1.16, 1.18, 1.25, 1.17, None, 1.45, None),
    "utf8-bytes": (1.12, 3.94, 3.51, 1.18, 1.24, 1.21, 0.93, 1.27, 1.20, 1.60, 2.55, 1.98, 3.64, 2.73, 2.79),
    "unicode-chars": (1.03, 1.42, 1.24, 1.17, 1.19, 1.19, 0.34, 0.44, 0.51, 0.88, 1.00, 1.09, 1.25, 1.03, 1.06),
}
#: Petrov et al.'s ``THRESHOLD_FOR_TOO_MANY_UNKNOWN``: a cell with a larger unknown share is blanked.
UNKNOWN_THRESHOLD = 0.1


def published_tokens(tokenizer: str, language: str) -> int:
    """The corpus-total count Petrov et al. give for zoo ``tokenizer`` on ``language`` (:func:`published_counts`).

    Raises ``KeyError`` for a tokenizer or language they did not publish.
    """
    return published_counts(tokenizer)[language]
