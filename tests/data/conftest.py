"""Fixtures for the data loader tests: the real data folder (``../shared/data``), skipped when absent."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from shopsense.ingest.validate import validate_events

SHARED_DATA = Path(__file__).parents[2].parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent (it sits beside the project checkout)")
    return SHARED_DATA


def _assert_all_valid(events: pd.DataFrame) -> None:
    checked = validate_events(events)
    assert checked.rejected.empty, checked.rejected.value_counts().head().to_dict()
    assert len(checked.valid) == len(events)
    assert events["event_id"].is_unique


@pytest.fixture
def assert_all_valid() -> Callable[[pd.DataFrame], None]:
    """Checks that every event passes the ingest validator and that no event id repeats."""
    return _assert_all_valid
