"""The "Your turn" exercises at the end of notebooks 01-05: each one's task, its solution and its check.

One registry, :data:`EXERCISES`, keyed ``"NN.name"``, drives everything: the exercise cells appended to each
notebook (:func:`exercise_cells`), the check a student runs there (:func:`check`), and the solutions copy
(``workbench notebooks --solutions``, :func:`fill_solutions`). A check never holds a stored answer: it computes
the right one with the exercise's ``solve_*`` function from the same frames the notebook has, so it stays right
when the data change (another corpus, full mode), and its feedback names the numbers behind the verdict, e.g.
``ary_Arab fell 1.2×, but kir_Cyrl fell 2.3×: look at the ratio, not the difference``.

The solution of each exercise is its ``solve_*`` function: short, documented, and what the solutions copy calls in
place of the student's ``answer = ...``. The student's copy holds no solution; an answer left at ``...`` (the
placeholder) gets a hint, not an error, so the notebooks still run top to bottom (nbval, ``make reproduce``).

>>> import polars as pl
>>> premiums = pl.DataFrame({"language": ["eng_Latn", "tur_Latn", "eng_Latn", "tur_Latn"],
...                          "tokenizer": ["gpt2", "gpt2", "o200k_base", "o200k_base"],
...                          "premium": [1.0, 3.0, 1.0, 1.5], "valid": [True] * 4})
>>> check("01.premium_drop", "tur_Latn", premiums).correct
True
>>> check("01.premium_drop", ..., premiums).correct is None   # the placeholder: a hint
True
"""

from __future__ import annotations

import difflib
import functools
import json
import re
import textwrap
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

#: The line of an exercise cell that holds the student's answer (the solutions copy replaces it).
PLACEHOLDER = "answer = ...  # your answer"
#: Where an exercise cell records its exercise (cell metadata), so the solutions copy finds it.
METADATA_KEY = "workbench_exercise"


@dataclass(frozen=True, repr=False)
class Verdict:
    """What a check says: ``correct`` (``None`` while the answer is still the placeholder) and why."""

    correct: bool | None
    message: str

    def __repr__(self) -> str:
        return self.message

    def _repr_markdown_(self) -> str:
        mark = {True: "✅ **Right.**", False: "❌ **Not yet.**", None: "✏️ **No answer yet.**"}[self.correct]
        return f"{mark} {self.message}"


@dataclass(frozen=True)
class Exercise:
    """One exercise: its notebook, title and task (markdown), the notebook variables its check takes (``data``),
    what an answer looks like, a hint for the placeholder, its solution and its feedback."""

    key: str
    title: str
    task: str
    data: tuple[str, ...]
    answer_form: str
    hint: str
    solve: Callable[..., Any]
    feedback: Callable[..., Verdict]

    @property
    def notebook(self) -> str:
        """The two-digit number of the notebook it ends, e.g. ``"01"``."""
        return self.key.split(".")[0]


def _fmt(x: float) -> str:
    return f"{x:.2f}"


