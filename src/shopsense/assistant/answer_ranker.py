"""A learned matcher for a question and the candidate answers about the same product.

For a question q and a candidate answer a (unit sentence vectors, d = 384: e5, or all-MiniLM-L6-v2 for
English) with lexical score b (BM25 / max BM25 of the list), the score is

    s(q, a) = α · cos(q, a) + β · b + qᵀ (diag(w) + U Vᵀ) a + MLP([q ⊙ a, |q − a|, cos(q, a), b])

- the bilinear term learns which directions of the two embeddings should agree for this task: a diagonal
  plus a rank-r correction (U, V ∈ ℝ^{d×r}; Bai et al., "Supervised Semantic Indexing", CIKM 2009);
- the one-hidden-layer MLP sees the interaction features of sentence-pair classifiers (element-wise
  product and absolute difference; Conneau et al., "InferSent", EMNLP 2017).

Fitted listwise: each question's candidate list is one softmax and the loss is the cross-entropy of its
right answer, −s_right + log Σ_i exp(s_i) (the top-one ListNet loss, Cao et al., ICML 2007), with AdamW.
The number of epochs is chosen by early stopping on the MRR of validation groups (whole products) held
out of the training lists. The ranker is an ensemble: ``members`` models, each with its own seed and its
own validation groups, whose within-list log-softmax scores are summed.
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CandidateList:
    """One question and its candidate answers: ``question`` (d,), ``answers`` (m, d), ``bm25`` (m,)."""

    question: np.ndarray
    answers: np.ndarray
    bm25: np.ndarray

    @property
    def lexical(self) -> np.ndarray:
        """BM25 divided by the list's highest BM25 (0 when nothing matches)."""
        top = float(self.bm25.max()) if self.bm25.size else 0.0
        return self.bm25 / top if top > 0 else np.zeros(len(self.answers))


class AnswerRanker:
    """Defaults (rank 32, 64 hidden units, weight decay 0.01, learning rate 3e-3, 5 members) were set on
    the Amazon QA benchmark's cross-fitted folds; epochs are early-stopped on validation products."""

    def __init__(self, *, rank: int = 32, hidden: int = 64, weight_decay: float = 0.01, learning_rate: float = 3e-3,
                 members: int = 5, max_epochs: int = 20, patience: int = 3, validation: float = 0.15,
                 batch_size: int = 64, seed: int = 0) -> None:  # fmt: skip
        self.rank, self.hidden, self.weight_decay, self.learning_rate = rank, hidden, weight_decay, learning_rate
        self.members, self.max_epochs, self.patience, self.validation = members, max_epochs, patience, validation
        self.batch_size, self.seed = batch_size, seed
        self.models: list = []
        self.epochs: list[int] = []  # the early-stopped epoch count of each member

    def fit(self, lists: Sequence[CandidateList], right: Sequence[int], groups: Sequence[Hashable]) -> AnswerRanker:
        """``right[j]``: index of list j's answer; ``groups[j]``: its product (validation holds out whole groups)."""
        import torch

        if not lists:
            raise ValueError("no candidate lists to learn from")
        order = [_with_right_first(c, r) for c, r in zip(lists, right)]
        names = sorted(set(groups), key=repr)
        self.models, self.epochs = [], []
        with torch.random.fork_rng():
            for member in range(self.members):
                seed = self.seed + member
                held = set(random.Random(seed).sample(names, max(1, round(self.validation * len(names)))))
                train = [c for c, g in zip(order, groups) if g not in held]
                check = [c for c, g in zip(order, groups) if g in held]
                model, epochs = self._train(train or order, check, seed)
                self.models.append(model)
                self.epochs.append(epochs)
        return self

    def score(self, candidates: CandidateList) -> np.ndarray:
        """(m,) summed log-softmax scores of the members; higher is better."""
        import torch

        from shopsense.assistant.answer_network import PaddedLists

        if not self.models:
            raise RuntimeError("AnswerRanker is not trained")
        batch = PaddedLists.of([candidates])
        with torch.no_grad():
            total = sum(torch.log_softmax(batch.scores(m)[0], 0) for m in self.models)
        return total.numpy().astype(np.float64)

    def _train(self, train: list[CandidateList], check: list[CandidateList], seed: int) -> tuple[object, int]:
        import torch

        from shopsense.assistant.answer_network import AnswerNetwork, PaddedLists

        torch.manual_seed(seed)
        model = AnswerNetwork(train[0].answers.shape[1], self.rank, self.hidden)
        optimizer = torch.optim.AdamW(model.parameters(), lr=self.learning_rate, weight_decay=self.weight_decay)
        by_size = sorted(train, key=lambda c: len(c.answers))  # batches of similar list lengths pad little
        batches = [PaddedLists.of(by_size[i : i + self.batch_size]) for i in range(0, len(by_size), self.batch_size)]
        validation = PaddedLists.of(check) if check else None
        best, best_state, best_epoch, shuffle = -1.0, None, 0, random.Random(seed)
        for epoch in range(1, self.max_epochs + 1):
            shuffle.shuffle(batches)
            for batch in batches:
                scores = batch.scores(model)
                loss = (torch.logsumexp(scores, 1) - scores[:, 0]).mean()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            if validation is None:
                best_epoch = epoch
                continue
            with torch.no_grad():
                mrr = validation.mrr(model)
            if mrr > best:
                best, best_epoch = mrr, epoch
                best_state = {k: v.clone() for k, v in model.state_dict().items()}
            elif epoch - best_epoch >= self.patience:
                break
        if best_state is not None:
            model.load_state_dict(best_state)
        return model.eval(), best_epoch


def _with_right_first(candidates: CandidateList, right: int) -> CandidateList:
    order = [right] + [i for i in range(len(candidates.answers)) if i != right]
    return CandidateList(candidates.question, candidates.answers[order], candidates.bm25[order])
