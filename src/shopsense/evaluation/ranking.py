"""Full-ranking evaluation: every held-out item ranked among ALL catalogue items, never a sample by default.

For each batch of users, ``model.score`` gives (batch, n_items) float32 scores; the items of the user's
history (what the model was told, ``UserContext.recent_items``) are masked to -inf, and each held-out
item t gets the pessimistic 0-based rank

    rank(t) = |{j unmasked: s_j > s_t}| + |{j ≠ t unmasked: s_j = s_t}|

i.e. ties are broken against the model, so a constant scorer gets nothing for free. A held-out item
the model cannot score (unknown to it, -inf, or in the user's history) gets rank inf: a miss at every
cut-off. The optional sampled mode (labelled "sampled" wherever reported) ranks t only against
``negatives`` items drawn uniformly, without replacement, from the items neither in the history nor
held out, with a seeded generator (same seed and batch size -> same sample). Each user's top-k list
(history masked) is kept for the beyond-accuracy metrics.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from shopsense.models.base import Recommender, UserContext

Progress = Callable[[str, int, int], None]  # (step, done, total)


@dataclass(frozen=True)
class RankingTask:
    """Who is evaluated, what each user has seen (oldest first; scored with it, masked) and what is held out."""

    users: Sequence[str]
    history: Sequence[Sequence[str]]
    targets: Sequence[Sequence[str]]


@dataclass(frozen=True)
class RankingResult:
    ranks: np.ndarray  # (n_users, max targets) rank of each held-out item, inf for misses and padding
    n_targets: np.ndarray  # (n_users,)
    top: np.ndarray  # (n_users, k) codes into item_ids, best first; -1 where fewer than k items are scorable
    item_ids: np.ndarray  # the model's catalogue
    unscorable: int  # held-out items the model could not score at all


def _flat_codes(index: pd.Index, lists: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
    """(row, code) of every entry of ``lists``; code -1 for an id not in ``index``."""
    lengths = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
    rows = np.repeat(np.arange(len(lists)), lengths)
    flat = np.concatenate([np.asarray(x, dtype=object) for x in lists]) if rows.size else np.empty(0, dtype=object)
    return rows, index.get_indexer(flat)


def _position_in_row(rows: np.ndarray) -> np.ndarray:
    """For grouped, ascending ``rows``: 0 for the first entry of each row, 1 for the second …"""
    return np.arange(len(rows)) - np.searchsorted(rows, rows)


def _target_scores(scores: np.ndarray, rows: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """scores[rows, codes], -inf where the code is -1 (an item the model does not know)."""
    target = np.full(len(rows), -np.inf, dtype=np.float32)
    known = codes >= 0
    target[known] = scores[rows[known], codes[known]]
    return target


def pessimistic_ranks(scores: np.ndarray, rows: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Rank of item ``codes[e]`` in row ``rows[e]`` of masked ``scores`` (module docstring); inf if unscorable.

    Entries that share a row are handled in layers (the e-th entry of each row together), so each
    layer is one (rows, n_items) comparison, whatever the number of held-out items per user.
    """
    target = _target_scores(scores, rows, codes)
    ranks = np.full(len(rows), np.inf)
    layer = _position_in_row(rows)
    for number in range(int(layer.max(initial=-1)) + 1):
        chosen = np.flatnonzero((layer == number) & np.isfinite(target))
        every_row = np.array_equal(rows[chosen], np.arange(len(scores)))  # one held-out item each: no copy
        block = scores if every_row else scores[rows[chosen]]
        ranks[chosen] = np.count_nonzero(block >= target[chosen, None], axis=1) - 1  # counts t itself once
    return ranks


