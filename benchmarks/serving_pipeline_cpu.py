"""CPU time of one in-process recommendation (``Runtime.recommend``: the per-request reads, scoring, rules,
explanations) on SQLite and on PostgreSQL, over the test suite's small serving shop.

    python benchmarks/serving_pipeline_cpu.py [--postgres-url postgresql://postgres@127.0.0.1:5433/postgres]

Prints CPU milliseconds per request (300 requests, process time of this process; the database's own
CPU is not counted); the difference between the backends is the hot path's cost of talking to the database.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "serving"))
from serving_shop import build_shop  # noqa: E402 - the shop the serving tests use

from shopsense.serving.pipeline import RecommendationRequest  # noqa: E402
from shopsense.serving.runtime import Runtime  # noqa: E402
from shopsense.storage import open_database  # noqa: E402
from shopsense.storage.scratch import scratch_postgres_database  # noqa: E402

REQUESTS = 300


def cpu_ms_per_request(url: str, data_dir: Path) -> float:
    db = open_database(url)
    build_shop(db, data_dir)
    runtime = Runtime(db)
    runtime.recommend(RecommendationRequest("u1", n=10))  # loads the models
    started = time.process_time()
    for n in range(REQUESTS):
        runtime.recommend(RecommendationRequest(f"u{n % 30}", n=10))
    spent = (time.process_time() - started) * 1000 / REQUESTS
    runtime.stop()
    db.close()
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres-url", help="a PostgreSQL server; a scratch database is made and dropped")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"sqlite: {cpu_ms_per_request(f'sqlite:///{tmp}/shop.db', Path(tmp) / 'sqlite'):.2f} CPU ms per request")
        if args.postgres_url:
            with scratch_postgres_database(args.postgres_url, prefix="bench") as url:
                print(f"postgresql: {cpu_ms_per_request(url, Path(tmp) / 'pg'):.2f} CPU ms per request")


if __name__ == "__main__":
    main()
