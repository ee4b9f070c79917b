"""token-workbench: cached, verified tokenizers, models and corpora, and the metrics of the notebooks.

>>> import workbench
>>> workbench.load_tokenizer("cl100k_base").encode("Hello world")   # doctest: +SKIP
[9906, 1917]

``load_model`` is imported on first use, so ``import workbench`` does not pull in torch.
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
