"""Target lists (CSV and JSON Lines) and the ``shopsense segments`` commands."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shopsense.segments.audience import census, members, write_target_list
from shopsense.segments.rules import InvalidRule, parse_rule

RULE = {"field": "scores.churn_risk", "op": "exists"}


def test_csv_and_json_lines(profiles: list) -> None:
    rows = list(members(parse_rule(RULE), profiles))
    fields = ["rfm.segment", "scores.churn_risk", "affinities.category"]
    out = io.StringIO()
    assert write_target_list(rows, out, fmt="csv", fields=fields) == 3
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["user_id", *fields],
        ["u1", "champions", "0.1", '{"Kitchen":0.61,"Toys":0.1}'],
        ["u2", "loyal", "0.7", '{"Toys":0.9}'],
        ["u3", "new", "0.4", ""],
    ]
    out = io.StringIO()
    write_target_list(rows, out, fmt="jsonl", fields=["rfm.segment", "tags.tag"])
    assert [json.loads(line) for line in out.getvalue().splitlines()] == [
        {"user_id": "u1", "rfm.segment": "champions", "tags.tag": ["price-sensitive"]},
        {"user_id": "u2", "rfm.segment": "loyal", "tags.tag": None},
        {"user_id": "u3", "rfm.segment": "new", "tags.tag": None},
    ]
    out = io.StringIO()
    write_target_list(rows, out, fmt="csv")
    assert out.getvalue() == "user_id\nu1\nu2\nu3\n"


def test_export_refuses_unknown_fields_and_formats(profiles: list) -> None:
    with pytest.raises(InvalidRule, match=r"fields\[1\]: unknown field 'rfm.sgment'"):
        write_target_list(profiles, io.StringIO(), fmt="csv", fields=["rfm.segment", "rfm.sgment"])
    with pytest.raises(ValueError, match="unknown export format 'xml'"):
        write_target_list(profiles, io.StringIO(), fmt="xml")


def test_census_counts_and_samples(profiles: list) -> None:
    counted = census(parse_rule(RULE), profiles, sample=2)
    assert (counted.matched, counted.total, counted.sample) == (3, 5, ["u1", "u2"])


@pytest.fixture
def cli(sqlite_db, tmp_path: Path, profiles: list, clean_env: dict):  # noqa: ANN001, ANN201
    import shopsense.cli.segments  # noqa: F401 - registers the commands
    from shopsense.cli.app import app

    sqlite_db.profiles.put_many(dict(profiles))
    url = str(sqlite_db.engine.url)

    def run(*args: str):  # noqa: ANN202
        return CliRunner().invoke(app, ["--data-dir", str(tmp_path / "data"), "--database-url", url, *args])

    return run


def test_cli_create_list_count_export_delete(cli, tmp_path: Path) -> None:  # noqa: ANN001
    rule_file = tmp_path / "rule.json"
    rule_file.write_text(json.dumps(RULE))
    result = cli("segments", "create", "at-risk", "--rule", f"@{rule_file}", "--description", "churn watch")
    assert result.exit_code == 0, result.output
    assert "created segment at-risk" in result.output
    assert "replaced" in cli("segments", "create", "at-risk", "--rule", json.dumps(RULE)).output
    assert "at-risk" in cli("segments", "list").output
    assert "at-risk: 3 of 5 profiles (60.0%)" in cli("segments", "count", "at-risk").output

    out = tmp_path / "out" / "targets.jsonl"
    result = cli("segments", "export", "at-risk", "--out", str(out), "--field", "scores.churn_risk")
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["scores.churn_risk"] for line in out.read_text().splitlines()] == [0.1, 0.7, 0.4]
    out_csv = tmp_path / "targets.csv"
    assert cli("segments", "export", "at-risk", "--out", str(out_csv)).exit_code == 0
    assert out_csv.read_text().splitlines() == ["user_id", "u1", "u2", "u3"]

    assert "deleted segment at-risk" in cli("segments", "delete", "at-risk").output
    result = cli("segments", "count", "at-risk")
    assert result.exit_code == 2 and "no segment 'at-risk'" in result.output


def test_cli_reports_every_problem(cli) -> None:  # noqa: ANN001
    bad = {"all": [{"field": "rfm.segment", "op": "equals", "value": "x"}, {"field": "nope", "op": "exists"}]}
    result = cli("segments", "create", "bad one", "--rule", json.dumps(bad))
    assert result.exit_code == 2
    text = " ".join(result.output.split())  # Rich wraps long lines at the terminal width
    assert text.startswith("invalid segment: 3 problem(s) name: a segment name has")
    assert "definition.all[0].op: unknown operator 'equals'; expected one of eq," in text
    assert "definition.all[1].field: unknown field 'nope': no field 'nope' at the top of a profile" in text
    result = cli("segments", "create", "x", "--rule", "{not json")
    assert result.exit_code == 2 and "not valid JSON" in result.output
    result = cli("segments", "preview", "--rule", json.dumps({"field": "tags.tag", "op": "contains", "value": "price-sensitive"}))
    assert result.exit_code == 0 and "1 of 5 profiles; first: u1" in result.output
