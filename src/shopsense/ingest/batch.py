"""Validate and store one batch of events, reporting the outcome of every row."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from shopsense.ingest.validate import Limits, ValidatedBatch, validate_events
from shopsense.profiles.incremental import apply_new_events
from shopsense.storage import Database
from shopsense.storage.privacy import UserDataStore

ACCEPTED, DUPLICATE, REJECTED = "accepted", "duplicate", "rejected"


@dataclass
class BatchOutcome:
    status: pd.Series  # row -> accepted | duplicate | rejected
    reasons: pd.Series  # row -> reason, rejected rows only

    def count(self, status: str) -> int:
        return int((self.status == status).sum())


def ingest_events(db: Database, batch: pd.DataFrame, limits: Limits = Limits()) -> BatchOutcome:
    """Store the valid events of ``batch`` atomically; re-sent ids count as duplicates, not stored twice."""
    return store_validated(db, batch.index, validate_events(batch, limits))


def store_validated(
    db: Database, rows: pd.Index, checked: ValidatedBatch, *, update_profiles: bool = True
) -> BatchOutcome:
    """The storing half of :func:`ingest_events`, for callers that validate ahead (bulk import).

    The newly stored events (not the duplicates) are folded into their users' profiles at once, unless
    ``update_profiles`` is off: bulk imports rebuild all profiles in one batch pass afterwards instead.
    Events of a deleted user dated before the deletion are rejected with that reason.
    """
    inserted = db.events.add(checked.valid)
    is_new = checked.valid["event_id"].isin(inserted)
    refused = UserDataStore(db.engine).refusals(checked.valid[~is_new]) if not is_new.all() else pd.Series(dtype=str)
    if update_profiles:
        apply_new_events(db, checked.valid[is_new])
    status = pd.Series(REJECTED, index=rows, dtype="object")
    status[checked.valid.index[is_new.to_numpy()]] = ACCEPTED
    status[checked.valid.index[~is_new.to_numpy()]] = DUPLICATE
    status[checked.in_batch_duplicates] = DUPLICATE
    status[refused.index] = REJECTED
    return BatchOutcome(status=status, reasons=pd.concat([checked.rejected, refused]) if len(refused) else checked.rejected)
