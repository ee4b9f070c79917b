"""The Turkish hybrid tokenizer behind the adapter (``turkish-tokenizer``: roots + suffixes + BPE).

Unlike the other backends it is morphological and case-folding: it lower-cases its input and marks
capitals with an ``<uppercase>`` token, so its offsets are aligned here by walking the folded text.
It is not in the default set (``default=False`` in :mod:`workbench.zoo.registry`); the Turkish
analysis (:mod:`workbench.turkish`) is its consumer.
"""

from __future__ import annotations

from collections.abc import Sequence

from workbench.zoo.adapter import AsGiven, TokenType


class TurkishHybridBackend(AsGiven):
    """The roots + suffixes + BPE tokenizer of the %TR/%Pure authors (``turkish-tokenizer``).

    It lower-cases and marks capitals with an ``<uppercase>`` token, so ``decode`` is lossy for
    case; several surface strings can share one id (the first listed is used for ``token_bytes``).
    """

    def __init__(self) -> None:
        from turkish_tokenizer import TurkishTokenizer

        self.tt = TurkishTokenizer()
        self.vocab_size = max(self.tt.reverse_dict) + 1
        self.markers = {self.tt.uppercase_marker["id"], self.tt.unknown_marker["id"]}
        self.unknown_id = self.tt.unknown_marker["id"]

    def encode(self, text: str, add_special_tokens: bool) -> list[int]:
        return self.tt.encode(text)

    def encode_batch(self, texts: Sequence[str], add_special_tokens: bool) -> list[list[int]]:
        return [self.tt.encode(t) for t in texts]

    def decode(self, ids: Sequence[int]) -> str:
        return self.tt.decoder.decode(list(ids))

    def token_bytes(self, token_id: int) -> bytes:
        forms = self.tt.reverse_dict.get(token_id, [""])
        return b"" if token_id in self.markers else forms[0].encode("utf-8")

    def token_type(self, token_id: int) -> TokenType:
        forms = self.tt.reverse_dict.get(token_id, [""])
        return "control" if forms[0] in {"<pad>", "<eos>", "<unknown>", "<uppercase>"} else "normal"

    def normalized(self, text: str) -> str:
        """The text as the library lower-cases it (Turkish ``I``/``İ`` rules, per capital-led segment of each
        word: ``_camel_split_with_positions``); a part between spaces that is only white space is dropped."""
        parts = text.split(" ")
        return " ".join("".join(seg for seg, _ in self.tt._camel_split_with_positions(p)) if p.strip() else ""
                        for p in parts)

    def offsets(self, text: str) -> list[tuple[int, int, int]]:
        """Align tokens to ``text``: ``<uppercase>`` covers nothing, ``<unknown>`` one character."""
        tokens, _ = self.tt.tokenize_text(text)
        folded = text.replace("İ", "i").replace("I", "ı").lower()
        out, pos = [], 0
        for t in tokens:
            if t["id"] == self.tt.uppercase_marker["id"]:
                width = 0
            elif t["id"] != self.tt.unknown_marker["id"] and folded.startswith(t["token"], pos):
                width = len(t["token"])
            else:  # an unknown character, or a form the tokenizer normalised differently
                width = 1
            out.append((t["id"], min(pos, len(text)), min(pos + width, len(text))))
            pos += width
        return out
