"""Training loop for :mod:`shopsense.models.sasrec_network`: full-softmax next-item prediction.

Every position t of a user's sequence predicts the next item with cross-entropy over the whole
catalogue (SASRec+, Klenitskiy & Vasilev, RecSys 2023; gSASRec and eSASRec show it beats SASRec's
original one-negative binary loss by a wide margin):

    L = - Σ_users Σ_t log softmax_j(h_t · e(j))[s_{t+1}]

Only positions holding an item are projected onto the catalogue, so the dominant cost, the
(positions, n_items) logit matrix, is paid for real targets only. With ``bf16_logits`` the projection and
the cross-entropy over it run in bfloat16 (PyTorch sums the softmax in float32): on CPUs with bf16
units this more than halves an epoch, and gradients stay within ~0.1 % of float32 ones.

Early stopping: after each epoch, NDCG@10 of the held-out items (full ranking, each user's history
excluded, as the evaluation protocol does) decides; the best epoch's weights are kept.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import torch
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from torch.nn import functional as F

from shopsense.models.sasrec_network import SASRecNetwork

METRIC_K = 10


class EpochLog(Protocol):
    """Where per-epoch curves go; ``shopsense.evaluation.curves.TrainingLog`` is one."""

    def epoch(self, epoch: int, **values: float) -> None: ...


@dataclass(frozen=True)
class Holdout:
    """Validation users: the sequence the model reads and the item it should rank high."""

    histories: Sequence[np.ndarray]  # per user (n_u,) item indices 1..n_items, oldest first
    targets: np.ndarray  # (n_users,) item indices 1..n_items


@dataclass
class FitReport:
    """What training did, saved with the model."""

    held_out: int = 0  # users whose last item was held out for early stopping
    epochs_run: int = 0
    best_epoch: int = 0
    best_ndcg: float | None = None  # validation NDCG@10 at best_epoch (None without a holdout)
    seconds: float = 0.0
    curve: list[dict[str, float]] = field(default_factory=list)


def pad_left(rows: Sequence[np.ndarray], length: int) -> torch.Tensor:
    """(B, length) int64, each row's last ``length`` items right-aligned, 0 before them."""
    out = np.zeros((len(rows), length), dtype=np.int64)
    for i, row in enumerate(rows):
        row = row[len(row) - length :] if len(row) > length else row
        if len(row):
            out[i, length - len(row) :] = row
    return torch.from_numpy(out)


def batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled user batches of similar length (less padding): sort within chunks of 32 batches."""
    order = rng.permutation(len(lengths))
    chunk = 32 * batch_size
    out = []
    for start in range(0, len(order), chunk):
        part = order[start : start + chunk]
        part = part[np.argsort(lengths[part], kind="stable")]
        out.extend(part[i : i + batch_size] for i in range(0, len(part), batch_size))
    return [out[i] for i in rng.permutation(len(out))]


def next_item_loss(
    network: SASRecNetwork, inputs: torch.Tensor, targets: torch.Tensor, *, bf16_logits: bool
) -> torch.Tensor:
    """Mean cross-entropy of the next items; inputs, targets: (B, L), targets[t] follows inputs[t], 0 = none."""
    table = network.item_table()  # (n_items + 1, D)
    hidden = network(inputs, table)[targets > 0]  # (N, D), N = positions with a target
    if bf16_logits:
        logits = hidden.bfloat16() @ table[1:].bfloat16().T  # (N, n_items)
    else:
        logits = hidden @ table[1:].T
    return F.cross_entropy(logits, targets[targets > 0] - 1)


def epoch_loss(
    network: SASRecNetwork,
    optimizer: torch.optim.Optimizer,
    sequences: Sequence[np.ndarray],
    *,
    max_len: int,
    batch_size: int,
    bf16_logits: bool,
    rng: np.random.Generator,
    on_batch,
) -> float:
    """One pass over all users; returns the mean cross-entropy per predicted position."""
    network.train()
    lengths = np.fromiter((min(len(s) - 1, max_len) for s in sequences), dtype=np.int64, count=len(sequences))
    total, count = 0.0, 0
    for batch in batches(lengths, batch_size, rng):
        length = int(lengths[batch].max())
        rows = pad_left([sequences[u] for u in batch], length + 1)  # (B, L + 1)
        loss = next_item_loss(network, rows[:, :-1], rows[:, 1:], bf16_logits=bf16_logits)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        predicted = int((rows[:, 1:] > 0).sum())
        total, count = total + loss.item() * predicted, count + predicted
        on_batch()
    return total / max(count, 1)


@torch.no_grad()
def holdout_metrics(network: SASRecNetwork, holdout: Holdout, *, max_len: int, batch_size: int) -> dict[str, float]:
    """NDCG@10 and HR@10 of the held-out items, ranking every item but the user's history."""
    network.eval()
    table = network.item_table()
    ndcg, hits = [], []
    for start in range(0, len(holdout.targets), batch_size):
        histories = holdout.histories[start : start + batch_size]
        inputs = pad_left(histories, min(max_len, max(len(h) for h in histories)))  # (B, L)
        logits = network(inputs, table)[:, -1] @ table.T  # (B, n_items + 1)
        seen = pad_left(histories, max(len(h) for h in histories))  # all history, padding = column 0
        logits.scatter_(1, seen, float("-inf"))
        logits[:, 0] = float("-inf")
        target = torch.from_numpy(holdout.targets[start : start + batch_size]).unsqueeze(1)  # (B, 1)
        rank = (logits > logits.gather(1, target)).sum(dim=1).numpy()  # (B,) 0 = first
        ndcg.append(np.where(rank < METRIC_K, 1.0 / np.log2(rank + 2.0), 0.0))
        hits.append(rank < METRIC_K)
    return {"ndcg@10": float(np.concatenate(ndcg).mean()), "hr@10": float(np.concatenate(hits).mean())}


