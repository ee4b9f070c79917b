"""Train your own tokenizer: BPE, Unigram and WordPiece with ``tokenizers``, BPE and Unigram with SentencePiece.

Where :mod:`~workbench.zoo.wrapping` puts a tokenizer the user already has behind the zoo adapter, this
module makes one: :func:`train_tokenizer` trains it on a list of texts or on a FLORES-200 language mix
(:func:`training_texts`: English only, balanced across every language, or weighted), caches the trained
file by a key over the texts and every setting (through :mod:`workbench.cache`: atomic, verified) and
returns it as a :class:`~workbench.zoo.Tokenizer`. The seed picks the sentences of a weighted mix and
seeds SentencePiece. ``bpe``, ``spm-bpe`` and ``spm-unigram`` train deterministically: a retrain gives
the same fingerprint (``tests/test_byo_tokenizers.py``). The ``tokenizers`` library's Unigram and
WordPiece trainers do not (scores and ids vary from run to run); for them the cache is what makes the
same settings give the same tokenizer again.

The mix follows the question of Petrov et al. (2023), "Language Model Tokenizers Introduce Unfairness
Between Languages": does a tokenizer trained on a language-balanced corpus narrow the premiums? Train on
FLORES ``dev``, measure on ``devtest``, so nothing leaks.

>>> tok = train_tokenizer(kind="bpe", vocab_size=2000, mix="english")   # doctest: +SKIP
>>> tok.name
'bpe-2000-english'
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import random
from collections.abc import Mapping, Sequence
from typing import Literal

from workbench import cache as verified_cache
from workbench import corpora
from workbench.config import cache_dir
from workbench.errors import UsageError, unknown_name
from workbench.zoo import hf_json, spm
from workbench.zoo.adapter import Tokenizer
from workbench.zoo.wrapping import user_spec

Kind = Literal["bpe", "unigram", "wordpiece", "spm-bpe", "spm-unigram"]
KINDS: tuple[Kind, ...] = ("bpe", "unigram", "wordpiece", "spm-bpe", "spm-unigram")
Mix = Literal["english", "balanced"]
#: Bump when a trainer's settings change: it keys every trained file.
TRAIN_VERSION = "1"


def training_texts(mix: Mix | Mapping[str, float] = "english", *, split: corpora.Split = "dev",
                   languages: Sequence[str] | None = None, seed: int = 0) -> list[str]:
    """FLORES-200 sentences of ``split`` for a language ``mix``.

    ``"english"``: the ``eng_Latn`` sentences; ``"balanced"``: every sentence of every language (or of
    ``languages``), the same number each, since FLORES is aligned; a mapping ``{code: weight}``: the
    heaviest language in full and each other a ``seed``-drawn share of its sentences in proportion.
    """
    if isinstance(mix, str) and mix not in ("english", "balanced"):
        raise unknown_name("language mix", mix, ("english", "balanced"))
    if mix == "english":
        return corpora.load_flores("eng_Latn", split=split)
    weights = dict.fromkeys(languages or corpora.flores_languages(), 1.0) if mix == "balanced" else dict(mix)
    if not weights or min(weights.values()) < 0 or max(weights.values()) <= 0:
        raise UsageError(f"A language mix needs at least one positive weight, got {weights}.")
    top, rng, texts = max(weights.values()), random.Random(seed), []
    for code, weight in weights.items():
        sentences = corpora.load_flores(code, split=split)
        keep = round(len(sentences) * weight / top)
        texts += sentences if keep == len(sentences) else rng.sample(sentences, keep)
    return texts


def train_tokenizer(texts: Sequence[str] | None = None, kind: Kind = "bpe", vocab_size: int = 8000, *,
                    mix: Mix | Mapping[str, float] = "english", languages: Sequence[str] | None = None,
                    seed: int = 0, name: str | None = None, cache: bool = True) -> Tokenizer:
    """A ``kind`` tokenizer of ``vocab_size`` trained on ``texts`` (or on :func:`training_texts` of ``mix``).

    Cached by a key over the texts, kind, size, seed, library version and :data:`TRAIN_VERSION`
    (``cache=False`` trains afresh and writes nothing). ``name`` defaults to ``<kind>-<size>-<mix>``.
    """
    if kind not in KINDS:
        raise unknown_name("tokenizer kind", kind, KINDS)
    if vocab_size < 100:
        raise UsageError(f"vocab_size must be at least 100 (the byte and character alphabet), not {vocab_size}.")
    label = "texts" if texts is not None else (mix if isinstance(mix, str) else "mix")
    texts = list(texts) if texts is not None else training_texts(mix, languages=languages, seed=seed)
    if not any(t.strip() for t in texts):
        raise UsageError("No training text: give texts with some non-space characters, or a FLORES mix.")
    name = name or f"{kind}-{vocab_size}-{label}"
    spm_kind = kind.startswith("spm-")
    target = cache_dir("results", "tokenizers") / (
        f"trained-{kind}-{vocab_size}-{_key(texts, kind, vocab_size, seed)}{'.model' if spm_kind else '.json'}")
    data = verified_cache.read(target, lambda p: p.read_bytes()) if cache else None
    if data is None:
        data = _train_spm(texts, kind, vocab_size, seed) if spm_kind else _train_hf(texts, kind, vocab_size).encode()
        if cache:
            verified_cache.write(target, data)
    return Tokenizer(user_spec(name, f"trained {kind}"), _backend(data, spm_kind))


def _key(texts: Sequence[str], kind: Kind, vocab_size: int, seed: int) -> str:
    h = hashlib.sha256()
    for text in texts:
        h.update(text.encode("utf-8") + b"\0")
    library = "sentencepiece" if kind.startswith("spm-") else "tokenizers"
    return verified_cache.key(h.hexdigest(), kind, vocab_size, seed, importlib.metadata.version(library),
                              TRAIN_VERSION)


def hf_model_and_trainer(kind: Kind, vocab_size: int):
    """The untrained ``tokenizers.Tokenizer`` of ``kind`` and its trainer: byte-level BPE (as GPT-2),
    Metaspace Unigram (as SentencePiece), or WordPiece with BERT's pre-tokenizer (cased, NFC)."""
    from tokenizers import Tokenizer as HFTokenizer
    from tokenizers import decoders, models, normalizers, pre_tokenizers, trainers

    if kind == "bpe":
        tok = HFTokenizer(models.BPE())
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(vocab_size=vocab_size, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                      special_tokens=["<|endoftext|>"], show_progress=False)
    elif kind == "unigram":
        tok = HFTokenizer(models.Unigram())
        tok.normalizer = normalizers.NFKC()
        tok.pre_tokenizer = pre_tokenizers.Metaspace()
        tok.decoder = decoders.Metaspace()
        trainer = trainers.UnigramTrainer(vocab_size=vocab_size, unk_token="<unk>", special_tokens=["<unk>"],
                                          show_progress=False)
    else:
        tok = HFTokenizer(models.WordPiece(unk_token="[UNK]"))
        tok.normalizer = normalizers.NFC()
        tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        tok.decoder = decoders.WordPiece()
        trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=["[UNK]"], show_progress=False)
    return tok, trainer


