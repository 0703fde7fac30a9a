"""``shopsense report`` end to end, and figures and tables for stores that are empty or record purchases only."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

import pytest
from handworked_shop import ROWS, fill, make_log
from typer.testing import CliRunner

from shopsense.analytics.figures import FIGURES
from shopsense.analytics.html import SECTIONS
from shopsense.analytics.numbers import compact, percent, value_range
from shopsense.analytics.registry import ANALYSES, compute
from shopsense.analytics.tables import TABLES
from shopsense.cli import analytics as _commands  # noqa: F401 - registers report and bench analytics
from shopsense.cli.app import app
from shopsense.storage import open_database

PNG = b"\x89PNG\r\n\x1a\n"


def _run(*args: str):  # noqa: ANN202 - click Result
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_report_writes_html_json_and_figures(tmp_path: Path, clean_env: dict) -> None:
    data = tmp_path / "data"
    db = fill(open_database(f"sqlite:///{data / 'shopsense.db'}"))
    db.close()
    out = tmp_path / "report"
    result = _run("--data-dir", str(data), "report", "--out", str(out), "--until", "2024-01-09")
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(str(out / "report.html"))
    document = json.loads((out / "report.json").read_text())
    assert document["window"] == {"since": None, "until": "2024-01-09"}
    assert list(document["analyses"]) == list(ANALYSES) == list(SECTIONS)
    assert document["analyses"]["overview"]["events"] == 17  # all but e10, on 10 January
    users = {r["stage"]: r["reached"] for r in document["analyses"]["funnel"]["overall"]["user"]}
    assert users == {"view": 4, "add_to_cart": 3, "purchase": 2}
    figures = sorted((out / "figures").glob("*.png"))
    assert figures and all(f.read_bytes().startswith(PNG) for f in figures)
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") == len(figures)
    assert all(f'id="{name}"' in html for name in ANALYSES)
    assert "<script" not in html and 'src="http' not in html  # self-contained


@pytest.mark.parametrize("args", [("--since", "2024-02-01", "--until", "2024-01-01"), ("--since", "2024-13-01")])
def test_a_bad_window_is_a_usage_error(tmp_path: Path, clean_env: dict, args: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "report", "--out", str(tmp_path / "r"), *args])
    assert result.exit_code == 2
    assert not (tmp_path / "r" / "report.html").exists()


@pytest.mark.parametrize("rows", [[], [r for r in ROWS if r[3] == "purchase"]], ids=["empty", "purchases-only"])
def test_every_section_renders_for_thin_stores(rows: list[tuple]) -> None:
    log = make_log(rows)
    for name in ANALYSES:
        result = compute(log, name)
        json.dumps(result, allow_nan=False)
        for chart in FIGURES[name](result):
            chart.figure.savefig(BytesIO(), format="png")
        TABLES[name](result)
    assert compute(log, "funnel")["degenerate"] is True
    assert FIGURES["funnel"](compute(log, "funnel")) == []


def test_numbers_read_well() -> None:
    assert [compact(v) for v in (1_234_567, 279_146, 2_044, 3.0, 0.46)] == ["1.2M", "279k", "2,044", "3", "0.5"]
    assert [value_range(*r) for r in ((3, 3), (4, 5), (2_044, 279_146), (None, None))] == ["3", "4–5", "2,044–279k", "none"]
    assert [percent(v) for v in (0.544, 0.02, None)] == ["54%", "2.0%", "–"]
