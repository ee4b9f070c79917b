"""Bring your own tokenizer: any library object or tokenizer file behind the zoo's :class:`~workbench.zoo.Tokenizer`.

Where :mod:`~workbench.zoo.registry` builds the *named* zoo tokenizers from verified assets, this
module takes what a user already has and puts it behind the same adapter, through the same backends
(:class:`~workbench.zoo.HFBackend`, :class:`~workbench.zoo.SentencePieceBackend`,
:class:`~workbench.zoo.TiktokenBackend`), so every metric means the same thing for it:

- :func:`wrap` takes a ``tokenizers.Tokenizer``, a ``transformers`` tokenizer (fast, or slow: converted
  by ``transformers``' own ``convert_slow_tokenizer``), a ``tiktoken.Encoding``, a
  ``sentencepiece.SentencePieceProcessor``, or a workbench :class:`~workbench.zoo.Tokenizer`;
- :func:`from_path` takes a ``tokenizer.json``, a Hugging Face tokenizer directory, a SentencePiece
  ``.model``, a tiktoken rank file (``.tiktoken``, its split pattern given or one of :data:`PATTERN_PRESETS`)
  or a GGUF file (its vocabulary, converted by :mod:`~workbench.zoo.gguf_vocab`);
- :func:`resolve` is the edge every analysis calls: a zoo name, ``hf:<repo>``, a path or an object in,
  a :class:`~workbench.zoo.Tokenizer` out;
- :func:`content_fingerprint` is the identity of a tokenizer by what decides its output (vocabulary,
  merges or scores, normaliser, pre-tokenizer, special tokens, :data:`~workbench.zoo.CONVERTER_VERSION`),
  never by its name: :attr:`Tokenizer.fingerprint <workbench.zoo.Tokenizer.fingerprint>` and every
  derived cache key use it.

>>> from tokenizers import Tokenizer as HFTokenizer                 # doctest: +SKIP
>>> tok = wrap(HFTokenizer.from_file("tokenizer.json"), name="mine")  # doctest: +SKIP
>>> tok.fingerprint[:12]                                             # doctest: +SKIP
'3f0c...'
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.cache import digest
from workbench.errors import UsageError
from workbench.zoo import gguf_vocab, hf_json, ranks, spm
from workbench.zoo.adapter import Backend, Tokenizer
from workbench.zoo.baselines import BaselineBackend
from workbench.zoo.hybrid import TurkishHybridBackend

if TYPE_CHECKING:
    from workbench.zoo.registry import TokenizerSpec

#: Split patterns of :func:`from_path` for ``.tiktoken`` rank files, by the encoding that uses them
#: (tiktoken's own for the OpenAI ones, llama.cpp's ``llama-bpe`` for Llama 3).
PATTERN_PRESETS = ("gpt2", "cl100k_base", "o200k_base", "llama3")
#: What :func:`from_path` and :func:`wrap` accept, in words (for error messages).
ACCEPTED_PATHS = ("a tokenizer.json file", "a Hugging Face tokenizer directory (tokenizer.json, or files "
                  "transformers' AutoTokenizer reads)", "a SentencePiece .model file",
                  "a tiktoken rank file (.tiktoken; pattern= a regex or one of " + ", ".join(PATTERN_PRESETS) + ")",
                  "a GGUF file (.gguf)")
ACCEPTED_OBJECTS = ("tokenizers.Tokenizer", "a transformers tokenizer (fast or slow)", "tiktoken.Encoding",
                    "sentencepiece.SentencePieceProcessor", "workbench.zoo.Tokenizer")


def wrap(obj: object, name: str | None = None) -> Tokenizer:
    """``obj`` (any of :data:`ACCEPTED_OBJECTS`) behind the zoo adapter, named ``name``.

    The library object is not changed (a ``tokenizers.Tokenizer`` is copied, since the backend turns
    padding and truncation off); a workbench :class:`Tokenizer` is returned as it is, or renamed.
    """
    if isinstance(obj, Tokenizer):
        return obj if name in (None, obj.name) else Tokenizer(user_spec(name, obj.spec.family), obj._backend)
    backend, family = _backend_of(obj)
    return Tokenizer(user_spec(name or _default_name(obj), family), backend)


def _backend_of(obj: object) -> tuple[Backend, str]:
    """The zoo backend running ``obj`` and the family it is listed under."""
    module = type(obj).__module__.split(".")[0]
    if module == "tokenizers":
        from tokenizers import Tokenizer as HFTokenizer

        return hf_json.HFBackend(HFTokenizer.from_str(obj.to_str())), "tokenizers"
    if module == "tiktoken":
        return ranks.TiktokenBackend(obj), "tiktoken"
    if module == "sentencepiece":
        return spm.SentencePieceBackend(obj), "sentencepiece"
    if module == "transformers":
        return _transformers_backend(obj), "transformers"
    raise UsageError(f"Cannot wrap a {type(obj).__module__}.{type(obj).__name__}. wrap() takes "
                     f"{', '.join(ACCEPTED_OBJECTS)}; load_tokenizer() takes a zoo name, hf:<repo>, or "
                     f"{'; '.join(ACCEPTED_PATHS)}.")


def _transformers_backend(obj: object) -> Backend:
    """A fast tokenizer's own ``tokenizers`` object (copied), or a slow one converted as ``transformers`` does."""
    from tokenizers import Tokenizer as HFTokenizer

    inner = getattr(obj, "backend_tokenizer", None)
    if inner is None:
        from transformers.convert_slow_tokenizer import convert_slow_tokenizer

        inner = convert_slow_tokenizer(obj)
    return hf_json.HFBackend(HFTokenizer.from_str(inner.to_str()))


