"""Why the SentencePiece library's XLM-R counts differ from Petrov et al.'s, language by language.

The zoo's ``xlm-roberta`` is a Unigram ``tokenizer.json`` built from llama.cpp's ``nomic-bert-moe`` GGUF
(:func:`workbench.zoo.gguf_vocab.to_unigram_json`, the layout of Hugging Face's fast tokenizer, which
Petrov et al. counted with). The same GGUF pieces and scores as a SentencePiece model
(:func:`~workbench.zoo.gguf_vocab.to_sentencepiece`, what the zoo used before) give other counts. For
each FLORES-200 language this prints the published count, the fast tokenizer's and SentencePiece's
(each on Petrov et al.'s one string per language), and for the languages where SentencePiece differs:

* ``normaliser`` — words (white-space separated) whose normalised form differs between the two
  (SentencePiece's longest charsmap match composes vowel signs FLORES writes decomposed, e.g. Kannada
  U+0CBF U+0CD5 -> U+0CC0; ``Precompiled``, looking up whole grapheme clusters, leaves them), with the
  token difference they account for and an example;
* ``precision`` — the rest of the difference: words tokenised alike on their own but not inside the
  whole string, where SentencePiece's float32 Viterbi sums scores over ~10^5 tokens and rounding
  (spacing 0.06 at -10^6) breaks near ties (the fast tokenizer runs word by word in float64).

    python scripts/xlmr_fidelity.py [--languages ben_Beng kan_Knda ...] [--out xlmr_fidelity.md]

Needs ../shared/data (FLORES-200). About 5 minutes for all 204 languages on 2 cores.
"""

from __future__ import annotations

import argparse
import collections
from pathlib import Path

import sentencepiece

from workbench import assets, corpora, zoo
from workbench.fairness.published import published_counts
from workbench.zoo import gguf_vocab


def sentencepiece_xlmr() -> sentencepiece.SentencePieceProcessor:
    """The zoo's former ``xlm-roberta``: the GGUF vocabulary as a SentencePiece unigram model."""
    proto = gguf_vocab.to_sentencepiece(gguf_vocab.read_fields(assets.path("gguf-nomic-bert-moe")))
    return sentencepiece.SentencePieceProcessor(model_proto=proto)


def word_causes(text: str, sp: sentencepiece.SentencePieceProcessor, fast: zoo.Tokenizer) -> tuple[int, int, str]:
    """(token difference from words the two normalisers change differently, their number, one example) of
    ``text``: SentencePiece minus fast."""
    words = collections.Counter(text.split())
    delta, changed, example = 0, 0, ""
    for word, n in words.items():
        if sp.normalize(word).removeprefix("▁") == fast.normalized(word):
            continue
        a = sp.encode(word, out_type=str)
        b = [fast.token_bytes(i).decode("utf-8", "replace").replace(" ", "▁") for i in fast.encode(word)]
        if a == b:  # normalised apart (e.g. a zero-width joiner) but tokenised alike
            continue
        delta += n * (len(a) - len(b))
        changed += n
        example = example or f"{word}: {' '.join(a)} | {' '.join(b)}"
    return delta, changed, example


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--languages", nargs="*", help="FLORES-200 codes (default: all 204)")
    parser.add_argument("--out", type=Path, help="also write the table here (markdown)")
    args = parser.parse_args()
    published = published_counts("xlm-roberta")
    fast, sp = zoo.load_tokenizer("xlm-roberta"), sentencepiece_xlmr()
    lines = ["| language | published | fast (zoo) | SentencePiece | spm − published | normaliser | precision "
             "| example (word: spm pieces \\| fast pieces) |", "|---|---|---|---|---|---|---|---|"]
    differ = collections.Counter()
    for lang in args.languages or sorted(published):
        text = corpora.flores_raw(lang)
        ours, spm = fast.count(text), len(sp.encode(text))
        if spm == published[lang] and ours == published[lang]:
            continue
        differ.update({"SentencePiece": spm != published[lang], "fast": ours != published[lang]})
        norm, _, example = word_causes(text, sp, fast)
        diff = spm - published[lang]
        lines.append(f"| {lang} | {published[lang]} | {ours} | {spm} | {diff:+d} | {norm:+d} | {diff - norm:+d} "
                     f"| {example} |")
    lines.append(f"\nDiffering from the published count: SentencePiece in {differ['SentencePiece']} languages, "
                 f"the fast tokenizer (zoo) in {differ['fast']}.")
    print("\n".join(lines))
    if args.out:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
