"""Stage 3: verify candidate under-trained tokens by asking the model to repeat them.

Follows ``magikarp/fishing.py`` (Land & Bartolo 2024): three repetition prompts
(:data:`PROMPTS`), built once with a *placeholder* token whose ids are then replaced by the
candidate's id (so the candidate is inserted at the id level and never re-tokenized); greedy
decoding of 3 tokens; the candidate's probability at each generated step; its ``max_prob`` is the
maximum over steps and prompts, and it is **verified** (under-trained) when ``max_prob`` stays
below ``threshold`` (0.01, magikarp's ``p_verify_threshold``). These values are in :mod:`~workbench.glitch.published`.

Unlike magikarp's loop (one ``model.generate`` call per prompt, kept here as
:func:`verify_one_at_a_time` for comparison), all candidates of one prompt share its token length,
so they run as one padded-free batch with a KV cache, keeping only the last position's logits.
Results are cached per (model fingerprint, dtype, tokenizer fingerprint, token id, :data:`PROMPT_VERSION`) in one JSON
file per model, rewritten atomically after every batch: an interrupted run resumes where it
stopped, and a failed batch leaves the previous file intact.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from workbench import cache as verified_cache
from workbench.config import cache_dir
from workbench.errors import WorkbenchError
from workbench.glitch import published
from workbench.glitch.categories import categorize, token_text
from workbench.zoo import Tokenizer

PROMPT_VERSION = "magikarp-3x3-v1"
#: The result file's format, part of its key (2: the file carries a sha256 sidecar, workbench.cache; 3: keyed by
#: the tokenizer's content fingerprint, not its name).
CACHE_FORMAT = "3"
DEFAULT_THRESHOLD = published.LAND_BARTOLO_2024_VERIFY_THRESHOLD
NEW_TOKENS = published.LAND_BARTOLO_2024_NEW_TOKENS
#: bfloat16 is what magikarp runs today (transformers >= 5 loads a checkpoint in its own dtype, and
#: Gemma 3 ships bf16), and it is 1.9x faster than float32 on a CPU with AVX512-BF16. The benchmark
#: checks that the verdicts agree with float32 on the same candidates.
DEFAULT_DTYPE = torch.bfloat16


class InsertionError(WorkbenchError):
    """A token id that cannot be placed into the prompts (outside the vocabulary, or no usable placeholder)."""


@dataclass(frozen=True)
class PromptTemplate:
    """One of magikarp's ``VERIFICATION_PROMPTS``: ``(name, repeats, preamble, input_phrase, completion)``."""

    name: str
    repeats: int
    preamble: str
    input_phrase: str
    completion: str

    def render(self, token: str) -> str:
        """The prompt text: preamble, ``repeats`` solved examples, then the open question."""
        done = (self.input_phrase + self.completion) * self.repeats
        head = self.completion[: self.completion.index("{")]
        return (self.preamble + done + self.input_phrase + head).replace("{token}", token)

    @property
    def occurrences(self) -> int:
        """How many times the token appears in the rendered prompt."""
        return (self.input_phrase.count("{token}") + self.completion.count("{token}")) * self.repeats + \
            self.input_phrase.count("{token}")


#: The three prompts of :data:`~workbench.glitch.published.LAND_BARTOLO_2024_PROMPTS`.
PROMPTS: tuple[PromptTemplate, ...] = tuple(PromptTemplate(*prompt) for prompt in published.LAND_BARTOLO_2024_PROMPTS)


@dataclass(frozen=True)
class Verification:
    """The outcome for one token: the candidate's max probability per prompt, and the verdict."""

    token_id: int
    token: str
    max_prob: float
    prompt_probs: dict[str, float]
    verified: bool


@dataclass(frozen=True)
class PreparedPrompt:
    """A template tokenized with the placeholder: its ids and where the placeholder sits."""

    template: PromptTemplate
    ids: tuple[int, ...]
    positions: tuple[int, ...]


# --------------------------------------------------------------------------- prompt preparation


