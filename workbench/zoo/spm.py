"""SentencePiece behind the adapter: ``.model`` files (BPE with byte fallback, or unigram).

Like :mod:`~workbench.zoo.hf_json` the model file carries its own normaliser; unlike it, the
SentencePiece library says itself which ids are byte, control, unknown or unused pieces, so
``token_type`` asks the processor. Runs Mistral v1's shipped model and the Llama 2 and Phi-3
models that :mod:`workbench.zoo.gguf_vocab` rebuilds from llama.cpp GGUF files (XLM-R runs as a Unigram
``tokenizer.json`` instead: see there why).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from workbench.zoo.adapter import UNUSED, AsGiven, TokenType, char_offsets, spaces_from_meta


class SentencePieceBackend(AsGiven):
    """SentencePiece (Llama 2, Mistral v1, Phi-3 with byte fallback; any unigram model)."""

    def __init__(self, processor) -> None:
        from sentencepiece import sentencepiece_model_pb2

        self.sp = processor
        self.vocab_size = processor.get_piece_size()
        self.unknown_id = processor.unk_id() if processor.unk_id() >= 0 else None
        proto = sentencepiece_model_pb2.ModelProto.FromString(processor.serialized_model_proto())
        self.dummy_prefix = proto.normalizer_spec.add_dummy_prefix  # the "▁" put before the text (decode drops it)

    def encode(self, text: str, add_special_tokens: bool) -> list[int]:
        return self.sp.encode(text, add_bos=add_special_tokens)

    def encode_batch(self, texts: Sequence[str], add_special_tokens: bool) -> list[list[int]]:
        return self.sp.encode(list(texts), add_bos=add_special_tokens, num_threads=2)

    def decode(self, ids: Sequence[int]) -> str:
        return self.sp.decode(list(ids))

    def token_bytes(self, token_id: int) -> bytes:
        piece = self.sp.id_to_piece(token_id)
        if self.sp.is_byte(token_id):
            return bytes([int(piece[3:5], 16)])
        return piece.replace("▁", " ").encode("utf-8")

    def token_type(self, token_id: int) -> TokenType:
        sp = self.sp
        if sp.is_byte(token_id):
            return "byte"
        if sp.is_unused(token_id) or UNUSED.match(sp.id_to_piece(token_id)):
            return "unused"
        if sp.is_control(token_id) or sp.is_unknown(token_id):
            return "control"
        return "normal"

    def normalized(self, text: str) -> str:
        """The model's own normaliser (``normalize``: its rule set, e.g. XLM-R's ``nmt_nfkc``, and white-space
        handling), without the dummy-prefix ``▁``, each other ``▁`` read back as the space it stands for."""
        return spaces_from_meta(self.sp.normalize(text), self.dummy_prefix)

    def offsets(self, text: str) -> list[tuple[int, int, int]]:
        proto = self.sp.encode(text, return_type="proto")
        return char_offsets(text, [(p.id, p.begin, p.end) for p in proto.pieces])


def from_file(path: Path | str) -> SentencePieceBackend:
    """A :class:`SentencePieceBackend` over a serialized SentencePiece model file."""
    import sentencepiece

    return SentencePieceBackend(sentencepiece.SentencePieceProcessor(model_file=str(path)))
