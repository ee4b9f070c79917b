"""What each tab of the app holds: one :class:`Section` per analysis, its text for readers and its explorers.

The app (:mod:`workbench.app.board`) lays the sections out; this module only says, per analysis, what a reader
who sees no code is told and which existing explorer(s) answer the question: the analyses' own ``*_explorer``
functions (:mod:`workbench.fairness.explorer`, :mod:`workbench.turkish.explorer`, :mod:`workbench.glitch.explorer`,
:mod:`workbench.pruning.explorer`), built on first use so a tab's model is loaded only when the tab is opened.
Sizes follow the one fast-mode switch (:func:`workbench.config.pick`), as in the notebooks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from workbench import config
from workbench.explorers import Explorer

#: Tokenizers of the fairness tab: a few of the zoo, so the tab loads in seconds and in little memory
#: (all eighteen take ~1.3 GB); notebook 01 compares the whole zoo.
FAIRNESS_TOKENIZERS = ("gpt2", "o200k_base", "llama3", "gemma3")
#: Glitch candidates verified by prompting the model, (fast, full), as in notebook 03.
GLITCH_VERIFY = (8, 100)


@dataclass(frozen=True)
class Section:
    """One tab: its ``title``, the ``question`` it answers, ``text`` for readers (HTML), what the fast and the full
    mode compute (``sizes``, HTML), and ``build`` returning its explorers, each with a caption."""

    title: str
    question: str
    text: str
    sizes: tuple[str, str]
    build: Callable[[], list[tuple[str, Explorer]]]


def fairness_languages(corpus: str) -> tuple[list[str], str]:
    """The fairness tab's languages and reference: notebook 01's core set in fast mode, every language in full."""
    from workbench import corpora, fairness

    flores = corpus == "flores200"
    core = ["eng_Latn", *fairness.PETROV_2023_LANGUAGES] if flores else ["eng", "tur", "arb", "hin", "rus", "shn"]
    if config.fast_mode():
        return core, core[0]
    everything = corpora.flores_languages() if flores else corpora.udhr_languages()
    return core + [c for c in everything if c not in core], core[0]


def _fairness() -> list[tuple[str, Explorer]]:
    from workbench import corpora, fairness

    corpus = corpora.default_parallel_corpus()
    languages, reference = fairness_languages(corpus)
    counts = fairness.counts(list(FAIRNESS_TOKENIZERS), corpus, languages, mode="petrov", progress=False)
    shown = [reference, *(c for c in ("tur_Latn", "arb_Arab", "shn_Mymr", "tur", "arb", "shn") if c in languages)]
    return [("<b>What the same text costs.</b> Pick a tokenizer and a price per million tokens: each bar is what "
             "processing the same content costs in one language, the most expensive first.",
             fairness.cost_explorer(counts, reference)),
            ("<b>How the same sentence is cut.</b> Pick tokenizers, languages and a sentence: each coloured box is "
             "one token. Fewer, longer boxes mean cheaper text.",
             fairness.sentence_explorer(corpus, list(FAIRNESS_TOKENIZERS), shown[:4]))]


def _turkish() -> list[tuple[str, Explorer]]:
    from workbench import turkish, zoo

    first = ["o200k_base", "gemma3", "turkish-hybrid"]  # a modern, a multilingual and the Turkish-aware one first
    names = [*first, *(n for n in zoo.list_tokenizers(default_only=True) if n not in first)]
    return [("<b>Type Turkish, see each token's class.</b> Green tokens are real roots or suffixes, yellow whole "
             "words, red pieces that are neither. Below the tokens, the Zemberek analyser's cut of each word.",
             turkish.token_class_explorer(names, "Kitaplarımızı İstanbul'da okuduk; ılık bir günde IŞIKLAR yandı."))]


def _glitch() -> list[tuple[str, Explorer]]:
    from workbench import glitch
    from workbench.glitch import explorer
    from workbench.models import load_model

    model = load_model("gemma3-270m")
    result = glitch.scan(model, verify_top=config.pick(*GLITCH_VERIFY), progress=False)
    return [("<b>The most suspicious tokens of Gemma 3 (270M)</b>, from its input embeddings (table). Pick one to "
             "see its scores and nearest neighbours; type a prompt to see what the model answers.",
             explorer.glitch_explorer(result, model))]


def _pruning() -> list[tuple[str, Explorer]]:
    from workbench.pruning import explorer

    return [("<b>Pick an image, a method and the share of tokens to keep.</b> Dark patches are dropped, patches of "
             "one colour are merged into one token; the title gives how close the result stays to the unpruned "
             "model (cosine 1 = the same) and the time it took.",
             explorer.pruning_explorer())]


SECTIONS: tuple[Section, ...] = (
    Section("Fairness", "Does your language cost more?",
            "The same text, translated, takes a different number of tokens in each language, so speakers of some "
            "languages pay more, wait longer and fit less into a model's context (Petrov et al., 2023).",
            ("notebook 01's 16 core languages (FLORES-200)", "every language of the corpus (204 in FLORES-200)"),
            _fairness),
    Section("Turkish", "Do tokens follow Turkish morphology?",
            "Turkish builds words from a root and a chain of suffixes. A tokenizer whose tokens are real roots and "
            "suffixes is said to be <i>pure</i> (Bayram et al., 2025).",
            ("the text you type", "the text you type"), _turkish),
    Section("Glitch tokens", "Which tokens did the model never learn?",
            "Some tokens are in a model's vocabulary but (almost) never appeared in its training text; the model "
            "misbehaves on them (Land &amp; Bartolo, 2024).",
            (f"{GLITCH_VERIFY[0]} candidates verified by prompting the model",
             f"{GLITCH_VERIFY[1]} candidates verified by prompting the model"), _glitch),
    Section("Visual pruning", "How many image tokens can a vision model drop?",
            "A vision transformer (DINOv2) cuts an image into 256 patches, one token each. Pruning methods keep, "
            "merge or drop tokens so the model runs faster, at some cost in fidelity.",
            ("2 photos", "the 16 photos of the offline set"), _pruning),
)