def _default_name(obj: object) -> str:
    named = getattr(obj, "name_or_path", None) or getattr(obj, "name", None)
    return str(named) if isinstance(named, str) and named else type(obj).__name__


def user_spec(name: str, family: str) -> TokenizerSpec:
    """The registry-style entry of a tokenizer the user brings or trains (no assets, not a default)."""
    from workbench.zoo.registry import TokenizerSpec

    return TokenizerSpec(name, family, f"user tokenizer ({family})", (), lambda s: None, "the user's own",
                         default=False)


# ------------------------------------------------------------------------------------------ files


def from_path(path: str | Path, *, name: str | None = None, pattern: str | None = None,
              special_tokens: dict[str, int] | None = None) -> Tokenizer:
    """The tokenizer in ``path`` (any of :data:`ACCEPTED_PATHS`), named ``name`` (default: the path as given).

    ``pattern`` (``.tiktoken`` files only) is the pre-tokenizer regex or one of :data:`PATTERN_PRESETS`;
    ``special_tokens`` (``.tiktoken`` only) maps added token strings to ids.
    """
    target = Path(path)
    name = name or str(path)
    if not target.exists():
        raise UsageError(f"No tokenizer at {target}: the path does not exist. Give {'; '.join(ACCEPTED_PATHS)}, "
                         "or a zoo name (workbench tokenizers lists them).")
    if target.is_dir():
        return _from_directory(target, name)
    suffix = target.suffix.lower()
    if suffix != ".tiktoken" and (pattern is not None or special_tokens):
        raise UsageError(f"pattern= and special_tokens= are for .tiktoken rank files only, not {target.name}.")
    if suffix == ".json":
        return Tokenizer(user_spec(name, "tokenizers"), _checked(target, "tokenizer.json", hf_json.from_file))
    if suffix == ".model":
        return Tokenizer(user_spec(name, "sentencepiece"), _checked(target, "SentencePiece model", spm.from_file))
    if suffix == ".tiktoken":
        return Tokenizer(user_spec(name, "tiktoken"), _tiktoken_file(target, pattern, special_tokens or {}))
    if suffix == ".gguf":
        return Tokenizer(user_spec(name, "gguf"), _checked(target, "GGUF file", _gguf_backend))
    raise UsageError(f"Unrecognised tokenizer file {target} (suffix '{target.suffix}'). "
                     f"Accepted: {'; '.join(ACCEPTED_PATHS)}.")


