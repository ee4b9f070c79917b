"""The two baselines behind the adapter: one token per UTF-8 byte, or one per Unicode code point.

Unlike every other backend module, no vocabulary file and no library: ``utf8-bytes`` ids are the
bytes themselves (256 ids), ``unicode-chars`` ids are the code points (0x110000 ids). They are the
reference points the learned tokenizers are read against.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from workbench.zoo.adapter import AsGiven, TokenType, char_offsets


class BaselineBackend(AsGiven):
    """The two baselines: one token per UTF-8 byte, or one token per Unicode code point."""

    def __init__(self, unit: Literal["bytes", "chars"]) -> None:
        self.unit = unit
        self.vocab_size = 256 if unit == "bytes" else 0x110000
        self.unknown_id = None

    def encode(self, text: str, add_special_tokens: bool) -> list[int]:
        if self.unit == "bytes":
            return list(text.encode("utf-8", errors="surrogatepass"))
        # code points through a UTF-32 buffer: twice as fast as ord() per character on whole-language texts
        return np.frombuffer(text.encode("utf-32-le", errors="surrogatepass"), dtype=np.uint32).tolist()

    def encode_batch(self, texts: Sequence[str], add_special_tokens: bool) -> list[list[int]]:
        return [self.encode(t, add_special_tokens) for t in texts]

    def decode(self, ids: Sequence[int]) -> str:
        if self.unit == "bytes":
            return bytes(ids).decode("utf-8", errors="replace")
        return "".join(chr(i) for i in ids)

    def token_bytes(self, token_id: int) -> bytes:
        return bytes([token_id]) if self.unit == "bytes" else chr(token_id).encode("utf-8", errors="surrogatepass")

    def token_type(self, token_id: int) -> TokenType:
        return "byte" if self.unit == "bytes" else "normal"

    def normalized(self, text: str) -> str:
        """The text itself: neither baseline normalises."""
        return text

    def offsets(self, text: str) -> list[tuple[int, int, int]]:
        if self.unit == "chars":
            return [(ord(c), i, i + 1) for i, c in enumerate(text)]
        data = text.encode("utf-8", errors="surrogatepass")
        return char_offsets(text, [(b, i, i + 1) for i, b in enumerate(data)])
