"""Export of the event log to files: Parquet (the Spark jobs' input), JSON Lines or CSV.

The log is streamed from the database in time order, ``chunk_rows`` events at a time, so memory holds
one chunk whatever the size of the log; each chunk becomes a Parquet row group (or a block of lines),
and a new part file starts every ``rows_per_file`` rows: ``DIR/part-00000.parquet``, ``part-00001…``.

Columns are the import data model's (``event_id, user_id, session_id, type, item_id, value, query,
recomm_id, position, timestamp, context``), so ``shopsense import`` reads every part back unchanged.
``timestamp`` is a UTC instant with millisecond precision (Parquet ``timestamp[ms, UTC]``; ISO-8601 text
with ``Z`` in JSON Lines and CSV); ``context`` is the stored JSON text.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from shopsense.storage import Database

EXPORT_FORMATS = ("parquet", "jsonl", "csv")
SCHEMA = pa.schema([
    ("event_id", pa.string()), ("user_id", pa.string()), ("session_id", pa.string()), ("type", pa.string()),
    ("item_id", pa.string()), ("value", pa.float64()), ("query", pa.string()), ("recomm_id", pa.string()),
    ("position", pa.int64()), ("timestamp", pa.timestamp("ms", tz="UTC")), ("context", pa.string()),
])  # fmt: skip


class ExportError(ValueError):
    """An export cannot be written (unknown format, a non-empty folder, an empty window) or read (not an export)."""


@dataclass(frozen=True)
class ExportSummary:
    rows: int
    files: list[Path]
    seconds: float


def export_frame(chunk: pd.DataFrame) -> pd.DataFrame:
    """A chunk of ``EventStore.iter_frames`` (storage columns, ``ts_ms``) in the export columns."""
    frame = chunk.drop(columns=["ts_ms"]).assign(
        timestamp=pd.to_datetime(chunk["ts_ms"].astype("int64"), unit="ms", utc=True),
        position=pd.to_numeric(chunk["position"]).astype("Int64"),
        value=pd.to_numeric(chunk["value"]).astype("float64"),
    )
    return frame[SCHEMA.names]


class _PartWriter:
    """Writes frames to ``part-NNNNN.<fmt>`` files of at most ``rows_per_file`` rows each."""

    def __init__(self, out: Path, fmt: str, rows_per_file: int) -> None:
        self.out, self.fmt, self.rows_per_file = out, fmt, rows_per_file
        self.files: list[Path] = []
        self._in_file = rows_per_file  # the first write opens part 0
        self._parquet: pq.ParquetWriter | None = None
        self._text: IO[str] | None = None

    def write(self, frame: pd.DataFrame) -> None:
        while len(frame):
            if self._in_file == self.rows_per_file:
                self._open_next()
            room = self.rows_per_file - self._in_file
            piece, frame = frame.iloc[:room], frame.iloc[room:]
            if self._parquet is not None:
                self._parquet.write_table(pa.Table.from_pandas(piece, schema=SCHEMA, preserve_index=False))
            elif self.fmt == "jsonl":
                self._text.write(piece.to_json(orient="records", lines=True, date_format="iso", date_unit="ms"))
            else:  # ISO-8601 to the millisecond, like the JSON Lines
                iso = piece["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3] + "Z"
                piece.assign(timestamp=iso).to_csv(self._text, index=False, header=self._in_file == 0)
            self._in_file += len(piece)

    def _open_next(self) -> None:
        self._close_part()
        path = self.out / f"part-{len(self.files):05d}.{self.fmt}"
        self.files.append(path)
        self._in_file = 0
        if self.fmt == "parquet":
            self._parquet = pq.ParquetWriter(path, SCHEMA)
        else:
            self._text = path.open("w", encoding="utf-8", newline="")

    def close(self) -> None:
        """Finish the last part; an export without rows still gets one part, with the schema (and CSV header)."""
        if not self.files:
            self._open_next()
            if self.fmt == "csv":
                self._text.write(",".join(SCHEMA.names) + "\n")
        self._close_part()

    def _close_part(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
        if self._text is not None:
            self._text.close()
        self._parquet = self._text = None


def _window(frames: Iterator[pd.DataFrame], since_ms: int | None, until_ms: int | None) -> Iterator[pd.DataFrame]:
    """The events with since_ms ≤ ts_ms < until_ms of the time-ordered ``frames``; stops past ``until_ms``."""
    for chunk in frames:
        ts = chunk["ts_ms"].astype("int64")
        keep = pd.Series(True, index=chunk.index)
        if since_ms is not None:
            keep &= ts >= since_ms
        if until_ms is not None:
            keep &= ts < until_ms
        yield chunk[keep]
        if until_ms is not None and ts.max() >= until_ms:
            return


def export_events(
    db: Database, out: Path, *, fmt: str = "parquet", since_ms: int | None = None, until_ms: int | None = None,
    chunk_rows: int = 200_000, rows_per_file: int = 1_000_000,
) -> ExportSummary:  # fmt: skip
    """Write the events with ``since_ms`` ≤ ts < ``until_ms`` (either bound optional) under ``out``.

    ``out`` must be missing or empty: parts of an older export are never mixed with new ones. An empty
    log (or window) writes one part with no rows, so readers still find the schema.
    """
    if fmt not in EXPORT_FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}")
    if chunk_rows < 1 or rows_per_file < 1:
        raise ExportError("chunk_rows and rows_per_file must be at least 1")
    if since_ms is not None and until_ms is not None and since_ms >= until_ms:
        raise ExportError("the time window is empty: --since must come before --until")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExportError(f"{out} is not an empty folder; choose a new one (parts of two exports must not mix)")
    out.mkdir(parents=True, exist_ok=True)
    started, rows = time.perf_counter(), 0
    writer = _PartWriter(out, fmt, rows_per_file)
    try:
        with closing(db.events.iter_frames(chunk_rows)) as frames:
            for chunk in _window(frames, since_ms, until_ms):
                writer.write(export_frame(chunk))
                rows += len(chunk)
    finally:
        writer.close()
    return ExportSummary(rows, writer.files, time.perf_counter() - started)