def _checked(target: Path, kind: str, build) -> Backend:
    """``build(target)``, a library's parse error turned into one that names the file and its expected kind."""
    try:
        return build(target)
    except UsageError:
        raise
    except Exception as exc:  # each library raises its own types for a malformed file
        raise UsageError(f"{target} is not a readable {kind} ({type(exc).__name__}: {str(exc)[:200]}).") from exc


def holds_tokenizer(folder: str | Path) -> bool:
    """True when ``folder`` holds a Hugging Face tokenizer's files (``tokenizer*``, a ``*.model`` or ``vocab.txt``),
    as a model directory saved with its tokenizer does."""
    folder = Path(folder)
    return any(folder.glob("tokenizer*")) or any(folder.glob("*.model")) or (folder / "vocab.txt").exists()


def _from_directory(folder: Path, name: str) -> Tokenizer:
    """A Hugging Face tokenizer directory: its ``tokenizer.json``, else what ``AutoTokenizer`` makes of it."""
    if (folder / "tokenizer.json").is_file():
        return from_path(folder / "tokenizer.json", name=name)
    if not holds_tokenizer(folder):
        raise UsageError(f"The folder {folder} holds no tokenizer (no tokenizer.json, tokenizer_config.json, "
                         f"*.model or vocab.txt). Accepted: {'; '.join(ACCEPTED_PATHS)}.")
    from transformers import AutoTokenizer

    loaded = _checked(folder, "Hugging Face tokenizer directory",
                      lambda f: AutoTokenizer.from_pretrained(str(f), local_files_only=True))
    return wrap(loaded, name=name)


def _tiktoken_file(target: Path, pattern: str | None, special_tokens: dict[str, int]) -> Backend:
    """A ``.tiktoken`` rank file run by tiktoken with ``pattern`` (a preset name or a regex)."""
    import tiktoken
    from tiktoken.load import load_tiktoken_bpe

    if pattern is None:
        raise UsageError(f"{target} is a tiktoken rank file, which does not hold its split pattern: pass "
                         f"pattern= (a regex, or one of {', '.join(PATTERN_PRESETS)}), e.g. "
                         f"load_tokenizer('{target}', pattern='cl100k_base') or --tiktoken-pattern cl100k_base.")
    regex = split_pattern(pattern)
    mergeable = _checked(target, "tiktoken rank file",
                         lambda f: load_tiktoken_bpe(str(f), expected_hash=digest(f)))
    return ranks.TiktokenBackend(tiktoken.Encoding(target.stem, pat_str=regex, mergeable_ranks=mergeable,
                                                   special_tokens=special_tokens))


def split_pattern(pattern: str) -> str:
    """The regex of a :data:`PATTERN_PRESETS` name, or ``pattern`` itself (any other string is taken as a regex)."""
    if pattern == "llama3":
        return gguf_vocab.PRE_TOKENIZER_REGEXES["llama-bpe"][0]
    if pattern in PATTERN_PRESETS:
        return ranks.openai_pattern("r50k_base" if pattern == "gpt2" else pattern)
    return pattern


def _gguf_backend(target: Path) -> Backend:
    """A GGUF file's vocabulary as the zoo converts it: byte-level BPE JSON or a SentencePiece model."""
    fields = gguf_vocab.read_fields(target)
    if "model" not in fields:
        raise UsageError(f"{target} is a GGUF file without a tokenizer (no tokenizer.ggml.model field).")
    if gguf_vocab.model_type(fields) == "gpt2":
        from tokenizers import Tokenizer as HFTokenizer

        return hf_json.HFBackend(HFTokenizer.from_str(gguf_vocab.to_bpe_json(fields)), byte_level=True)
    import sentencepiece

    proto = gguf_vocab.to_sentencepiece(fields)
    return spm.SentencePieceBackend(sentencepiece.SentencePieceProcessor(model_proto=proto))


