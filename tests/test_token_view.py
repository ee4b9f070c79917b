"""The coloured-token view: grouping of byte-fallback runs, wrapping, direction, and the explorer driven by .value.

The layout itself (no box past the output width, an RTL row starting at the right edge) is measured in
Chromium by tests/test_browser.py; here the HTML is parsed and its markup checked.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from workbench import explorers, token_view, zoo


class Elements(HTMLParser):
    """Every start tag of an HTML string as (tag, attributes), plus the text inside each token box."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.box_texts: list[str] = []
        self._in_box = False
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_box = "workbench-token " in dict(attrs).get("class", "") + " "

    def handle_endtag(self, tag):
        self._in_box = False

    def handle_data(self, data):
        if self._in_box:
            self.box_texts.append(data)

    def with_class(self, name: str) -> list[dict[str, str]]:
        return [a for _, a in self.tags if name in a.get("class", "").split()]


def styles(attrs: dict[str, str]) -> dict[str, str]:
    """An element's inline style as {property: value}."""
    pairs = (item.split(":", 1) for item in attrs.get("style", "").split(";") if ":" in item)
    return {k.strip(): v.strip() for k, v in pairs}


def test_byte_fallback_pieces_of_one_character_are_one_group():
    view = token_view.compute_token_view("a 𓀀", ["llama2", "cl100k_base"])
    llama = view["llama2"]
    assert [g.text for g in llama][-1] == "𓀀"
    assert llama[-1].kind == "byte" and len(llama[-1].ids) == 4  # the 4 UTF-8 bytes, one box
    assert sum(len(g.ids) for g in llama) == len(zoo.load_tokenizer("llama2").encode("a 𓀀"))


def test_render_marks_direction_and_counts():
    html = token_view.render_token_view(token_view.compute_token_view("שלום עולם", ["o200k_base"]), "rtl")
    assert 'dir="rtl"' in html and "o200k_base" in html


def test_rows_wrap_between_boxes_and_spaces_stay_visible_inside_a_box():
    html = token_view.render_token_view(token_view.compute_token_view("Hello world, again", ["gpt2"]))
    page = Elements(html)
    grid, = page.with_class("workbench-tokens")
    assert styles(grid)["display"] == "grid" and "minmax(0,1fr)" in styles(grid)["grid-template-columns"]
    row, = page.with_class("workbench-tokens-row")
    assert styles(row)["display"] == "flex" and styles(row)["flex-wrap"] == "wrap"
    boxes = page.with_class("workbench-token")
    assert {styles(b)["white-space"] for b in boxes} == {"pre-wrap"}
    assert "&nbsp;" not in html and page.box_texts == ["Hello", " world", ",", " again"]


@pytest.mark.parametrize(("text", "expected"), [
    ("مرحبا بالعالم", "rtl"),  # Arabic
    ("שלום עולם", "rtl"),  # Hebrew
    ("دنیا کو سلام", "rtl"),  # Urdu
    ("ߊ߬ ߓߍ߯ ߞߊ߬ߣߌ߲", "rtl"),  # N'Ko
    ("2024: مرحبا", "rtl"),  # digits and punctuation are weak: the first strong character decides
    ("Hello مرحبا", "ltr"),
    ("123 !", "ltr"),
])
def test_a_row_is_right_to_left_when_its_first_strong_character_is(text, expected):
    assert token_view.text_direction(text) == expected
    page = Elements(token_view.render_token_view(token_view.compute_token_view(text, ["gpt2", "o200k_base"])))
    assert [r["dir"] for r in page.with_class("workbench-tokens-row")] == [expected, expected]
    assert {styles(r)["unicode-bidi"] for r in page.with_class("workbench-tokens-row")} == {"isolate"}


def test_every_box_is_bidi_isolated_and_a_given_direction_overrides_the_text():
    page = Elements(token_view.render_token_view(token_view.compute_token_view("مرحبا 2024 world", ["gpt2"]), "ltr"))
    assert [r["dir"] for r in page.with_class("workbench-tokens-row")] == ["ltr"]
    boxes = page.with_class("workbench-token")
    assert boxes and all(b["dir"] == "auto" and styles(b)["unicode-bidi"] == "isolate" for b in boxes)


def test_the_byte_pieces_of_one_character_are_one_box_listing_every_id():
    gpt2 = zoo.load_tokenizer("gpt2")
    view = token_view.compute_token_view("日本語", [gpt2])  # 2 byte tokens per character
    page = Elements(token_view.render_token_view(view))
    boxes = page.with_class("workbench-token")
    assert page.box_texts == ["日", "本", "語"] and len(boxes) == 3
    assert [gpt2.decode(g.ids) for g in view["gpt2"]] == ["日", "本", "語"]
    assert [i for g in view["gpt2"] for i in g.ids] == gpt2.encode("日本語")
    assert [b["title"] for b in boxes] == [f"ids {list(g.ids)} ({len(g.ids)} byte pieces)" for g in view["gpt2"]]
    assert all("workbench-token-byte" in b["class"].split() for b in boxes)


def test_explorer_follows_the_explorer_contract_and_updates_when_the_text_changes():
    ex = token_view.token_view_explorer(["gpt2", "o200k_base"], "Hello")
    assert isinstance(ex, explorers.Explorer) and set(ex.controls) == {"tokenizers", "text"}
    ex.controls["text"].value = "Merhaba dünya"
    assert ex.result == token_view.compute_token_view("Merhaba dünya", ["gpt2", "o200k_base"])
    assert "dünya" in token_view.render_token_view(ex.result, "auto")
    ex.controls["tokenizers"].value = ("gpt2",)
    assert list(ex.result) == ["gpt2"]
