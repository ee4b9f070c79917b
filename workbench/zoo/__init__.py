"""The tokenizer zoo: one registry of real tokenizers and one adapter in front of all of them.

>>> from workbench import zoo
>>> tok = zoo.load_tokenizer("cl100k_base")   # doctest: +SKIP
>>> tok.encode("Hello world")                 # doctest: +SKIP
[9906, 1917]

The modules, one concept each:

- :mod:`~workbench.zoo.adapter`: the contract (:class:`Tokenizer`, :class:`Piece`, :class:`Backend`,
  :data:`TokenType`, :func:`check_text`), the same for every library;
- one backend module per tokenizer family, each putting one library behind :class:`Backend`:
  :mod:`~workbench.zoo.ranks` (tiktoken rank tables), :mod:`~workbench.zoo.hf_json` (Hugging Face
  ``tokenizer.json``), :mod:`~workbench.zoo.spm` (SentencePiece), :mod:`~workbench.zoo.baselines`
  (bytes, code points), :mod:`~workbench.zoo.hybrid` (the Turkish roots + suffixes tokenizer);
- :mod:`~workbench.zoo.gguf_vocab`: llama.cpp GGUF vocabularies rebuilt as ``tokenizers`` JSON or
  SentencePiece models;
- :mod:`~workbench.zoo.registry`: the named tokenizers, where each comes from and how it is built;
- :mod:`~workbench.zoo.wrapping`: the user's own tokenizers (library objects, files, folders) behind the same
  adapter, and the content fingerprint that identifies any tokenizer;
- :mod:`~workbench.zoo.training`: train BPE, Unigram, WordPiece (``tokenizers``) or SentencePiece tokenizers
  on a FLORES language mix or the user's texts, cached by content;
- :mod:`~workbench.zoo.round_trip`: whether a tokenizer gives a text back, and if not, why.

To add a tokenizer: one entry in ``registry._SPECS`` (and a new backend module only for a new library).
"""

from workbench.zoo.adapter import Backend, Piece, Tokenizer, TokenType, check_text
from workbench.zoo.baselines import BaselineBackend
from workbench.zoo.hf_json import HFBackend
from workbench.zoo.hybrid import TurkishHybridBackend
from workbench.zoo.ranks import TiktokenBackend, parse_js_tiktoken_ranks
from workbench.zoo.registry import (
    CONVERTER_VERSION,
    GOLDEN_VECTORS,
    REGISTRY,
    TokenizerSpec,
    describe,
    encoder,
    fingerprint,
    list_tokenizers,
    load_tokenizer,
    loaded_file,
    spec,
)
from workbench.zoo.round_trip import REASONS, Reason, RoundTrip, round_trip, round_trip_table, round_trips
from workbench.zoo.spm import SentencePieceBackend
from workbench.zoo.wrapping import (
    PATTERN_PRESETS,
    content_fingerprint,
    from_path,
    is_zoo_name,
    resolve,
    resolve_all,
    wrap,
)

__all__ = ["CONVERTER_VERSION", "GOLDEN_VECTORS", "PATTERN_PRESETS", "REASONS", "REGISTRY", "Backend",
           "BaselineBackend", "HFBackend", "Piece", "Reason", "RoundTrip", "SentencePieceBackend", "TiktokenBackend",
           "TokenType", "Tokenizer", "TokenizerSpec", "TurkishHybridBackend", "check_text", "content_fingerprint",
           "describe", "encoder", "fingerprint", "from_path", "is_zoo_name", "list_tokenizers", "load_tokenizer",
           "loaded_file",
           "parse_js_tiktoken_ranks", "resolve", "resolve_all", "round_trip", "round_trip_table", "round_trips", "spec",
           "wrap"]
