"""The figures Bayram et al. (2025) published, with their source: the numbers this analysis sets beside its own.

Bayram et al. (2025), "Tokenization Standards for Linguistic Integrity: Turkish as a
Benchmark" (arXiv 2502.07057), repository ``malibayram/tokenizer_benchmark``:

* ``paper/results_and_analysis.tex``, table ``tab:tokenizer-benchmark`` (matching
  ``tokenizer_score_maps.csv`` at commits dca360d/fde4f2e): per tokenizer %TR, %Pure, token count,
  unique tokens and the TR-MMLU accuracy of its model — :data:`BAYRAM_2025_TABLE`;
* the same section's worked example for gemma-2, the counts behind its percentages —
  :data:`BAYRAM_2025_GEMMA2_TYPES`.

These are facts, not our results, and nobody can re-run them (their judge was an online ITU service).
This is the one place these numbers are written: :mod:`~workbench.turkish.correlation` tests the
paper's %TR ↔ TR-MMLU claim on them, and the tests read them from here. Unlike every other module
of the package, nothing here computes. :data:`BAYRAM_2025_ZOO_EQUIVALENTS` is ours: which zoo
tokenizer stands for each of their columns.

>>> BAYRAM_2025_TABLE[0]["paper_name"], BAYRAM_2025_TABLE[0]["tr"]
('gemma-2', 48.63)
"""

from __future__ import annotations

#: The paper's 8-tokenizer table: name, %TR, %Pure, token count, unique tokens, TR-MMLU (%).
#: Percentages are over unique token types (the paper's code). Source: the module docstring.
BAYRAM_2025_TABLE: tuple[dict[str, object], ...] = (
    {"paper_name": "gemma-2", "tr": 48.63, "pure": 37.05, "tokens": 497015, "unique": 6383, "mmlu": 72.10},
    {"paper_name": "llama-3.1", "tr": 45.80, "pure": 30.91, "tokens": 488535, "unique": 6823, "mmlu": 70.42},
    {"paper_name": "EuroLLM", "tr": 47.01, "pure": 35.17, "tokens": 497173, "unique": 5226, "mmlu": 51.29},
    {"paper_name": "Qwen2.5", "tr": 40.33, "pure": 30.15, "tokens": 561866, "unique": 5752, "mmlu": 61.68},
    {"paper_name": "aya-exp", "tr": 50.67, "pure": 32.96, "tokens": 434526, "unique": 8562, "mmlu": 70.66},
    {"paper_name": "Mistral", "tr": 45.27, "pure": 36.08, "tokens": 534930, "unique": 4354, "mmlu": 46.89},
    {"paper_name": "Phi3.5", "tr": 43.93, "pure": 34.42, "tokens": 803971, "unique": 3640, "mmlu": 29.37},
    {"paper_name": "gpt4o", "tr": 42.14, "pure": 28.68, "tokens": 491137, "unique": 7615, "mmlu": 84.84},
)

#: gemma-2's unique token types judged Turkish (%TR) and pure (%Pure): 3,104 / 6,383 = 48.63 %,
#: 2,365 / 6,383 = 37.05 % (``paper/results_and_analysis.tex``).
BAYRAM_2025_GEMMA2_TYPES: dict[str, int] = {"tr": 3104, "pure": 2365}

#: Their column → the zoo tokenizer with the same (or, where noted, near-identical) vocabulary, and why.
BAYRAM_2025_ZOO_EQUIVALENTS: dict[str, tuple[str | None, str]] = {
    "gemma-2": (None, "Gemma 2's 256k vocabulary is not in the zoo (gemma3 is a different 262k vocabulary)"),
    "llama-3.1": ("llama3", "same 128,256 vocabulary; the authors actually ran Llama-3.2-3B's tokenizer"),
    "EuroLLM": (None, "not obtainable from a package registry"),
    "Qwen2.5": ("qwen2", "same byte-level BPE (Qwen2/2.5)"),
    "aya-exp": ("command-r", "Cohere's 256k tokenizer; Aya Expanse's 255,029-entry variant is assumed, not verified, "
                "to share its merges"),
    "Mistral": ("mistral-tekken", "Tekken, the Mistral-NeMo tokenizer the authors ran"),
    "Phi3.5": ("phi3", "Phi-3 SentencePiece model; Phi-3.5-mini adds a few special tokens"),
    "gpt4o": ("o200k_base", "the exact tiktoken encoding the authors ran"),
}
