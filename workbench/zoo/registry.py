"""The registry: every zoo tokenizer by name, where its vocabulary comes from, and how it is built.

The one list of supported tokenizers (:data:`REGISTRY`): it drives the CLI (``workbench
tokenizers``), the notebooks' default set and the golden tests (:data:`GOLDEN_VECTORS`, llama.cpp's
reference ids). Where :mod:`workbench.zoo.adapter` is the contract and the backend modules put one
library each behind it, this module is the glue: it takes each tokenizer's verified asset from
:mod:`workbench.assets`, converts it once where needed (llama.cpp GGUF vocabularies by
:mod:`workbench.zoo.gguf_vocab`, js-tiktoken's p50k table by :mod:`workbench.zoo.ranks`) into a cache
keyed by the asset's sha256 and :data:`CONVERTER_VERSION`, and hands it to its backend: a byte-level
BPE ``tokenizer.json`` goes to tiktoken's core where :mod:`workbench.zoo.tiktoken_path` proves it the
same tokenizer, else to ``tokenizers`` (:func:`encoder` says which, and why). ``hf:<repo>``
loads a Hugging Face hub tokenizer instead.

>>> from workbench.zoo import load_tokenizer, spec
>>> spec("gpt2").family
'OpenAI'
>>> load_tokenizer("cl100k_base").count("Hello world")    # doctest: +SKIP
2
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from workbench import assets
from workbench import cache as verified_cache
from workbench.config import cache_dir
from workbench.errors import OfflineError, unknown_name
from workbench.zoo import gguf_vocab, hf_json, ranks, spm, tiktoken_path
from workbench.zoo.adapter import Backend, Tokenizer
from workbench.zoo.baselines import BaselineBackend
from workbench.zoo.hybrid import TurkishHybridBackend

#: Bump whenever a tokenizer's output changes: it keys every derived cache (3: converted files carry a sidecar;
#: 5: xlm-roberta is a Unigram tokenizer.json, no longer a SentencePiece model).
CONVERTER_VERSION = "5"


@dataclass(frozen=True)
class TokenizerSpec:
    """A registry entry: the name users type, where the vocabulary comes from, and how to build it."""

    name: str
    family: str
    description: str
    assets: tuple[str, ...]
    build: Callable[[TokenizerSpec], Backend] = field(repr=False, compare=False)
    licence: str = ""
    default: bool = True
    #: How the first asset becomes the file the backend loads (None: the asset is loaded as it is),
    #: and that file's suffix; see :func:`loaded_file`.
    convert: Callable[[Path], bytes | str] | None = field(default=None, repr=False, compare=False)
    suffix: str = ""

    @property
    def source(self) -> str:
        """Where the vocabulary comes from (registry package) in words."""
        if not self.assets:
            return "built in"
        return "; ".join(s for s in dict.fromkeys(
            f"{assets.REGISTRY_NAMES[src.registry]} {src.spec}" for a in self.assets for src in assets.get(a).sources))


def _asset_file(spec: TokenizerSpec) -> Path:
    """The verified file of the spec's first asset."""
    return assets.path(spec.assets[0])


def loaded_file(spec: TokenizerSpec) -> Path:
    """The file the spec's backend loads: its first asset, or that asset converted (``spec.convert``).

    A converted file is made once, cached by the asset's sha256 and :data:`CONVERTER_VERSION`, and goes
    through :mod:`workbench.cache`: its sha256 sidecar is checked before every use, so an edited,
    truncated or emptied conversion is rebuilt (one warning line), never loaded.
    """
    if spec.convert is None:
        return _asset_file(spec)
    source = assets.get(spec.assets[0])
    target = cache_dir("tokenizers") / f"{spec.name}-{source.sha256[:16]}-v{CONVERTER_VERSION}{spec.suffix}"
    if verified_cache.read(target, Path) is None:
        data = spec.convert(_asset_file(spec))
        verified_cache.write(target, data.encode("utf-8") if isinstance(data, str) else data)
    return target


def fingerprint(name: str | Path | Tokenizer) -> str:
    """sha256 of what decides the tokenizer's output, without loading it: the key of every derived result.

    For a zoo name: the sha256 of each asset and of the converted file the backend really loads
    (verified, rebuilt if damaged: :func:`loaded_file`), and :data:`CONVERTER_VERSION`; the name for
    the built-in baselines. Anything else (``hf:<repo>``, a path, a :class:`Tokenizer`) is loaded and
    fingerprinted by content (:attr:`Tokenizer.fingerprint`).
    """
    if isinstance(name, Tokenizer) or str(name) not in REGISTRY:
        from workbench.zoo.wrapping import resolve

        return resolve(name).fingerprint
    if not spec(name).assets:
        parts = [name]
    else:
        entry = spec(name)
        parts = [assets.get(a).sha256 for a in entry.assets]
        if entry.convert is not None:
            parts.append(verified_cache.digest(loaded_file(entry)))
    return hashlib.sha256("|".join([*parts, CONVERTER_VERSION]).encode()).hexdigest()


