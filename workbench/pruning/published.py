"""The pruning papers' own settings that this package follows, each with its source.

Only numbers the code, the tests or notebook 04 take from a paper or its reference code live here; what
we measure ourselves lives in the measuring modules (:mod:`~workbench.pruning.fidelity`,
:mod:`~workbench.pruning.cost`). Unlike its neighbours, this module computes nothing.
"""

from __future__ import annotations

#: EViT (Liang et al., ICLR 2022, "Not All Patches Are What You Need", §4 implementation details): token
#: reorganization in the 4th, 7th and 10th of DeiT-S's 12 blocks, i.e. 0-based blocks 3, 6, 9; scaled to
#: other depths as the fractions 1/4, 1/2, 3/4 (``pruning.default_layers``).
EVIT_LAYERS_12 = (3, 6, 9)

#: FastV (Chen et al., ECCV 2024, "An Image is Worth 1/2 Tokens After Layer 2"): prune after layer K = 2
#: with R = 50 % of the image tokens dropped, the setting of the paper's title.
FASTV_LAYER, FASTV_KEEP = 2, 0.5

#: VisionZip (Yang et al., CVPR 2025; dvlab-research/VisionZip ``visionzip(model, dominant=191,
#: contextual=30)``, where ``dominant`` counts [CLS]): 190 dominant and 30 contextual patch tokens, the
#: 30-of-220 contextual share ``attention.visionzip`` uses by default.
VISIONZIP_DOMINANT, VISIONZIP_CONTEXTUAL = 190, 30

#: ToMe (Bolya et al., ICLR 2023): the facebookresearch/ToMe commit whose ``tome/merge.py`` and
#: ``tome/utils.py`` our ``tome`` module follows and whose ``bipartite_soft_matching`` + ``merge_wavg``
#: produced the test fixture ``tests/fixtures/tome_reference.npz``.
TOME_COMMIT = "af95e4b1befa172dadccd8c81e223b10090f9579"