# ------------------------------------------------------------------------------------------ identity


def content_fingerprint(backend: Backend) -> str:
    """sha256 of what decides ``backend``'s output, whatever it is named.

    ``tokenizers``: its full serialisation (model with vocabulary and merges or scores, normaliser,
    pre-tokenizer, added tokens, decoder); SentencePiece: the serialized model proto (pieces, scores,
    normaliser spec); tiktoken: ranks, split pattern, special tokens, id shift and NFC step; baselines:
    their unit; the Turkish hybrid: its package version. Each with :data:`~workbench.zoo.CONVERTER_VERSION`.
    """
    from workbench.zoo.registry import CONVERTER_VERSION

    h = hashlib.sha256(f"{type(backend).__name__}|{CONVERTER_VERSION}|".encode())
    for part in _content_parts(backend):
        h.update(part if isinstance(part, bytes) else part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def _content_parts(backend: Backend) -> list[bytes | str]:
    if isinstance(backend, hf_json.HFBackend):
        return [backend.tok.to_str(), str(backend.byte_level)]
    if isinstance(backend, spm.SentencePieceBackend):
        return [backend.sp.serialized_model_proto()]
    if isinstance(backend, ranks.TiktokenBackend):
        enc = backend.enc
        ordered = sorted(enc._mergeable_ranks.items(), key=lambda kv: kv[1])
        tokens = b"".join(len(t).to_bytes(2, "big") + t for t, _ in ordered)
        return [enc._pat_str, json.dumps(sorted(enc._special_tokens.items())), str(backend.offset),
                json.dumps(backend.reserved), str(backend.nfc), tokens, json.dumps([r for _, r in ordered])]
    if isinstance(backend, BaselineBackend):
        return [backend.unit]
    if isinstance(backend, TurkishHybridBackend):
        return [importlib.metadata.version("turkish-tokenizer")]
    raise UsageError(f"No content fingerprint for a {type(backend).__name__} backend: add it to "
                     "workbench.zoo.wrapping._content_parts.")


def resolve(tokenizer: object, *, pattern: str | None = None) -> Tokenizer:
    """The :class:`Tokenizer` for a zoo name, ``hf:<repo>``, a path (:func:`from_path`) or an object (:func:`wrap`).

    The one edge every analysis resolves its ``tokenizers`` through, so each accepts all of them.
    """
    from workbench.zoo.registry import load_tokenizer, zoo_tokenizer

    if isinstance(tokenizer, Tokenizer):
        return tokenizer
    if is_zoo_name(tokenizer):
        return zoo_tokenizer(tokenizer)  # built on first use: a result served from cache loads nothing
    if isinstance(tokenizer, str | Path):
        return load_tokenizer(tokenizer, pattern=pattern)
    return wrap(tokenizer)


def resolve_all(tokenizers: Sequence[str | Tokenizer | object]) -> list[Tokenizer]:
    """Each of ``tokenizers`` as a :class:`~workbench.Tokenizer` (:func:`resolve`); two
    different tokenizers under one name are refused, since results are labelled by name."""
    toks = [resolve(t) for t in tokenizers]
    names = [t.name for t in toks]
    clash = sorted({n for n in names if names.count(n) > 1
                    and len({t.fingerprint for t in toks if t.name == n}) > 1})
    if clash:
        raise UsageError(f"Two different tokenizers are both named {', '.join(map(repr, clash))}: results are "
                         "labelled by name. Rename one: workbench.zoo.wrap(tokenizer, name='...').")
    return toks


def is_zoo_name(tokenizer: object) -> bool:
    """True for a zoo registry name (a ``str`` in :data:`~workbench.zoo.REGISTRY`), False for anything else."""
    from workbench.zoo.registry import REGISTRY

    return isinstance(tokenizer, str) and tokenizer in REGISTRY
