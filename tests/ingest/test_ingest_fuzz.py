"""Hypothesis fuzzing of the file importers (CSV, JSON Lines, Parquet) with random and malformed files.

Every file either fails as a whole with an :class:`ImportFormatError` (a one-line message) and stores
nothing, or imports with an exact account: the events added to the store are exactly the ``accepted``
ones, every source row is counted once, and each rejected row is in the rejects file with its row
number and a reason. Nothing else may escape (no traceback), and no import may hang.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopsense.ingest.importer import ImportSummary, PartialImportError, import_file
from shopsense.ingest.readers import ImportFormatError
from shopsense.ingest.validate import EVENT_FIELDS
from shopsense.storage import Database, open_database

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip

_text = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=12),  # bad encodings come from the corruptions
    st.sampled_from(["", " ", "u1", "i1", "view", "purchase", "search", "rating", "\x00", "\ufeff", "é,\"\n", "9" * 40,
                     "2023-05-01T10:00:00Z", "2023-05-01 10:00", "1683000000", "1683000000000", "NaN", "-1", "1e400"]),
)  # fmt: skip
_number = st.one_of(st.integers(-(2**70), 2**70), st.floats(allow_nan=True, allow_infinity=True))
_value = st.one_of(st.none(), _text, _number, st.booleans())
_json_value = st.recursive(_value, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                           max_leaves=6)  # fmt: skip
_event_ids = st.sampled_from([f"e{n}" for n in range(12)])  # few ids: duplicates within and across imports
VALID = {  # a plausible value per field; each is replaced by junk now and then
    "event_id": st.one_of(_event_ids, st.text(min_size=1, max_size=8)),
    "user_id": st.sampled_from(["u1", "u2", "007"]),
    "session_id": st.sampled_from(["s1", "s2"]),
    "type": st.sampled_from(["view", "click", "purchase", "rating", "search", "refund", "review"]),
    "item_id": st.sampled_from(["i1", "i2", "i3"]),
    "value": st.sampled_from([1, 2.5, 5]),
    "query": st.sampled_from(["mug", "红色 杯子"]),
    "recomm_id": st.just("r1"),
    "position": st.integers(0, 20),
    "timestamp": st.sampled_from(["2023-05-01T10:00:00Z", "2024-02-29 23:59:59+08:00", 1683000000, 1683000000123]),
    "context": st.just('{"device": "ios"}'),
    "text": st.sampled_from(["great", "太好了"]),
    "junk": _text,
}
_usable = st.lists(st.sampled_from([f for f in VALID if f != "junk"]), max_size=6, unique=True).map(
    lambda extra: list(dict.fromkeys(["event_id", "user_id", "type", "timestamp", "item_id", *extra])))  # fmt: skip
_columns = st.one_of(_usable, _usable, _usable, st.lists(st.sampled_from(list(VALID)), min_size=1, max_size=8, unique=True))


@pytest.fixture(scope="module")
def store() -> Iterator[tuple[Database, Path]]:
    with tempfile.TemporaryDirectory(prefix="ingest-fuzz-") as tmp:
        db = open_database(f"sqlite:///{tmp}/fuzz.db")
        yield db, Path(tmp)
        db.close()


def _rows(draw, columns: list[str], junk: st.SearchStrategy) -> list[dict]:  # noqa: ANN001 - hypothesis' draw
    """Up to 8 rows of plausible values, about one in ten replaced by ``junk``."""
    return [{c: draw(junk if draw(st.integers(0, 9)) == 0 else VALID[c]) for c in columns}
            for _ in range(draw(st.integers(0, 8)))]  # fmt: skip


@st.composite
def csv_files(draw) -> tuple[bytes, int | None]:  # noqa: ANN001
    """A CSV file and its number of data rows (None when the bytes were corrupted afterwards)."""
    columns = draw(_columns)
    rows = _rows(draw, columns, st.one_of(st.none(), _text, _number.map(str)))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row[c] is None else str(row[c]) for c in columns])
    data = out.getvalue().encode("utf-8", "surrogatepass")
    return _maybe_corrupt(draw, data, len(rows))


@st.composite
def jsonl_files(draw) -> tuple[bytes, int | None]:  # noqa: ANN001
    columns = draw(_columns)
    lines = [json.dumps(row, allow_nan=True) for row in _rows(draw, columns, _json_value)]
    junk = draw(st.lists(st.sampled_from(["{", "[]", "42", '"x"', "null", "{\"event_id\": }"]), max_size=2))
    lines += junk
    data = "\n".join(draw(st.permutations(lines))).encode("utf-8", "surrogatepass")
    return _maybe_corrupt(draw, data, len(lines))


@st.composite
def parquet_files(draw) -> tuple[bytes, int | None]:  # noqa: ANN001
    columns = draw(_columns)
    typed = draw(st.booleans())  # numbers as numbers (timestamps, positions, values), or every column text
    rows = _rows(draw, columns, st.one_of(st.none(), _text, st.integers(-(2**63), 2**63 - 1), st.floats()))
    table = pa.table({c: _column([r[c] for r in rows], typed) for c in columns})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return _maybe_corrupt(draw, sink.getvalue().to_pybytes(), len(rows))


def _column(values: list, typed: bool) -> pa.Array:
    """One Parquet column: int64 or float64 when every value is such a number (and ``typed``), else text."""
    present = [v for v in values if v is not None]
    if typed and present and all(isinstance(v, int) for v in present):
        return pa.array(values, type=pa.int64())
    if typed and present and all(isinstance(v, (int, float)) for v in present):
        return pa.array(values, type=pa.float64())
    return pa.array([None if v is None else str(v) for v in values], type=pa.string())


def _maybe_corrupt(draw, data: bytes, rows: int) -> tuple[bytes, int | None]:  # noqa: ANN001
    how = draw(st.sampled_from(["none", "none", "none", "truncate", "flip", "insert"]))
    if how == "none" or not data:
        return data, rows
    at = draw(st.integers(0, len(data) - 1))
    if how == "truncate":
        return data[:at], None
    if how == "flip":
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :], None
    return data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:], None


def _read_rejects(path: Path | None) -> list[list[str]]:
    if path is None:
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["row", "status", "reason"]
    return rows[1:]


def _check_import(store: tuple[Database, Path], data: bytes, rows: int | None, fmt: str, chunk_rows: int) -> None:
    db, tmp = store
    path = tmp / f"events.{fmt}"
    path.write_bytes(data)
    before = db.events.count()
    try:
        summary = import_file(db, path, fmt, chunk_rows=chunk_rows, rejects_path=tmp / "rejects.csv")
    except ImportFormatError as exc:
        message = str(exc)
        assert message and "\n" not in message.strip() and "Traceback" not in message
        if isinstance(exc, PartialImportError):  # damage found after some chunks were stored: exactly those
            assert db.events.count() - before == exc.summary.accepted, message
            _check_rejects(exc.summary)
        else:
            assert db.events.count() == before, f"{message!r} after storing part of the file"
        return
    assert db.events.count() - before == summary.accepted
    assert summary.rows == summary.accepted + summary.duplicate + summary.rejected + summary.skipped
    if rows is not None:
        assert summary.rows == rows, (summary, rows)
    _check_rejects(summary)


def _check_rejects(summary: ImportSummary) -> None:
    """Each rejected row is in the rejects file once, with its row number and a reason."""
    rejects = _read_rejects(summary.rejects_path)
    assert len(rejects) == summary.rejected + summary.skipped
    assert all(int(number) >= 1 and status in ("rejected", "skipped") and reason for number, status, reason in rejects)
    assert len({int(r[0]) for r in rejects}) == len(rejects), "a row reported twice"


@FUZZ
@given(file=csv_files(), chunk_rows=st.integers(1, 4))
def test_csv_imports_are_all_or_accounted(store, file: tuple[bytes, int | None], chunk_rows: int) -> None:  # noqa: ANN001
    _check_import(store, *file, "csv", chunk_rows)


@FUZZ
@given(file=jsonl_files(), chunk_rows=st.integers(1, 4))
def test_jsonl_imports_are_all_or_accounted(store, file: tuple[bytes, int | None], chunk_rows: int) -> None:  # noqa: ANN001
    _check_import(store, *file, "jsonl", chunk_rows)


@FUZZ
@given(file=parquet_files(), chunk_rows=st.integers(1, 4))
def test_parquet_imports_are_all_or_accounted(store, file: tuple[bytes, int | None], chunk_rows: int) -> None:  # noqa: ANN001
    _check_import(store, *file, "parquet", chunk_rows)


@FUZZ
@given(data=st.binary(max_size=300), fmt=st.sampled_from(["csv", "tsv", "jsonl", "parquet"]))
def test_random_bytes_never_crash_an_import(store, data: bytes, fmt: str) -> None:  # noqa: ANN001
    _check_import(store, data, None, fmt, 2)


def test_the_store_is_what_the_reports_say(store) -> None:  # noqa: ANN001
    """After all of the above, every stored event is one that some import accepted (ids are unique)."""
    db, _ = store
    if db.events.count():
        ids = pd.concat(db.events.iter_frames(), ignore_index=True)["event_id"]
        assert ids.is_unique


def test_every_event_field_is_fuzzed() -> None:
    assert set(VALID) == {*EVENT_FIELDS, "junk"}
