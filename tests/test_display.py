"""The coloured-token view: grouping of byte-fallback runs, direction, and the widget driven by .value."""

from __future__ import annotations

from workbench import display


def test_byte_fallback_pieces_of_one_character_are_one_group():
    view = display.compute_token_view("a 𓀀", ["llama2", "cl100k_base"])
    llama = view["llama2"]
    assert [g.text for g in llama][-1] == "𓀀"
    assert llama[-1].kind == "byte" and len(llama[-1].ids) == 4  # the 4 UTF-8 bytes, one box
    assert sum(len(g.ids) for g in llama) == len(display.zoo.load_tokenizer("llama2").encode("a 𓀀"))


def test_render_marks_direction_and_counts():
    html = display.render_token_view(display.compute_token_view("שלום עולם", ["o200k_base"]), "rtl")
    assert 'dir="rtl"' in html and "o200k_base" in html


def test_explorer_updates_when_the_text_changes():
    box = display.tokens_explorer(["gpt2", "o200k_base"], "Hello")
    picker, text, out = box.children
    text.value = "Merhaba dünya"
    assert "dünya" in out.value
    picker.value = ("gpt2",)
    assert "o200k_base" not in out.value
