"""``workbench notebooks DIR``: the numbered notebooks and their data notes, copied into a folder the user owns.

A second copy changes nothing; a copy nobody edited is updated; an edited one is kept unless ``--force``.
(tests/test_wheel.py runs the same command from an installed wheel, where the files are package data.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench import cli, notebook
from workbench.errors import UsageError

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = "00_environment_check.ipynb"


def test_the_bundle_is_every_numbered_notebook_and_data_note():
    names = set(notebook.bundled_notebooks())
    assert {p.name for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")} <= names
    assert {f"data/{p.name}" for p in (REPO / "data").glob("*.md")} <= names
    assert not any(name.endswith(".py") or name.endswith(".cfg") for name in names)


def test_copy_writes_every_file_then_a_second_copy_changes_nothing(tmp_path, capsys):
    dest = tmp_path / "mine"
    assert cli.main(["notebooks", str(dest)]) == cli.EXIT_OK
    out = capsys.readouterr()
    assert (dest / NOTEBOOK).read_bytes() == (REPO / "notebooks" / NOTEBOOK).read_bytes()
    assert (dest / "data" / "udhr.md").is_file()
    assert out.out.count("copied") == len(notebook.bundled_notebooks()) and str(dest.resolve()) in out.err
    assert {what for _, what in notebook.copy_notebooks(dest)} == {"unchanged"}


def test_an_edited_copy_is_kept_unless_force(tmp_path, capsys):
    notebook.copy_notebooks(tmp_path)
    edited = tmp_path / NOTEBOOK
    edited.write_text(edited.read_text(encoding="utf-8") + " ", encoding="utf-8")
    assert cli.main(["notebooks", str(tmp_path)]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert str(edited) in err and "--force" in err and "Traceback" not in err
    assert edited.read_text(encoding="utf-8").endswith(" ")  # nothing was written
    assert dict(notebook.copy_notebooks(tmp_path, force=True))[edited] == "overwritten"
    assert edited.read_bytes() == (REPO / "notebooks" / NOTEBOOK).read_bytes()


def test_an_unedited_copy_of_another_version_is_updated(tmp_path):
    notebook.copy_notebooks(tmp_path)
    old = tmp_path / NOTEBOOK
    old.write_text("{}", encoding="utf-8")  # as another version's copy would be, and recorded as copied
    manifest = tmp_path / notebook.COPY_MANIFEST
    record = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.write_text(json.dumps({**record, NOTEBOOK: notebook._sha256(b"{}")}), encoding="utf-8")
    assert dict(notebook.copy_notebooks(tmp_path))[old] == "updated"
    assert old.read_bytes() == (REPO / "notebooks" / NOTEBOOK).read_bytes()


def test_a_file_as_the_folder_is_a_usage_error(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(UsageError, match="is a file, not a folder"):
        notebook.copy_notebooks(tmp_path / "f")
