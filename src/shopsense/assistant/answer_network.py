"""The torch network and padded batches of :mod:`shopsense.assistant.answer_ranker` (imported only when
the ranker trains or scores, so the assistant runs without torch)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from shopsense.assistant.answer_ranker import CandidateList


class AnswerNetwork(torch.nn.Module):
    """s = α cos + β b + qᵀ(diag(w) + U Vᵀ)a + MLP([q ⊙ a, |q − a|, cos, b]) for every candidate."""

    def __init__(self, dim: int, rank: int, hidden: int) -> None:
        super().__init__()
        self.mix = torch.nn.Parameter(torch.tensor([10.0, 1.0]))  # α (cosine), β (lexical)
        self.diagonal = torch.nn.Parameter(torch.zeros(dim))
        self.left = torch.nn.Parameter(torch.randn(dim, rank) * 0.01)
        self.right = torch.nn.Parameter(torch.randn(dim, rank) * 0.01)
        self.mlp = torch.nn.Sequential(torch.nn.Linear(2 * dim + 2, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1))

    def forward(self, question: torch.Tensor, answers: torch.Tensor, lexical: torch.Tensor) -> torch.Tensor:
        """(B, d), (B, m, d), (B, m) -> (B, m) scores."""
        cosine = torch.einsum("bmd,bd->bm", answers, question)
        bilinear = torch.einsum("bmd,bd->bm", answers * self.diagonal, question)
        low_rank = torch.einsum("bmr,br->bm", answers @ self.left, question @ self.right)
        q = question[:, None, :].expand_as(answers)
        pairs = torch.cat([answers * q, (answers - q).abs(), cosine[..., None], lexical[..., None]], -1)
        return self.mix[0] * cosine + self.mix[1] * lexical + bilinear + low_rank + self.mlp(pairs).squeeze(-1)


@dataclass(frozen=True)
class PaddedLists:
    """Candidate lists padded to one length; padded slots score −∞. In training, index 0 is the right answer."""

    question: torch.Tensor  # (B, d)
    answers: torch.Tensor  # (B, m, d)
    lexical: torch.Tensor  # (B, m)
    mask: torch.Tensor  # (B, m) True for real candidates

    @classmethod
    def of(cls, lists: Sequence[CandidateList]) -> PaddedLists:
        width, dim = max(len(c.answers) for c in lists), lists[0].answers.shape[1]
        answers = np.zeros((len(lists), width, dim), np.float32)
        lexical = np.zeros((len(lists), width), np.float32)
        mask = np.zeros((len(lists), width), bool)
        for i, c in enumerate(lists):
            answers[i, : len(c.answers)] = c.answers
            lexical[i, : len(c.answers)] = c.lexical
            mask[i, : len(c.answers)] = True
        question = np.stack([c.question for c in lists]).astype(np.float32)
        return cls(*(torch.from_numpy(x) for x in (question, answers, lexical, mask)))

    def scores(self, model: AnswerNetwork) -> torch.Tensor:
        return model(self.question, self.answers, self.lexical).masked_fill(~self.mask, float("-inf"))

    def mrr(self, model: AnswerNetwork) -> float:
        """Mean reciprocal rank of index 0, ties counted against it."""
        scores = self.scores(model)
        ranks = (scores >= scores[:, :1]).sum(1) - 1
        return float((1.0 / (ranks + 1)).mean())
