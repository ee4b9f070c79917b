"""The coloured-token view: grouping of byte-fallback runs, direction, and the explorer driven by .value."""

from __future__ import annotations

from workbench import explorers, token_view, zoo


def test_byte_fallback_pieces_of_one_character_are_one_group():
    view = token_view.compute_token_view("a 𓀀", ["llama2", "cl100k_base"])
    llama = view["llama2"]
    assert [g.text for g in llama][-1] == "𓀀"
    assert llama[-1].kind == "byte" and len(llama[-1].ids) == 4  # the 4 UTF-8 bytes, one box
    assert sum(len(g.ids) for g in llama) == len(zoo.load_tokenizer("llama2").encode("a 𓀀"))


def test_render_marks_direction_and_counts():
    html = token_view.render_token_view(token_view.compute_token_view("שלום עולם", ["o200k_base"]), "rtl")
    assert 'dir="rtl"' in html and "o200k_base" in html


def test_explorer_follows_the_explorer_contract_and_updates_when_the_text_changes():
    ex = token_view.token_view_explorer(["gpt2", "o200k_base"], "Hello")
    assert isinstance(ex, explorers.Explorer) and set(ex.controls) == {"tokenizers", "text"}
    ex.controls["text"].value = "Merhaba dünya"
    assert ex.result == token_view.compute_token_view("Merhaba dünya", ["gpt2", "o200k_base"])
    assert "dünya" in token_view.render_token_view(ex.result, "auto")
    ex.controls["tokenizers"].value = ("gpt2",)
    assert list(ex.result) == ["gpt2"]