def _not_one_of(kind: str, answer: object, known: Sequence[str]) -> Verdict | None:
    """A verdict for an answer outside ``known`` (with the closest known name), else ``None``."""
    if answer in known:
        return None
    close = difflib.get_close_matches(str(answer), [str(k) for k in known], n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    listed = ", ".join(map(str, known))
    return Verdict(False, f"{answer!r} is not a {kind} of the table.{hint} The table has: {listed}.")


def _top(frame: pl.DataFrame, by: str, key: str, *, descending: bool = True) -> Any:
    """``key`` of the first row of ``frame`` sorted by ``by`` (ties: the table's order)."""
    return frame.sort(by, descending=descending, maintain_order=True)[key][0]


def _pick(frame: pl.DataFrame, key: str, kind: str, answer: object, best: object) -> tuple[dict, dict] | Verdict:
    """(the best row, the answer's row) of ``frame`` by its ``key`` column, or the verdict for an answer that is not
    one of its ``kind`` (a row name the table lacks)."""
    if (unknown := _not_one_of(kind, answer, frame[key].to_list())) is not None:
        return unknown
    rows = {r[key]: r for r in frame.iter_rows(named=True)}
    return rows[best], rows[answer]


def _versus(best: dict, mine: dict, describe: Callable[[dict], str], *, right: str = "", why: str = "") -> Verdict:
    """Right (the best row described, then ``right``), or the answer's row against the best one's, then ``why``
    (what the answer's likely misreading was, or "")."""
    if mine is best:
        return Verdict(True, f"{describe(best)}{right}.")
    return Verdict(False, f"{describe(mine)}, but {describe(best)}{why}.")

# ----------------------------------------------------------------------------------------- 01 multilingual fairness


def _premium_change(premiums: pl.DataFrame, old: str = "gpt2", new: str = "o200k_base") -> pl.DataFrame:
    """``language, old, new, ratio, drop`` per language with a valid premium under both tokenizers."""
    cells = premiums.filter(pl.col("valid")) if "valid" in premiums.columns else premiums
    wide = cells.filter(pl.col("tokenizer").is_in([old, new])).pivot(on="tokenizer", index="language",
                                                                      values="premium").drop_nulls()
    return wide.select("language", old=pl.col(old), new=pl.col(new)).with_columns(
        ratio=pl.col("old") / pl.col("new"), drop=pl.col("old") - pl.col("new")).sort("language")


def solve_premium_drop(premiums: pl.DataFrame) -> str:
    """The language whose premium fell most from GPT-2 to o200k, as a ratio (how many times cheaper)."""
    return _top(_premium_change(premiums), "ratio", "language")


def _feedback_premium_drop(answer: object, premiums: pl.DataFrame) -> Verdict:
    change = _premium_change(premiums)
    if isinstance(picked := _pick(change, "language", "language", answer, solve_premium_drop(premiums)), Verdict):
        return picked
    best, mine = picked

    def fell(r: dict) -> str:
        return f"{r['language']} fell {_fmt(r['ratio'])}× (premium {_fmt(r['old'])} → {_fmt(r['new'])})"
    return _versus(best, mine, fell, right=f": the largest fall of the {change.height} languages",
                   why=": look at the ratio, not the difference (it fell the most premium points, "
                   f"{_fmt(mine['drop'])})" if answer == _top(change, "drop", "language") else "")


def _baselines() -> set[str]:
    from workbench import zoo

    return {str(r["name"]) for r in zoo.describe() if r["family"] == "baseline"}


def _invalid_cells(premiums: pl.DataFrame) -> dict[str, int]:
    """Per tokenizer with any: how many languages' premiums are invalid (mostly unknown tokens, left blank)."""
    counted = premiums.group_by("tokenizer").agg(invalid=(~pl.col("valid")).sum())
    return {r["tokenizer"]: r["invalid"] for r in counted.iter_rows(named=True) if r["invalid"]}


def solve_fairest_tokenizer(inequality: pl.DataFrame, premiums: pl.DataFrame) -> str:
    """The tokenizer with the lowest Gini of premiums across languages, among those valid in every language of
    ``premiums`` (``inequality`` is over valid cells only) and leaving the byte and character baselines aside."""
    left_out = _baselines() | set(_invalid_cells(premiums))
    return inequality.filter(~pl.col("tokenizer").is_in(sorted(left_out))).sort("gini", maintain_order=True)[
        "tokenizer"][0]


def _feedback_fairest_tokenizer(answer: object, inequality: pl.DataFrame, premiums: pl.DataFrame) -> Verdict:
    picked = _pick(inequality, "tokenizer", "tokenizer", answer, solve_fairest_tokenizer(inequality, premiums))
    if isinstance(picked, Verdict):
        return picked
    best, mine = picked
    gini = f"Gini {_fmt(best['gini'])}, costliest language {best['max_language']} at {_fmt(best['max_premium'])}×"
    if mine is best:
        return Verdict(True, f"{answer}: {gini}, valid in every language.")
    if answer in _baselines():
        return Verdict(False, f"{answer} is a baseline (bytes or characters), not a vocabulary: it sets the floor "
                              "the others are compared with. Leave the baselines out.")
    if (invalid := _invalid_cells(premiums).get(str(answer))) is not None:
        languages = premiums["language"].n_unique()
        return Verdict(False, f"{answer} has Gini {_fmt(mine['gini'])}, but over {languages - invalid} of the "
                              f"{languages} languages only: in {invalid} of them more than 10 % of its tokens are "
                              "unknown, so their premiums are left out. A tokenizer that erases a script looks "
                              f"cheap on it. Of those valid everywhere, {best['tokenizer']} has {gini}.")
    real = inequality.filter(~pl.col("tokenizer").is_in(sorted(_baselines())))
    by_extremes = _top(real, "max_min", "tokenizer", descending=False)
    why = (f" {answer} has the smallest max/min ratio ({_fmt(mine['max_min'])}), which looks at two languages only;"
           " the Gini weighs every language." if answer == by_extremes else "")
    return Verdict(False, f"{answer} has Gini {_fmt(mine['gini'])}, but {best['tokenizer']} has {gini}.{why}")


# ------------------------------------------------------------------------------------------------ 02 Turkish purity


def solve_highest_pure(flores: pl.DataFrame) -> str:
    """The tokenizer with the highest %Pure over token types (``pure_type``, the paper's code) on FLORES."""
    return _top(flores, "pure_type", "tokenizer")


def _feedback_highest_pure(answer: object, flores: pl.DataFrame) -> Verdict:
    if isinstance(picked := _pick(flores, "tokenizer", "tokenizer", answer, solve_highest_pure(flores)), Verdict):
        return picked
    best, mine = picked
    runner_up = flores.filter(pl.col("tokenizer") != best["tokenizer"]).sort(
        "pure_type", descending=True, maintain_order=True).row(0, named=True)
    if mine is best:
        from workbench import zoo

        turkish_built = answer in zoo.list_tokenizers() and zoo.spec(str(answer)).family == "Turkish"
        why = (" Why: its vocabulary is built from Turkish roots and suffixes, so its types are pure by construction;"
               f" the best general-purpose tokenizer, {runner_up['tokenizer']}, has {_fmt(runner_up['pure_type'])}."
               if turkish_built else f" The runner-up, {runner_up['tokenizer']}, has {_fmt(runner_up['pure_type'])}.")
        return Verdict(True, f"{answer}: pure_type {_fmt(best['pure_type'])}.{why}")
    by_tokens = _top(flores, "pure_token", "tokenizer")
    why = (f" {answer} is the highest over occurrences (pure_token {_fmt(mine['pure_token'])}): frequent short roots"
           " and suffixes count many times there. The question is over types, as the paper's code counts."
           if answer == by_tokens else "")
    return Verdict(False, f"{answer} has pure_type {_fmt(mine['pure_type'])}, but {best['tokenizer']} has "
                          f"{_fmt(best['pure_type'])}.{why}")


@functools.cache  # the paper's table is a constant of the package
def _leave_one_out() -> dict[str, float]:
    """Pearson r of %TR and TR-MMLU over the paper's rows with each row left out in turn, and with none (``""``)."""
    from workbench import turkish

    names = [str(r["paper_name"]) for r in turkish.BAYRAM_2025_TABLE]
    fast = {"bootstrap": 100, "permutations": 100}  # r itself does not depend on them
    out = {"": turkish.paper_correlation("tr", **fast).pearson}
    return out | {n: turkish.paper_correlation("tr", rows=[m for m in names if m != n], **fast).pearson
                  for n in names}


def solve_leave_one_out() -> str:
    """The one row of the paper's table that, left out, moves Pearson r (%TR vs TR-MMLU) the most."""
    r = _leave_one_out()
    return max((n for n in r if n), key=lambda n: abs(r[n] - r[""]))


def _feedback_leave_one_out(answer: object) -> Verdict:
    r = _leave_one_out()
    if (unknown := _not_one_of("row (paper_name)", answer, [n for n in r if n])) is not None:
        return unknown
    best = solve_leave_one_out()

    def moves(n: str) -> str:
        return f"leaving out {n} moves r from {_fmt(r[''])} to {_fmt(r[n])}"
    if answer == best:
        return Verdict(True, f"{moves(best)}: one row of eight moves r by {abs(r[best] - r['']):.2f}, which is "
                             "what the notebook's warning about n = 8 means.")
    return Verdict(False, f"{moves(str(answer))}, but {moves(best)}.")


# ------------------------------------------------------------------------------------------------- 03 glitch tokens


def _non_normal_shares(census: Sequence[Mapping[str, object]]) -> pl.DataFrame:
    frame = pl.DataFrame([{"tokenizer": c["tokenizer"], "normal": c["normal"], "total": c["total"]} for c in census])
    return frame.with_columns(other=pl.col("total") - pl.col("normal"),
                              share=1 - pl.col("normal") / pl.col("total"))


def solve_census_share(census: Sequence[Mapping[str, object]]) -> str:
    """The tokenizer whose vocabulary has the largest *share* of ids that are not ``normal``."""
    return _top(_non_normal_shares(census), "share", "tokenizer")


def _feedback_census_share(answer: object, census: Sequence[Mapping[str, object]]) -> Verdict:
    shares = _non_normal_shares(census)
    if isinstance(picked := _pick(shares, "tokenizer", "tokenizer", answer, solve_census_share(census)), Verdict):
        return picked
    best, mine = picked

    def share(r: dict) -> str:
        return f"{r['tokenizer']}: {r['other']:,} of {r['total']:,} ids are not normal ({100 * r['share']:.1f} %)"
    return _versus(best, mine, share, why=": it has the most such ids, but also a large vocabulary. Compare shares, "
                   "not counts" if answer == _top(shares, "other", "tokenizer") else "")


TokenKind = Literal["code", "non-latin", "word", "word-piece", "other"]
#: What each :data:`TokenKind` says about why a token can be under-trained (Land & Bartolo 2024, section 5).
TOKEN_KINDS: dict[str, str] = {
    "code": "code or markup (digits, brackets, underscores, camelCase): frequent in the tokenizer's training text, "
            "rare in the model's",
    "non-latin": "letters of a non-Latin script only: a script the model saw little text in",
    "word": "a whole word (a leading space, then letters): a rare word, or one the model's data filtered out",
    "word-piece": "letters with no leading space: a fragment that mostly occurs inside a longer token, so the "
                  "model rarely saw it alone",
    "other": "punctuation, whitespace or bytes that are not text",
}
_CODE = re.compile(r"[0-9_{}\[\]()<>=;:\\/*#$@&|~^]|[a-z][A-Z]")


def token_kind(text: str) -> TokenKind:
    """The :data:`TokenKind` of a token's text, by the first rule that holds (in the order of :data:`TOKEN_KINDS`).

    >>> [token_kind(t) for t in ["getValue", " Кыргыз", " Magikarp", "arp", "..."]]
    ['code', 'non-latin', 'word', 'word-piece', 'other']
    """
    letters = [c for c in text if c.isalpha()]
    if _CODE.search(text):
        return "code"
    if letters and not any("LATIN" in unicodedata.name(c, "") for c in letters):
        return "non-latin"
    if text[1:] and text[0] == " " and text[1:].isalpha():
        return "word"
    return "word-piece" if text.isalpha() else "other"


def solve_explain_candidate(result: Any) -> tuple[int, str]:
    """One explanation: the most suspicious candidate the model could not repeat, and its :func:`token_kind`."""
    table = result.table.filter(pl.col("candidate")).sort(result.main_indicator, maintain_order=True)
    verified = table.filter(pl.col("verified").fill_null(False))
    row = (verified if verified.height else table).row(0, named=True)
    return int(row["token_id"]), token_kind(row["token"])


def _feedback_explain_candidate(answer: object, result: Any) -> Verdict:
    if not (isinstance(answer, tuple) and len(answer) == 2):
        return Verdict(False, "Answer with a pair (token_id, kind), e.g. (12345, \"word-piece\"); the kinds are "
                              + ", ".join(TOKEN_KINDS) + ".")
    token_id, kind = answer
    rows = result.table.filter(pl.col("token_id") == token_id)
    if rows.is_empty() or not rows["candidate"][0]:
        return Verdict(False, f"Token {token_id} is not a candidate: pick a token_id from the candidate table above "
                              "(candidate == True).")
    row = rows.row(0, named=True)
    actual = token_kind(row["token"])
    if row["verified"] is None:
        tested = "it was not verified (outside the top candidates tested)"
    elif row["verified"]:
        tested = f"the model could not repeat it (verified; max probability {row['max_prob']:.3f})"
    else:
        tested = f"the model did repeat it (max probability {row['max_prob']:.3f}): a false alarm of the indicator"
    if kind not in TOKEN_KINDS:
        return Verdict(False, f"{kind!r} is not a kind: pick one of {', '.join(TOKEN_KINDS)}.")
    if kind != actual:
        return Verdict(False, f"`{row['token']!r}` (id {token_id}) is not {kind!r} but {actual!r}: "
                              f"{TOKEN_KINDS[actual]}. The rules: workbench.exercises.token_kind.")
    return Verdict(True, f"`{row['token']!r}` (id {token_id}) is {TOKEN_KINDS[kind]}. Its {result.main_indicator} is "
                         f"{row[result.main_indicator]:.3f}, and {tested}.")


def solve_best_indicator(gemma_eval: pl.DataFrame) -> str:
    """The indicator with the highest ROC AUC on the held-out never-trained rows."""
    return _top(gemma_eval, "roc_auc", "indicator")


def _feedback_best_indicator(answer: object, gemma_eval: pl.DataFrame) -> Verdict:
    picked = _pick(gemma_eval, "indicator", "indicator", answer, solve_best_indicator(gemma_eval))
    if isinstance(picked, Verdict):
        return picked
    best, mine = picked
    if mine is best:
        return Verdict(True, f"{answer}: ROC AUC {mine['roc_auc']:.3f} (1 = every held-out unused row ranks above "
                             "every normal token, 0.5 = chance).")
    by_precision = _top(gemma_eval, "precision", "indicator")
    why = (f" {answer} has the highest precision ({mine['precision']:.3f}), but only at its one threshold; the ROC "
           "AUC judges the whole ranking." if answer == by_precision else "")
    return Verdict(False, f"{answer} has ROC AUC {mine['roc_auc']:.3f}, but {best['indicator']} has "
                          f"{best['roc_auc']:.3f}.{why}")


# ----------------------------------------------------------------------------------------- 04 visual token pruning


def _with_speed(table: pl.DataFrame) -> pl.DataFrame:
    """The sweep table with ``flops_cut``: the unpruned compute over each row's (an encoder-output method's rows
    run every block unpruned, so their ``gflops`` are the unpruned model's)."""
    output = table.filter(pl.col("place") == "output")["gflops"]
    if output.is_empty():
        raise ValueError("The table has no encoder-output method (visionzip, divprune, graph): its gflops would be "
                         "the unpruned model's compute.")
    return table.with_columns(flops_cut=output.max() / pl.col("gflops"))


def solve_best_at_2x(table: pl.DataFrame) -> str:
    """The method with the highest ``pooled_cos`` among the rows that need at most half the unpruned FLOPs."""
    fast = _with_speed(table).filter(pl.col("flops_cut") >= 2)
    return fast.sort("pooled_cos", descending=True, maintain_order=True)["method"][0]


def _feedback_best_at_2x(answer: object, table: pl.DataFrame) -> Verdict:
    rows = _with_speed(table)
    if (unknown := _not_one_of("method", answer, list(dict.fromkeys(rows["method"])))) is not None:
        return unknown
    fast = rows.filter(pl.col("flops_cut") >= 2).sort("pooled_cos", descending=True, maintain_order=True)
    best = fast.row(0, named=True)

    def row(r: dict) -> str:
        return (f"{r['method']} at keep {r['keep']} ({_fmt(r['flops_cut'])}× fewer FLOPs) keeps pooled_cos "
                f"{r['pooled_cos']:.3f}")
    if answer == best["method"]:
        return Verdict(True, f"{row(best)}.")
    mine = fast.filter(pl.col("method") == answer)
    if mine.is_empty():
        top = rows.filter(pl.col("method") == answer).sort("flops_cut", descending=True).row(0, named=True)
        where = " it acts at the encoder output, so the encoder runs unpruned" if top["place"] == "output" else ""
        return Verdict(False, f"{answer} never reaches 2× here: at best {_fmt(top['flops_cut'])}× fewer FLOPs (keep "
                              f"{top['keep']}, place {top['place']}){';' + where if where else ''}. Among the rows "
                              f"that do, {row(best)}.")
    return Verdict(False, f"{row(mine.row(0, named=True))}, but {row(best)}.")


def solve_beats_random(table: pl.DataFrame, keep: float = 0.25) -> set[str]:
    """The methods whose ``pooled_cos`` at ``keep`` is above the random baseline's at the same keep."""
    at = table.filter(pl.col("keep") == keep)
    chance = at.filter(pl.col("method") == "random")["pooled_cos"].item()
    return set(at.filter((pl.col("method") != "random") & (pl.col("pooled_cos") > chance))["method"])


def _feedback_beats_random(answer: object, table: pl.DataFrame) -> Verdict:
    methods = [m for m in dict.fromkeys(table["method"]) if m != "random"]
    if not isinstance(answer, set | list | tuple) or isinstance(answer, str):
        return Verdict(False, 'Answer with a set of method names, e.g. {"tome", "evit"}.')
    if (unknown := next((_not_one_of("method", m, methods) for m in answer if m not in methods), None)) is not None:
        return unknown
    right, given = solve_beats_random(table), set(answer)
    at = {r["method"]: r["pooled_cos"] for r in table.filter(pl.col("keep") == 0.25).iter_rows(named=True)}
    if given == right:
        return Verdict(True, f"{len(right)} of {len(methods)} methods beat random ({at['random']:.4f}) at keep 0.25.")
    parts = [f"{m} does not ({at[m]:.4f} ≤ random's {at['random']:.4f})" for m in sorted(given - right)]
    parts += [f"{m} also does ({at[m]:.4f} > {at['random']:.4f})" for m in sorted(right - given)]
    return Verdict(False, "; ".join(parts) + ".")


# ------------------------------------------------------------------------------------ 05 train your own tokenizer


def _gaps(effect: pl.DataFrame, kind: str = "bpe") -> pl.DataFrame:
    return effect.filter(pl.col("kind") == kind).select("vocab_size", "balanced", gap=(pl.col("balanced") - 1).abs())


def solve_parity_gap(effect: pl.DataFrame) -> int:
    """The vocabulary size at which BPE trained on the balanced mix has the smallest gap |median premium − 1|."""
    return int(_gaps(effect).sort("gap", maintain_order=True)["vocab_size"][0])


def _feedback_parity_gap(answer: object, effect: pl.DataFrame) -> Verdict:
    gaps = _gaps(effect)
    if isinstance(picked := _pick(gaps, "vocab_size", "vocabulary size", answer, solve_parity_gap(effect)), Verdict):
        return picked
    best, mine = picked
    if mine is best:
        return Verdict(True, f"{answer}: the median language pays {_fmt(best['balanced'])}× what English pays, the "
                             "closest to parity of the sizes trained.")
    why = " Bigger is not always fairer." if answer == gaps["vocab_size"].max() else ""
    return Verdict(False, f"At {answer} the gap is {_fmt(mine['gap'])}, but at {best['vocab_size']} it is "
                          f"{_fmt(best['gap'])}.{why}")


def _beats(table: pl.DataFrame, grid: Sequence[Any], reference: str) -> pl.DataFrame:
    """``vocab_size, best`` (lowest median premium of the grid at that size) and whether it beats ``reference``."""
    from workbench import fairness

    target = table.filter(pl.col("tokenizer") == reference)["median_premium"].item()
    settings = fairness.grid_frame(grid).join(table.select("tokenizer", "median_premium"), on="tokenizer")
    best = settings.group_by("vocab_size").agg(pl.col("median_premium").min().alias("best")).sort("vocab_size")
    return best.with_columns(beats=pl.col("best") < target, target=pl.lit(target))


def solve_beats_o200k(table: pl.DataFrame, grid: Sequence[Any]) -> int | None:
    """The smallest vocabulary size at which a tokenizer of the grid has a lower median premium than o200k_base
    (``None`` if none does)."""
    sizes = _beats(table, grid, "o200k_base").filter(pl.col("beats"))["vocab_size"]
    return int(sizes[0]) if sizes.len() else None


def _feedback_beats_o200k(answer: object, table: pl.DataFrame, grid: Sequence[Any]) -> Verdict:
    beats = _beats(table, grid, "o200k_base")
    sizes = beats["vocab_size"].to_list()
    if answer is not None and (unknown := _not_one_of("vocabulary size", answer, sizes)) is not None:
        return unknown
    right = solve_beats_o200k(table, grid)
    target = f"o200k_base's median premium {_fmt(beats['target'][0])}"
    rows = {r["vocab_size"]: r for r in beats.iter_rows(named=True)}
    if right is None:
        return Verdict(answer is None, "Right: " * (answer is None) + f"no size beats {target}; the best is "
                                       f"{_fmt(beats['best'].min())}.")
    best = f"its best tokenizer has {_fmt(rows[right]['best'])}"
    if answer == right:
        return Verdict(True, f"{right}: {best} against {target}, with {right:,} tokens against o200k's 200k.")
    if answer is None:
        return Verdict(False, f"At {right} {best}, below {target}.")
    if not rows[answer]["beats"]:
        return Verdict(False, f"At {answer} the best is {_fmt(rows[answer]['best'])}, not below {target}.")
    return Verdict(False, f"{answer} beats {target} ({_fmt(rows[answer]['best'])}), but so does the smaller {right} "
                          f"({_fmt(rows[right]['best'])}).")


# --------------------------------------------------------------------------------------------------- the registry

EXERCISES: dict[str, Exercise] = {e.key: e for e in [
    Exercise("01.premium_drop", "the largest fall",
             "Which language's premium fell most from GPT-2 to o200k, as a ratio (how many times cheaper the same text "
             "became)? Use `premiums` (section 4).",
             ("premiums",), 'a language code, e.g. "tur_Latn"',
             "pivot `premiums` to one column per tokenizer (`fairness.premium_matrix`) and divide gpt2 by o200k_base.",
             solve_premium_drop, _feedback_premium_drop),
    Exercise("01.fairest_tokenizer", "the most even tokenizer",
             "Leaving out the byte and character baselines, which tokenizer spreads its premiums most evenly across "
             "all the languages? Use `inequality` (section 5) and `premiums` (section 4).",
             ("inequality", "premiums"), 'a tokenizer name, e.g. "gpt2"',
             "which column of `inequality` weighs every language, not only the costliest and the cheapest?",
             solve_fairest_tokenizer, _feedback_fairest_tokenizer),
    Exercise("02.highest_pure", "the purest vocabulary",
             "Which tokenizer has the highest %Pure over token types on FLORES, and why? Use `flores` (section 3); "
             "the check tells you whether the reason you thought of is the one the data show.",
             ("flores",), 'a tokenizer name, e.g. "gemma3"',
             "the paper's code counts unique types: `pure_type`, not `pure_token`.",
             solve_highest_pure, _feedback_highest_pure),
    Exercise("02.leave_one_out", "one row of eight",
             "Leave out one row of the paper's table at a time: which row, left out, moves Pearson r between %TR and "
             "TR-MMLU the most? (`turkish.paper_correlation(\"tr\", rows=[...])`, section 6.)",
             (), 'a paper_name of `turkish.BAYRAM_2025_TABLE`, e.g. "gemma-2"',
             "loop over `r[\"paper_name\"] for r in turkish.BAYRAM_2025_TABLE`, passing the other seven rows.",
             solve_leave_one_out, _feedback_leave_one_out),
    Exercise("03.census_share", "the least normal vocabulary",
             "Which tokenizer of the census gives the largest share of its vocabulary to ids that are not `normal`? "
             "Use `census` (section 1).",
             ("census",), 'a tokenizer name, e.g. "gpt2"',
             "a big vocabulary has many of every category: divide by `total`.",
             solve_census_share, _feedback_census_share),
    Exercise("03.explain_candidate", "explain a candidate",
             "Pick one candidate from the table of section 3 and explain it: which kind of token is it? One of "
             "`code`, `non-latin`, `word` (a leading space, then letters), `word-piece` (letters, no leading space) or "
             "`other`. The check says what that kind tells about why the model never learned it, and whether "
             "verification confirmed it.",
             ("result",), '(token_id, kind), e.g. (12345, "word-piece")',
             "`explorer.compute_candidates(result, 15)` lists them; look at each `token`'s characters.",
             solve_explain_candidate, _feedback_explain_candidate),
    Exercise("03.best_indicator", "the indicator to trust",
             "On Gemma-3-270M, which indicator separates the held-out never-trained rows from normal tokens best? "
             "Use `gemma_eval` (section 4).",
             ("gemma_eval",), 'an indicator name, e.g. "input_l2_norm"',
             "which column judges the whole ranking rather than one threshold?",
             solve_best_indicator, _feedback_best_indicator),
    Exercise("04.best_at_2x", "fidelity at 2× speed",
             "Which method keeps the highest pooled-feature cosine (`pooled_cos`) among the rows of `table` "
             "(section 3) that need at most half the unpruned model's FLOPs (2× fewer)?",
             ("table",), 'a method name, e.g. "tome"',
             "the encoder-output methods run every block unpruned: their `gflops` is the unpruned compute.",
             solve_best_at_2x, _feedback_best_at_2x),
    Exercise("04.beats_random", "better than chance",
             "At keep 0.25, which methods keep a higher `pooled_cos` than the random baseline? "
             "Use `table` (section 3).",
             ("table",), 'a set of method names, e.g. {"tome", "evit"}',
             "filter `table` on keep == 0.25 and compare each method's pooled_cos with random's.",
             solve_beats_random, _feedback_beats_random),
    Exercise("05.parity_gap", "the smallest parity gap",
             "For BPE trained on the balanced mix, which vocabulary size gives the smallest parity gap, "
             "|median premium − 1|? Use `effect` (section 5).",
             ("effect",), "a vocabulary size, e.g. 1000",
             "the `balanced` column of `effect` is the median premium; its distance from 1 is the gap.",
             solve_parity_gap, _feedback_parity_gap),
    Exercise("05.beats_o200k", "smaller and fairer",
             "What is the smallest vocabulary size at which a tokenizer you trained has a lower median premium than "
             "o200k_base (200k tokens)? Use `table` and `grid` (section 5); answer `None` if none does.",
             ("table", "grid"), "a vocabulary size, e.g. 4000, or None",
             "`fairness.grid_frame(grid)` gives each trained tokenizer's size; join it with `table`.",
             solve_beats_o200k, _feedback_beats_o200k),
]}


def check(key: str, answer: object, *data: object) -> Verdict:
    """Check ``answer`` to exercise ``key`` against the notebook's ``data`` (the variables the exercise names).

    The right answer is computed from ``data`` by the exercise's ``solve_*`` function. An answer left at the
    placeholder ``...`` gets the hint instead (``correct is None``), so a notebook runs through unanswered.
    """
    if key not in EXERCISES:
        from workbench.errors import unknown_name

        raise unknown_name("exercise", key, EXERCISES)
    exercise = EXERCISES[key]
    if answer is ...:
        return Verdict(None, f"Replace `...` with {exercise.answer_form}. Hint: {exercise.hint}")
    return exercise.feedback(answer, *data)


def solution_line(exercise: Exercise) -> str:
    """The line the solutions copy puts in place of :data:`PLACEHOLDER`."""
    return f"answer = exercises.{exercise.solve.__name__}({', '.join(exercise.data)})  # the solution"


def exercise_cells(notebook: str) -> list[dict[str, Any]]:
    """The "Your turn" cells (nbformat 4.5 dicts) of notebook ``notebook`` (``"01"``): a heading, then per exercise
    a markdown cell with its task and a code cell with the placeholder and the check. Every cell records its
    exercise (the heading: the notebook) under :data:`METADATA_KEY` and has a fixed id, so they can be found and
    regenerated (``scripts/exercise_cells.py``)."""
    chosen = [e for e in EXERCISES.values() if e.notebook == notebook]
    cells = [_cell("markdown", f"exercises-{notebook}", notebook,
                   "## Your turn\nReplace each `...` with your answer and run the cell: the check recomputes the\n"
                   "right answer from this notebook's data and says what it finds.")]
    for number, e in enumerate(chosen, 1):
        args = ", ".join([f'"{e.key}"', "answer", *e.data])
        slug = e.key.replace(".", "-").replace("_", "-")
        task = textwrap.fill(f"**Exercise {number}: {e.title}.** {e.task}", 110, break_on_hyphens=False)
        cells.append(_cell("markdown", f"{slug}-task", e.key, task))
        cells.append(_cell("code", f"{slug}-check", e.key, f"from workbench import exercises\n"
                                                            f"{PLACEHOLDER}: {e.answer_form}\n"
                                                            f"exercises.check({args})"))
    return cells


def _cell(kind: Literal["markdown", "code"], cell_id: str, key: str, source: str) -> dict[str, Any]:
    cell: dict[str, Any] = {"cell_type": kind, "id": cell_id, "metadata": {METADATA_KEY: key}, "source": source}
    if kind == "code":
        cell |= {"execution_count": None, "outputs": []}
    return cell


def fill_solutions(notebook_json: str) -> str:
    """A notebook's JSON text with each exercise cell's :data:`PLACEHOLDER` line replaced by its solution."""
    nb = json.loads(notebook_json)
    for cell in nb["cells"]:
        if cell["cell_type"] != "code" or (key := cell["metadata"].get(METADATA_KEY)) is None:
            continue
        source = "".join(cell["source"])  # a string, or a list of lines as nbformat writes it
        lines = [solution_line(EXERCISES[key]) + "\n" * line.endswith("\n") if line.startswith(PLACEHOLDER) else line
                 for line in source.splitlines(keepends=True)]
        cell["source"] = lines if isinstance(cell["source"], list) else "".join(lines)
        cell["outputs"], cell["execution_count"] = [], None
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
