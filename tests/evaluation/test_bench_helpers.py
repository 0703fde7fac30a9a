"""The pieces the benchmark is built from: registry, grids, hyper-parameters, holdout tasks, measurement."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
from evaluation_toys import MeanRating

from shopsense.evaluation.topn import candidates, hyper_parameters, ranking_task
from shopsense.models.popularity import Popularity
from shopsense.models.registry import RATING_MODELS, RECOMMENDERS


def test_registry_factories_give_fresh_models_with_overrides() -> None:
    first, second = RECOMMENDERS["popularity"](), RECOMMENDERS["popularity"](half_life_days=3)
    assert isinstance(first, Popularity) and first is not RECOMMENDERS["popularity"]()
    assert (first.half_life_days, second.half_life_days) == (30.0, 3)
    assert not set(RECOMMENDERS) & set(RATING_MODELS)


def test_reading_the_registry_imports_no_model_module() -> None:
    code = "import sys, shopsense.models.registry; print(sorted(m for m in sys.modules if m.startswith(('torch', 'shopsense.models.'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['shopsense.models.registry']"


def test_grid_candidates_and_hyper_parameters() -> None:
    assert candidates({}) == [{}]
    assert candidates({"a": [1, 2], "b": "x"}) == [{"a": 1, "b": "x"}, {"a": 2, "b": "x"}]
    assert hyper_parameters(MeanRating(shift=0.5)) == {"shift": 0.5}
    assert hyper_parameters(Popularity(half_life_days=7))["half_life_days"] == 7


def test_ranking_task_keeps_new_items_of_users_with_history() -> None:
    fit = pd.DataFrame({"user_id": ["u2", "u1", "u2", "u1"], "item_id": ["x", "a", "y", "b"]})
    held = pd.DataFrame({"user_id": ["u1", "u1", "u2", "u3", "u1"], "item_id": ["c", "a", "x", "z", "c"]})
    task = ranking_task(fit, held)
    assert task.users == ["u1"]  # u2's item was seen already, u3 has no history
    assert [list(h) for h in task.history] == [["a", "b"]] and [list(t) for t in task.targets] == [["c"]]


def test_measure_sees_memory_allocated_inside() -> None:
    # in a fresh process: other tests' threads freeing memory would hide the growth here
    script = (
        "import numpy as np\n"
        "from shopsense.evaluation.resources import Measure\n"
        "with Measure() as m:\n"
        "    block = np.ones(40 * 2**20 // 8)  # 40 MiB\n"
        "    total = sum(range(3_000_000))  # some CPU work\n"
        "print(m.added_mb, m.peak_mb, m.seconds, m.cpu_seconds)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    added_mb, peak_mb, seconds, cpu_seconds = map(float, result.stdout.split())
    assert added_mb >= 30 and peak_mb >= added_mb and seconds > 0 and cpu_seconds > 0
