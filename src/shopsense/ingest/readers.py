"""Chunked readers for event files (CSV, JSON Lines, Parquet) with column mapping.

Every chunk is a DataFrame of event fields whose index is the 1-based data row number in the file
(CSV: the header is not counted; JSON Lines: the line number), plus the rows that could not even be
parsed, with their reasons.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from shopsense.ingest.validate import EVENT_FIELDS

FILE_FORMATS = ("csv", "tsv", "jsonl", "parquet")
IGNORE = ""  # --map column= drops a column on purpose


class ImportFormatError(ValueError):
    """The file as a whole cannot be imported (unreadable, unknown columns, bad mapping)."""


@dataclass
class RawChunk:
    frame: pd.DataFrame
    unparsable: pd.Series  # row number -> reason


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    """``["Customer=user_id", "Junk="]`` -> ``{"Customer": "user_id", "Junk": ""}``, checked."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        source, sep, target = pair.partition("=")
        if not sep or not source:
            raise ImportFormatError(f"--map {pair!r}: expected COLUMN=FIELD (or COLUMN= to ignore a column)")
        if target not in EVENT_FIELDS and target != IGNORE:
            raise ImportFormatError(f"--map {pair!r}: unknown field {target!r}; fields are {', '.join(EVENT_FIELDS)}")
        mapping[source] = target
    return mapping


def guess_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    aliases = {"csv": "csv", "tsv": "tsv", "tab": "tsv", "jsonl": "jsonl", "ndjson": "jsonl", "json": "jsonl", "parquet": "parquet"}
    if suffix not in aliases:
        raise ImportFormatError(f"cannot tell the format of {path.name}; pass --format ({', '.join(FILE_FORMATS)})")
    return aliases[suffix]


def file_fingerprint(path: Path) -> str:
    """Short content hash: derived event ids stay the same when the same file is imported again."""
    digest = hashlib.sha1()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:12]


def _apply_mapping(frame: pd.DataFrame, mapping: Mapping[str, str], fingerprint: str, *, per_row_keys: bool) -> pd.DataFrame:
    """Rename mapped columns and drop ignored ones. With a header (CSV, Parquet) every mapped column must
    exist; JSON Lines records each have their own keys, so a chunk may lack a mapped one."""
    missing = [c for c in mapping if c not in frame.columns]
    if missing and not per_row_keys:
        raise ImportFormatError(f"--map names columns the file does not have: {', '.join(missing)}")
    frame = frame.drop(columns=[c for c, t in mapping.items() if t == IGNORE and c in frame.columns])
    frame = frame.rename(columns={c: t for c, t in mapping.items() if t != IGNORE})
    unknown = [c for c in frame.columns if c not in EVENT_FIELDS]
    if unknown:
        raise ImportFormatError(
            f"unknown columns {', '.join(map(repr, unknown))}: map each with --map COLUMN=FIELD, or COLUMN= to "
            f"ignore it (fields: {', '.join(EVENT_FIELDS)})"
        )
    if "event_id" not in frame.columns:  # derived ids keep re-imports of the same file idempotent
        frame = frame.assign(event_id=fingerprint + "-" + frame.index.astype(str))
    return frame


def _csv_chunks(path: Path, chunk_rows: int, delimiter: str = ",") -> Iterator[RawChunk]:
    """Stream a delimited file with pyarrow; every value stays text (ids like "007" keep their zeros).

    A line with the wrong number of fields becomes one rejected row instead of failing the file.
    Row numbers count data rows after the header (the same as line number - 1 when no quoted field
    spans lines).
    """
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle, delimiter=delimiter), None)
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"{path.name}: not UTF-8 text: {exc}") from None
    if not header:
        raise ImportFormatError(f"{path.name}: empty file, expected a header line")
    bad: dict[int, str] = {}

    def reject(row: pa_csv.InvalidRow) -> str:
        bad[row.number - 1] = f"expected {row.expected_columns} fields, found {row.actual_columns}"
        return "skip"

    try:
        reader = pa_csv.open_csv(
            path,
            read_options=pa_csv.ReadOptions(block_size=1 << 22, use_threads=False),  # row numbers need one thread
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, invalid_row_handler=reject),
            convert_options=pa_csv.ConvertOptions(column_types={name: pa.string() for name in header}),
        )
        next_row = 1
        pending: list[pd.DataFrame] = []
        for batch in reader:
            frame = batch.to_pandas()
            numbers = []
            while len(numbers) < len(frame):  # data rows take the numbers the rejected rows did not
                if next_row not in bad:
                    numbers.append(next_row)
                next_row += 1
            frame.index = pd.Index(numbers)
            pending.append(frame)
            while sum(len(f) for f in pending) >= chunk_rows:
                whole = pd.concat(pending)
                yield _flush([whole.iloc[:chunk_rows]], bad)
                pending = [whole.iloc[chunk_rows:]]
        if sum(len(f) for f in pending) or bad:
            yield _flush(pending, bad)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise ImportFormatError(f"{path.name}: cannot read as delimited text: {exc}") from None


