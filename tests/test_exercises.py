"""The "Your turn" exercises: every check accepts the answer its solution computes and rejects a wrong one with
the feedback that fits the mistake; the notebooks end with the registry's cells; the students' copy holds no
solution and the instructor's copy (``workbench notebooks --solutions``) runs and passes its checks."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import polars as pl
import pytest

from workbench import cli, exercises, notebook, turkish
from workbench.exercises import EXERCISES, check

REPO = Path(__file__).resolve().parents[1]
SWEEP = REPO / "workbench" / "data" / "04_sweep_fast.csv"  # notebook 04's own table, of its fast reference run


def _premiums() -> tuple[pl.DataFrame]:
    """far_Latn falls most in points (10 → 5) but near_Latn most as a ratio (3 → 1); odd_Latn's o200k cell is
    invalid (mostly unknown tokens), so its seeming fall (8 → 1) does not count."""
    rows = [("eng_Latn", 1.0, 1.0, True), ("far_Latn", 10.0, 5.0, True), ("near_Latn", 3.0, 1.0, True),
            ("odd_Latn", 8.0, 1.0, False)]
    cells = [{"language": lang, "tokenizer": tok, "premium": p, "valid": valid or tok == "gpt2"}
             for lang, gpt2, o200k, valid in rows for tok, p in (("gpt2", gpt2), ("o200k_base", o200k))]
    return (pl.DataFrame(cells),)


def _inequality() -> tuple[pl.DataFrame, pl.DataFrame]:
    """The utf8-bytes baseline is the most even, then bert, which is invalid in one language; of the others,
    o200k's Gini is lowest and gpt2's max/min."""
    names = ["utf8-bytes", "bert-base-uncased", "gpt2", "o200k_base"]
    inequality = pl.DataFrame({"tokenizer": names, "gini": [0.1, 0.15, 0.3, 0.2], "max_min": [2.5, 2.6, 2.0, 3.0],
                               "max_premium": [2.5, 2.6, 4.0, 3.0], "max_language": ["shn_Mymr"] * 4})
    premiums = pl.DataFrame([{"language": lang, "tokenizer": tok, "premium": 1.0,
                              "valid": not (tok == "bert-base-uncased" and lang == "shn_Mymr")}
                             for tok in names for lang in ("eng_Latn", "tur_Latn", "shn_Mymr")])
    return inequality, premiums


def _flores() -> tuple[pl.DataFrame]:
    return (pl.DataFrame({"tokenizer": ["turkish-hybrid", "gemma3", "gpt2"], "pure_type": [0.5, 0.3, 0.2],
                          "pure_token": [0.6, 0.7, 0.4]}),)


def _census() -> tuple[list[dict]]:
    """gemma3 has the most ids that are not normal, bert the largest share of them."""
    return ([{"tokenizer": "gpt2", "normal": 50_000, "total": 50_257},
             {"tokenizer": "bert-base-uncased", "normal": 29_000, "total": 30_522},
             {"tokenizer": "gemma3", "normal": 250_000, "total": 262_144}],)


def _scan() -> tuple[SimpleNamespace]:
    table = pl.DataFrame({"token_id": [1, 2, 3, 4], "token": ["getValue", " Кыргыз", "arp", " the"],
                          "input_cos_wo1pc": [0.2, 0.1, 0.3, 0.9], "candidate": [True, True, True, False],
                          "verified": [True, False, None, None], "max_prob": [0.001, 0.4, None, None]})
    return (SimpleNamespace(table=table, main_indicator="input_cos_wo1pc"),)


def _indicators() -> tuple[pl.DataFrame]:
    return (pl.DataFrame({"indicator": ["input_cos_wo1pc", "input_l2_norm"], "roc_auc": [0.99, 0.5],
                          "precision": [0.5, 0.9], "recall": [0.9, 0.1]}),)


def _effect() -> tuple[pl.DataFrame]:
    """BPE on the balanced mix is closest to parity at 2000, not at the largest size."""
    return (pl.DataFrame({"kind": ["bpe"] * 3 + ["spm-unigram"] * 3, "vocab_size": [1000, 2000, 4000] * 2,
                          "english": [6.0, 5.0, 4.5, 6.5, 5.5, 5.0], "balanced": [1.3, 1.1, 1.2, 1.0, 1.4, 1.5],
                          "ratio": [1.0] * 6}),)


def _trained() -> tuple[pl.DataFrame, list]:
    """o200k's median premium is 1.5: the best at 1000 is 1.8 (above it); at 2000 and 4000 below it."""
    medians = {"bpe-1000-english": 5.0, "bpe-1000-balanced": 1.8, "bpe-2000-balanced": 1.2,
               "bpe-4000-balanced": 1.1, "o200k_base": 1.5}
    grid = [SimpleNamespace(kind="bpe", vocab_size=int(name.split("-")[1]), mix=name.split("-")[2],
                            tokenizer=SimpleNamespace(name=name, vocab_size=int(name.split("-")[1])))
            for name in medians if name.startswith("bpe")]
    return pl.DataFrame({"tokenizer": list(medians), "median_premium": list(medians.values())}), grid


