"""Evaluation splits (ARCHITECTURE.md, evaluation protocols), seeded and saved so figures reproduce.

A split names events by their row label in the loaded data set (``LoadedDataset.events.index``, the
source file's row number), one int64 array per part:

* :func:`leave_one_out` (sequences): per user in time order (ties: file order), later repeats of an
  item dropped, "the next new item": last item = ``test``, second to last = ``valid``, the rest
  ``train``; users with fewer than 3 items are train only.
* :func:`temporal` (global time): T = the q-quantile of event times; ``test`` = events at or after T;
  the events before T are cut the same way at their own q-quantile T' into ``train`` (< T') and
  ``valid`` ([T', T)), so tuning never looks past T.
* :func:`rating_folds`: a seeded permutation p of the rating events; ``fold_f`` = rows p[f::n].
  Every model sees the same folds.

On disk (:func:`save_split`): ``split.json`` (protocol, seed, parameters, the data file's SHA-256,
part sizes) and one ``<part>.npy`` per part.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from shopsense.ingest.validate import parse_timestamps

PROTOCOLS = ("loo", "temporal", "ratings-cv")


@dataclass(frozen=True)
class Split:
    protocol: str  # one of PROTOCOLS
    parts: dict[str, np.ndarray]  # part name -> (n,) int64 row labels of the events
    seed: int = 0
    params: dict = field(default_factory=dict)

    def frames(self, log: pd.DataFrame) -> dict[str, pd.DataFrame]:
        """Each part's rows of ``log``, in the log's (time) order."""
        return {name: log[log.index.isin(rows)] for name, rows in self.parts.items()}


def interaction_log(events: pd.DataFrame, weights: Mapping[str, float]) -> pd.DataFrame:
    """Events with an item and a positive type weight, sorted by (time, row).

    Columns user_id, item_id, type, value, ts_ms; ``ts_ms`` is parsed from ``timestamp`` (epoch seconds/ms or ISO-8601); the index keeps row labels.
    """
    weight = events["type"].map(dict(weights)).fillna(0.0)
    kept = events[events["item_id"].notna() & events["user_id"].notna() & (weight > 0)]
    log = pd.DataFrame(
        {
            "user_id": kept["user_id"].astype(str), "item_id": kept["item_id"].astype(str),
            "type": kept["type"].astype(str), "value": kept["value"].astype("float64"),
            "ts_ms": parse_timestamps(kept["timestamp"]),
        },
        index=kept.index,
    )  # fmt: skip
    log = log[log["ts_ms"].notna()].astype({"ts_ms": "int64"})
    return log.iloc[np.lexsort((log.index.to_numpy(), log["ts_ms"].to_numpy()))]


def rating_log(events: pd.DataFrame) -> pd.DataFrame:
    """The ``rating`` events that carry a value, as :func:`interaction_log`; raises when there are none."""
    rated = events[(events["type"] == "rating") & events["value"].notna()]
    if rated.empty:
        raise ValueError("no rating events with a value: ratings-cv needs star ratings (e.g. MovieLens)")
    return interaction_log(rated, {"rating": 1.0})


def _rows(log: pd.DataFrame, mask: np.ndarray | pd.Series) -> np.ndarray:
    return log.index.to_numpy(np.int64)[np.asarray(mask, dtype=bool)]


def leave_one_out(log: pd.DataFrame) -> Split:
    """Last new item per user = test, the one before = valid, the rest train (see module docstring)."""
    first = log[~log.duplicated(["user_id", "item_id"])]
    from_end = first.groupby("user_id", sort=False).cumcount(ascending=False).to_numpy()
    long_enough = first.groupby("user_id", sort=False)["item_id"].transform("size").to_numpy() >= 3
    test, valid = long_enough & (from_end == 0), long_enough & (from_end == 1)
    return Split(
        "loo",
        {"train": _rows(first, ~(test | valid)), "valid": _rows(first, valid), "test": _rows(first, test)},
        params={"repeats_dropped": len(log) - len(first)},
    )


def _cut(ts_ms: np.ndarray, quantile: float) -> int:
    return int(np.quantile(ts_ms, quantile, method="higher"))


def temporal(log: pd.DataFrame, quantile: float = 0.8) -> Split:
    """train < T' ≤ valid < T ≤ test, T and T' time quantiles (see module docstring)."""
    if not 0 < quantile < 1:
        raise ValueError(f"quantile must be in (0, 1), not {quantile}")
    ts = log["ts_ms"].to_numpy()
    cut = _cut(ts, quantile)
    before = ts < cut
    inner = _cut(ts[before], quantile) if before.any() else cut
    parts = {"train": _rows(log, ts < inner), "valid": _rows(log, before & (ts >= inner)), "test": _rows(log, ~before)}
    empty = [name for name, rows in parts.items() if len(rows) == 0]
    if empty:
        raise ValueError(f"temporal split at the {quantile} time quantile leaves {', '.join(empty)} empty")
    return Split("temporal", parts, params={"quantile": quantile, "test_from_ms": cut, "valid_from_ms": inner})


def rating_folds(log: pd.DataFrame, n_folds: int = 5, *, seed: int = 0) -> Split:
    """``n_folds`` folds of a seeded permutation of the rows (see module docstring)."""
    if not 2 <= n_folds <= len(log):
        raise ValueError(f"cannot make {n_folds} folds of {len(log)} ratings")
    permuted = log.index.to_numpy(np.int64)[np.random.default_rng(seed).permutation(len(log))]
    parts = {f"fold_{f}": np.sort(permuted[f::n_folds]) for f in range(n_folds)}
    return Split("ratings-cv", parts, seed=seed, params={"n_folds": n_folds})


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_split(split: Split, directory: Path, data_sha256: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, rows in split.parts.items():
        np.save(directory / f"{name}.npy", rows, allow_pickle=False)
    meta = {
        "protocol": split.protocol, "seed": split.seed, "params": split.params, "data_sha256": data_sha256,
        "sizes": {name: len(rows) for name, rows in split.parts.items()},
    }  # fmt: skip
    (directory / "split.json").write_text(json.dumps(meta, indent=2))


def load_split(directory: Path, data_sha256: str) -> Split:
    """The split saved in ``directory``; a ValueError if it was made from another data file."""
    meta = json.loads((directory / "split.json").read_text())
    if meta["data_sha256"] != data_sha256:
        raise ValueError(f"the split in {directory} was made from another data file (SHA-256 differs)")
    parts = {name: np.load(directory / f"{name}.npy", allow_pickle=False) for name in meta["sizes"]}
    return Split(meta["protocol"], parts, seed=meta["seed"], params=meta["params"])
