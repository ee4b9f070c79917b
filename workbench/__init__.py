"""token-workbench: cached, verified tokenizers, models and corpora, and the analyses of the notebooks.

>>> import workbench
>>> workbench.load_tokenizer("cl100k_base").encode("Hello world")   # doctest: +SKIP
[9906, 1917]

``load_model``, ``load_tokenizer`` and ``list_tokenizers`` are imported on first use, so ``import workbench``
pulls in neither torch nor polars (``workbench --help`` stays light); ``__version__`` is the installed
distribution's (``importlib.metadata``).

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
  :func:`workbench.explorers.show` is the one way a figure, HTML or a key table reaches the screen.

Analyses never import the display layer (``explorers``, ``token_view``); notebooks, the CLI and
``explorer.py`` modules do.
"""

from workbench.errors import AssetError, OfflineError, UnknownNameError, WorkbenchError

__all__ = ["AssetError", "OfflineError", "UnknownNameError", "WorkbenchError", "__version__",
           "list_tokenizers", "load_model", "load_tokenizer"]


def __getattr__(name: str):
    if name == "load_model":
        from workbench.models import load_model

        return load_model
    if name in ("load_tokenizer", "list_tokenizers"):
        from workbench import zoo

        return getattr(zoo, name)
    if name == "__version__":  # the installed distribution's, so it is the wheel's (importlib.metadata costs ~20 ms)
        from importlib import metadata

        try:
            return metadata.version("token-workbench")
        except metadata.PackageNotFoundError:  # a source tree on sys.path without an install
            return "0+unknown"
    raise AttributeError(f"module 'workbench' has no attribute {name!r}")
