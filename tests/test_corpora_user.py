"""The user's own corpora (workbench.corpora.user): every format round-trips, bad input names its file.

Nothing is cached from bad input (the cache directory is compared before and after).

Corpora are written in tmp_path from FLORES sentences of several scripts (Latin, Arabic, Hebrew, Japanese),
under a FLORES code, an ISO 639-3 / UDHR code and free labels, so script detection and RTL are exercised.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from workbench import cli, corpora, fairness
from workbench.errors import InvalidTextError, UnknownNameError, UsageError, WorkbenchError
from workbench.turkish import scoring

pytestmark = pytest.mark.skipif(not corpora.flores_available(), reason="FLORES-200 is not on this machine")

#: label in the user's corpus -> the FLORES language its sentences come from
LABELS = {"eng_Latn": "eng_Latn", "tur": "tur_Latn", "arb": "arb_Arab", "my-hebrew": "heb_Hebr",
          "my-japanese": "jpn_Jpan"}
N = 12


@pytest.fixture(scope="module")
def sentences() -> dict[str, list[str]]:
    flores = corpora.parallel_corpus("flores200", list(LABELS.values()))
    return {label: flores[code][:N] for label, code in LABELS.items()}


def _folder(root: Path, corpus: dict[str, list[str]]) -> Path:
    root.mkdir()
    for label, lines in corpus.items():
        (root / f"{label}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def _table(path: Path, corpus: dict[str, list[str]], *, ids: bool = False) -> Path:
    rows = [{"language": label, "text": s, **({"id": f"s{i}"} if ids else {})}
            for label, lines in corpus.items() for i, s in enumerate(lines)]
    frame = pl.DataFrame(rows)
    frame = frame.reverse() if ids else frame  # with ids, row order must not matter
    match path.suffix:
        case ".csv":
            frame.write_csv(path)
        case ".tsv":
            frame.write_csv(path, separator="\t", quote_style="never")
        case ".parquet":
            frame.write_parquet(path)
        case ".jsonl":
            path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in frame.to_dicts()),
                            encoding="utf-8")
    return path


def _tree(home: Path) -> dict[str, bytes]:
    return {str(p.relative_to(home)): p.read_bytes() for p in home.rglob("*") if p.is_file()
            and "assets" not in p.relative_to(home).parts}


# ------------------------------------------------------------------------------------------ round trips


@pytest.mark.parametrize("kind", ["folder", ".csv", ".tsv", ".parquet", ".jsonl", ".csv+id", ".jsonl+id", "mapping"])
def test_every_format_round_trips(kind, sentences, tmp_path):
    suffix, _, ids = kind.partition("+")
    source = (sentences if kind == "mapping" else _folder(tmp_path / "corpus", sentences) if kind == "folder"
              else _table(tmp_path / f"corpus{suffix}", sentences, ids=bool(ids)))
    got = corpora.parallel_corpus(source)
    assert {k: got[k] for k in sentences} == sentences and set(got) == set(sentences)
    assert corpora.parallel_corpus(source, ["arb"]) == {"arb": sentences["arb"]}


def test_table_columns_can_be_named(sentences, tmp_path):
    path = tmp_path / "named.csv"
    pl.DataFrame([{"lang_code": k, "sent": s} for k, v in sentences.items() for s in v]).write_csv(path)
    assert corpora.parallel_corpus(path, language_column="lang_code", text_column="sent") == sentences


def test_labels_of_any_kind_get_script_and_direction(sentences):
    corpora.parallel_corpus(sentences)
    info = {label: corpora.language_info(label) for label in sentences}
    assert {k: (v.script, v.direction) for k, v in info.items()} == {
        "eng_Latn": ("Latn", "ltr"), "tur": ("Latn", "ltr"), "arb": ("Arab", "rtl"), "my-hebrew": ("Hebr", "rtl"),
        "my-japanese": ("Jpan", "ltr")}
    assert info["my-hebrew"].corpus == "user" and info["my-hebrew"].iso6393 == ""
    table = corpora.languages_table(sentences)
    assert table.filter(pl.col("direction") == "rtl")["code"].sort().to_list() == ["arb", "my-hebrew"]
    assert corpora.language_info("xyz_Cyrl", text="abc").script == "Cyrl"  # a FLORES-shaped label names its script
    with pytest.raises(UnknownNameError, match="Unknown language 'never-read'"):
        corpora.language_info("never-read")  # a label no corpus has: still an unknown name


def test_user_corpus_counts_equal_across_sources(sentences, tmp_path):
    """The same sentences as a folder, a table and a mapping give the same counts, in both modes."""
    sources = [_folder(tmp_path / "mine", sentences), _table(tmp_path / "mine.parquet", sentences, ids=True),
               sentences]
    for mode in fairness.MODES:
        frames = [fairness.counts(["gpt2", "gemma3"], source, mode=mode, cache=False, progress=False)
                  for source in sources]
        frames = [f.sort([c for c in ("language", "tokenizer", "sentence_id") if c in f.columns]) for f in frames]
        assert frames[0].equals(frames[1]) and frames[0].equals(frames[2])
    words = frames[0].filter((pl.col("language") == "my-japanese") & (pl.col("sentence_id") == 0)
                             & (pl.col("tokenizer") == "gpt2"))["words"]
    assert words.item() > 10  # Japanese words are grapheme clusters: the script was detected, not taken as Latin
    eng = frames[0].filter(pl.col("language") == "eng_Latn").drop("language")
    flores = fairness.counts(["gpt2", "gemma3"], "flores200", ["eng_Latn"], "sentences", cache=False,
                             progress=False).filter(pl.col("sentence_id") < N).drop("language")
    assert eng.sort("tokenizer", "sentence_id").equals(flores.sort("tokenizer", "sentence_id"))


def test_cli_counts_and_report_take_a_corpus_path(sentences, tmp_path):
    folder = _folder(tmp_path / "cli", sentences)
    out = tmp_path / "counts.csv"
    assert cli.main(["fairness", "counts", "--corpus", str(folder), "--tokenizers", "gpt2", "--out", str(out)]) == 0
    assert sorted(pl.read_csv(out)["language"]) == sorted(sentences)
    table = _table(tmp_path / "cli.jsonl", sentences)
    report = tmp_path / "report.csv"
    assert cli.main(["report", "--tokenizers", "gpt2,gemma3", "--corpus", str(table), "--reference", "eng_Latn",
                     "--out", str(report)]) == 0
    assert set(pl.read_csv(report)["tokenizer"]) == {"gpt2", "gemma3"}


# ------------------------------------------------------------------------------------------ bad input


def _bad(case: str, root: Path, sentences: dict[str, list[str]]) -> tuple[Path, str]:
    if case == "misaligned":
        folder = _folder(root / "misaligned", sentences)
        (folder / "tur.txt").write_text("\n".join(sentences["tur"][:-2]) + "\n", encoding="utf-8")
        return folder, rf"is not aligned: {folder}/\S+\.txt has {N} sentences, but {folder / 'tur.txt'} has {N - 2}"
    if case == "missing column":
        path = root / "nolang.csv"
        pl.DataFrame({"lingua": ["eng"], "text": ["hi"]}).write_csv(path)
        return path, rf"{path} has no language column .*Columns found: lingua, text"
    if case == "not utf-8":
        folder = _folder(root / "latin1", sentences)
        (folder / "tur.txt").write_bytes("a\nb\nçok\n".encode("latin-1"))
        return folder, rf"{folder / 'tur.txt'} is not valid UTF-8: line 3, byte offset 4"
    if case == "not utf-8 table":
        path = root / "latin1.csv"
        path.write_bytes("language,text\ntur,iyi\ntur,çok\n".encode("latin-1"))
        return path, rf"{path} is not valid UTF-8: line 3, byte offset 26"
    if case == "empty file":
        folder = _folder(root / "empty", sentences)
        (folder / "arb.txt").write_text("", encoding="utf-8")
        return folder, rf"{folder / 'arb.txt'} is empty"
    path = root / "corpus.xlsx"
    path.write_bytes(b"PK")
    return path, r"Unknown corpus format of .*corpus\.xlsx \(\.xlsx\)\. Accepted: a folder of <language>\.txt files, "


@pytest.mark.parametrize("case", ["misaligned", "missing column", "not utf-8", "not utf-8 table", "empty file",
                                  "unknown format"])
def test_bad_input_names_the_file_and_writes_nothing(case, sentences, tmp_path, home_with_assets):
    source, message = _bad(case, tmp_path, sentences)
    before = _tree(home_with_assets)
    with pytest.raises(WorkbenchError, match=message):
        fairness.counts(["gpt2"], source, mode="sentences", progress=False)
    assert _tree(home_with_assets) == before


def test_table_ids_must_align_and_be_unique(tmp_path):
    path = tmp_path / "ids.csv"
    pl.DataFrame({"language": ["a", "a", "b"], "text": ["x", "y", "z"], "id": ["1", "2", "1"]}).write_csv(path)
    with pytest.raises(WorkbenchError, match=r"language 'b' lacks 1 sentence id\(s\) .*\['2'\]"):
        corpora.parallel_corpus(path)
    pl.DataFrame({"language": ["a", "a"], "text": ["x", "y"], "id": ["1", "1"]}).write_csv(path)
    with pytest.raises(WorkbenchError, match=r"row 2: language 'a' has sentence id '1' twice"):
        corpora.parallel_corpus(path)


def test_a_misspelled_corpus_name_is_still_an_unknown_name():
    with pytest.raises(UnknownNameError, match="Did you mean 'flores200'"):
        fairness.corpus_texts("flores2000")


# ------------------------------------------------------------------------------------------ monolingual


def test_iter_lines_streams_long_lines_in_pieces_and_names_bad_bytes(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("çğüş ab\r\n\nlast", encoding="utf-8")
    assert list(corpora.iter_lines(path)) == ["çğüş ab", "", "last"]
    pieces = list(corpora.iter_lines(path, max_bytes=3))
    assert "".join(pieces[:-2]) == "çğüş ab" and max(len(p.encode()) for p in pieces) <= 4
    path.write_bytes(b"ok\nba\xffd\n")
    with pytest.raises(InvalidTextError, match=r"t\.txt is not valid UTF-8: line 2, byte offset 5"):
        list(corpora.iter_lines(path))


def test_monolingual_counts_equal_the_parallel_counts_of_the_same_lines(sentences, tmp_path):
    path = tmp_path / "tr.txt"
    path.write_text("\n".join(sentences["tur"]) + "\n", encoding="utf-8")
    parallel = fairness.counts(["gpt2", "gemma3"], {"tr": sentences["tur"]}, mode="sentences", cache=False,
                               progress=False)
    fast = fairness.monolingual_counts(["gpt2", "gemma3"], str(path), words=False, batch=5)
    full = fairness.monolingual_counts(["gpt2", "gemma3"], corpora.monolingual_corpus(tmp_path, "tr"))
    totals = parallel.group_by("tokenizer", maintain_order=True).agg(pl.col("tokens", "bytes", "chars").sum())
    for frame in (fast, full):
        assert frame.select("tokenizer", "tokens", "bytes", "chars").equals(totals)
    assert full["lines"].to_list() == [N, N] and fast["fertility"].null_count() == 2
    fertility = fairness.compute_fertility(["gpt2"], {"tr": sentences["tur"]}, ["tr"], n=N)["fertility"].item()
    assert full["fertility"][0] == pytest.approx(fertility)
    assert full["bytes_per_token"][0] == pytest.approx(totals["bytes"][0] / totals["tokens"][0])


def test_monolingual_counts_are_cached_by_the_tokenizers_and_the_files_contents(sentences, tmp_path, monkeypatch):
    from workbench.fairness import monolingual

    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    path = tmp_path / "tr.txt"
    path.write_text("\n".join(sentences["tur"][:20]) + "\n", encoding="utf-8")
    first = fairness.monolingual_counts(["gpt2"], str(path))
    counted = []
    real = monolingual._count
    monkeypatch.setattr(monolingual, "_count",
                        lambda toks, *a: counted.append([t.name for t in toks]) or real(toks, *a))
    assert fairness.monolingual_counts(["gpt2", "gemma3"], str(path)).head(1).equals(first)
    assert counted == [["gemma3"]]  # gpt2 came from the cache
    from workbench.zoo.training import train_tokenizer

    mine, same = (train_tokenizer(sentences["tur"], "bpe", 400, name=n) for n in ("mine", "same-under-another-name"))
    assert fairness.monolingual_counts([mine], str(path))["tokenizer"].to_list() == ["mine"]
    renamed = fairness.monolingual_counts([same], str(path))
    assert renamed["tokenizer"].to_list() == ["same-under-another-name"] and counted[-1] == ["mine"]  # one entry
    path.write_text("\n".join(sentences["tur"][:10]) + "\n", encoding="utf-8")  # the file changed: counted again
    assert fairness.monolingual_counts(["gpt2"], str(path))["lines"].item() == 10 and counted[-1] == ["gpt2"]
    fairness.monolingual_counts(["gpt2"], str(path), cache=False)
    assert counted[-1] == ["gpt2"] and len(counted) == 4  # gemma3, mine, gpt2 on the new file, gpt2 uncached


def test_turkish_metrics_on_the_users_text_and_treebank(sentences, tmp_path):
    text = tmp_path / "tr.txt"
    text.write_text("\n".join(sentences["tur"]), encoding="utf-8")
    assert [d.text for d in scoring.load_documents(text)] == sentences["tur"]
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "a.conllu").write_text("# text = Kitaplar güzel.\n1\tKitaplar\tkitap\tNOUN\t_\t_\t2\tnsubj\t_\t_\n"
                                   "2\tgüzel\tgüzel\tADJ\t_\t_\t0\troot\t_\tSpaceAfter=No\n"
                                   "3\t.\t.\tPUNCT\t_\t_\t2\tpunct\t_\t_\n\n", encoding="utf-8")
    docs = scoring.load_documents(bank)
    assert [(d.text, d.lemmas) for d in docs] == [("Kitaplar güzel.", {0: "kitap", 9: "güzel"})]
    assert scoring.load_documents(bank / "a.conllu")[0].lemmas == docs[0].lemmas
    (tmp_path / "nobank").mkdir()
    with pytest.raises(UsageError, match="holds no .conllu or .txt files"):
        scoring.load_documents(tmp_path / "nobank")
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "a.txt").write_text("\n".join(sentences["tur"][:3]), encoding="utf-8")
    (tmp_path / "texts" / "b.txt").write_text("\n\n".join(sentences["tur"][3:]), encoding="utf-8")
    assert [d.text for d in scoring.load_documents(tmp_path / "texts")] == sentences["tur"]  # a folder of text


def test_a_streamed_text_file_scores_exactly_as_the_corpus_read_whole(tmp_path):
    """The whole FLORES Turkish text (dev + devtest), written to a file and streamed 97 lines at a time, gives
    every metric of every tokenizer exactly as the named corpus read whole in memory (one batch)."""
    text = tmp_path / "tur.txt"
    text.write_text("\n".join(corpora.load_flores("tur_Latn", split="both")) + "\n", encoding="utf-8")
    names = ["gpt2", "gemma3"]
    whole = scoring.purity_table(names, "flores200").drop("corpus")
    batches = list(scoring.iter_documents(text, batch=97))
    assert len(batches) == -(-sum(map(len, batches)) // 97) > 20  # it really was streamed, in many batches
    streamed = scoring.purity_table(names, text, batch=97)
    assert streamed["corpus"].to_list() == [str(text)] * 2
    assert_frame_equal(streamed.drop("corpus"), whole, check_exact=True)  # every cell, no tolerance (NaN = NaN)
    assert whole["tokens"].min() > 50_000  # not vacuous: the whole text was counted


# ------------------------------------------------------------------------------------------ images


def _images(folder: Path) -> Path:
    from PIL import Image

    folder.mkdir()
    rng = np.random.default_rng(0)
    Image.fromarray((rng.random((120, 160, 3)) * 255).astype("uint8")).save(folder / "noise.png")
    Image.fromarray(np.tile(np.arange(200, dtype="uint8"), (100, 1))).save(folder / "ramp.jpg")
    Image.fromarray(np.full((64, 64, 4), 200, dtype="uint8")).save(folder / "flat.webp")
    return folder


def test_folder_images_read_and_bad_files_are_named(tmp_path):
    from workbench.pruning.images import folder_images

    folder = _images(tmp_path / "photos")
    images = folder_images(folder)
    assert [(im.name, im.pixels.shape[2], im.label) for im in images] == [("flat", 3, -1), ("noise", 3, -1),
                                                                          ("ramp", 3, -1)]
    (folder / "notes.txt").write_text("hello", encoding="utf-8")
    with pytest.raises(UsageError, match=r"notes\.txt is not an image .*accepted: \.png"):
        folder_images(folder)
    (folder / "notes.txt").unlink()
    (folder / "broken.png").write_bytes(b"\x89PNG not really")
    with pytest.raises(UsageError, match=r"The image .*broken\.png cannot be decoded"):
        folder_images(folder)


def test_prune_eval_on_a_folder_of_images(tmp_path, capsys):
    folder = _images(tmp_path / "photos")
    assert cli.main(["prune", "eval", "--methods", "tome", "--keep", "0.5", "--images", str(folder),
                     "--no-cache", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["method"] == "tome" and 0.9 < row["cls_cos"] <= 1.0 and "knn_agree" not in row
    (folder / "bad.gif").write_bytes(b"GIF89a")
    assert cli.main(["prune", "eval", "--images", str(folder), "--no-cache"]) != 0
    assert "bad.gif cannot be decoded" in capsys.readouterr().err


def test_pruning_explorer_on_a_folder_of_images(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from tests.test_pruning import tiny_224
    from workbench.pruning import explorer

    ex = explorer.pruning_explorer(tiny_224(), _images(tmp_path / "photos"))
    assert [name for name, _ in ex.controls["image"].options] == ["flat", "noise", "ramp"]
    ex.controls["image"].value = 2
    assert ex.result.method == "tome" and ex.result.n_tokens == 128
