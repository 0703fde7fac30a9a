"""Export every stored profile as JSON Lines (whole documents) or CSV / Parquet (flattened columns).

Flattened columns are named by dotted path (``rfm.segment``, ``activity.by_type.purchase``,
``affinities.price_band.low``). Fields whose keys are open-ended (attributes, category/brand/shop
affinities, per-category cycles, tags, scores) and lists (hours, weekdays) are one column of JSON text.
The internal ``state`` is never exported.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from shopsense.domain import EventType
from shopsense.profiles.documents import public
from shopsense.profiles.items import BANDS
from shopsense.storage import Database

CHUNK = 5_000
_TEXT, _INT, _FLOAT, _JSON = pa.string(), pa.int64(), pa.float64(), None  # _JSON: JSON text in a string column
COLUMNS: dict[str, pa.DataType | None] = {
    "user_id": _TEXT, "attributes": _JSON,
    "activity.first_seen": _TEXT, "activity.last_seen": _TEXT, "activity.days_inactive": _FLOAT,
    "activity.events": _INT, "activity.sessions": _INT,
    **{f"activity.by_type.{t.value}": _INT for t in EventType},
    "activity.hours": _JSON, "activity.weekdays": _JSON,
    "rfm.recency_days": _FLOAT, "rfm.frequency": _INT, "rfm.monetary": _FLOAT,
    "rfm.r": _INT, "rfm.f": _INT, "rfm.m": _INT, "rfm.segment": _TEXT,
    "lifecycle.stage": _TEXT, "lifecycle.rule": _TEXT,
    "affinities.category": _JSON, "affinities.brand": _JSON, "affinities.shop": _JSON,
    **{f"affinities.price_band.{b}": _FLOAT for b in BANDS},
    "purchase_cycle.overall_days": _FLOAT, "purchase_cycle.by_category": _JSON,
    "sentiment.reviews": _INT, "sentiment.mean": _FLOAT, "sentiment.label": _TEXT,
    "sentiment.ratings": _INT, "sentiment.rating_mean": _FLOAT,
    "interests.recent_categories": _JSON, "interests.next_categories": _JSON,
    "tags": _JSON, "scores": _JSON, "as_of": _TEXT, "updated_at": _TEXT,
}  # fmt: skip
_COUNTS = {name for name in COLUMNS if name.startswith("activity.by_type.")}


def _lookup(document: dict[str, Any], path: str) -> Any:
    value: Any = document
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def flatten(document: dict[str, Any]) -> dict[str, Any]:
    """One row of ``COLUMNS`` from a profile document (JSON columns as text, null when absent; missing counts are 0)."""
    row = {}
    for name, kind in COLUMNS.items():
        value = _lookup(document, name)
        if kind is _JSON:
            value = None if value is None else orjson.dumps(value).decode()
        elif name in _COUNTS and value is None:
            value = 0
        row[name] = value
    return row


def _documents(db: Database) -> Iterator[dict[str, Any]]:
    for _, document in db.profiles.iter_all():
        yield public(document)


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _write_jsonl(documents: Iterator[dict], out: Path, tick: Callable[[int], None]) -> None:
    with out.open("wb") as handle:
        for chunk in _chunks(documents):
            handle.write(b"".join(orjson.dumps(d) + b"\n" for d in chunk))
            tick(len(chunk))


def _write_csv(documents: Iterator[dict], out: Path, tick: Callable[[int], None]) -> None:
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        for chunk in _chunks(documents):
            writer.writerows(flatten(d) for d in chunk)
            tick(len(chunk))


def _write_parquet(documents: Iterator[dict], out: Path, tick: Callable[[int], None]) -> None:
    schema = pa.schema([(name, _TEXT if kind is _JSON else kind) for name, kind in COLUMNS.items()])
    with pq.ParquetWriter(out, schema) as writer:
        for chunk in _chunks(documents):
            writer.write_table(pa.Table.from_pylist([flatten(d) for d in chunk], schema=schema))
            tick(len(chunk))


WRITERS = {"jsonl": _write_jsonl, "csv": _write_csv, "parquet": _write_parquet}
FORMATS = tuple(WRITERS)


def export_profiles(db: Database, out: Path, fmt: str, *, progress: Callable[[int], None] | None = None) -> int:
    """Write every stored profile to ``out`` in ``fmt`` (one of ``FORMATS``); returns the number written."""
    if fmt not in WRITERS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    written = 0

    def tick(n: int) -> None:
        nonlocal written
        written += n
        if progress:
            progress(n)

    WRITERS[fmt](_documents(db), out, tick)
    return written
