"""Fine-tuning e5 on question → answer pairs: contrastive, in-batch negatives, early stopping.

Loss: InfoNCE (van den Oord et al., 2018), as in E5's own fine-tuning, with τ = 0.05:

    L = −(1/B) Σᵢ log( exp(qᵢ·aᵢ / τ) / Σⱼ exp(qᵢ·aⱼ / τ) )

over a batch of B pairs (q, a unit vectors). Batches are cut from whole products in a row (products
shuffled), so a question's negatives include its own product's other answers, the candidates it will be
ranked against; a negative whose text equals the right answer's is masked. Word embeddings stay frozen
(a few thousand pairs would only overfit 96 M vocabulary weights); the transformer layers train with AdamW,
linear warm-up then linear decay. After each epoch, held-out products score the model (each question
ranks its own product's answers, mean reciprocal rank) and the best epoch is kept.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from shopsense.assistant.e5_torch import PREFIX, E5Encoder, E5File, E5Tokenizer


@dataclass(frozen=True)
class TuningConfig:
    max_epochs: int = 4
    batch_size: int = 64
    learning_rate: float = 3e-5
    weight_decay: float = 0.01
    temperature: float = 0.05
    max_tokens: int = 128
    validation_share: float = 0.1  # of the products
    warmup_share: float = 0.1  # of the steps


@dataclass
class TuningLog:
    epochs: int = 0  # the epoch kept (0: the untuned model was best)
    validation_mrr: list[float] = field(default_factory=list)  # before training, then after each epoch


class E5Tuner:
    """``fit(questions, answers, products)`` then ``encode(texts, "query" | "passage")`` -> (n, 384)."""

    def __init__(self, file: E5File, device: str = "cpu", config: TuningConfig = TuningConfig()) -> None:
        self._file, self._device, self.config = file, torch.device(device), config
        self._tokenize = E5Tokenizer(file, config.max_tokens)
        self.encoder = E5Encoder(file).to(self._device)
        self.log = TuningLog()

    def fit(self, questions: Sequence[str], answers: Sequence[str], products: Sequence[str], *, seed: int = 0) -> E5Tuner:
        rng = random.Random(seed)
        torch.manual_seed(seed)
        names = sorted(set(products))
        rng.shuffle(names)
        held_out = set(names[: max(1, int(len(names) * self.config.validation_share))])
        train = [i for i, p in enumerate(products) if p not in held_out]
        valid = [i for i, p in enumerate(products) if p in held_out]
        self.encoder.word.weight.requires_grad_(False)
        parameters = [p for p in self.encoder.parameters() if p.requires_grad]
        optimiser = torch.optim.AdamW(parameters, lr=self.config.learning_rate, weight_decay=self.config.weight_decay)
        batches_per_epoch = -(-len(train) // self.config.batch_size)
        total = batches_per_epoch * self.config.max_epochs
        warmup = max(1, int(total * self.config.warmup_share))
        schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda step: min((step + 1) / warmup, max(0.0, (total - step) / (total - warmup))))

        def validation() -> float:
            return _grouped_mrr(self.encode([questions[i] for i in valid], "query"), self.encode([answers[i] for i in valid], "passage"), [products[i] for i in valid])

        best_state, self.log = self._trained_state(), TuningLog(validation_mrr=[validation()])
        for epoch in range(1, self.config.max_epochs + 1):
            self.encoder.train()
            for batch in _product_batches(train, products, self.config.batch_size, rng):
                loss = self._loss([questions[i] for i in batch], [answers[i] for i in batch])
                optimiser.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(parameters, 1.0)
                optimiser.step()
                schedule.step()
            self.log.validation_mrr.append(validation())
            if self.log.validation_mrr[-1] > max(self.log.validation_mrr[:-1]):
                best_state, self.log.epochs = self._trained_state(), epoch
        self.encoder.load_state_dict({**self.encoder.state_dict(), **best_state})
        return self

    def _trained_state(self) -> dict[str, torch.Tensor]:
        """Copies of every tensor but the frozen vocabulary (96 M weights that training never changes)."""
        return {name: t.detach().clone() for name, t in self.encoder.state_dict().items() if name != "word.weight"}

    def encode(self, texts: Sequence[str], kind: str, batch_size: int = 256) -> np.ndarray:
        """Unit vectors, in the order given (texts are batched by length)."""
        self.encoder.eval()
        order = np.argsort([len(t) for t in texts], kind="stable")
        out = np.zeros((len(texts), self._file.hidden), np.float32)
        with torch.no_grad(), self._autocast():
            for start in range(0, len(texts), batch_size):
                rows = order[start : start + batch_size]
                ids, mask = self._tokenize([PREFIX[kind] + texts[i] for i in rows])
                out[rows] = self.encoder(ids.to(self._device), mask.to(self._device)).float().cpu().numpy()
        return out

    def _loss(self, questions: list[str], answers: list[str]) -> torch.Tensor:
        with self._autocast():
            q = self.encoder(*(x.to(self._device) for x in self._tokenize([PREFIX["query"] + t for t in questions])))
            a = self.encoder(*(x.to(self._device) for x in self._tokenize([PREFIX["passage"] + t for t in answers])))
        logits = (q.float() @ a.float().T) / self.config.temperature
        same = torch.tensor([[x == y for y in answers] for x in answers], device=self._device)
        logits = logits.masked_fill(same & ~torch.eye(len(answers), dtype=torch.bool, device=self._device), float("-inf"))
        return torch.nn.functional.cross_entropy(logits, torch.arange(len(questions), device=self._device))

    def _autocast(self) -> torch.autocast:
        return torch.autocast(self._device.type, dtype=torch.bfloat16, enabled=self._device.type == "cuda")


def _rows_by_product(rows: Sequence[int], products: Sequence[str]) -> list[list[int]]:
    by_product: dict[str, list[int]] = {}
    for row in rows:
        by_product.setdefault(products[row], []).append(row)
    return list(by_product.values())


def _product_batches(rows: list[int], products: Sequence[str], size: int, rng: random.Random) -> list[list[int]]:
    groups = _rows_by_product(rows, products)
    rng.shuffle(groups)
    ordered = [row for group in groups for row in group]
    return [ordered[start : start + size] for start in range(0, len(ordered), size)]


def _grouped_mrr(questions: np.ndarray, answers: np.ndarray, products: Sequence[str]) -> float:
    """Each question ranks its own product's answers (products with ≥ 2 pairs); ties count against it."""
    reciprocal = []
    for rows in _rows_by_product(range(len(products)), products):
        if len(rows) < 2:
            continue
        scores = questions[rows] @ answers[rows].T
        own = np.diag(scores)
        reciprocal.extend(1.0 / (scores >= own[:, None]).sum(1))
    return float(np.mean(reciprocal)) if reciprocal else 0.0