def _sweep() -> tuple[pl.DataFrame]:
    return (pl.read_csv(SWEEP),)


#: key -> (its data, a wrong answer, what the feedback on that wrong answer must say)
CASES = {
    "01.premium_drop": (_premiums, "far_Latn", ["far_Latn fell 2.00×", "near_Latn fell 3.00×", "ratio, not the "
                                                                                               "difference"]),
    "01.fairest_tokenizer": (_inequality, "gpt2", ["Gini 0.30", "o200k_base has Gini 0.20", "max/min"]),
    "02.highest_pure": (_flores, "gemma3", ["pure_type 0.30", "turkish-hybrid has 0.50", "occurrences"]),
    "03.census_share": (_census, "gemma3", ["12,144 of 262,144", "bert-base-uncased", "shares, not counts"]),
    "03.explain_candidate": (_scan, (1, "word"), ["`'getValue'` (id 1) is not 'word' but 'code'"]),
    "03.best_indicator": (_indicators, "input_l2_norm", ["ROC AUC 0.500", "highest precision"]),
    "04.best_at_2x": (_sweep, "tome", ["tome never reaches 2×", "Among the rows that do"]),
    "05.parity_gap": (_effect, 4000, ["At 4000 the gap is 0.20", "at 2000 it is 0.10", "Bigger is not"]),
    "05.beats_o200k": (_trained, 4000, ["so does the smaller 2000"]),
}


def test_every_exercise_has_a_case_here_and_two_or_three_per_notebook():
    assert set(EXERCISES) == set(CASES) | {"02.leave_one_out", "04.beats_random"}
    per_notebook = [sum(e.notebook == n for e in EXERCISES.values()) for n in ("01", "02", "03", "04", "05")]
    assert all(2 <= n <= 3 for n in per_notebook), per_notebook


@pytest.mark.parametrize("key", CASES)
def test_the_check_accepts_the_solution_and_explains_a_wrong_answer(key):
    make, wrong, says = CASES[key]
    data, exercise = make(), EXERCISES[key]
    right = exercise.solve(*data)
    assert right != wrong
    assert check(key, right, *data).correct is True, check(key, right, *data)
    verdict = check(key, wrong, *data)
    assert verdict.correct is False and all(s in verdict.message for s in says), verdict.message


@pytest.mark.parametrize("key", EXERCISES)
def test_the_placeholder_gets_the_hint_not_an_error(key):
    verdict = check(key, ..., *(CASES[key][0]() if key in CASES else ()))
    assert verdict.correct is None and EXERCISES[key].hint in verdict.message
    assert verdict._repr_markdown_().startswith("✏️")