def _flush(frames: list[pd.DataFrame], bad: dict[int, str]) -> RawChunk:
    """One chunk of the parsed frames plus the rejected rows seen so far (then forgotten)."""
    frame = pd.concat(frames) if frames else pd.DataFrame()
    frame = frame.replace({"": None}) if len(frame) else frame
    unparsable = pd.Series(dict(bad), dtype="object")
    bad.clear()
    return RawChunk(frame, unparsable)


def _jsonl_chunks(path: Path, chunk_rows: int, known: frozenset[str]) -> Iterator[RawChunk]:
    """One record per line; a line that is not a JSON object, or has a key that is neither an event field
    nor mapped (``known``), becomes one rejected row, so a later line can never fail the whole file."""
    records: list[dict] = []
    rows: list[int] = []
    bad: dict[int, str] = {}
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    value = orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    bad[number] = f"invalid JSON: {exc}"
                else:
                    unknown = sorted(set(value) - known) if isinstance(value, dict) else []
                    if not isinstance(value, dict):
                        bad[number] = "line is not a JSON object"
                    elif unknown:
                        bad[number] = (f"unknown fields {', '.join(map(repr, unknown))}: map each with --map KEY=FIELD, "
                                       "or KEY= to ignore it")  # fmt: skip
                    else:
                        records.append(value)
                        rows.append(number)
            if len(records) + len(bad) >= chunk_rows:
                yield RawChunk(pd.DataFrame.from_records(records, index=rows), pd.Series(bad, dtype="object"))
                records, rows, bad = [], [], {}
    if records or bad:
        yield RawChunk(pd.DataFrame.from_records(records, index=rows), pd.Series(bad, dtype="object"))


def _parquet_chunks(path: Path, chunk_rows: int) -> Iterator[RawChunk]:
    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a bad file
        raise ImportFormatError(f"{path.name}: cannot read as Parquet: {exc}") from None
    first_row = 1
    batches = parquet.iter_batches(batch_size=chunk_rows)
    while True:
        try:
            frame = next(batches).to_pandas()
        except StopIteration:
            return
        except (OSError, pa.ArrowException) as exc:  # a damaged page or column chunk
            why = " ".join(str(exc).split())  # pyarrow's messages may span lines; an error here is one line
            raise ImportFormatError(f"{path.name}: cannot read the Parquet rows from {first_row} on: {why}") from None
        frame.index = pd.RangeIndex(first_row, first_row + len(frame))
        first_row += len(frame)
        yield RawChunk(frame, pd.Series(dtype="object"))


_READERS = {
    "csv": _csv_chunks,
    "tsv": lambda path, chunk_rows: _csv_chunks(path, chunk_rows, delimiter="\t"),
    "parquet": _parquet_chunks,
}


def count_rows(path: Path, fmt: str) -> int | None:
    """Rows in the file when known without reading it (Parquet metadata), else None."""
    if fmt != "parquet":
        return None
    try:
        return pq.ParquetFile(path).metadata.num_rows
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a bad file
        raise ImportFormatError(f"{path.name}: cannot read as Parquet: {exc}") from None


def read_event_chunks(path: Path, fmt: str, mapping: Mapping[str, str], chunk_rows: int) -> Iterator[RawChunk]:
    if fmt not in FILE_FORMATS:
        raise ImportFormatError(f"unknown format {fmt!r}; expected one of {', '.join(FILE_FORMATS)}")
    if not path.is_file():
        raise ImportFormatError(f"{path}: no such file")
    fingerprint = file_fingerprint(path)
    per_row_keys = fmt == "jsonl"
    if per_row_keys:
        chunks = _jsonl_chunks(path, chunk_rows, frozenset(EVENT_FIELDS) | frozenset(mapping))
    else:
        chunks = _READERS[fmt](path, chunk_rows)
    for chunk in chunks:
        frame = chunk.frame if chunk.frame.empty and not len(chunk.frame.columns) else _apply_mapping(
            chunk.frame, mapping, fingerprint, per_row_keys=per_row_keys
        )
        yield RawChunk(frame, chunk.unparsable)
