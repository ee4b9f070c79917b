"""token-workbench: cached, verified tokenizers, models and corpora, and the metrics of the notebooks.

>>> import workbench
>>> tok = workbench.load_tokenizer("cl100k_base")   # doctest: +SKIP
>>> tok.encode("Hello world")                       # doctest: +SKIP
[9906, 1917]
"""

from workbench.errors import AssetError, OfflineError, UnknownNameError, WorkbenchError

__version__ = "0.1.0"
__all__ = ["AssetError", "OfflineError", "UnknownNameError", "WorkbenchError", "__version__"]
