"""``bench serve`` end to end on a small S3-Rec file: real uvicorn process, open-loop load generator process."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from shopsense.serving.benchmark import bench_serve


def test_bench_serve_runs_the_real_server_under_load(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    lines = [" ".join([str(u)] + [str(i) for i in rng.integers(1, 80, 6)]) for u in range(1, 120)]
    data = tmp_path / "Tiny.txt"
    data.write_text("\n".join(lines) + "\n")
    result = bench_serve(data, rate=40, duration=2, find_max=False, port=8791, users=50, progress=lambda _: None)
    assert result.setup["users"] == 119 and result.setup["items"] > 50
    assert "itemknn.recommend(k=10)" in result.floor and result.floor["pipeline (no HTTP)"]["p50_ms"] > 0
    (run,) = result.runs
    assert run["requests"] == 80 and run["ok"] == 80 and run["errors"] == 0
    assert 0 < run["latency_ms"]["p50"] <= run["latency_ms"]["p99"] <= run["latency_ms"]["max"]
