"""The settings Land & Bartolo (2024) published with their method, with their source: what this analysis follows.

Land & Bartolo (2024), "Fishing for Magikarp: Automatically Detecting Under-trained Tokens in Large
Language Models" (EMNLP 2024, arXiv 2405.05417), code ``cohere-ai/magikarp``:

* ``magikarp/utils.py::embedding_distance_metrics`` — the norm clip of the cosine distances,
  :data:`LAND_BARTOLO_2024_NORM_CLIP`;
* ``DEFAULT_THRESHOLD_PERCENTILE`` — the shortlist keeps normal tokens at or below this percentile
  of the indicator, :data:`LAND_BARTOLO_2024_SHORTLIST_PERCENTILE` (the paper's "2nd percentile");
* ``magikarp/fishing.py`` — the three ``VERIFICATION_PROMPTS`` (:data:`LAND_BARTOLO_2024_PROMPTS`),
  the greedy steps decoded after each (:data:`LAND_BARTOLO_2024_NEW_TOKENS`) and ``p_verify_threshold``,
  below which a token is verified under-trained (:data:`LAND_BARTOLO_2024_VERIFY_THRESHOLD`).

This is the one place these values are written: :mod:`~workbench.glitch.indicators` and
:mod:`~workbench.glitch.verification` take their defaults from here, and the tests read them here.
Unlike every other module of the package, nothing here computes.

>>> LAND_BARTOLO_2024_SHORTLIST_PERCENTILE, LAND_BARTOLO_2024_VERIFY_THRESHOLD
(2.0, 0.01)
"""

from __future__ import annotations

#: ``1 - M_i . c / max(|M_i| |c|, clip)``: magikarp's clip of the norm product.
LAND_BARTOLO_2024_NORM_CLIP = 1e-6
#: Candidates: normal tokens whose indicator is at or below this percentile of the normal tokens.
LAND_BARTOLO_2024_SHORTLIST_PERCENTILE = 2.0
#: Greedy tokens generated after each verification prompt; the candidate's probability is read at each.
LAND_BARTOLO_2024_NEW_TOKENS = 3
#: A candidate is verified (under-trained) when its max probability over steps and prompts stays below this.
LAND_BARTOLO_2024_VERIFY_THRESHOLD = 0.01
#: ``VERIFICATION_PROMPTS``: (name, repeats, preamble, input phrase, completion); ``{token}`` is the candidate.
LAND_BARTOLO_2024_PROMPTS: tuple[tuple[str, int, str, str, str], ...] = (
    ("input_output", 20,
     "This device repeats its input exactly, as shown in these 100 identical trials.",
     "\nInput: «{token}»\nOutput:", " «{token}»"),
    ("assistant_explain", 0,
     "This helpful assistant explains what a phrase means, replying with identical responses to "
     "identical questions for reliability.",
     "\nUser: What does 'edslfkj' mean?\nAssistant: 'edslfkj' has no specific meaning I am aware of."
     "\nUser: what does '{token}' mean?\nAssistant:", " '{token}'"),
    ("repeats", 50,
     "Below is the output, as you can see it's just giving the same phrase repeated indefinitely:\n",
     "{token}", "{token}"),
)
