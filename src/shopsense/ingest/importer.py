"""Bulk import of events from files and real data sets: chunked, resumable, fully accounted for.

Each chunk is stored in one transaction and event ids are idempotency keys, so an import that is
killed (even with SIGKILL) and run again ends with every valid row stored exactly once: rows stored
before the kill come back as duplicates. Profiles are not updated row by row here: the caller
rebuilds them in one batch pass after the import (``shopsense import`` does). Every source row ends up in exactly one of accepted,
duplicate, rejected (invalid, with its reason in the rejects file) or skipped (deliberately not an
event, e.g. a postage line, also with its reason).
"""

from __future__ import annotations

import contextlib
import csv
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from queue import Empty, Queue
from typing import TypeVar

import pandas as pd

from shopsense.data.dataset import LoadedDataset
from shopsense.ingest.batch import ACCEPTED, DUPLICATE, REJECTED, store_validated
from shopsense.ingest.readers import ImportFormatError, RawChunk, read_event_chunks
from shopsense.ingest.validate import Limits, ValidatedBatch, validate_events
from shopsense.privacy.pseudonym import pseudonymize
from shopsense.storage import Database
from shopsense.storage.privacy import UserDataStore

SKIPPED = "skipped"
_T = TypeVar("_T")
Progress = Callable[[int], None]  # called with the number of source rows just processed


@dataclass
class ImportSummary:
    source: str
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    skipped: int = 0
    seconds: float = 0.0
    rejects_path: Path | None = None
    skip_reasons: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return self.accepted + self.duplicate + self.rejected + self.skipped

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


class PartialImportError(ImportFormatError):
    """The file turned out unreadable after some of its chunks were stored; ``summary`` says exactly which."""

    def __init__(self, reason: ImportFormatError, summary: ImportSummary) -> None:
        super().__init__(
            f"{reason} (the {summary.rows:,} rows before it were imported: {summary.accepted:,} accepted, "
            f"{summary.duplicate:,} duplicate, {summary.rejected:,} rejected; fix the file and import it again: "
            "rows already stored count as duplicates)"
        )
        self.summary = summary


class _RejectsWriter:
    """Writes ``row,status,reason`` lines for rejected and skipped rows, created on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.unlink(missing_ok=True)  # an earlier import's rejects must not pass for this one's
        self._handle = None
        self._writer = None

    def write(self, reasons: pd.Series, status: str) -> None:
        if reasons.empty:
            return
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("w", newline="", encoding="utf-8")
            self._writer = csv.writer(self._handle)
            self._writer.writerow(["row", "status", "reason"])
        self._writer.writerows((int(row), status, reason) for row, reason in reasons.sort_index().items())
        self._handle.flush()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()


def _validated(chunks: Iterable[RawChunk], limits: Limits) -> Iterator[tuple[RawChunk, ValidatedBatch]]:
    for chunk in chunks:
        yield chunk, validate_events(chunk.frame, limits)


def _prefetched(items: Iterator[_T], depth: int = 2) -> Iterator[_T]:
    """Produce ``items`` in a worker thread, ``depth`` ahead of the consumer.

    Reading and validating chunk n+1 overlaps with writing chunk n (the database driver releases the
    GIL while it works), which is what makes bulk import use both cores.
    """
    queue: Queue = Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                queue.put(item)
            queue.put(done)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, re-raised there
            queue.put(exc)

    worker = threading.Thread(target=produce, daemon=True, name="import-reader")
    worker.start()
    try:
        while (item := queue.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            with contextlib.suppress(Empty):
                queue.get(timeout=0.05)


def _run(
    db: Database,
    source: str,
    chunks: Iterable[RawChunk],
    *,
    rejects_path: Path,
    limits: Limits,
    progress: Progress | None,
    skipped: pd.Series | None = None,
) -> ImportSummary:
    summary = ImportSummary(source=source)
    rejects = _RejectsWriter(rejects_path)
    started = time.perf_counter()
    try:
        if skipped is not None and len(skipped):
            rejects.write(skipped, SKIPPED)
            summary.skipped = len(skipped)
            summary.skip_reasons = skipped.value_counts().to_dict()
            if progress:
                progress(len(skipped))
        for chunk, checked in _prefetched(_validated(chunks, limits)):
            rejects.write(chunk.unparsable, REJECTED)
            summary.rejected += len(chunk.unparsable)
            if len(chunk.frame):
                outcome = store_validated(db, chunk.frame.index, checked, update_profiles=False)
                summary.accepted += outcome.count(ACCEPTED)
                summary.duplicate += outcome.count(DUPLICATE)
                summary.rejected += outcome.count(REJECTED)
                rejects.write(outcome.reasons, REJECTED)
            if progress:
                progress(len(chunk.frame) + len(chunk.unparsable))
    except ImportFormatError as exc:
        if summary.rows:
            summary.rejects_path = rejects.path if rejects.path.exists() else None
            raise PartialImportError(exc, summary) from None
        raise
    finally:
        rejects.close()
    summary.seconds = time.perf_counter() - started
    summary.rejects_path = rejects.path if rejects.path.exists() else None
    return summary


def default_rejects_path(data_dir: Path, source: Path | str) -> Path:
    return data_dir / "imports" / f"{Path(source).stem}.rejected.csv"


def import_file(
    db: Database,
    path: Path,
    fmt: str,
    *,
    mapping: dict[str, str] | None = None,
    chunk_rows: int = 100_000,
    rejects_path: Path,
    limits: Limits = Limits(),
    progress: Progress | None = None,
) -> ImportSummary:
    """Import a CSV / JSON Lines / Parquet file of events named as in ARCHITECTURE.md (or mapped)."""
    chunks = read_event_chunks(path, fmt, mapping or {}, chunk_rows)
    return _run(db, str(path), chunks, rejects_path=rejects_path, limits=limits, progress=progress)


def import_dataset(
    db: Database,
    dataset: LoadedDataset,
    *,
    chunk_rows: int = 100_000,
    rejects_path: Path,
    limits: Limits = Limits(),
    progress: Progress | None = None,
) -> ImportSummary:
    """Import a loaded real data set: catalogue and users first (upserts), then its events."""
    if dataset.items:
        db.catalog.upsert_items(dataset.items)
    if dataset.users:  # a deleted user is not stored again; new events of theirs, if any, make a bare row
        found = [replace(u, user_id=pseudonymize(limits.pseudonymize_key, u.user_id)) for u in dataset.users]
        deleted = UserDataStore(db.engine).tombstones(u.user_id for u in found)
        db.catalog.upsert_users([u for u in found if u.user_id not in deleted])
    chunks = (
        RawChunk(dataset.events.iloc[start : start + chunk_rows], pd.Series(dtype="object"))
        for start in range(0, len(dataset.events), chunk_rows)
    )
    return _run(
        db, dataset.name, chunks, rejects_path=rejects_path, limits=limits, progress=progress, skipped=dataset.skipped
    )