def test_the_solutions_recompute_from_the_data_they_are_given():
    """No stored answer: change the data and the right answer moves with it."""
    (premiums,) = _premiums()
    assert exercises.solve_premium_drop(premiums) == "near_Latn"
    bigger = premiums.with_columns(pl.when((pl.col("language") == "far_Latn") & (pl.col("tokenizer") == "o200k_base"))
                                   .then(2.0).otherwise(pl.col("premium")).alias("premium"))
    assert exercises.solve_premium_drop(bigger) == "far_Latn"  # 10 → 2 is 5×
    assert exercises.solve_explain_candidate(*_scan()) == (1, "code")
    table, grid = _trained()
    costlier = pl.when(pl.col("tokenizer") == "o200k_base").then(2.0).otherwise(pl.col("median_premium"))
    assert exercises.solve_beats_o200k(table.with_columns(costlier.alias("median_premium")), grid) == 1000
    cheaper = table.with_columns(pl.when(pl.col("tokenizer") == "o200k_base").then(0.5)
                                 .otherwise(pl.col("median_premium")).alias("median_premium"))
    assert exercises.solve_beats_o200k(cheaper, grid) is None and check("05.beats_o200k", None, cheaper, grid).correct
    assert "no size beats" in check("05.beats_o200k", 2000, cheaper, grid).message


def test_unknown_names_and_malformed_answers_are_feedback_not_errors():
    assert "Did you mean 'near_Latn'" in check("01.premium_drop", "near_Lat", *_premiums()).message
    assert "odd_Latn" in check("01.premium_drop", "odd_Latn", *_premiums()).message  # its invalid cell is left out
    assert "is a baseline" in check("01.fairest_tokenizer", "utf8-bytes", *_inequality()).message
    bert = check("01.fairest_tokenizer", "bert-base-uncased", *_inequality())
    assert "over 2 of the 3 languages only" in bert.message and "looks cheap" in bert.message
    assert "not a candidate" in check("03.explain_candidate", (4, "word"), *_scan()).message
    assert "pair (token_id, kind)" in check("03.explain_candidate", "getValue", *_scan()).message
    assert "did repeat it" in check("03.explain_candidate", (2, "non-latin"), *_scan()).message
    assert "At 2000 its best tokenizer has 1.20" in check("05.beats_o200k", None, *_trained()).message
    assert "not below" in check("05.beats_o200k", 1000, *_trained()).message
    with pytest.raises(KeyError, match="Did you mean '01.premium_drop'"):
        check("01.premium_dorp", "x")


def test_encoder_output_methods_are_told_why_they_never_reach_2x():
    (table,) = _sweep()
    assert "encoder runs unpruned" in check("04.best_at_2x", "divprune", table).message


def test_beats_random_names_each_method_wrongly_in_or_out():
    (table,) = _sweep()
    right = exercises.solve_beats_random(table)
    out, methods = sorted(right)[0], set(table["method"]) - {"random"}
    loser = sorted(methods - right)
    assert check("04.beats_random", right, table).correct is True
    message = check("04.beats_random", (right - {out}) | set(loser), table).message
    assert f"{out} also does" in message and all(f"{m} does not" in message for m in loser)
    assert "a set of method names" in check("04.beats_random", "tome", table).message


def test_leave_one_out_on_the_papers_table():
    right = exercises.solve_leave_one_out()
    assert check("02.leave_one_out", right).correct is True
    wrong = next(r["paper_name"] for r in turkish.BAYRAM_2025_TABLE if r["paper_name"] != right)
    verdict = check("02.leave_one_out", wrong)
    assert verdict.correct is False and f"leaving out {wrong} moves r" in verdict.message and right in verdict.message


def test_token_kinds():
    assert [exercises.token_kind(t) for t in ["x_y", "日本", " Ölçü", "ları", " .", "\ufffd"]] == [
        "code", "non-latin", "word", "word-piece", "other", "other"]


# ------------------------------------------------------------------------------------------- notebooks and copies


def test_the_notebooks_end_with_the_registrys_exercise_cells():
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "exercise_cells.py"), "--check"],
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr


def _code_cells(path: Path) -> list[dict]:
    return [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]


@pytest.mark.parametrize("number", sorted({e.notebook for e in EXERCISES.values()}))
def test_each_check_takes_variables_its_notebook_assigns_before_it(number):
    path = next((REPO / "notebooks").glob(f"{number}_*.ipynb"))
    assigned: set[str] = set()
    for cell in _code_cells(path):
        if key := cell["metadata"].get(exercises.METADATA_KEY):
            missing = [name for name in EXERCISES[key].data if name not in assigned]
            assert missing == [], f"{key} takes {missing}, which {path.name} does not assign before it"
            continue
        lines = "".join(cell["source"]).splitlines()  # a shell line (`!pip ...`) becomes `pass`, indent kept
        source = "\n".join(line.split("!")[0] + "pass" if line.lstrip().startswith("!") else line for line in lines)
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                assigned.add(node.id)


