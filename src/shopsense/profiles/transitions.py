"""Next-category prediction: a first-order Markov model over category visits, learned in batch.

Each user's category-bearing events with a positive weight, in time order (ties by event id), are
collapsed into visits (consecutive events in one category are one visit). Over all users, with
c(a→b) the number of times a visit to b directly follows a visit to a ≠ b, c(a) = Σ_b c(a→b), and
π(b) the share of all visits that go to b:

    P(b | a) = (c(a→b) + α·π(b)) / (c(a) + α)          (additive smoothing towards popularity, α = 1)

For a user whose last visits are a1 (latest), a2, a3, the prediction is the mixture

    score(b) = Σ_j λ_j · P(b | a_j),   λ ∝ (1, ½, ¼),   b ≠ a1,

and the highest scores are reported as probabilities (a source never seen contributes π(b)). The
stored model keeps, per source, its ``keep`` most frequent successors and the ``keep`` most popular
categories, which are the candidates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

MIXTURE_DECAY = 0.5
LAST_VISITS = 3


@dataclass(frozen=True)
class TransitionModel:
    successors: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # a -> {b: c(a→b)}, top ``keep``
    totals: Mapping[str, int] = field(default_factory=dict)  # a -> c(a)
    popularity: Mapping[str, float] = field(default_factory=dict)  # b -> π(b), top ``keep``
    alpha: float = 1.0

    def predict(self, last_visits: Sequence[str], top: int = 5) -> list[tuple[str, float]]:
        """The ``top`` likeliest next categories after ``last_visits`` (latest first), with probabilities.

        With c_j = c(a_j) (0 for an unseen source), score(b) expands to
        K·π(b) + Σ_j λ_j·c(a_j→b)/(c_j + α) with K = Σ_j λ_j·α/(c_j + α), computed in one pass.
        """
        sources = list(last_visits[:LAST_VISITS])
        if not sources:
            return []
        weights = [MIXTURE_DECAY**j for j in range(len(sources))]
        norm = sum(weights)
        denominators = [self.totals.get(a, 0) + self.alpha for a in sources]
        prior = sum(w * self.alpha / d for w, d in zip(weights, denominators))
        scores = {b: prior * p for b, p in self.popularity.items()}
        for a, w, d in zip(sources, weights, denominators):
            for b, n in self.successors.get(a, {}).items():
                scores[b] = scores.get(b, prior * self.popularity.get(b, 0.0)) + w * n / d
        scores.pop(sources[0], None)
        ranked = sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))[:top]
        return [(b, s / norm) for b, s in ranked if s > 0]

    def to_dict(self) -> dict[str, Any]:
        return {"successors": self.successors, "totals": self.totals, "popularity": self.popularity, "alpha": self.alpha}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> TransitionModel:
        return cls(**values)


def visits(frame: pd.DataFrame) -> pd.DataFrame:
    """Category visits (columns user, category) in time order; ``frame`` is an enriched event frame."""
    rows = frame.loc[(frame["weight"] > 0) & frame["category"].notna(), ["user", "ts", "event_id", "category"]]
    rows = rows.sort_values(["user", "ts", "event_id"], kind="stable")
    same_user = rows["user"].eq(rows["user"].shift())
    repeated = same_user & rows["category"].eq(rows["category"].shift())
    return rows.loc[~repeated, ["user", "category"]]


def fit_transitions(frame: pd.DataFrame, *, keep: int = 20, alpha: float = 1.0) -> TransitionModel:
    """Count visit-to-visit transitions over every user of the enriched event ``frame``."""
    seen = visits(frame)
    if seen.empty:
        return TransitionModel(alpha=alpha)
    popularity = seen["category"].value_counts(normalize=True).head(keep)
    follows = seen["user"].eq(seen["user"].shift())
    pairs = pd.DataFrame({"a": seen["category"].shift()[follows], "b": seen["category"][follows]})
    counts = pairs.value_counts().rename("n").reset_index().sort_values(["a", "n", "b"], ascending=[True, False, True])
    totals = counts.groupby("a")["n"].sum()
    successors: dict[str, dict[str, int]] = {}
    for a, b, n in counts.groupby("a").head(keep).itertuples(index=False):
        successors.setdefault(a, {})[b] = int(n)
    return TransitionModel(
        successors=successors,
        totals={a: int(n) for a, n in totals.items()},
        popularity={b: float(p) for b, p in popularity.items()},
        alpha=alpha,
    )
