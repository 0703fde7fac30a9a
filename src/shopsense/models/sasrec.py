"""SASRec: the sequential transformer recommender ("the behaviour large model").

Reads each user's recent items in time order and scores every catalogue item as the next one
(Kang & McAuley, "Self-Attentive Sequential Recommendation", ICDM 2018), trained with full-softmax
cross-entropy as in SASRec+ (Klenitskiy & Vasilev, RecSys 2023), gSASRec (Petrov & Macdonald, RecSys
2023) and eSASRec ("Enhancing Transformer-based Recommendations in a Modular Fashion", RecSys 2025).
The network is in :mod:`sasrec_network`, the training loop in :mod:`sasrec_training`; this module
turns ``Interactions`` into sequences and serves scores.

Scoring uses ``UserContext.recent_items`` at request time, so a fresh event changes the next answer
without retraining; items the model never saw are skipped, a user with none of its items gets -inf.

Validation inside ``fit`` (early stopping): with ``patience`` set, the last item (by ``ts_ms``) of up to
``validation_users`` users (a seeded sample; the others train on everything) is held out of training;
after each epoch its full-ranking NDCG@10, the user's other items excluded, is measured, training stops
after ``patience`` epochs without a better one, and the best epoch's weights are kept. Under the
leave-one-out protocol the tuning fit (on train) thus holds out users' last training items and the final
fit (on train + validation) holds out validation items, never a test item.

By default (``patience=None``) nothing is held out and the budget is fixed: ``epochs`` passes with the
learning rate annealed to 0. Measured on Beauty (validation NDCG@10, same 20-epoch schedule): holding
out 10,000 users' last items gave 0.0545, 2,000 users 0.0580, none 0.0609 — the newest interactions
are the most informative targets, worth more than stopping at the best epoch, which under cosine
annealing is the last one or close to it. Tune ``epochs`` on the protocol's validation split instead.
Side features (``fit(item_features=...)``): any tokens per item (category path entries, brand,
attribute ids, semantic ids of a quantised text embedding); each gets an embedding, and the mean of an
item's feature embeddings is added to its id embedding, for reading and for scoring alike.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Self

import numpy as np
import torch

from shopsense.data.interactions import Interactions
from shopsense.domain import Candidate
from shopsense.models.base import UserContext, top_k
from shopsense.models.sasrec_network import SASRecNetwork
from shopsense.models.sasrec_training import EpochLog, FitReport, Holdout, pad_left, train

_HYPER = ("dim", "blocks", "heads", "max_len", "ffn_factor", "dropout", "lr", "weight_decay", "cosine_decay",
          "batch_size", "epochs", "patience", "validation_users", "bf16_logits", "threads")  # fmt: skip


@contextmanager
def _torch_threads(threads: int | None) -> Iterator[None]:
    """Run with ``threads`` intra-op threads (on a busy 2-core machine 1 can beat 2), then restore."""
    before = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def user_sequences(interactions: Interactions) -> list[np.ndarray]:
    """Per user code, the items (as 1..n_items) with a positive weight, ordered by ts_ms (stable).

    A run of events on one item (view, add to cart, purchase) is one step of the sequence: the next
    item to predict is a different one.
    """
    keep = interactions.weight > 0
    user, item, ts = interactions.user[keep], interactions.item[keep], interactions.ts_ms[keep]
    order = np.lexsort((ts, user))  # by user, then time; ties keep log order
    user, item = user[order], item[order].astype(np.int64) + 1
    step = np.ones(len(user), dtype=bool)
    step[1:] = (user[1:] != user[:-1]) | (item[1:] != item[:-1])
    user, item = user[step], item[step]
    starts = np.searchsorted(user, np.arange(len(interactions.users) + 1))
    return [item[a:b] for a, b in itertools.pairwise(starts)]


def windows(sequence: np.ndarray, max_len: int) -> list[np.ndarray]:
    """Training rows covering every next-item target of a sequence, newest first: slices of at most
    max_len + 1 items (max_len inputs, each followed by its target) overlapping by one item, so a
    long history trains on all its steps, not only its newest max_len (fewer than 2 items: none)."""
    ends = range(len(sequence), 1, -max_len)  # exclusive ends; each window's start is the next one's end - 1
    return [sequence[max(0, end - max_len - 1) : end] for end in ends]


def feature_matrix(item_ids: np.ndarray, item_features: Mapping[str, Iterable[object]]) -> tuple[torch.Tensor, int]:
    """((n_items + 1, F) int64 feature indices, 0 = none; row 0 the padding item), vocabulary size."""
    tokens = [sorted({str(f) for f in item_features.get(str(i), ())}) for i in item_ids]
    vocabulary = {f: n for n, f in enumerate(sorted({f for row in tokens for f in row}), start=1)}
    matrix = np.zeros((len(item_ids) + 1, max((len(row) for row in tokens), default=0) or 1), dtype=np.int64)
    for i, row in enumerate(tokens, start=1):
        matrix[i, : len(row)] = [vocabulary[f] for f in row]
    return torch.from_numpy(matrix), len(vocabulary)


class SASRec:
    """Causal self-attention next-item model; see the module docstring for the loss and validation."""

    name = "sasrec"
    reason = "Often comes next after your recent items"

    def __init__(
        self,
        *,
        dim: int = 64,
        blocks: int = 1,
        heads: int = 1,
        max_len: int = 50,
        ffn_factor: int = 1,
        dropout: float = 0.4,
        lr: float = 3e-3,
        weight_decay: float = 0.0,
        cosine_decay: bool = True,
        batch_size: int = 128,
        epochs: int = 30,
        patience: int | None = None,
        validation_users: int = 10_000,
        bf16_logits: bool = True,
        threads: int | None = 1,
    ) -> None:
        """dim: embedding width D; blocks/heads: transformer depth and attention heads; max_len: items
        read per user (the newest); ffn_factor: feed-forward width / D; dropout on embeddings,
        attention and residuals; lr, weight_decay: AdamW; cosine_decay: anneal lr to 0 over
        ``epochs``; epochs: passes over the data (the most, with patience); patience: epochs without a
        better validation NDCG@10 before stopping, None to hold nothing out and train all ``epochs``;
        validation_users: the most users (a seeded sample) whose last item is held out for early
        stopping; bf16_logits: catalogue projection and its softmax in bfloat16 while training;
        threads: torch intra-op threads for fit and score (None: torch's default; on a busy 2-core
        machine 1 beats 2)."""
        if min(dim, blocks, heads, max_len, ffn_factor, batch_size, epochs) < 1 or not 0 <= dropout < 1:
            raise ValueError("sizes must be positive and dropout in [0, 1)")
        if (patience is not None and patience < 1) or validation_users < 1:
            raise ValueError("patience must be positive or None, validation_users positive")
        self.dim, self.blocks, self.heads, self.max_len, self.ffn_factor = dim, blocks, heads, max_len, ffn_factor
        self.dropout, self.lr, self.weight_decay, self.batch_size = dropout, lr, weight_decay, batch_size
        self.cosine_decay = cosine_decay
        self.epochs, self.patience, self.validation_users = epochs, patience, validation_users
        self.bf16_logits, self.threads = bf16_logits, threads
        self.item_ids: np.ndarray = np.empty(0, dtype=object)
        self.fit_report = FitReport()
        self._network: SASRecNetwork | None = None
        self._codes: dict[str, int] = {}  # external item id -> network index 1..n_items

    def _set_items(self, item_ids: np.ndarray) -> None:
        self.item_ids = item_ids
        self._codes = {str(item): code for code, item in enumerate(item_ids, start=1)}

    def _build(self, n_items: int, features: torch.Tensor | None, n_features: int) -> SASRecNetwork:
        return SASRecNetwork(
            n_items, dim=self.dim, blocks=self.blocks, heads=self.heads, max_len=self.max_len,
            ffn_factor=self.ffn_factor, dropout=self.dropout, item_features=features, n_features=n_features,
        )  # fmt: skip

    def fit(
        self,
        interactions: Interactions,
        *,
        seed: int = 0,
        item_features: Mapping[str, Iterable[object]] | None = None,
        log: EpochLog | None = None,
        progress: bool = True,
    ) -> Self:
        """Learn next items from every user's sequence (histories longer than ``max_len`` are cut into
        windows, so every step is a target); item_features: item id -> side-feature tokens (category,
        brand, attribute ids, semantic ids of a text embedding), pooled into the item's embedding;
        log: gets each epoch's loss (and validation NDCG@10/HR@10 with ``patience``); progress: a
        Rich progress bar."""
        if len(interactions) == 0:
            raise ValueError("no interactions to learn sequences from")
        sequences = user_sequences(interactions)
        holdout = None
        if self.patience is not None:
            users = np.flatnonzero([len(s) >= 2 for s in sequences])
            if len(users) > self.validation_users:
                users = np.sort(np.random.default_rng(seed).choice(users, self.validation_users, replace=False))
            holdout = Holdout([sequences[u][:-1] for u in users], np.array([sequences[u][-1] for u in users]))
            for u in users:
                sequences[u] = sequences[u][:-1]
        sequences = [window for s in sequences for window in windows(s, self.max_len)]
        if not sequences:
            raise ValueError("no user has two items in order: nothing to learn a sequence from")
        self._set_items(interactions.items.ids)
        features, n_features = (None, 0) if item_features is None else feature_matrix(self.item_ids, item_features)
        with _torch_threads(self.threads), torch.random.fork_rng():
            torch.manual_seed(seed)
            self._network = self._build(len(self.item_ids), features, n_features)
            self.fit_report = train(
                self._network, sequences, holdout, epochs=self.epochs, patience=self.patience,
                max_len=self.max_len, batch_size=self.batch_size, lr=self.lr, weight_decay=self.weight_decay,
                cosine_decay=self.cosine_decay, bf16_logits=self.bf16_logits, seed=seed, progress=progress, log=log,
            )  # fmt: skip
        self._network.eval()
        return self

    def score(self, users: Sequence[UserContext]) -> np.ndarray:
        """(len(users), n_items) float32: h · e(j) from each user's newest ``max_len`` known items."""
        if self._network is None:
            raise RuntimeError("fit or load the model first")
        histories = []
        for user in users:
            codes = np.array([c for c in map(self._codes.get, user.recent_items) if c is not None], dtype=np.int64)
            steps = codes[np.r_[True, codes[1:] != codes[:-1]]] if len(codes) else codes  # one step per run, as in fit
            histories.append(steps[-self.max_len :])
        scores = np.full((len(users), len(self.item_ids)), -np.inf, dtype=np.float32)
        known = np.flatnonzero([len(h) > 0 for h in histories])
        with _torch_threads(self.threads), torch.no_grad():
            table = self._network.item_table()  # (n_items + 1, D)
            for start in range(0, len(known), 4 * self.batch_size):
                rows = known[start : start + 4 * self.batch_size]
                batch = [histories[r] for r in rows]
                hidden = self._network(pad_left(batch, max(len(h) for h in batch)), table)[:, -1]  # (B, D)
                scores[rows] = (hidden @ table[1:].T).numpy()  # (B, n_items)
        return scores

    def recommend(
        self, user: UserContext, k: int, *, exclude: Collection[str] = (), candidates: Collection[str] | None = None
    ) -> list[Candidate]:
        return top_k(
            self.score([user])[0], self.item_ids, k, source=self.name, reason=self.reason, exclude=exclude,
            candidates=candidates,
        )  # fmt: skip

    def save(self, directory: Path) -> None:
        """params.json (hyper-parameters, sizes, fit report), item_ids.npy, one weights/<name>.npy per tensor."""
        if self._network is None:
            raise RuntimeError("fit the model before saving it")
        directory.mkdir(parents=True, exist_ok=True)
        params = {name: getattr(self, name) for name in _HYPER}
        features = self._network.features
        sizes = {"n_items": len(self.item_ids), "n_features": None if features is None else features.num_embeddings - 1}
        meta = {"model": self.name, "params": params, "sizes": sizes, "fit_report": asdict(self.fit_report)}
        (directory / "params.json").write_text(json.dumps(meta, indent=2))
        np.save(directory / "item_ids.npy", self.item_ids.astype(str), allow_pickle=False)
        (directory / "weights").mkdir(exist_ok=True)
        for key, tensor in self._network.state_dict().items():
            np.save(directory / "weights" / f"{key}.npy", tensor.numpy(), allow_pickle=False)

    @classmethod
    def load(cls, directory: Path) -> Self:
        meta = json.loads((directory / "params.json").read_text())
        model = cls(**meta["params"])
        model._set_items(np.load(directory / "item_ids.npy", allow_pickle=False).astype(object))
        model.fit_report = FitReport(**meta["fit_report"])
        state = {
            p.stem: torch.from_numpy(np.load(p, allow_pickle=False)) for p in (directory / "weights").glob("*.npy")
        }
        n_features = meta["sizes"]["n_features"]  # None: trained without side features
        features = None if n_features is None else state["item_features"]
        model._network = model._build(meta["sizes"]["n_items"], features, n_features or 0)
        model._network.load_state_dict(state)
        model._network.eval()
        return model
