"""Benchmark bring-your-own tokenizers (workbench.zoo.wrapping, workbench.zoo.training), side by side in one run.

Targets (issue 13): counting through a wrapped tokenizer costs <= 5% over the library's own batch encode
on the same texts; training a 32k BPE on the FLORES ``dev`` split of all 204 languages through the
workbench costs <= 1.1x the ``tokenizers`` library's own training call on the same input.

    .venv/bin/python benchmarks/bench_byo.py --out reports/bench_byo.md [--languages 204] [--repeats 3]

Counting: a byte-level BPE trained here (``tokenizers``), a SentencePiece model (``sentencepiece``) and
o200k's ranks as a ``tiktoken.Encoding``, each wrapped by ``zoo.wrap``; timed are the library's own batch
call, the wrapper's ``encode_batch``, and ``fairness.counts`` in petrov mode (``cache=False``: encoding,
byte and flag counts, the rows), best of ``--repeats``, alternated. Training: ``train_tokenizer`` (texts
hashed for the cache key, trained, written to a scratch cache) against ``Tokenizer.train_from_iterator``
with the same trainer, once each after a warm-up of the text loading.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path


def best(fn, repeats: int) -> float:
    """The fastest of ``repeats`` wall times of ``fn()``."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def counting_rows(languages: int, repeats: int) -> list[str]:
    import sentencepiece
    import tiktoken

    from workbench import corpora, fairness, zoo
    from workbench.zoo import training

    codes = corpora.flores_languages()[:languages]
    texts = fairness.corpus_texts("flores200", codes, "petrov")
    strings = list(texts.texts.values())
    train = training.training_texts({c: 1.0 for c in codes[:20]})
    bpe, trainer = training.hf_model_and_trainer("bpe", 16000)
    bpe.train_from_iterator(train, trainer=trainer)
    model = tempfile.NamedTemporaryFile(suffix=".model", delete=False)
    sentencepiece.SentencePieceTrainer.train(sentence_iterator=iter(train), model_writer=model, vocab_size=8000,
                                             byte_fallback=True, minloglevel=2)
    model.close()
    sp = sentencepiece.SentencePieceProcessor(model_file=model.name)
    o200k = zoo.load_tokenizer("o200k_base")._backend.enc
    enc = tiktoken.Encoding("o200k-copy", pat_str=o200k._pat_str, mergeable_ranks=o200k._mergeable_ranks,
                            special_tokens={})
    libraries = {
        "tokenizers BPE 16k": (bpe, lambda: bpe.encode_batch(strings, add_special_tokens=False)),
        "sentencepiece 8k": (sp, lambda: sp.encode(strings, num_threads=2)),
        "tiktoken o200k ranks": (enc, lambda: enc.encode_ordinary_batch(strings, num_threads=2)),
    }
    rows = ["| tokenizer | library batch (s) | wrapped encode_batch (s) | fairness.counts (s) | wrapped / library | "
            "counts / library |", "|---|---|---|---|---|---|"]
    for label, (obj, own) in libraries.items():
        tok = zoo.wrap(obj, name=label)
        own()
        tok.encode_batch(strings)  # warm-up: thread pools, lazy tables
        lib = best(own, repeats)
        wrapped = best(lambda t=tok: t.encode_batch(strings), repeats)
        counted = best(lambda t=tok: fairness.counts([t], texts=texts, progress=False, cache=False), repeats)
        rows.append(f"| {label} | {lib:.3f} | {wrapped:.3f} | {counted:.3f} | {wrapped / lib:.3f}x | "
                    f"{counted / lib:.3f}x |")
    os.unlink(model.name)
    return rows


def training_rows(languages: int, vocab_size: int) -> list[str]:
    from workbench import corpora
    from workbench.zoo import training

    codes = corpora.flores_languages()[:languages]
    texts = training.training_texts("balanced", languages=codes)
    with tempfile.TemporaryDirectory() as home:
        os.environ["WORKBENCH_HOME"] = home  # a scratch cache: the trained file is written, never reused

        def library():
            tok, trainer = training.hf_model_and_trainer("bpe", vocab_size)
            tok.train_from_iterator(texts, trainer=trainer)

        start = time.perf_counter()
        library()
        lib = time.perf_counter() - start
        start = time.perf_counter()
        training.train_tokenizer(texts, kind="bpe", vocab_size=vocab_size)
        wb = time.perf_counter() - start
    return ["| corpus | sentences | library train_from_iterator (s) | workbench train_tokenizer (s) | ratio |",
            "|---|---|---|---|---|",
            f"| FLORES dev, {languages} languages | {len(texts):,} | {lib:.1f} | {wb:.1f} | {wb / lib:.3f}x |"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--languages", type=int, default=204)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--vocab-size", type=int, default=32000)
    args = parser.parse_args()
    counting = counting_rows(args.languages, args.repeats)
    train = training_rows(args.languages, args.vocab_size)
    text = (f"## Bring your own tokenizer (workbench.zoo.wrap, train_tokenizer)\n\n"
            f"Counting the whole text of each of {args.languages} FLORES-200 languages (petrov mode), best of "
            f"{args.repeats}; target: wrapped <= 1.05x the library's own batch call.\n\n" + "\n".join(counting)
            + f"\n\nTraining a {args.vocab_size:,}-token byte-level BPE, once each; target <= 1.1x.\n\n"
            + "\n".join(train) + "\n")
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