def train(
    network: SASRecNetwork,
    sequences: Sequence[np.ndarray],
    holdout: Holdout | None,
    *,
    epochs: int,
    patience: int | None,
    max_len: int,
    batch_size: int,
    lr: float,
    weight_decay: float,
    cosine_decay: bool,
    bf16_logits: bool,
    seed: int,
    progress: bool,
    log: EpochLog | None,
) -> FitReport:
    """Train ``network`` in place for up to ``epochs``; with a holdout, keep the best epoch's weights."""
    rng = np.random.default_rng(seed)
    optimizer = torch.optim.AdamW(network.parameters(), lr=lr, betas=(0.9, 0.98), weight_decay=weight_decay)
    # cosine annealing (Loshchilov & Hutter 2017): lr_e = lr · (1 + cos(π (e - 1) / epochs)) / 2
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs) if cosine_decay else None
    report, best_state, started = FitReport(held_out=len(holdout.targets) if holdout else 0), None, time.perf_counter()
    n_batches = -(-len(sequences) // batch_size)  # chunks of ``batches`` are whole batches
    columns = (TextColumn("sasrec epoch {task.fields[epoch]}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[status]}"), TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, disable=not progress, transient=True) as bar:
        task = bar.add_task("train", total=n_batches, epoch=1, status="")
        for epoch in range(1, epochs + 1):
            bar.update(task, completed=0, epoch=epoch)
            loss = epoch_loss(
                network, optimizer, sequences, max_len=max_len, batch_size=batch_size, bf16_logits=bf16_logits,
                rng=rng, on_batch=lambda: bar.advance(task),
            )  # fmt: skip
            if schedule is not None:
                schedule.step()
            point = {"epoch": float(epoch), "loss": loss, "seconds": time.perf_counter() - started}
            if holdout is not None:
                point |= holdout_metrics(network, holdout, max_len=max_len, batch_size=4 * batch_size)
            report.curve.append(point)
            report.epochs_run = epoch
            if log is not None:
                log.epoch(epoch, loss=loss, **{f"valid/{k.upper()}": v for k, v in point.items() if "@" in k})
            score = point.get("ndcg@10")
            bar.update(task, status=f"loss {loss:.3f}" + (f" val ndcg@10 {score:.4f}" if score is not None else ""))
            if score is None:  # no holdout: the last epoch is the model
                report.best_epoch = epoch
            elif report.best_ndcg is None or score > report.best_ndcg:
                report.best_epoch, report.best_ndcg = epoch, score
                best_state = {k: v.detach().clone() for k, v in network.state_dict().items()}
            elif patience is not None and epoch - report.best_epoch >= patience:
                break
    if best_state is not None:
        network.load_state_dict(best_state)
    report.seconds = time.perf_counter() - started
    return report
