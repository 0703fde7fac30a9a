"""Bulk import (CSV, JSON Lines, Parquet) on every backend: mapping, row-numbered rejects, exact accounting."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from shopsense.ingest.batch import ingest_events
from shopsense.ingest.importer import ImportSummary, default_rejects_path, import_file
from shopsense.ingest.readers import (
    ImportFormatError,
    file_fingerprint,
    guess_format,
    parse_mapping,
)
from shopsense.storage import Database

TYPES = "add_to_cart, click, favorite, impression, purchase, rating, refund, remove_from_cart, review, search, view"


def read_rejects(path: Path | None) -> list[tuple[int, str, str]]:
    assert path is not None and path.is_file()
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["row", "status", "reason"]
    return [(int(r[0]), r[1], r[2]) for r in rows[1:]]


def stored_ids(db: Database) -> list[str]:
    return sorted(pd.concat(db.events.iter_frames(), ignore_index=True)["event_id"]) if db.events.count() else []


def run_import(db: Database, path: Path, fmt: str, tmp_path: Path, **kwargs) -> ImportSummary:
    summary = import_file(db, path, fmt, rejects_path=tmp_path / "rejects" / f"{path.stem}.csv", **kwargs)
    assert summary.rows == summary.accepted + summary.duplicate + summary.rejected + summary.skipped
    return summary


# ---- CSV with a column mapping ----------------------------------------------------------------------------

MAPPED_CSV = """\
id,customer,action,product,when,qty,junk
a1,c1,view,p1,2023-05-01T10:00:00Z,,x
a2,c1,purchase,p1,2023-05-01T10:05:00+01:00,2,x
a3,c2,teleport,p2,2023-05-01T10:00:00Z,,x
a4,c2,view,p2,1682935200,,x
a5,,view,p2,1682935200,,x
a6,c3,rating,p3,1682935200000,4,x
a7,c3,rating,p3,1682935200000,9,x
a8,c3,view,p3,last tuesday,,x
a9,c4,search,,1682935200,,x
"""
MAPPING = ["id=event_id", "customer=user_id", "action=type", "product=item_id", "when=timestamp", "qty=value", "junk="]
EXPECTED_REJECTS = [
    (3, "rejected", f"unknown event type 'teleport' (expected one of {TYPES})"),
    (5, "rejected", "missing user_id"),
    (7, "rejected", "rating 9.0 out of range 1-5"),
    (8, "rejected", "bad timestamp 'last tuesday' (expected ISO-8601 or epoch seconds)"),
    (9, "rejected", "search needs a query"),
]


@pytest.mark.parametrize("chunk_rows", [100_000, 2])
def test_csv_with_mapping_stores_valid_rows_and_reports_the_rest_by_row(
    db: Database, tmp_path: Path, chunk_rows: int
) -> None:
    path = tmp_path / "shop-export.csv"
    path.write_text(MAPPED_CSV)
    seen: list[int] = []
    summary = run_import(db, path, "csv", tmp_path, mapping=parse_mapping(MAPPING), chunk_rows=chunk_rows,
                         progress=seen.append)  # fmt: skip
    assert (summary.accepted, summary.duplicate, summary.rejected, summary.skipped) == (4, 0, 5, 0)
    assert summary.rows == 9 == sum(seen)
    assert read_rejects(summary.rejects_path) == EXPECTED_REJECTS
    assert stored_ids(db) == ["a1", "a2", "a4", "a6"]
    purchase = next(e for e in db.events.user_events("c1") if e.event_id == "a2")
    assert (purchase.item_id, purchase.value, purchase.timestamp) == ("p1", 2.0, datetime(2023, 5, 1, 9, 5, tzinfo=UTC))


def test_a_clean_file_writes_no_rejects_file(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "clean.csv"
    path.write_text("event_id,user_id,type,item_id,timestamp\ne1,u1,view,i1,1682935200\n")
    summary = run_import(db, path, "csv", tmp_path)
    assert (summary.accepted, summary.rejects_path) == (1, None)
    assert not (tmp_path / "rejects" / "clean.csv").exists()


def test_repeated_ids_inside_a_file_are_duplicates_stored_once(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "repeats.csv"
    path.write_text(
        "event_id,user_id,type,item_id,timestamp\n"
        "e1,u1,view,i1,1682935200\ne2,u1,view,i1,1682935200\ne1,u1,click,i1,1682935200\ne1,u2,view,i9,1682935200\n"
    )
    summary = run_import(db, path, "csv", tmp_path, chunk_rows=2)  # the third row repeats across a chunk boundary
    assert (summary.accepted, summary.duplicate, summary.rejected) == (2, 2, 0)
    assert db.events.count() == 2
    assert [e.type.value for e in db.events.user_events("u1")] == ["view", "view"]


# ---- JSON Lines -------------------------------------------------------------------------------------------


def test_jsonl_reports_malformed_lines_by_line_number(db: Database, tmp_path: Path) -> None:
    good = {"user_id": "u1", "type": "view", "item_id": "i1", "timestamp": "2023-05-01T10:00:00Z"}
    lines = [
        json.dumps({**good, "event_id": "j1"}),  # line 1
        "",  # line 2: blank lines are not rows
        '{"event_id": "j2", "user_id": ',  # line 3: truncated
        "[1, 2, 3]",  # line 4: JSON but not an object
        json.dumps({**good, "event_id": "j5", "context": {"device": "ios", "page": "home"}}),  # line 5
        "not json at all",  # line 6
        json.dumps({**good, "event_id": "j7", "type": "rating", "value": 0}),  # line 7
        json.dumps({**good, "event_id": "j8", "user_id": 42}),  # line 8
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n")
    summary = run_import(db, path, "jsonl", tmp_path, chunk_rows=2)
    assert (summary.accepted, summary.duplicate, summary.rejected) == (3, 0, 4)
    rejects = read_rejects(summary.rejects_path)
    assert [(row, status) for row, status, _ in rejects] == [(3, "rejected"), (4, "rejected"), (6, "rejected"), (7, "rejected")]
    reasons = {row: reason for row, _, reason in rejects}
    assert reasons[3].startswith("invalid JSON: ")
    assert reasons[4] == "line is not a JSON object"
    assert reasons[6].startswith("invalid JSON: ")
    assert reasons[7] == "rating 0 out of range 1-5"
    assert stored_ids(db) == ["j1", "j5", "j8"]
    [j5] = [e for e in db.events.user_events("u1") if e.event_id == "j5"]
    assert j5.context == {"device": "ios", "page": "home"}
    assert db.events.user_events("42")[0].event_id == "j8"  # numeric ids are stored as text


def test_jsonl_with_mapping_and_ignored_fields(db: Database, tmp_path: Path) -> None:
    lines = [
        {"uuid": "m1", "customer": "c1", "action": "favorite", "sku": "p1", "ts": 1_682_935_200, "debug": {"x": 1}},
        {"uuid": "m2", "customer": "c1", "action": "review", "sku": "p1", "ts": 1_682_935_260, "body": "Lovely mug"},
        {"uuid": "m3", "customer": "c2", "action": "review", "sku": "p1", "ts": 1_682_935_260, "body": "x" * 5_001},
    ]
    path = tmp_path / "mapped.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    mapping = parse_mapping(["uuid=event_id", "customer=user_id", "action=type", "sku=item_id", "ts=timestamp",
                             "body=text", "debug="])  # fmt: skip
    summary = run_import(db, path, "jsonl", tmp_path, mapping=mapping)
    assert (summary.accepted, summary.rejected) == (2, 1)
    assert read_rejects(summary.rejects_path) == [(3, "rejected", "text has 5001 characters (limit 5000)")]
    review, favorite = db.events.user_events("c1")
    assert (review.event_id, review.type.value, review.context) == ("m2", "review", {"text": "Lovely mug"})
    assert (favorite.event_id, favorite.context) == ("m1", {})


def test_jsonl_line_with_an_unknown_key_is_one_rejected_row(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "late.jsonl"
    lines = [{"event_id": f"e{n}", "user_id": "u1", "type": "view", "item_id": "i1", "timestamp": 1682935200 + n}
             for n in range(5)]  # fmt: skip
    lines[3]["colour"] = "red"  # only in the second chunk: must not fail the file after the first was stored
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    summary = run_import(db, path, "jsonl", tmp_path, chunk_rows=2)
    assert (summary.accepted, summary.rejected) == (4, 1) and db.events.count() == 4
    ((row, status, reason),) = read_rejects(summary.rejects_path)
    assert (row, status) == (4, "rejected") and reason.startswith("unknown fields 'colour': map each with --map")


def test_jsonl_chunk_of_only_bad_lines_is_counted(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("{oops\n{nope\n" + json.dumps({"event_id": "x", "user_id": "u", "type": "view", "item_id": "i",
                                                   "timestamp": 1682935200}) + "\n")  # fmt: skip
    summary = run_import(db, path, "jsonl", tmp_path, chunk_rows=2)
    assert (summary.accepted, summary.rejected, summary.rows) == (1, 2, 3)
    assert [row for row, _, _ in read_rejects(summary.rejects_path)] == [1, 2]


# ---- Parquet ----------------------------------------------------------------------------------------------


def test_parquet_with_native_types_and_mapping(db: Database, tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "uid": [1, 2, 2, 3],
        "kind": ["view", "add_to_cart", "purchase", "refund"],
        "sku": [10.0, 11.0, 11.0, 12.0],  # float ids become canonical text
        "at": pd.to_datetime(["2023-05-01 10:00", "2023-05-01 10:01", "2023-05-01 10:02", "2031-01-01 00:00"]),
        "amount": [None, 1.0, -1.0, 2.0],
        "rid": ["r1", "r2", "r3", "r4"],
    })  # fmt: skip
    path = tmp_path / "log.parquet"
    frame.to_parquet(path)
    mapping = parse_mapping(["uid=user_id", "kind=type", "sku=item_id", "at=timestamp", "amount=value", "rid=event_id"])
    summary = run_import(db, path, "parquet", tmp_path, mapping=mapping, chunk_rows=3)
    assert (summary.accepted, summary.rejected) == (2, 2)
    assert read_rejects(summary.rejects_path) == [
        (3, "rejected", "quantity must not be negative"),
        (4, "rejected", "timestamp more than 1 day in the future"),
    ]
    [cart] = db.events.user_events("2")
    assert (cart.event_id, cart.item_id, cart.timestamp) == ("r2", "11", datetime(2023, 5, 1, 10, 1, tzinfo=UTC))


# ---- whole-file errors ------------------------------------------------------------------------------------


def test_unknown_columns_are_refused_with_a_clear_message(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("event_id,user_id,type,item_id,timestamp,colour\ne1,u1,view,i1,1682935200,red\n")
    with pytest.raises(ImportFormatError) as caught:
        run_import(db, path, "csv", tmp_path)
    message = str(caught.value)
    assert message.startswith("unknown columns 'colour': map each with --map COLUMN=FIELD, or COLUMN= to ignore it")
    assert "event_id, user_id, session_id, type" in message
    assert db.events.count() == 0
    summary = run_import(db, path, "csv", tmp_path, mapping=parse_mapping(["colour="]))  # ignoring it works
    assert summary.accepted == 1


def test_mapping_a_column_the_file_lacks_is_refused(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("event_id,user_id,type,item_id,timestamp\ne1,u1,view,i1,1682935200\n")
    with pytest.raises(ImportFormatError, match="--map names columns the file does not have: customer"):
        run_import(db, path, "csv", tmp_path, mapping={"customer": "user_id"})


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        (["customer"], "--map 'customer': expected COLUMN=FIELD (or COLUMN= to ignore a column)"),
        (["=user_id"], "--map '=user_id': expected COLUMN=FIELD (or COLUMN= to ignore a column)"),
        (["customer=userid"], "--map 'customer=userid': unknown field 'userid'; fields are event_id, user_id,"),
    ],
)
def test_bad_mappings_are_refused(pairs: list[str], message: str) -> None:
    with pytest.raises(ImportFormatError) as caught:
        parse_mapping(pairs)
    assert str(caught.value).startswith(message)


def test_parse_mapping_accepts_renames_and_ignores() -> None:
    assert parse_mapping(["Customer=user_id", "Junk=", "When=timestamp"]) == {
        "Customer": "user_id", "Junk": "", "When": "timestamp",
    }  # fmt: skip


def test_missing_file_and_unknown_format_are_refused(db: Database, tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="no such file"):
        run_import(db, tmp_path / "absent.csv", "csv", tmp_path)
    path = tmp_path / "x.csv"
    path.write_text("event_id\n")
    with pytest.raises(ImportFormatError, match="unknown format 'xml'"):
        run_import(db, path, "xml", tmp_path)


def test_a_file_that_is_not_parquet_is_refused(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "fake.parquet"
    path.write_text("event_id,user_id\n")
    with pytest.raises(ImportFormatError, match="fake.parquet: cannot read as Parquet"):
        run_import(db, path, "parquet", tmp_path)


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.csv", "csv"), ("a.CSV", "csv"), ("a.jsonl", "jsonl"), ("a.ndjson", "jsonl"), ("a.json", "jsonl"),
     ("a.parquet", "parquet"), ("a.tsv", "tsv"), ("a.tab", "tsv")],
)  # fmt: skip
def test_guess_format_from_the_suffix(name: str, fmt: str) -> None:
    assert guess_format(Path(name)) == fmt


def test_guess_format_refuses_unknown_suffixes() -> None:
    with pytest.raises(ImportFormatError, match=r"cannot tell the format of events\.xlsx; pass --format"):
        guess_format(Path("events.xlsx"))


def test_tab_separated_files_import(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "events.tsv"
    path.write_text("event_id\tuser_id\ttype\titem_id\ttimestamp\ne1\tu1\tview\ti1\t1682935200\n"
                    "e2\tu1\tclick\ti2\t2023-05-01T10:00:00Z\n")  # fmt: skip
    summary = run_import(db, path, guess_format(path), tmp_path)
    assert (summary.accepted, summary.rejected) == (2, 0)
    assert stored_ids(db) == ["e1", "e2"]


def test_csv_values_stay_text_and_quoted_fields_work(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "quoted.csv"
    path.write_text(
        "event_id,user_id,type,item_id,timestamp,context\n"
        '007,0042,view,"mug, blue",1682935200,"{""device"": ""ios""}"\n'
    )
    summary = run_import(db, path, "csv", tmp_path)
    assert summary.accepted == 1
    [stored] = db.events.user_events("0042")  # leading zeros kept: ids are text, not numbers
    assert (stored.event_id, stored.item_id, stored.context) == ("007", "mug, blue", {"device": "ios"})


def test_a_ragged_csv_line_is_one_rejected_row(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text(
        "event_id,user_id,type,item_id,timestamp\n"
        "e1,u1,view,i1,1682935200\ne2,u1,view,i1,1682935200,surprise\ne3,u1,view,i1,1682935200\ne4,u1\n"
    )
    summary = run_import(db, path, "csv", tmp_path)
    assert (summary.accepted, summary.rejected, summary.rows) == (2, 2, 4)
    assert read_rejects(summary.rejects_path) == [
        (2, "rejected", "expected 5 fields, found 6"),
        (4, "rejected", "expected 5 fields, found 2"),
    ]
    assert stored_ids(db) == ["e1", "e3"]


@pytest.mark.parametrize(
    "fmt",
    ["csv", "tsv", "jsonl", "parquet"],
)
def test_chunk_rows_bounds_each_transaction(db: Database, tmp_path: Path, fmt: str) -> None:
    frame = pd.DataFrame({"event_id": [f"e{n}" for n in range(10)], "user_id": "u1", "type": "view", "item_id": "i1",
                          "timestamp": 1_682_935_200})  # fmt: skip
    path = tmp_path / f"ten.{fmt}"
    if fmt in ("csv", "tsv"):
        frame.to_csv(path, index=False, sep="," if fmt == "csv" else "\t")
    elif fmt == "jsonl":
        frame.to_json(path, orient="records", lines=True)
    else:
        frame.to_parquet(path, row_group_size=4)
    sizes: list[int] = []
    summary = run_import(db, path, fmt, tmp_path, chunk_rows=3, progress=sizes.append)
    assert summary.accepted == 10
    assert sizes == [3, 3, 3, 1]


# ---- derived ids and re-imports ---------------------------------------------------------------------------


def test_files_without_event_id_get_deterministic_ids_so_reimport_is_all_duplicates(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "no-ids.csv"
    path.write_text("user_id,type,item_id,timestamp\n" + "".join(f"u{n % 3},view,i{n},1682935200\n" for n in range(7))
                    + "u9,bogus,i9,1682935200\n")  # fmt: skip
    first = run_import(db, path, "csv", tmp_path, chunk_rows=3)
    assert (first.accepted, first.duplicate, first.rejected) == (7, 0, 1)
    fingerprint = file_fingerprint(path)
    assert stored_ids(db) == sorted(f"{fingerprint}-{row}" for row in range(1, 8))
    again = run_import(db, path, "csv", tmp_path, chunk_rows=5)  # chunking does not change the ids
    assert (again.accepted, again.duplicate, again.rejected) == (0, 7, 1)
    assert db.events.count() == 7


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_importing_the_same_file_twice_stores_it_once(db: Database, tmp_path: Path, fmt: str) -> None:
    frame = pd.DataFrame({"event_id": [f"e{n}" for n in range(50)], "user_id": [f"u{n % 4}" for n in range(50)],
                          "type": "click", "item_id": "i1", "timestamp": [1_682_935_200 + n for n in range(50)]})  # fmt: skip
    path = tmp_path / f"twice.{fmt}"
    if fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "jsonl":
        frame.to_json(path, orient="records", lines=True)
    else:
        frame.to_parquet(path)
    first = run_import(db, path, fmt, tmp_path, chunk_rows=16)
    second = run_import(db, path, fmt, tmp_path, chunk_rows=16)
    assert (first.accepted, first.duplicate) == (50, 0)
    assert (second.accepted, second.duplicate, second.rejected) == (0, 50, 0)
    assert db.events.count() == 50


def test_default_rejects_path_is_under_the_data_dir(tmp_path: Path) -> None:
    assert default_rejects_path(tmp_path, "/some/where/events.csv") == tmp_path / "imports" / "events.rejected.csv"


# ---- one batch (the HTTP path) ----------------------------------------------------------------------------


def test_ingest_events_reports_every_row(db: Database) -> None:
    batch = pd.DataFrame([
        {"event_id": "b1", "user_id": "u1", "type": "view", "item_id": "i1", "timestamp": 1_682_935_200},
        {"event_id": "b2", "user_id": "u1", "type": "nope", "item_id": "i1", "timestamp": 1_682_935_200},
        {"event_id": "b1", "user_id": "u1", "type": "view", "item_id": "i1", "timestamp": 1_682_935_200},
        {"event_id": "b3", "user_id": "u2", "type": "search", "query": "mug", "timestamp": 1_682_935_200},
    ])  # fmt: skip
    first = ingest_events(db, batch)
    assert first.status.tolist() == ["accepted", "rejected", "duplicate", "accepted"]
    assert first.reasons.to_dict() == {1: f"unknown event type 'nope' (expected one of {TYPES})"}
    again = ingest_events(db, batch)
    assert again.status.tolist() == ["duplicate", "rejected", "duplicate", "duplicate"]
    assert (again.count("accepted"), again.count("duplicate"), again.count("rejected")) == (0, 3, 1)
    assert db.events.count() == 2