def prepare_prompts(tok: Tokenizer, *, placeholder: int | None = None) -> list[PreparedPrompt]:
    """The three prompts tokenized around a placeholder token (chosen as in magikarp unless given)."""
    candidates = [placeholder] if placeholder is not None else _placeholder_candidates(tok)
    for pid in candidates:
        prepared = [_prepare(tok, t, pid) for t in PROMPTS]
        if all(p is not None for p in prepared):
            return prepared
    raise InsertionError(f"No placeholder token of '{tok.name}' survives tokenization of the verification prompts "
                         f"(tried {len(candidates)}); pass placeholder=<id> of a plain word token.")


def _placeholder_candidates(tok: Tokenizer, limit: int = 50) -> list[int]:
    """magikarp's ``select_placeholder_token`` order: normal, alphabetic, many distinct characters, long."""
    texts = {i: token_text(tok, i) for i in range(min(tok.vocab_size, 50_000))}
    ranked = sorted((i for i, t in texts.items() if t.isalpha()), key=lambda i: (len(set(texts[i])), len(texts[i])),
                    reverse=True)[: 4 * limit]
    cats = categorize(tok, ranked)
    return [i for i, c in zip(ranked, cats, strict=True) if c == "normal"][:limit]


def _prepare(tok: Tokenizer, template: PromptTemplate, placeholder: int) -> PreparedPrompt | None:
    ids = tok.encode(template.render(token_text(tok, placeholder)), add_special_tokens=True)
    positions = tuple(k for k, i in enumerate(ids) if i == placeholder)
    return PreparedPrompt(template, tuple(ids), positions) if len(positions) == template.occurrences else None


def check_insertable(loaded, tok: Tokenizer, ids: Iterable[int]) -> list[int]:
    """The ids as ints, or :class:`InsertionError` naming the first that has no embedding row or no token."""
    rows = loaded.input_embeddings().shape[0]
    limit = min(rows, tok.vocab_size)
    ids = [int(i) for i in ids]
    bad = [i for i in ids if not 0 <= i < limit]
    if bad:
        raise InsertionError(f"Token id {bad[0]} cannot be inserted: the model has {rows:,} embedding rows and "
                             f"tokenizer '{tok.name}' {tok.vocab_size:,} ids ({len(bad)} bad id(s) in total).")
    if loaded.kind != "causal-lm":
        raise InsertionError(f"{loaded.name} is an {loaded.kind}: verification by prompting needs a causal LM.")
    return ids


# --------------------------------------------------------------------------- scoring


@torch.inference_mode()
def score_batch(model: torch.nn.Module, prompt: PreparedPrompt, ids: Sequence[int], *,
                share_prefix: bool = True) -> list[float]:
    """Max probability of each candidate over ``NEW_TOKENS`` greedy steps of one prompt, batched.

    Every candidate's prompt is the same up to the first placeholder, so with ``share_prefix`` that
    prefix runs once (batch of one) and its KV cache is repeated for the batch; only the rest of the
    prompt runs per candidate. The same computation either way (``share_prefix=False`` runs the whole
    prompt per candidate; the test and the benchmark compare the two).
    """
    cand = torch.tensor(list(ids))
    first = min(prompt.positions) if share_prefix else 0
    batch = torch.tensor(prompt.ids[first:]).repeat(len(ids), 1)
    batch[:, [p - first for p in prompt.positions]] = cand[:, None]
    past = None
    if first:
        past = model(input_ids=torch.tensor([prompt.ids[:first]]), use_cache=True, logits_to_keep=1).past_key_values
        past.batch_repeat_interleave(len(ids))
    out = model(input_ids=batch, past_key_values=past, use_cache=True, logits_to_keep=1)
    best = torch.zeros(len(ids))
    for step in range(NEW_TOKENS):
        probs = out.logits[:, -1].float().softmax(-1)
        best = torch.maximum(best, probs.gather(1, cand[:, None])[:, 0])
        if step + 1 < NEW_TOKENS:
            out = model(input_ids=probs.argmax(-1, keepdim=True), past_key_values=out.past_key_values,
                        use_cache=True, logits_to_keep=1)
    return best.tolist()


@torch.inference_mode()
def score_generate(model: torch.nn.Module, prompt: PreparedPrompt, token_id: int) -> float:
    """The same number for one candidate via ``model.generate`` (magikarp's loop; the baseline)."""
    ids = list(prompt.ids)
    for pos in prompt.positions:
        ids[pos] = token_id
    out = model.generate(torch.tensor([ids]), max_new_tokens=NEW_TOKENS, do_sample=False, output_logits=True,
                         return_dict_in_generate=True, attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                         pad_token_id=ids[0], min_new_tokens=NEW_TOKENS)
    return max(float(step.float().softmax(-1)[0, token_id]) for step in out.logits)


