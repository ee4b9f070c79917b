"""Published facts the comparison measures are tested against, each with its source.

tokenization-scorer (Zouhar et al. 2023, "Tokenization and the Noiseless Channel", ACL; package
``tokenization-scorer`` on PyPI, repository zouharvi/tokenization-scorer, README "Usage"): Rényi
efficiency of two whitespace-split token streams. The README prints the values of the package's
default order α = 3.0, although its example call passes ``power=2.5``; the values at α = 2.5 follow
from the same definition (``H_α / log |V_observed|``) and are checked here too.
"""

from __future__ import annotations

#: The README's two token streams (whitespace-separated tokens).
SCORER_STREAMS = ("pick @@ed pick @@l @@ed pick @@les", "pick @@e @@d pick @@l @@e @@d pick @@l @@e @@s")
#: (stream, α) -> Rényi efficiency. α = 3.0: printed in the README; α = 2.5: the paper's order, same definition.
SCORER_RENYI_EFFICIENCY: dict[tuple[str, float], float] = {
    (SCORER_STREAMS[0], 3.0): 0.8031528501359657,
    (SCORER_STREAMS[1], 3.0): 0.9105681923824472,
    (SCORER_STREAMS[0], 2.5): 0.8265064834225245,
    (SCORER_STREAMS[1], 2.5): 0.9204840242168808,
}
