"""``shopsense bench rec`` end to end on tiny synthetic files, in-process through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from evaluation_toys import CountingEpochs, MeanRating, write_s3rec
from typer.testing import CliRunner

import shopsense.cli.recommenders  # noqa: F401 - registers ``bench rec``
from shopsense.cli.app import app
from shopsense.evaluation import bench_rec
from shopsense.models.registry import RECOMMENDERS

SHARED_DATA = Path(__file__).parents[2].parent / "shared" / "data"


@pytest.fixture(autouse=True)
def toy_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only popularity is registered, whatever models other modules have added (they may be slow)."""
    monkeypatch.setattr(bench_rec, "RECOMMENDERS", {"popularity": RECOMMENDERS["popularity"]})
    monkeypatch.setattr(bench_rec, "RATING_MODELS", {})


def _bench(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["bench", "rec", *args], catch_exceptions=False)
    return result.exit_code, result.output


def test_popularity_on_a_tiny_s3rec_file(s3rec_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    code, output = _bench("--data", str(s3rec_file), "--format", "s3rec", "--models", "popularity", "--out", str(out))
    assert code == 0, output
    assert "popularity" in output and "NDCG@10" in output
    report = json.loads(out.read_text())
    assert report["protocol"] == "loo" and report["ranking"].startswith("full")
    assert report["split"]["sizes"]["test"] == report["data"]["users"] == 40
    result = report["models"]["popularity"]
    metrics = result["metrics"]
    assert metrics["users"] == 40 and 0 <= metrics["NDCG@10"] <= metrics["HR@10"] <= 1
    assert metrics["HR@10"] == metrics["Recall@10"]
    assert {"MRR", "MAP@10", "coverage@10", "novelty@10", "ARP@10", "ILD@10"} <= set(metrics)
    assert result["hyper_parameters"]["half_life_days"] == 30.0
    assert result["fit_seconds"] >= 0 and result["peak_rss_mb"] > 0
    assert sum(g["users"] for g in result["groups"]["history_length"].values()) == 40
    split_dir = tmp_path / "results_artifacts" / "split"
    assert {p.name for p in split_dir.iterdir()} == {"split.json", "train.npy", "valid.npy", "test.npy"}

    again = tmp_path / "again.json"
    code, output = _bench("--data", str(s3rec_file), "-f", "s3rec", "--split", str(split_dir), "--out", str(again),
                          "--models", "popularity")  # fmt: skip
    assert code == 0, output
    assert json.loads(again.read_text())["models"]["popularity"]["metrics"] == metrics


def test_grid_is_tuned_on_validation_and_curves_are_written(s3rec_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(bench_rec.RECOMMENDERS, "counting", CountingEpochs)
    out = tmp_path / "tuned.json"
    grid = '{"popularity": {"half_life_days": [1, 30]}, "counting": {"epochs": 2}}'
    code, output = _bench("--data", str(s3rec_file), "--format", "s3rec", "--grid", grid, "--out", str(out), "--k", "5",
                          "--item-features")  # fmt: skip
    assert code == 0, output
    models = json.loads(out.read_text())["models"]
    assert set(models) == {"popularity", "counting"}  # no --models: every registered recommender
    selection = models["popularity"]["selection"]
    assert selection["metric"] == "NDCG@5" and [t["params"] for t in selection["tried"]] == [{"half_life_days": 1}, {"half_life_days": 30}]
    assert selection["chosen"].items() <= models["popularity"]["hyper_parameters"].items()
    assert models["counting"]["selection"] is None and models["counting"]["hyper_parameters"] == {"epochs": 2}
    curves = json.loads((tmp_path / "tuned_artifacts" / "curves" / "counting-test" / "curves.json").read_text())
    assert [e["epoch"] for e in curves["epochs"]] == [1, 2]
    assert curves["epochs"][0]["featured_items"] == 25  # every toy item has attribute ids


def test_temporal_protocol_on_a_taobao_log(taobao_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "temporal.json"
    code, output = _bench("--data", str(taobao_file), "--format", "taobao", "--protocol", "temporal",
                          "--models", "popularity", "--out", str(out), "--sampled", "10")  # fmt: skip
    assert code == 0, output
    report = json.loads(out.read_text())
    assert report["ranking"].startswith("sampled: 10")
    metrics = report["models"]["popularity"]["metrics"]
    assert metrics["users"] > 0 and 0 <= metrics["NDCG@10"] <= 1 and "ILD@10" in metrics  # taobao items have categories


def test_ratings_cv_uses_the_same_folds_for_every_model(movielens_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(bench_rec.RATING_MODELS, "mean", MeanRating)
    monkeypatch.setitem(bench_rec.RATING_MODELS, "shifted", lambda **p: MeanRating(shift=1.0, **p))
    out = tmp_path / "cv.json"
    code, output = _bench("--data", str(movielens_file), "--format", "movielens", "--protocol", "ratings-cv",
                          "--out", str(out), "--group-by", "gender")  # fmt: skip
    assert code == 0, output
    assert "RMSE" in output and "±" in output
    models = json.loads(out.read_text())["models"]
    assert set(models) == {"mean", "shifted"}
    assert len(models["mean"]["folds"]) == 5
    ratings = np.loadtxt(movielens_file, skiprows=1, usecols=2)
    assert models["mean"]["metrics"]["RMSE"] == pytest.approx(ratings.std(), rel=0.1)
    assert models["shifted"]["metrics"]["RMSE"] > models["mean"]["metrics"]["RMSE"]
    assert set(models["mean"]["groups"]["gender"]) == {"F", "M"}
    code, output = _bench("--data", str(movielens_file), "--format", "movielens", "--protocol", "ratings-cv",
                          "--out", str(out), "--grid", '{"mean": {"shift": [0, 1]}}')  # fmt: skip
    assert code == 2 and "nested" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--protocol", "temporal"], "only the order"),
        (["--protocol", "ratings-cv", "--models", "popularity"], "does not fit"),
        (["--models", "nonesuch"], "unknown model"),
        (["--models", "popularity", "--grid", '{"als": {"factors": [8]}}'], "not run"),
        (["--grid", '{"popularity": 3}'], "--grid"),
    ],
)
def test_mistakes_are_one_clear_line(s3rec_file: Path, tmp_path: Path, args: list[str], message: str) -> None:
    code, output = _bench("--data", str(s3rec_file), "--format", "s3rec", "--out", str(tmp_path / "x.json"), *args)
    assert code == 2 and message in output


@pytest.mark.slow
def test_lastfm_runs_with_the_real_file(tmp_path: Path) -> None:
    data = SHARED_DATA / "rec" / "lastfm" / "LastFM.txt"
    if not data.is_file():
        pytest.skip(f"real data file {data} is absent (it sits beside the project checkout)")
    out = tmp_path / "lastfm.json"
    code, output = _bench("--data", str(data), "--format", "s3rec", "--models", "popularity", "--out", str(out))
    assert code == 0, output
    metrics = json.loads(out.read_text())["models"]["popularity"]["metrics"]
    assert metrics["users"] == 1090 and 0 < metrics["NDCG@10"] <= metrics["HR@10"] < 0.2


def test_write_s3rec_helper_makes_distinct_items(tmp_path: Path) -> None:
    lines = write_s3rec(tmp_path / "T.txt", n_users=5).read_text().split("\n")[:-1]
    assert all(len(line.split()[1:]) == len(set(line.split()[1:])) >= 3 for line in lines)


def test_blend_learns_its_weights_inside_the_fit_and_reports_them(
    s3rec_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(bench_rec.RECOMMENDERS, "blend", RECOMMENDERS["blend"])
    out = tmp_path / "blend.json"
    grid = '{"blend": {"components": {"popularity": {}, "itemknn": {"window": 2}}, "step": 0.25}}'
    code, output = _bench("--data", str(s3rec_file), "-f", "s3rec", "--models", "blend", "--grid", grid, "--out", str(out))
    assert code == 0, output
    result = json.loads(out.read_text())["models"]["blend"]
    weights = result["hyper_parameters"]["weights"]
    assert set(weights) == {"popularity", "itemknn"} and sum(weights.values()) == pytest.approx(1.0)
    report = result["fit_report"]
    assert report["held_out_users"] == 40 and report["weights tried"] == 5  # fitted on train + valid: 40 users
    assert report["valid NDCG@10"] >= max(report["valid NDCG@10 per component"].values())