def sampled_ranks(
    scores: np.ndarray,
    rows: np.ndarray,
    codes: np.ndarray,
    allowed: np.ndarray,
    negatives: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Rank of each held-out item among ``negatives`` uniform draws from ``allowed`` (batch, n_items) items."""
    keys = rng.random(allowed.shape)
    keys[~allowed] = 2.0  # never drawn while allowed items remain
    count = min(negatives, allowed.shape[1])
    drawn = np.argpartition(keys, count - 1, axis=1)[:, :count]
    negative_scores = np.take_along_axis(scores, drawn, axis=1)
    negative_scores[np.take_along_axis(keys, drawn, axis=1) > 1.0] = -np.inf
    target = _target_scores(scores, rows, codes)
    ranks = (negative_scores[rows] >= target[:, None]).sum(axis=1).astype(np.float64)
    return np.where(np.isfinite(target), ranks, np.inf)


def top_codes(scores: np.ndarray, k: int, block: int = 64) -> np.ndarray:
    """(batch, k) column indices of the k highest scores per row, best first, ties by column; -1 for -inf slots.

    Without a full selection per row: τ = the k-th largest of the rows' block maxima (blocks of
    ``block`` columns) is ≤ the k-th largest score, so the top k lie among the scores > τ (at most
    (k - 1)·block of them, in blocks whose maximum beats τ) and the first k scores = τ; only those
    candidates are sorted.
    """
    n_rows, n_items = scores.shape
    k = min(k, n_items)
    starts = np.arange(0, n_items, block)
    floor = np.full((n_rows, 1), -np.inf, dtype=scores.dtype)
    if len(starts) > k:
        floor = np.partition(np.maximum.reduceat(scores, starts, axis=1), -k, axis=1)[:, -k, None]
    tied = scores == floor
    crowded = np.flatnonzero(np.count_nonzero(tied, axis=1) > k)
    tied[crowded] &= np.cumsum(tied[crowded], axis=1) <= k
    rows, cols = np.nonzero(((scores > floor) | tied) & (scores > -np.inf))
    values = scores[rows, cols]
    order = np.lexsort((cols, -values, rows))
    rows, cols = rows[order], cols[order]
    place = _position_in_row(rows)
    keep = place < k
    top = np.full((n_rows, k), -1, dtype=np.int64)
    top[rows[keep], place[keep]] = cols[keep]
    return top


def evaluate_ranking(
    model: Recommender,
    task: RankingTask,
    *,
    k: int = 10,
    batch_size: int = 512,
    negatives: int | None = None,
    seed: int = 0,
    progress: Progress | None = None,
) -> RankingResult:
    """Rank every held-out item of every user of ``task`` (full ranking unless ``negatives`` is given)."""
    index = pd.Index(model.item_ids)
    n_users, n_items = len(task.users), len(index)
    width = max((len(t) for t in task.targets), default=1)
    ranks = np.full((n_users, width), np.inf)
    top = np.full((n_users, min(k, n_items)), -1, dtype=np.int64)
    rng = np.random.default_rng(seed)
    unscorable = 0
    for start in range(0, n_users, batch_size):
        stop = min(start + batch_size, n_users)
        history, targets = task.history[start:stop], task.targets[start:stop]
        contexts = [UserContext(user_id=u, recent_items=tuple(h)) for u, h in zip(task.users[start:stop], history)]
        scores = np.array(model.score(contexts), dtype=np.float32)  # a writable copy: masking writes into it
        if scores.shape != (stop - start, n_items) or np.isnan(scores).any():
            expected = (stop - start, n_items)
            raise ValueError(f"{model.name}.score gave shape {scores.shape} or NaN; expected {expected} without NaN")
        h_rows, h_codes = _flat_codes(index, history)
        t_rows, t_codes = _flat_codes(index, targets)
        h_rows, h_codes = h_rows[h_codes >= 0], h_codes[h_codes >= 0]
        if negatives:
            allowed = np.ones(scores.shape, dtype=bool)
            allowed[h_rows, h_codes] = False
            allowed[t_rows[t_codes >= 0], t_codes[t_codes >= 0]] = False
            scores[h_rows, h_codes] = -np.inf
            found = sampled_ranks(scores, t_rows, t_codes, allowed, negatives, rng)
        else:
            scores[h_rows, h_codes] = -np.inf
            found = pessimistic_ranks(scores, t_rows, t_codes)
        unscorable += int(np.isinf(found).sum())
        ranks[start + t_rows, _position_in_row(t_rows)] = found
        top[start:stop] = top_codes(scores, k)
        if progress:
            progress(f"ranking {n_items:,} items", stop, n_users)
    n_targets = np.fromiter((len(t) for t in task.targets), dtype=np.int64, count=n_users)
    return RankingResult(ranks, n_targets, top, np.asarray(model.item_ids), unscorable)
