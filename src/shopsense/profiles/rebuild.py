"""Batch rebuild: every profile recomputed from the whole event log, and a new profile model learned.

Steps: price quartiles from the catalogue; the log read in chunks (:mod:`shopsense.profiles.log`); one vectorised pass
(:func:`~shopsense.profiles.enrich.enrich` + :func:`~shopsense.profiles.state.summarise`); RFM quintile
cuts and the category transition model fitted over all users; the model saved and activated; every
document rendered and written. Events that arrive while a rebuild runs are in the log, but may be
missing from the documents it writes: the next rebuild (or the user's next event) completes them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from shopsense.profiles.collector import collector_paused
from shopsense.profiles.documents import compose
from shopsense.profiles.enrich import enrich
from shopsense.profiles.interests import ItemEmbeddings
from shopsense.profiles.items import price_quartiles, with_bands
from shopsense.profiles.log import read_events, read_items
from shopsense.profiles.model import ProfileModel, register_model
from shopsense.profiles.params import ProfileParams
from shopsense.profiles.render import as_of_ms, iso
from shopsense.profiles.rfm import fit_cuts, raw_values
from shopsense.profiles.state import summarise
from shopsense.profiles.transitions import fit_transitions
from shopsense.storage import Database
from shopsense.storage.codec import now_ms

Progress = Callable[[str, int, int], None]  # (step, done, total)
WRITE_BATCH = 2_000


@dataclass(frozen=True)
class RebuildSummary:
    events: int
    users: int
    version: str
    seconds: float
    model_path: Path


def _shares(values: np.ndarray, size: int) -> tuple[float, ...]:
    counts = np.bincount(values, minlength=size)
    return tuple(float(c) for c in counts / counts.sum()) if counts.sum() else ()


def learn(db: Database, params: ProfileParams, progress: Progress | None = None) -> tuple[ProfileModel, dict[str, dict]]:
    """The profile model and every user's state, from the catalogue and the whole log (nothing written)."""
    items = read_items(db)
    quartiles = price_quartiles(items)
    events = read_events(db, (lambda done, total: progress("reading events", done, total)) if progress else None)
    enriched = enrich(events, with_bands(items, quartiles), params)
    with collector_paused():
        states = summarise(enriched, params)
    reference = int(events["ts_ms"].max()) if len(events) else None
    model = ProfileModel(
        params=params,
        version=datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ"),
        reference_ms=reference,
        price_quartiles=quartiles,
        transitions=fit_transitions(enriched),
        hour_shares=_shares(enriched["hour"].to_numpy(), 24),
        weekday_shares=_shares(enriched["weekday"].to_numpy(), 7),
    )
    cuts = fit_cuts(raw_values(s, as_of_ms(s, model)) for s in states.values())
    return replace(model, rfm_bounds=cuts), states


def rebuild_profiles(
    db: Database, models_dir: Path, params: ProfileParams = ProfileParams(), *, progress: Progress | None = None
) -> RebuildSummary:
    """Recompute every profile from the log, activate the new model (saved under ``models_dir``) and refresh
    the item embeddings behind the interest vectors (:mod:`shopsense.profiles.interests`)."""
    started = time.perf_counter()
    model, states = learn(db, params, progress)
    events = sum(s["events"] for s in states.values())
    path = register_model(db, model, models_dir, {"users": len(states), "events": events})
    ItemEmbeddings.refresh(db, models_dir)
    users = sorted(states)
    updated_at = iso(now_ms())
    for start in range(0, len(users), WRITE_BATCH):
        chunk = users[start : start + WRITE_BATCH]
        previous, attributes = db.profiles.get_many(chunk), db.profiles.attributes(chunk)
        with collector_paused():
            db.profiles.put_many({
                u: compose(u, states[u], model, attributes=attributes.get(u, {}), previous=previous.get(u),
                           updated_at=updated_at)
                for u in chunk
            })  # fmt: skip
        if progress:
            progress("writing profiles", start + len(chunk), len(users))
    return RebuildSummary(events, len(users), model.version, time.perf_counter() - started, path)
