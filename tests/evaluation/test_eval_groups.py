"""Per-group breakdowns: history-length buckets, attribute labels, summaries recomputed per group."""

from __future__ import annotations

import numpy as np

from shopsense.evaluation.groups import attribute_labels, breakdown, history_buckets


def test_history_buckets_edges() -> None:
    labels = history_buckets(np.array([1, 4, 5, 9, 10, 19, 20, 49, 50, 400]))
    assert list(labels) == ["<5", "<5", "5-9", "5-9", "10-19", "10-19", "20-49", "20-49", "50+", "50+"]


def test_breakdown_recomputes_the_summary_per_group_in_category_order() -> None:
    values = np.array([1.0, 3.0, 10.0, 20.0])
    labels = history_buckets(np.array([12, 3, 60, 3]))

    def summarize(rows: np.ndarray) -> dict:
        return {"users": len(rows), "mean": values[rows].mean()}

    assert breakdown(labels, summarize) == {
        "<5": {"users": 2, "mean": 11.5}, "10-19": {"users": 1, "mean": 1.0}, "50+": {"users": 1, "mean": 10.0},
    }  # fmt: skip


def test_attribute_labels_mark_missing_values_unknown() -> None:
    attributes = {"u1": {"gender": "F"}, "u2": {}}
    assert attribute_labels(["u1", "u2", "u3"], attributes, "gender").tolist() == ["F", "unknown", "unknown"]
    assert list(breakdown(["F", "unknown", "F"], lambda rows: {"n": len(rows)})) == ["F", "unknown"]
