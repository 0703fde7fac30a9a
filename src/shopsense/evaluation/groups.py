"""Metrics per user group, so that a model that fails light or minority users shows it.

A group label is given per evaluated user (or per rating); :func:`breakdown` recomputes any summary on
each group's rows, so aggregate metrics (coverage, RMSE) are computed within the group, not averaged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

HISTORY_EDGES = (5, 10, 20, 50)


def history_buckets(lengths: np.ndarray, edges: Sequence[int] = HISTORY_EDGES) -> pd.Categorical:
    """Labels ``<5``, ``5-9``, ``10-19``, ``20-49``, ``50+`` (for the default edges) by history length."""
    labels = [f"<{edges[0]}", *(f"{lo}-{hi - 1}" for lo, hi in zip(edges, edges[1:])), f"{edges[-1]}+"]
    codes = np.searchsorted(np.asarray(edges), np.asarray(lengths), side="right")
    return pd.Categorical.from_codes(codes, categories=labels, ordered=True)


def attribute_labels(user_ids: Sequence[str], attributes: Mapping[str, Mapping], name: str) -> np.ndarray:
    """Each user's attribute ``name`` as text; ``unknown`` where the user or the attribute is missing."""
    return np.asarray([str(attributes.get(u, {}).get(name, "unknown")) for u in user_ids], dtype=object)


def breakdown(labels: Sequence | pd.Categorical, summarize: Callable[[np.ndarray], dict]) -> dict[str, dict]:
    """``{label: summarize(rows of that label)}``; categories in their order (empty ones left out), else sorted."""
    labels = pd.Categorical(labels) if not isinstance(labels, pd.Categorical) else labels
    values = np.asarray(labels.astype(object))
    return {str(label): summarize(np.flatnonzero(values == label)) for label in labels.categories if (values == label).any()}
