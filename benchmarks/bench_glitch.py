"""Benchmark of workbench.glitch on Gemma-3-270M: indicators over the full vocabulary, and verification.

Measures (side by side, same machine, same run):
1. the weight indicators over all 262,144 rows once the model is loaded (target <= 10 s);
2. verification throughput in prompts/s, batched (``verify``) against one ``generate`` call per
   prompt (``verify_one_at_a_time``, magikarp's loop), in the same dtype: bfloat16 (what magikarp
   runs on transformers >= 5 for Gemma 3, and the workbench default; target >= 4x) and float32;
   and whether the bfloat16 verdicts agree with float32 ones;
3. verifying the top shortlist candidates (target: 500 in <= 5 min; fast mode verifies fewer and
   the report extrapolates, saying so);
4. where verification stands against the machine (issue 15): the batched scoring with and without the
   shared prompt prefix (run once per batch, its KV cache repeated), and its achieved rate in GFLOP/s
   (matrix-multiply FLOPs counted by ``torch.utils.flop_counter``) against a square matrix multiply's
   rate measured in the same run, in the same dtype.

Usage: ``python benchmarks/bench_glitch.py --out BENCHMARKS-glitch.md`` (``WORKBENCH_FAST=1`` for CI sizes).
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import torch

from workbench.config import fast_mode, pick
from workbench.glitch import categories, indicators, verification
from workbench.models import load_model

#: Common words, which Gemma repeats with p > 0.9: the bf16/fp32 comparison needs both verdicts.
WORDS = (" the", " house", " running", "Hello", " quantum", " Paris", " blue", " seven", " apple", " river",
         " because", " über", " cat", " dog", " tree", " music")


def _timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def matmul_peak(dtype: torch.dtype, n: int = 2048, repeats: int = 5) -> float:
    """GFLOP/s of the best of ``repeats`` ``n x n`` matrix multiplies in ``dtype`` (this machine's practical peak)."""
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    a @ b  # warm-up
    return 2 * n**3 / min(_timed(torch.mm, a, b)[1] for _ in range(repeats)) / 1e9


def against_the_machine(loaded, tok, ids: list[int], dtype: torch.dtype) -> list[tuple[str, str, str]]:
    """Rows of item 4: scoring time with and without the shared prefix, and achieved vs peak GFLOP/s."""
    from torch.utils.flop_counter import FlopCounterMode

    model, prompts = loaded.in_dtype(dtype), verification.prepare_prompts(tok)
    score = lambda share: [verification.score_batch(model, p, ids, share_prefix=share) for p in prompts]  # noqa: E731
    score(True)  # warm-up
    seconds = {share: min(_timed(score, share)[1] for _ in range(2)) for share in (False, True)}
    with FlopCounterMode(display=False) as counter:
        score(True)
    achieved, peak = counter.get_total_flops() / seconds[True] / 1e9, matmul_peak(dtype)
    name = str(dtype).removeprefix("torch.")
    return [(f"{name}: {len(ids)} tokens x 3 prompts, whole prompt per candidate", f"{seconds[False]:.2f} s", ""),
            (f"{name}: the same, shared prefix run once per batch", f"{seconds[True]:.2f} s",
             f"gain {seconds[False] / seconds[True]:.2f}x"),
            (f"{name}: achieved / matmul peak (2048^3, same run)",
             f"{achieved:.1f} / {peak:.1f} GFLOP/s = {achieved / peak:.0%}", "")]


def run() -> list[tuple[str, str, str]]:
    """The benchmark rows: (what, figure, target)."""
    loaded, t_load = _timed(load_model, "gemma3-270m")
    tok = loaded.load_tokenizer()
    cats, t_cat = _timed(categories.categorize, tok)
    rows = loaded.input_embeddings().shape[0]
    ref = indicators.find_reference(tok, rows, cats)
    values, t_ind = _timed(indicators.compute_indicators, loaded, tok, ref)
    shortlist = indicators.shortlist(values["input_cos_wo1pc"], cats[:rows])
    n_loop, n_batch, n_big = pick(2, 6), pick(8, 32), pick(24, 500)
    words = [tok.encode(w)[0] for w in WORDS]  # tokens the model does repeat: the verdicts can disagree
    probe = shortlist[:n_batch].tolist()
    figures = [("model load (cached fp32 safetensors)", f"{t_load:.1f} s", ""),
               ("tokenizer categories, 262,145 ids", f"{t_cat:.1f} s", ""),
               (f"indicators over {rows:,} rows ({ref.description})", f"{t_ind:.1f} s", "<= 10 s")]
    verdicts = {}
    for dtype, target in ((torch.bfloat16, ">= 4x"), (torch.float32, "")):
        loaded.in_dtype(dtype)  # the one-off copy is not part of either timing
        _, t_loop = _timed(verification.verify_one_at_a_time, loaded, tok, probe[:n_loop], dtype=dtype)
        verdicts[dtype], t_batch = _timed(verification.verify, loaded, tok, probe + words, use_cache=False,
                                          progress=False, dtype=dtype)
        loop_rate, batch_rate = 3 * n_loop / t_loop, 3 * len(probe + words) / t_batch
        name = str(dtype).removeprefix("torch.")
        figures += [(f"{name}: one generate() per prompt, magikarp's loop ({n_loop} tokens x 3 prompts)",
                     f"{loop_rate:.2f} prompts/s", ""),
                    (f"{name}: batched ({len(probe + words)} tokens x 3 prompts)", f"{batch_rate:.2f} prompts/s", ""),
                    (f"{name}: batched / one-at-a-time", f"{batch_rate / loop_rate:.2f}x", target)]
    pairs = list(zip(verdicts[torch.bfloat16], verdicts[torch.float32], strict=True))
    agree = sum(a.verified == b.verified for a, b in pairs)
    diff = max(abs(a.max_prob - b.max_prob) for a, b in pairs)
    figures.append((f"bfloat16 vs float32 verdicts ({len(probe)} candidates + {len(words)} common words)",
                    f"{agree}/{len(pairs)} agree; largest probability difference {diff:.4f}", ""))
    for dtype in (torch.bfloat16, torch.float32):
        figures += against_the_machine(loaded, tok, probe, dtype)
    big, t_big = _timed(verification.verify, loaded, tok, shortlist[:n_big].tolist(), use_cache=False, progress=True)
    per_500 = t_big / n_big * 500
    figures += [(f"verify {n_big} shortlist candidates (bfloat16, batched)",
                 f"{t_big:.0f} s ({sum(r.verified for r in big)} verified)", ""),
                ("verify 500 candidates" + ("" if n_big == 500 else f" (extrapolated from {n_big})"),
                 f"{per_500:.0f} s", "<= 300 s")]
    return figures


def report(rows: list[tuple[str, str, str]]) -> str:
    """A markdown section with the machine, the mode and the figures."""
    load = os.getloadavg()[0]
    lines = ["## glitch (Gemma-3-270M)", "",
             f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch "
             f"{torch.__version__}, {torch.get_num_threads()} threads, load average {load:.1f} at the end; "
             f"mode: {'fast' if fast_mode() else 'full'}; {time.strftime('%Y-%m-%d %H:%M')}.", "",
             "| what | figure | target |", "|---|---|---|"]
    lines += [f"| {what} | {figure} | {target} |" for what, figure, target in rows]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="markdown file to write the section to")
    args = parser.parse_args()
    text = report(run())
    with open(args.out, "w", encoding="utf-8") as fh:
        fh.write(text)
    print(text)


if __name__ == "__main__":
    main()