def _train_hf(texts: Sequence[str], kind: Kind, vocab_size: int) -> str:
    tok, trainer = hf_model_and_trainer(kind, vocab_size)
    tok.train_from_iterator(texts, trainer=trainer)
    return tok.to_str()


def _train_spm(texts: Sequence[str], kind: Kind, vocab_size: int, seed: int) -> bytes:
    import sentencepiece

    sentencepiece.set_random_generator_seed(seed)
    model = io.BytesIO()
    try:
        sentencepiece.SentencePieceTrainer.train(
            sentence_iterator=iter(texts), model_writer=model, vocab_size=vocab_size, model_type=kind[4:],
            byte_fallback=True, character_coverage=0.9995, shuffle_input_sentence=False, num_threads=1,
            input_sentence_size=0, hard_vocab_limit=False, minloglevel=2)
    except RuntimeError as exc:  # SentencePiece's only report of a vocabulary smaller than the alphabet
        raise UsageError(f"SentencePiece cannot train a {vocab_size}-piece {kind} model on these texts: "
                         f"{str(exc).split('] ')[-1]}") from exc
    return model.getvalue()


def _backend(data: bytes, spm_kind: bool):
    if spm_kind:
        import sentencepiece

        return spm.SentencePieceBackend(sentencepiece.SentencePieceProcessor(model_proto=data))
    from tokenizers import Tokenizer as HFTokenizer

    return hf_json.HFBackend(HFTokenizer.from_str(data.decode("utf-8")))
