"""Benchmark the two encoders of a byte-level BPE ``tokenizer.json``: Hugging Face ``tokenizers`` and tiktoken's core.

For each tokenizer, side by side in one run over all of FLORES-200 (the 204 Petrov strings, then every
sentence in one batch): the ``tokenizers`` batch (``encode_batch_fast``), the same file run through
tiktoken (:func:`workbench.zoo.tiktoken_path.rank_encoding`: ranks = ids, the file's split regex and
added tokens, *without* the merge-order proof), and the workbench's own count (``fairness.counts``,
uncached, through whichever encoder the zoo uses). It also says how many texts the two encoders
tokenize differently and how many of llama.cpp's reference vectors tiktoken's build passes, and
which encoder the zoo uses (:func:`workbench.zoo.encoder`) and why.

    .venv/bin/python benchmarks/bench_encoders.py --out reports/bench_encoders.md [--tokenizers llama3,qwen2]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path


def timed(fn):
    """(seconds, result) of one call."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def measure(name: str) -> list[dict]:
    """One row per mode (petrov, sentences) for the zoo tokenizer ``name``."""
    from workbench import assets, fairness, zoo
    from workbench.zoo import gguf_vocab, registry, tiktoken_path

    encoder, reason = zoo.encoder(name)
    path = registry.loaded_file(registry.spec(name))
    fast = tiktoken_path.rank_encoding(json.loads(Path(path).read_text(encoding="utf-8")), name)
    if isinstance(fast, tiktoken_path.Refusal):
        return [{"tokenizer": name, "encoder": encoder, "why": reason, "note": f"no tiktoken build: {fast.reason}"}]
    from tokenizers import Tokenizer as HFTokenizer

    hf = HFTokenizer.from_file(str(path))
    vectors = "-"
    if name in zoo.GOLDEN_VECTORS:
        cases = gguf_vocab.read_vectors(assets.path("vectors-inp"), assets.path(zoo.GOLDEN_VECTORS[name]))
        vectors = f"{sum(fast.encode(t, False) == ids for t, ids in cases)}/{len(cases)}"
    rows = []
    for mode in ("petrov", "sentences"):
        texts = fairness.corpus_texts("flores200", None, mode=mode)
        units = [u for code in texts.texts for u in ([texts.texts[code]] if mode == "petrov" else texts.texts[code])]
        megabytes = sum(len(u.encode("utf-8")) for u in units) / 1e6
        t_hf, ids_hf = timed(lambda u=units: [e.ids for e in hf.encode_batch_fast(u, add_special_tokens=False)])
        t_tk, ids_tk = timed(lambda u=units: fast.encode_batch(u, False))
        t_wb, frame = timed(lambda t=texts: fairness.counts([name], texts=t, cache=False, progress=False))
        assert int(frame["tokens"].sum()) == sum(map(len, ids_hf if encoder == "tokenizers" else ids_tk))
        rows.append({"tokenizer": name, "mode": mode, "texts": len(units), "MB": round(megabytes, 1),
                     "tokenizers_s": round(t_hf, 1), "tiktoken_s": round(t_tk, 1), "workbench_s": round(t_wb, 1),
                     "texts_differing": sum(a != b for a, b in zip(ids_hf, ids_tk, strict=True)),
                     "tokens_tokenizers": sum(map(len, ids_hf)), "tokens_tiktoken": sum(map(len, ids_tk)),
                     "vectors_tiktoken": vectors, "encoder": encoder, "why": reason})
        print(json.dumps(rows[-1], ensure_ascii=False), flush=True)  # a long run shows its progress
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--tokenizers", default="llama3,qwen2,command-r,deepseek-v3")
    args = parser.parse_args()
    load = os.getloadavg()
    rows = [row for name in args.tokenizers.split(",") for row in measure(name)]
    lines = [f"# Encoders: tokenizers vs tiktoken's core ({os.cpu_count()} cores, load before "
             f"{' / '.join(f'{x:.1f}' for x in load)}, after {' / '.join(f'{x:.1f}' for x in os.getloadavg())})",
             "", "```", *(json.dumps(r, ensure_ascii=False) for r in rows), "```", ""]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