def _openai(constructor: str) -> Callable[[TokenizerSpec], Backend]:
    """tiktoken's own constructor for an OpenAI encoding, its loader pointed at our verified file."""
    return lambda spec: ranks.openai_backend(constructor, loaded_file(spec))


def _p50k_ranks(asset: Path) -> str:
    """js-tiktoken's compressed p50k ranks rewritten as a ``.tiktoken`` file (its sha256 is tiktoken's own)."""
    return ranks.p50k_ranks_text(asset.read_text(encoding="utf-8"))


def _gguf_to_bpe_json(asset: Path) -> str:
    return gguf_vocab.to_bpe_json(gguf_vocab.read_fields(asset))


def _gguf_to_unigram_json(asset: Path) -> str:
    return gguf_vocab.to_unigram_json(gguf_vocab.read_fields(asset))


def _gguf_to_sentencepiece(asset: Path) -> bytes:
    return gguf_vocab.to_sentencepiece(gguf_vocab.read_fields(asset))


def _byte_level_json(path: Path, name: str, *, byte_level: bool | None = None) -> Backend:
    """tiktoken's core where it gives the ids of ``tokenizers`` (:mod:`~workbench.zoo.tiktoken_path`: proven by
    the file checks, or measured on all of FLORES-200), else Hugging Face ``tokenizers`` itself.

    The verdict is cached by the file's sha256 and :data:`tiktoken_path.CHECKS_VERSION` (the checks read the
    whole vocabulary and merge list and encode every code point: seconds per load), so a later load goes
    straight to the encoder it was given. :func:`encoder` reports which one and why.
    """
    target = cache_dir("tokenizers") / (f"{name}-{verified_cache.digest(path)[:16]}"
                                        f"-tiktoken-v{tiktoken_path.CHECKS_VERSION}.verdict.json")
    verdict = verified_cache.read(target, lambda p: json.loads(p.read_text(encoding="utf-8")))
    if verdict is None:
        fast = tiktoken_path.from_file(path, name)
        verdict = {"tiktoken": isinstance(fast, ranks.TiktokenBackend), "why": tiktoken_path.describe(path, fast)}
        verified_cache.write(target, json.dumps(verdict))
    else:
        fast = tiktoken_path.from_file(path, name, checked=True) if verdict["tiktoken"] else None
    _PATHS[name] = verdict["why"]
    return fast if verdict["tiktoken"] else hf_json.from_file(path, byte_level=byte_level)


#: Why each zoo tokenizer built from a ``tokenizer.json`` runs where it runs (filled as they load).
_PATHS: dict[str, str] = {}


def _tokenizer_json(spec: TokenizerSpec) -> Backend:
    return _byte_level_json(_asset_file(spec), spec.name)


def _gguf_bpe(spec: TokenizerSpec) -> Backend:
    return _byte_level_json(loaded_file(spec), spec.name, byte_level=True)


def _tokenizer_json_converted(spec: TokenizerSpec) -> Backend:
    return hf_json.from_file(loaded_file(spec))


def _gguf_sentencepiece(spec: TokenizerSpec) -> Backend:
    return spm.from_file(loaded_file(spec))


def _sentencepiece(spec: TokenizerSpec) -> Backend:
    return spm.from_file(_asset_file(spec))


def _hub(repo: str) -> Backend:
    """A Hugging Face tokenizer from the hub (cached by ``huggingface_hub``); needs a reachable hub."""
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError

    try:
        path = hf_hub_download(repo, "tokenizer.json", cache_dir=cache_dir("hub"))
    except (OSError, EntryNotFoundError) as exc:  # offline, no such repo, or no tokenizer.json in it
        raise OfflineError(
            f"Could not load 'hf:{repo}' from the Hugging Face hub ({type(exc).__name__}: {exc}). "
            "This needs a machine that reaches the hub (Colab, Binder) or a filled hub cache; "
            "offline, use a zoo name (workbench tokenizers)."
        ) from exc
    return hf_json.from_file(path)


