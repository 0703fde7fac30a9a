"""Named real-data formats for ``shopsense import --format NAME``: each maps a file to a LoadedDataset."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from shopsense.data.dataset import LoadedDataset
from shopsense.data.online_retail import load_online_retail

DATASET_LOADERS: dict[str, Callable[[Path], LoadedDataset]] = {
    "online-retail": load_online_retail,
}
DATASET_FORMATS = tuple(DATASET_LOADERS)


def load_dataset(fmt: str, path: Path) -> LoadedDataset:
    return DATASET_LOADERS[fmt](path)