def test_the_students_copy_holds_no_solution_and_the_instructors_every_one(tmp_path, capsys):
    assert cli.main(["notebooks", str(tmp_path / "class")]) == cli.EXIT_OK
    assert cli.main(["notebooks", "--solutions", str(tmp_path / "key")]) == cli.EXIT_OK
    capsys.readouterr()
    seen = set()
    for number in sorted({e.notebook for e in EXERCISES.values()}):
        name = next((REPO / "notebooks").glob(f"{number}_*.ipynb")).name
        student = "".join("".join(c["source"]) for c in _code_cells(tmp_path / "class" / name))
        assert "exercises.solve_" not in student and "# the solution" not in student
        for cell in _exercise_cells(tmp_path / "key" / name):
            exercise = EXERCISES[cell["metadata"][exercises.METADATA_KEY]]
            source = "".join(cell["source"])
            assert exercises.solution_line(exercise) in source and exercises.PLACEHOLDER not in source
            assert f"answer = ...  # your answer: {exercise.answer_form}" in student
            seen.add(exercise.key)
    assert seen == set(EXERCISES)
    data = (tmp_path / "key" / "data" / "udhr.md").read_bytes()
    assert data == (REPO / "data" / "udhr.md").read_bytes()  # only notebooks change


def _exercise_cells(path: Path) -> list[dict]:
    return [c for c in _code_cells(path) if exercises.METADATA_KEY in c["metadata"]]


def _run(cell: dict, namespace: dict) -> exercises.Verdict:
    """Execute an exercise cell in ``namespace``; the verdict it displays (its last line's value)."""
    *body, last = "".join(cell["source"]).splitlines()
    exec("\n".join(body), namespace)  # noqa: S102 - the notebook's own cell
    return eval(last, namespace)  # noqa: S307


def test_the_solutions_copy_of_04_passes_its_checks_on_the_notebooks_table(tmp_path):
    notebook.copy_notebooks(tmp_path, solutions=True)
    (table,) = _sweep()
    verdicts = [_run(c, {"table": table}) for c in _exercise_cells(next(tmp_path.glob("04_*.ipynb")))]
    assert [v.correct for v in verdicts] == [True, True], verdicts
    student = [_run(c, {"table": table}) for c in _exercise_cells(next((REPO / "notebooks").glob("04_*.ipynb")))]
    assert [v.correct for v in student] == [None, None]


def test_every_solution_cell_of_the_instructors_copy_runs_and_passes(tmp_path):
    """Each exercise cell of the solutions copy, run on the data of its case above, shows a passing verdict."""
    notebook.copy_notebooks(tmp_path, solutions=True)
    verdicts = {}
    for path in sorted(tmp_path.glob("0[1-5]_*.ipynb")):
        for cell in _exercise_cells(path):
            key = cell["metadata"][exercises.METADATA_KEY]
            data = CASES[key][0]() if key in CASES else _sweep() if key.startswith("04") else ()
            verdicts[key] = _run(cell, dict(zip(EXERCISES[key].data, data, strict=True)))
    assert set(verdicts) == set(EXERCISES) and all(v.correct for v in verdicts.values()), verdicts


@pytest.mark.slow
def test_the_solutions_copy_of_01_runs_end_to_end_in_fast_mode(tmp_path):
    """The whole instructor's copy of notebook 01, executed as `make reproduce` does: every check passes."""
    from workbench import reports

    notebook.copy_notebooks(tmp_path / "key", solutions=True)
    [executed, _] = reports.run_notebooks([next((tmp_path / "key").glob("01_*.ipynb"))], out_dir=tmp_path / "out",
                                          fast=True)
    outputs = [o for c in _exercise_cells(executed) for o in c["outputs"]]
    shown = ["".join(o["data"]["text/markdown"]) for o in outputs if o.get("output_type") == "execute_result"]
    assert len(shown) == 2 and all(s.startswith("✅") for s in shown), shown
