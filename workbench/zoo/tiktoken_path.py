"""Byte-level BPE ``tokenizer.json`` files run through tiktoken's core, where that is provably the same tokenizer.

Hugging Face ``tokenizers`` (:mod:`~workbench.zoo.hf_json`) runs any ``tokenizer.json``; tiktoken
(:mod:`~workbench.zoo.ranks`) runs only a rank table and one split regex, but several times faster.
A byte-level BPE file whose merges follow rank order *is* such a table (Llama 3 was trained with
tiktoken). :func:`as_tiktoken` converts a file only when every difference between the two
algorithms is ruled out by a check on the file, and otherwise says which check failed:

- the model is BPE without dropout, unknown token, subword prefix or word suffix, over GPT-2's
  byte alphabet (every token spells bytes; all 256 single bytes are tokens);
- no normaliser (or an empty ``Sequence``), and a pre-tokenizer that is exactly one ``Split`` regex
  (``Isolated``, not inverted) then ``ByteLevel`` without its own regex or prefix space; no
  post-processor that adds tokens (so ``add_special_tokens`` changes nothing, as in tiktoken);
- ranks = ids: every merge ``(a, b)`` yields a token ``a+b`` whose id is above those of ``a`` and ``b``,
  merges come in increasing order of their result's id, every token longer than a byte is made by a
  merge, and every split of a token into two tokens is one of its merges (tiktoken merges any adjacent
  pair whose concatenation is a token, ``tokenizers`` only listed pairs);
- where several merges make the same token (a tie for tiktoken, which merges the leftmost; ``tokenizers``
  takes the earliest merge), the choice cannot matter: of two overlapping ones, ``(p, q)`` and ``(q, r)``,
  the left comes first in the merge list, and no merge taking that token as a part ranks below it;
- added tokens are matched as ``tokenizers`` matches them (leftmost longest): none has ``lstrip``,
  ``rstrip`` or ``single_word``, and no added token overlaps another, so tiktoken's special-token
  alternation finds the same ones;
- the split regex leaves no gap (tiktoken drops unmatched text; ``tokenizers`` keeps it as a piece):
  checked by encoding every code point, alone and between letters, spaces and newlines, and
  counting the bytes back.

These checks are sufficient, not necessary: the zoo's llama3 and qwen2 files fail the merge-order ones
(BENCHMARKS.md gives the failing pairs), although both vocabularies began as tiktoken rank tables (Meta's
Llama 3 ``tokenizer.model``; Qwen's ``qwen.tiktoken``, whose 151,643 ranks qwen2 keeps) and their
``tokenizer.json`` conversions emulate that BPE with merges. Such a file runs through tiktoken's core
only if its sha256 is in :data:`MEASURED_EQUAL`: files that pass every check but the merge-order ones
and whose ids were compared with those of ``tokenizers`` on all of FLORES-200 (the Petrov strings and
every sentence) and on llama.cpp's reference vectors, with no text differing. That is a measurement on
those texts, not a proof for every string, and :func:`describe` says so for each file.
``tests/test_tiktoken_path.py`` repeats the whole comparison on every run for every file on this path,
proven or measured.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from workbench.cache import digest
from workbench.zoo.hf_json import _byte_decoder
from workbench.zoo.ranks import TiktokenBackend

#: Bump whenever a check changes: it keys the refusals the registry caches.
CHECKS_VERSION = "2"  # 2: files in MEASURED_EQUAL run on tiktoken (a v1 refusal of them is never read)


#: sha256 of each ``tokenizer.json`` (the zoo's GGUF conversions at converter version 5) that fails only the
#: merge-order checks and runs through tiktoken's core on measured equality (see the module docstring).
MEASURED_EQUAL = {
    "8f2c00d2362f219beef170d97d0b0ce555d17973bcf487039e57875c549ac330": "llama3",
    "831384b0b25210b78e288997db3ca51934908ab0b939a9e550b3524589977313": "qwen2",
}


@dataclass(frozen=True)
class Refusal:
    """Why a ``tokenizer.json`` is not run through tiktoken (the first check that failed)."""

    reason: str


def as_tiktoken(hf_json: dict, name: str = "hf-bpe") -> TiktokenBackend | Refusal:
    """A :class:`TiktokenBackend` that gives the ids ``tokenizers`` gives for ``hf_json``, or why not.

    ``hf_json`` is the parsed ``tokenizer.json``; the checks are those of the module docstring.
    """
    return _build(hf_json, name, prove=True)


def rank_encoding(hf_json: dict, name: str = "hf-bpe") -> TiktokenBackend | Refusal:
    """The same tiktoken build (ranks = ids, the file's split regex and added tokens) *without* the merge-order
    checks: not the same tokenizer in general, for measuring how far the two paths differ (benchmarks)."""
    return _build(hf_json, name, prove=False)


def _build(hf_json: dict, name: str, *, prove: bool, gaps: bool = True) -> TiktokenBackend | Refusal:
    pattern = _split_pattern(hf_json)
    if isinstance(pattern, Refusal):
        return pattern
    ranks = _ranks(hf_json, prove=prove)
    if isinstance(ranks, Refusal):
        return ranks
    mergeable, special = ranks
    import tiktoken

    enc = tiktoken.Encoding(name, pat_str=pattern, mergeable_ranks=mergeable, special_tokens=special)
    gap = _gap(enc) if gaps else None
    if gap is not None:
        return Refusal(f"the split regex leaves text unmatched (e.g. {gap!r}), which tiktoken would drop")
    return TiktokenBackend(enc, match_added=bool(special))


def from_file(path: Path | str, name: str = "hf-bpe", *, checked: bool = False) -> TiktokenBackend | Refusal:
    """:func:`as_tiktoken` of the ``tokenizer.json`` at ``path``; for a file in :data:`MEASURED_EQUAL`, the
    same build without the merge-order checks (:func:`rank_encoding`), which those files fail.

    ``checked``: this function accepted the same file before (the registry keeps its verdicts by sha256), so
    it is built without running the checks again.
    """
    spec = json.loads(Path(path).read_text(encoding="utf-8"))
    if checked:
        return _build(spec, name, prove=False, gaps=False)
    return rank_encoding(spec, name) if digest(path) in MEASURED_EQUAL else as_tiktoken(spec, name)


def describe(path: Path | str, backend: TiktokenBackend | Refusal) -> str:
    """Why the file at ``path`` runs where it runs, in one line: the refusal, or how its tiktoken ids are known
    to be those of ``tokenizers`` (proven by the checks, or measured on FLORES-200 and llama.cpp's vectors)."""
    if isinstance(backend, Refusal):
        return backend.reason
    if digest(path) in MEASURED_EQUAL:
        return ("merge-order checks fail; ids measured equal to tokenizers' on all of FLORES-200 and "
                "llama.cpp's vectors (not proven for every string)")
    return "proven the same tokenizer by the file checks"


def _split_pattern(spec: dict) -> str | Refusal:
    """The one split regex of a byte-level pre-tokenizer, or why the normaliser or pre-tokenizer do not fit."""
    model = spec.get("model") or {}
    if model.get("type") != "BPE":
        return Refusal(f"model is {model.get('type')}, not BPE")
    for key in ("dropout", "unk_token", "continuing_subword_prefix", "end_of_word_suffix"):
        if model.get(key):
            return Refusal(f"BPE has {key}={model[key]!r}")
    if model.get("byte_fallback"):
        return Refusal("BPE has byte_fallback")
    normalizer = spec.get("normalizer")
    if normalizer is not None and normalizer != {"type": "Sequence", "normalizers": []}:
        return Refusal(f"normaliser {normalizer.get('type')} (only none is converted)")
    post = spec.get("post_processor")
    if post is not None and post.get("type") != "ByteLevel":
        return Refusal(f"post-processor {post.get('type')} may add tokens")
    pre = spec.get("pre_tokenizer") or {}
    steps = pre["pretokenizers"] if pre.get("type") == "Sequence" else [pre]
    if len(steps) != 2 or steps[0].get("type") != "Split" or steps[1].get("type") != "ByteLevel":
        kinds = " + ".join(str(s.get("type")) for s in steps)
        return Refusal(f"pre-tokenizer is {kinds}, not one Split regex + ByteLevel")
    split, byte_level = steps
    if split.get("behavior") != "Isolated" or split.get("invert") or "Regex" not in split.get("pattern", {}):
        return Refusal("the Split is not an isolated, non-inverted regex")
    if byte_level.get("use_regex") or byte_level.get("add_prefix_space"):
        return Refusal("ByteLevel has its own regex or adds a prefix space")
    return split["pattern"]["Regex"]


def _ranks(spec: dict, *, prove: bool) -> tuple[dict[bytes, int], dict[str, int]] | Refusal:
    """(mergeable ranks = ids, added tokens by content), or the first byte-level or added-token check (and with
    ``prove``, merge-order check) that fails."""
    model = spec["model"]
    added = spec.get("added_tokens", [])
    for token in added:
        if token.get("lstrip") or token.get("rstrip") or token.get("single_word"):
            return Refusal(f"added token {token['content']!r} has lstrip/rstrip/single_word")
    added_ids = {t["id"] for t in added}
    overlap = _overlapping([t["content"] for t in added])
    if overlap:
        return Refusal(f"added tokens {overlap[0]!r} and {overlap[1]!r} overlap")
    table = _byte_decoder()
    by_text: dict[str, int] = {}
    ranks: dict[bytes, int] = {}
    for text, token_id in model["vocab"].items():
        if token_id in added_ids:
            continue
        if any(c not in table for c in text):
            return Refusal(f"token {text!r} is outside the byte-level alphabet")
        by_text[text] = token_id
        ranks[bytes(table[c] for c in text)] = token_id
    if len(ranks) != len(by_text):
        return Refusal("two tokens spell the same bytes")
    if sum(len(b) == 1 for b in ranks) != 256:
        return Refusal("not every byte is a token")
    merges = [m.split(" ") if isinstance(m, str) else m for m in model["merges"]]
    refusal = _merge_order(merges, by_text) if prove else None
    if refusal is not None:
        return refusal
    return ranks, {t["content"]: t["id"] for t in added}


def _merge_order(merges: list[list[str]], by_text: dict[str, int]) -> Refusal | None:
    """None if BPE by merge order and BPE by rank (= id) of the result make the same choices on this vocabulary.

    Both merge the adjacent pair of lowest priority first, leftmost on a tie; they differ only in the
    pairs they may merge and in how they rank two merges that make the same token (tiktoken: a tie).
    """
    made: dict[str, list[int]] = defaultdict(list)
    index: dict[tuple[str, str], int] = {}
    last = -1
    for i, (a, b) in enumerate(merges):
        result = by_text.get(a + b)
        if result is None or a not in by_text or b not in by_text:
            return Refusal(f"merge {a!r} {b!r} does not join two tokens into a token")
        if result < last:
            return Refusal(f"merge {a!r} {b!r} is out of rank order")
        last = result
        made[a + b].append(i)
        index[a, b] = i
    for text in by_text:
        if len(text) < 2:
            continue
        if text not in made:
            return Refusal(f"token {text!r} is made by no merge (unreachable in tokenizers, whole in tiktoken)")
        for k in range(1, len(text)):
            if text[:k] in by_text and text[k:] in by_text and (text[:k], text[k:]) not in index:
                return Refusal(f"{text[:k]!r} + {text[k:]!r} spell a token but are no merge")
    for text, ids in made.items():
        if len(ids) < 2:
            continue
        for i in ids:  # (p, q) and (q, r) both make the token: tiktoken merges the left one, so must tokenizers
            p, q = merges[i]
            right = index.get((q, text[len(q):])) if text.startswith(q) else None
            if right is not None and right != i and right < i:
                return Refusal(f"two merges making {text!r} overlap and tokenizers prefers the right one")
    return _ties_settled(merges, by_text, made)


def _ties_settled(merges: list[list[str]], by_text: dict[str, int], made: dict[str, list[int]]) -> Refusal | None:
    """None if no merge taking a token made by several merges as a part ranks below that token.

    Then, once any merge making such a token is due, every pair making it is merged before anything new:
    the order among them (merge order in tokenizers, leftmost in tiktoken) does not change the result.
    """
    tied = {t for t, ids in made.items() if len(ids) > 1}
    for a, b in merges:
        for part in (a, b):
            if part in tied and by_text[a + b] <= by_text[part]:
                return Refusal(f"merge {a!r} {b!r} ranks below its part {part!r}, which several merges make")
    return None


def _overlapping(contents: list[str]) -> tuple[str, str] | None:
    """Two added tokens where one holds the other, or one's end is the other's start, if any."""
    starts = {c[:k]: c for c in contents for k in range(1, len(c))}
    for c in contents:
        inner = next((x for x in contents if x != c and x in c), None)
        if inner is not None:
            return c, inner
        end = next((c[k:] for k in range(1, len(c)) if c[k:] in starts and starts[c[k:]] != c), None)
        if end is not None:
            return c, starts[end]
    return None


def _gap(enc) -> str | None:
    """A code point the split regex can leave unmatched (alone, or between letters, spaces or newlines), if any."""
    points = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    for joiner in ("", "a", " ", "\n", "1"):
        chunks = ["".join(joiner + p for p in points[i:i + 4096]) + joiner for i in range(0, len(points), 4096)]
        for chunk, ids in zip(chunks, enc.encode_ordinary_batch(chunks, num_threads=2), strict=True):
            if len(enc.decode_bytes(ids)) != len(chunk.encode("utf-8")):
                return next((p for p in chunk if len(enc.decode_bytes(enc.encode_ordinary(p))) != len(p.encode())),
                            chunk[:40])
    return None
