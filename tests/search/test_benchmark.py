"""The CrowdFlower loader and the ``bench search`` command on a tiny synthetic set (the real sets: docs/benchmarks.md)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shopsense.data.search_sets import load_crowdflower
from shopsense.search.benchmark import gains, split_queries

PRODUCTS = [
    ("Cordless drill 18V", "A drill for wood and metal"), ("Hammer drill", "Drills into concrete"),
    ("Garden hose 50 ft", "Water your lawn"), ("Lawn mower", "Cuts grass"), ("LED light bulb", "Bright and cheap"),
    ("Ceiling fan with light", "Cools rooms"), ("Red summer dress", "Cotton dress"), ("Blue jeans", "Denim"),
    ("Running shoes", "For jogging"), ("Leather wallet", "Holds cards"),
]  # fmt: skip
JUDGED = {
    "cordless drill": {0: 4, 1: 3, 4: 1}, "drill": {0: 4, 1: 4, 3: 1}, "garden hose": {2: 4, 3: 2},
    "lawn mower": {3: 4, 2: 2}, "light bulb": {4: 4, 5: 2}, "fan": {5: 4, 4: 1}, "dress": {6: 4, 7: 1},
    "jeans": {7: 4, 6: 1}, "shoes": {8: 4, 9: 1}, "wallet": {9: 4, 8: 1}, "summer dress": {6: 4, 8: 1},
    "hose": {2: 4, 5: 1},
}  # fmt: skip


@pytest.fixture
def crowdflower_csv(tmp_path: Path) -> Path:
    path = tmp_path / "train.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "query", "product_title", "product_description", "median_relevance", "relevance_variance"])
        row_id = 0
        for query, judged in JUDGED.items():
            for product, grade in judged.items():
                row_id += 1
                writer.writerow([row_id, query, *PRODUCTS[product], grade, 0.5])
    return path


def test_crowdflower_loader(crowdflower_csv: Path, tmp_path: Path) -> None:
    bench = load_crowdflower(crowdflower_csv)
    assert bench.name == "crowdflower" and len(bench.queries) == len(JUDGED) and len(bench.corpus) == len(PRODUCTS)
    qid = next(q for q, text in bench.queries.items() if text == "drill")
    by_title = {bench.corpus[p]: g for p, g in bench.qrels[qid].items()}
    assert by_title == {"Cordless drill 18V": 4.0, "Hammer drill": 4.0, "Lawn mower": 1.0}
    pid = next(p for p, t in bench.corpus.items() if t == "Hammer drill")
    assert bench.descriptions[pid] == "Drills into concrete"
    assert gains(bench)[qid][pid] == 3.0  # median − 1
    broken = tmp_path / "broken.csv"
    broken.write_text("id,query,product_title,product_description,median_relevance,relevance_variance\n1,q,t,d,7,0\n")
    with pytest.raises(ValueError, match="1 to 4"):
        load_crowdflower(broken)
    (tmp_path / "other.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="missing columns"):
        load_crowdflower(tmp_path / "other.csv")


def test_split_is_fixed_and_disjoint() -> None:
    qids = [str(i) for i in range(200)]
    tune, evaluate = split_queries(qids)
    assert split_queries(qids) == (tune, evaluate) and not set(tune) & set(evaluate)
    assert sorted(tune + evaluate, key=int) == qids and 70 < len(tune) < 130


def test_bench_search_command_reports_three_systems(crowdflower_csv: Path, tmp_path: Path) -> None:
    from shopsense.cli import search  # noqa: F401 - registers the command
    from shopsense.cli.app import app

    out = tmp_path / "result.json"
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path / "data"), "bench", "search", "--data", str(crowdflower_csv),
                                      "--format", "crowdflower", "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text())
    names = [s["name"] for s in payload["systems"]]
    assert names == ["bm25 (bm25s defaults)", "dense (e5-small)", "shopsense"]
    for system in payload["systems"]:
        assert 0 <= system["ndcg@10"] <= 1 and system["p99_ms"] >= system["p50_ms"] > 0
    assert "NDCG@10" in result.output and (tmp_path / "data" / "search" / "embeddings" / "vectors.npy").exists()
    missing = CliRunner().invoke(app, ["bench", "search", "--data", str(tmp_path / "nope"), "--format", "homedepot"])
    assert missing.exit_code != 0
