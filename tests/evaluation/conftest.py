"""Small synthetic data files for the evaluation tests (models and writers live in evaluation_toys)."""

from __future__ import annotations

from pathlib import Path

import pytest
from evaluation_toys import write_movielens, write_s3rec, write_taobao


@pytest.fixture
def s3rec_file(tmp_path: Path) -> Path:
    return write_s3rec(tmp_path / "Toy.txt")


@pytest.fixture
def movielens_file(tmp_path: Path) -> Path:
    return write_movielens(tmp_path / "toy.inter")


@pytest.fixture
def taobao_file(tmp_path: Path) -> Path:
    return write_taobao(tmp_path / "toy_taobao.csv")
