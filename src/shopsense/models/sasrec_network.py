"""The SASRec network: causal self-attention over a user's item sequence (Kang & McAuley, ICDM 2018).

    x_t = e(s_t) + p_t                                   item plus learned position embedding
    x   = Block_b(... Block_1(x))                         pre-norm transformer blocks
    h_t = LayerNorm(x_t)                                  the user state after t items
    logit(t, j) = h_t · e(j)                              tied input/output item embeddings

Each block: x += Dropout(Attention(LN(x))); x += Dropout(FFN(LN(x))), with causal attention so h_t only
sees s_1..s_t. The item representation optionally adds side features (category, brand, attribute ids,
semantic ids of a text embedding):

    e(j) = E[j] + (1/|F(j)|) Σ_{f ∈ F(j)} F[f]

Attention is written out rather than ``scaled_dot_product_attention``: with dropout the fused CPU
kernel is far slower, and for sequences of ≤ 200 items the plain form costs nothing noticeable.
Sequences are left-padded with item index 0 (items are 1..n_items inside the network).
"""

from __future__ import annotations

import math

import torch
from torch import nn


class CausalSelfAttention(nn.Module):
    """Multi-head attention where position t attends to positions ≤ t that hold an item."""

    def __init__(self, dim: int, heads: int, dropout: float) -> None:
        super().__init__()
        if dim % heads:
            raise ValueError(f"dim {dim} is not divisible by heads {heads}")
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """x: (B, L, D); mask: (B, 1, L, L) bool, True where query t may attend key u."""
        batch, length, dim = x.shape
        q, k, v = self.qkv(x).view(batch, length, 3, self.heads, dim // self.heads).permute(2, 0, 3, 1, 4)
        # q, k, v: (B, H, L, D/H)
        weights = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(q.shape[-1]))  # (B, H, L, L)
        weights = self.dropout(weights.masked_fill(~mask, float("-inf")).softmax(dim=-1))
        return self.out((weights @ v).transpose(1, 2).reshape(batch, length, dim))  # (B, L, D)


class Block(nn.Module):
    """Pre-norm transformer block (Xiong et al. 2020): attention then a GELU feed-forward layer."""

    def __init__(self, dim: int, heads: int, ffn_factor: int, dropout: float) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attention = CausalSelfAttention(dim, heads, dropout)
        self.norm2 = nn.LayerNorm(dim)
        self.ffn = nn.Sequential(
            nn.Linear(dim, ffn_factor * dim), nn.GELU(), nn.Dropout(dropout), nn.Linear(ffn_factor * dim, dim)
        )
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = x + self.dropout(self.attention(self.norm1(x), mask))
        return x + self.dropout(self.ffn(self.norm2(x)))


class SASRecNetwork(nn.Module):
    """Item sequences (B, L) of indices 0..n_items (0 = padding) -> user states (B, L, D)."""

    def __init__(
        self,
        n_items: int,
        *,
        dim: int,
        blocks: int,
        heads: int,
        max_len: int,
        ffn_factor: int,
        dropout: float,
        item_features: torch.Tensor | None = None,
        n_features: int = 0,
    ) -> None:
        """item_features: (n_items + 1, F) int64 feature indices 1..n_features per item, 0 = none."""
        super().__init__()
        self.items = nn.Embedding(n_items + 1, dim, padding_idx=0)
        self.features = nn.Embedding(n_features + 1, dim, padding_idx=0) if item_features is not None else None
        self.register_buffer("item_features", item_features if item_features is not None else torch.zeros(0))
        self.positions = nn.Embedding(max_len, dim)
        self.dropout = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(Block(dim, heads, ffn_factor, dropout) for _ in range(blocks))
        self.norm = nn.LayerNorm(dim)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Embeddings ~ N(0, 1/D), so tied logits h·e(j) start near unit scale."""
        std = self.items.embedding_dim**-0.5
        for table in (self.items, self.positions, self.features):
            if table is not None:
                nn.init.normal_(table.weight, std=std)
                if table.padding_idx is not None:
                    table.weight.data[table.padding_idx].zero_()

    def item_table(self) -> torch.Tensor:
        """(n_items + 1, D): e(j) for every item, row 0 the padding item."""
        if self.features is None:
            return self.items.weight
        features = self.item_features  # (n_items + 1, F)
        counts = (features > 0).sum(dim=1, keepdim=True).clamp(min=1)  # (n_items + 1, 1)
        return self.items.weight + self.features(features).sum(dim=1) / counts

    def forward(self, sequences: torch.Tensor, table: torch.Tensor | None = None) -> torch.Tensor:
        """sequences: (B, L) left-padded; table: ``item_table()`` when the caller already has it."""
        table = self.item_table() if table is None else table
        valid = sequences > 0  # (B, L)
        length = sequences.shape[1]
        x = table[sequences] + self.positions.weight[-length:]  # (B, L, D), last position = newest item
        x = self.dropout(x) * valid.unsqueeze(-1)
        causal = torch.ones(length, length, dtype=torch.bool, device=x.device).tril()  # (L, L)
        # a padding query attends to itself only, so no softmax row is empty
        mask = (causal & (valid[:, None, :] | torch.eye(length, dtype=torch.bool, device=x.device)))[:, None]
        for block in self.blocks:
            x = block(x, mask)
        return self.norm(x)  # (B, L, D)
