"""Quality on real data (slow tier): ItemKNN with its defaults on Amazon Beauty, leave-one-out, full ranking."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopsense.config import DEFAULT_EVENT_WEIGHTS
from shopsense.evaluation.bench_rec import BenchSpec, run_bench

BEAUTY = Path(__file__).parents[2].parent / "shared" / "data" / "rec" / "beauty" / "Beauty.txt"


@pytest.mark.slow
def test_itemknn_reaches_the_published_sequential_models_on_beauty(tmp_path: Path) -> None:
    if not BEAUTY.is_file():
        pytest.skip(f"{BEAUTY} is absent (the shared data folder sits beside the project checkout)")
    spec = BenchSpec(
        data=BEAUTY, format="s3rec", protocol="loo", artifacts=tmp_path, weights=DEFAULT_EVENT_WEIGHTS,
        models=["itemknn"],
    )  # fmt: skip
    result = run_bench(spec)["models"]["itemknn"]
    assert result["metrics"]["users"] == 22_363
    assert result["metrics"]["NDCG@10"] >= 0.055  # measured 0.059; SASRec as reported by S3-Rec: 0.032
    assert result["metrics"]["HR@10"] >= 0.085  # measured 0.091
    assert result["fit_seconds"] < 60