_GGUF_BPE = {"convert": _gguf_to_bpe_json, "suffix": ".json"}
_GGUF_SPM = {"convert": _gguf_to_sentencepiece, "suffix": ".model"}
_GGUF_UNIGRAM = {"convert": _gguf_to_unigram_json, "suffix": ".json"}
_SPECS = [
    TokenizerSpec("utf8-bytes", "baseline", "one token per UTF-8 byte", (), lambda s: BaselineBackend("bytes"), "n/a"),
    TokenizerSpec("unicode-chars", "baseline", "one token per Unicode code point", (),
                  lambda s: BaselineBackend("chars"), "n/a"),
    TokenizerSpec("gpt2", "OpenAI", "GPT-2 / r50k_base byte-level BPE (50,257)", ("tiktoken-gpt2",),
                  _openai("r50k_base")),
    TokenizerSpec("p50k_base", "OpenAI", "Codex / text-davinci-002 byte-level BPE (50,281)", ("js-tiktoken-p50k",),
                  _openai("p50k_base"), convert=_p50k_ranks, suffix=".tiktoken"),
    TokenizerSpec("cl100k_base", "OpenAI", "GPT-3.5 / GPT-4 byte-level BPE (100,277)", ("tiktoken-cl100k",),
                  _openai("cl100k_base")),
    TokenizerSpec("o200k_base", "OpenAI", "GPT-4o byte-level BPE (200,019)", ("tiktoken-o200k",),
                  _openai("o200k_base")),
    TokenizerSpec("llama2", "Meta", "Llama 1/2 SentencePiece BPE with byte fallback (32,000)", ("gguf-llama-spm",),
                  _gguf_sentencepiece, **_GGUF_SPM),
    TokenizerSpec("llama3", "Meta", "Llama 3 byte-level BPE (128,256)", ("gguf-llama-bpe",), _gguf_bpe, **_GGUF_BPE),
    TokenizerSpec("mistral-v1", "Mistral", "Mistral 7B v0.1 SentencePiece BPE (32,000)", ("spm-mistral-v1",),
                  _sentencepiece),
    TokenizerSpec("mistral-tekken", "Mistral", "Tekken (Mistral NeMo, 131,072) tiktoken-style BPE", ("tekken-240911",),
                  lambda s: ranks.tekken_backend(_asset_file(s))),
    TokenizerSpec("qwen1", "Alibaba", "Qwen (1) tiktoken BPE (151,643 + 208 special)", ("tiktoken-qwen1",),
                  lambda s: ranks.qwen1_backend(_asset_file(s))),
    TokenizerSpec("qwen2", "Alibaba", "Qwen2 / Qwen2.5 byte-level BPE (151,936)", ("gguf-qwen2",),
                  _gguf_bpe, **_GGUF_BPE),
    TokenizerSpec("gemma3", "Google", "Gemma 3 SentencePiece-style BPE (262,144)", ("hfjson-gemma3",), _tokenizer_json),
    TokenizerSpec("xlm-roberta", "Meta", "XLM-RoBERTa SentencePiece unigram (250,002)", ("gguf-nomic-bert-moe",),
                  _tokenizer_json_converted, **_GGUF_UNIGRAM),
    TokenizerSpec("bert-base-uncased", "Google", "BERT base uncased WordPiece (30,522)", ("hfjson-bert-base-uncased",),
                  _tokenizer_json),
    TokenizerSpec("deepseek-v3", "DeepSeek", "DeepSeek-V3 byte-level BPE (128,815)", ("hfjson-deepseek-v3",),
                  _tokenizer_json),
    TokenizerSpec("command-r", "Cohere", "Command-R byte-level BPE (256,000)", ("gguf-command-r",),
                  _gguf_bpe, **_GGUF_BPE),
    TokenizerSpec("phi3", "Microsoft", "Phi-3 SentencePiece BPE (32,064)", ("gguf-phi-3",),
                  _gguf_sentencepiece, **_GGUF_SPM),
    TokenizerSpec("turkish-hybrid", "Turkish", "roots + suffixes + BPE (Bayram et al.)", (),
                  lambda s: TurkishHybridBackend(), "MIT (turkish-tokenizer==0.2.26)", default=False),
]
REGISTRY: dict[str, TokenizerSpec] = {s.name: s for s in _SPECS}

#: llama.cpp vector sets by zoo name, for the golden tests (asset names of the expected ids).
GOLDEN_VECTORS = {"gpt2": "vectors-gpt-2", "llama2": "vectors-llama-spm", "llama3": "vectors-llama-bpe",
                  "qwen2": "vectors-qwen2", "command-r": "vectors-command-r", "phi3": "vectors-phi-3",
                  "bert-base-uncased": "vectors-bert-bge"}