# --------------------------------------------------------------------------- cached driver


class ResultCache:
    """``{token_id: {prompt: max_prob}}`` for one (model, dtype, tokenizer, prompt version), in one JSON file."""

    def __init__(self, loaded, tok: Tokenizer, *, dtype: torch.dtype | None = DEFAULT_DTYPE,
                 root: Path | None = None) -> None:
        dtype = dtype or next(loaded.model.parameters()).dtype
        key = hashlib.sha256(f"{loaded.fingerprint}|{dtype}|{tok.fingerprint}|{PROMPT_VERSION}|{CACHE_FORMAT}".encode())
        key = key.hexdigest()[:16]
        safe = loaded.name.replace("/", "_").replace(":", "_")
        self.path = (root or cache_dir("results", "glitch")) / f"verify-{safe}-{key}.json"
        self.data: dict[int, dict[str, float]] = {}
        stored = verified_cache.read(self.path, lambda p: json.loads(p.read_text(encoding="utf-8")))
        if stored is not None:
            self.data = {int(k): v for k, v in stored.items()}

    def save(self) -> None:
        """Write the whole table through the verified cache (atomically, with its sha256 sidecar)."""
        verified_cache.write(self.path, json.dumps({str(k): v for k, v in sorted(self.data.items())}))


def verify(loaded, tok: Tokenizer, ids: Iterable[int], *, threshold: float = DEFAULT_THRESHOLD,
           batch_size: int = 16, use_cache: bool = True, progress: bool = True,
           placeholder: int | None = None, dtype: torch.dtype | None = DEFAULT_DTYPE) -> list[Verification]:
    """Verify candidate ids with the three repetition prompts (batched, cached, resumable).

    Every id is checked before any work (:class:`InsertionError`); results already in the cache
    are reused; new ones are saved after each batch. ``dtype`` is the precision the model runs in
    (None: as loaded).
    """
    ids = check_insertable(loaded, tok, ids)
    cache = ResultCache(loaded, tok, dtype=dtype) if use_cache else None
    done = cache.data if cache else {}
    todo = list(dict.fromkeys(i for i in ids if i not in done))
    if todo:
        _run(loaded.in_dtype(dtype), prepare_prompts(tok, placeholder=placeholder), todo, done, cache, batch_size,
             progress)
    return [_verdict(tok, i, done[i], threshold) for i in ids]


def _run(model, prompts: list[PreparedPrompt], todo: list[int], done: dict, cache: ResultCache | None,
         batch_size: int, progress: bool) -> None:
    from tqdm.auto import tqdm

    bar = tqdm(total=len(todo), desc="verifying", unit="token", disable=not progress)
    for start in range(0, len(todo), batch_size):
        chunk = todo[start:start + batch_size]
        scores = {p.template.name: score_batch(model, p, chunk) for p in prompts}
        for k, i in enumerate(chunk):
            done[i] = {name: values[k] for name, values in scores.items()}
        if cache is not None:
            cache.save()
        bar.update(len(chunk))
    bar.close()


def _verdict(tok: Tokenizer, token_id: int, probs: dict[str, float], threshold: float) -> Verification:
    best = max(probs.values())
    return Verification(token_id, token_text(tok, token_id), best, dict(probs), best < threshold)


def verify_one_at_a_time(loaded, tok: Tokenizer, ids: Iterable[int], *, threshold: float = DEFAULT_THRESHOLD,
                         placeholder: int | None = None,
                         dtype: torch.dtype | None = DEFAULT_DTYPE) -> list[Verification]:
    """magikarp's loop: one ``generate`` call per (token, prompt), no cache. For comparison and benchmarks."""
    ids = check_insertable(loaded, tok, ids)
    prompts = prepare_prompts(tok, placeholder=placeholder)
    model = loaded.in_dtype(dtype)
    return [_verdict(tok, i, {p.template.name: score_generate(model, p, i) for p in prompts}, threshold)
            for i in ids]
