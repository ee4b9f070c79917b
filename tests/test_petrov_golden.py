"""Golden test: every zoo tokenizer whose Petrov et al. (2023) column we can rebuild, in all 204 languages.

Source of the expected numbers: Petrov, La Malfa, Torr & Bibi (2023), "Language Model Tokenizers
Introduce Unfairness Between Languages" (NeurIPS), repository AleksandarPetrov/tokenization-fairness,
``assets/tokenization_lengths.csv`` (commit 365c3f85), columns GPT-2, p50k_base, cl100k_base, LLAMA,
Qwen, XLM-RoBERTa, ByT5 and UTF-32, as extracted into ``workbench/data/petrov_2023_tokenization_lengths.csv``
(read through :func:`workbench.fairness.published.published_counts`). Our side: the package's
petrov-mode counts (:func:`workbench.fairness.counts`, results cache reused), so this checks the
recipe, the corpus reading and the tokenizers together. Every (language, tokenizer) cell is compared
exactly; no tokenizer is known to differ, so the expected set of differences is empty for all.
A cold run counts 8 tokenizers over 204 languages (about 5 minutes on 2 cores); warm, seconds.
"""

from __future__ import annotations

import pytest

from workbench import fairness
from workbench.config import shared_data_dir
from workbench.fairness.published import PETROV_2023_COLUMNS, published_counts

#: Cells known to differ from the published count, by zoo name: {language: ours - published}. None today.
KNOWN_DIFFERENCES: dict[str, dict[str, int]] = {tok: {} for tok in PETROV_2023_COLUMNS.values()}

pytestmark = [pytest.mark.skipif(shared_data_dir() is None,
                                 reason="../shared/data (FLORES-200) is not beside the checkout"),
              pytest.mark.xdist_group("petrov_golden")]


@pytest.fixture(scope="module")
def petrov_counts():
    table = fairness.counts(list(PETROV_2023_COLUMNS.values()), "flores200", progress=False)
    return {(r["tokenizer"], r["language"]): r["tokens"] for r in table.iter_rows(named=True)}


def test_the_published_table_covers_all_204_flores_languages():
    languages = {tok: set(published_counts(tok)) for tok in PETROV_2023_COLUMNS.values()}
    assert all(len(codes) == 204 for codes in languages.values())
    assert len({frozenset(codes) for codes in languages.values()}) == 1


@pytest.mark.parametrize("tokenizer", sorted(PETROV_2023_COLUMNS.values()))
def test_every_language_matches_the_published_count(petrov_counts, tokenizer):
    published = published_counts(tokenizer)
    differences = {lang: petrov_counts[(tokenizer, lang)] - count for lang, count in published.items()
                   if petrov_counts[(tokenizer, lang)] != count}
    assert differences == KNOWN_DIFFERENCES[tokenizer]