def list_tokenizers(*, default_only: bool = False) -> list[str]:
    """Names of the zoo tokenizers (``default_only``: the set the notebooks run by default)."""
    return [s.name for s in _SPECS if s.default or not default_only]


def spec(name: str) -> TokenizerSpec:
    """The registry entry of ``name``; an unknown name lists the known ones and the closest match."""
    if name not in REGISTRY:
        raise unknown_name("tokenizer", name, REGISTRY)
    return REGISTRY[name]


def load_tokenizer(name: str | Path, *, pattern: str | None = None, keep: bool = True) -> Tokenizer:
    """The zoo tokenizer ``name`` (memoized), ``hf:<repo>`` from the Hugging Face hub, or a tokenizer file or folder.

    ``keep=False`` builds a zoo tokenizer afresh and does not memoize it: for a pass over many tokenizers that
    should not hold them all in memory (glitch census of the zoo).

    A path is read afresh on every call (a retrained file is never served from memory): see
    :func:`workbench.zoo.wrapping.from_path` for the accepted kinds; ``pattern`` is the split pattern of a
    ``.tiktoken`` rank file, also given as ``ranks.tiktoken:cl100k_base`` (how the CLI's ``--tokenizers``
    takes one). Anything else is an error listing the known names and the accepted paths.
    """
    text = str(name)
    if isinstance(name, str) and ".tiktoken:" in text and pattern is None:
        path, pattern = text.rsplit(":", 1)
        from workbench.zoo.wrapping import from_path

        return from_path(path, name=text, pattern=pattern)
    if isinstance(name, str) and (text in REGISTRY or text.startswith("hf:")):
        return _named(text, keep=keep)
    from workbench.zoo.wrapping import ACCEPTED_PATHS, from_path

    if isinstance(name, Path) or Path(text).exists() or "/" in text or Path(text).suffix in _PATH_SUFFIXES:
        return from_path(name, pattern=pattern)
    error = unknown_name("tokenizer", text, REGISTRY)
    raise type(error)(f"{error.args[0]}. Or give hf:<repo>, or a path to {'; '.join(ACCEPTED_PATHS)}.")


_PATH_SUFFIXES = (".json", ".model", ".tiktoken", ".gguf")


def _named(name: str, *, keep: bool = True) -> Tokenizer:
    """The zoo tokenizer ``name``, or ``hf:<repo>`` from the hub, loaded (``keep``: memoized)."""
    tok = zoo_tokenizer(name) if keep else zoo_tokenizer.__wrapped__(name)
    tok.vocab_size  # noqa: B018 -- builds the backend: a missing asset or an unreachable hub fails here
    return tok


@cache
def zoo_tokenizer(name: str) -> Tokenizer:
    """The zoo tokenizer ``name`` or ``hf:<repo>`` (memoized), built on first use: its fingerprint needs no
    loading (:func:`fingerprint`), so an analysis served from its result cache loads no vocabulary. An unknown
    name fails here."""
    if name.startswith("hf:"):
        repo = name[3:]
        hub_spec = TokenizerSpec(name, "hub", f"Hugging Face tokenizer {repo}", (), lambda s: _hub(repo),
                                 "see the model card", default=False)
        return Tokenizer(hub_spec, build=lambda: hub_spec.build(hub_spec))
    entry = spec(name)
    return Tokenizer(entry, build=lambda: entry.build(entry))


_ENCODERS = {"TiktokenBackend": "tiktoken", "HFBackend": "tokenizers", "SentencePieceBackend": "sentencepiece",
             "TurkishHybridBackend": "turkish-tokenizer", "BaselineBackend": "built in"}


def encoder(name: str) -> tuple[str, str]:
    """(library that runs the zoo tokenizer ``name``, why, for one built from a ``tokenizer.json``: why not
    tiktoken, or how its tiktoken ids are known to be right; else ""), by loading it."""
    backend = type(_named(name)._backend).__name__
    return _ENCODERS.get(backend, backend), _PATHS.get(name, "")


def describe() -> list[dict[str, object]]:
    """One row per zoo tokenizer: name, family, description, source, licence (vocab size needs loading)."""
    rows = []
    for s in _SPECS:
        licence = s.licence or "; ".join(assets.get(a).licence for a in s.assets)
        rows.append({"name": s.name, "family": s.family, "description": s.description, "source": s.source,
                     "licence": licence, "default": s.default})
    return rows
