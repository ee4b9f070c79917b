"""token-workbench: cached, verified tokenizers, models and corpora, and the analyses of the notebooks.

>>> import workbench
>>> workbench.load_tokenizer("cl100k_base").encode("Hello world")   # doctest: +SKIP
[9906, 1917]

``load_model`` is imported on first use, so ``import workbench`` does not pull in torch.

The layout: shared plumbing (``config``, ``errors``, ``assets``, ``stats``, ``notebook``, ``reports``,
``cli``), the things analyses measure (``zoo/`` tokenizers, ``models/``, ``corpora/``), and one package per
analysis of the same shape (``fairness/``, ``turkish/``, ``glitch/``, ``pruning/``): one module per concept,
``published.py`` with the paper's figures and their source, ``explorer.py`` with the render and widget
layers, ``cli.py`` with its sub-commands.

The widget contract, the same in every analysis:

- ``compute_*`` returns a frozen dataclass or a polars frame and changes nothing;
- ``render_*`` returns a matplotlib ``Figure`` or an HTML string and imports no model code;
- ``*_explorer(...)`` returns a :class:`workbench.explorers.Explorer`: ``.controls`` (widgets by
  parameter name), ``.result`` (the current ``compute_*`` result) and ``.output``;
  :func:`workbench.explorers.show` is the one way a figure or HTML reaches the screen.

Analyses never import the display layer (``explorers``, ``token_view``); notebooks, the CLI and
``explorer.py`` modules do.
"""

from workbench.errors import AssetError, OfflineError, UnknownNameError, WorkbenchError
from workbench.zoo import list_tokenizers, load_tokenizer

__version__ = "0.1.0"
__all__ = ["AssetError", "OfflineError", "UnknownNameError", "WorkbenchError", "__version__",
           "list_tokenizers", "load_model", "load_tokenizer"]


def __getattr__(name: str):
    if name == "load_model":
        from workbench.models import load_model

        return load_model
    raise AttributeError(f"module 'workbench' has no attribute {name!r}")
