"""Real data set formats by name, for ``shopsense import FILE --format NAME``.

Every loader here takes the one file the user names; companion files are found beside it:
MovieLens ``x.inter`` -> ``x.item`` and ``x.user``; S3-Rec ``Name.txt`` -> ``Name_item2attributes.json``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from shopsense.data.dataset import LoadedDataset
from shopsense.data.diginetica import load_diginetica
from shopsense.data.movielens import load_movielens
from shopsense.data.online_retail import load_online_retail
from shopsense.data.s3rec import load_s3rec
from shopsense.data.taobao import load_taobao


def _sibling(path: Path, name: str) -> Path | None:
    candidate = path.with_name(name)
    return candidate if candidate.is_file() else None


def _movielens(path: Path) -> LoadedDataset:
    return load_movielens(path, _sibling(path, path.stem + ".item"), _sibling(path, path.stem + ".user"))


def _s3rec(path: Path) -> LoadedDataset:
    return load_s3rec(path, attributes_path=_sibling(path, path.stem + "_item2attributes.json"))


DATASET_LOADERS: dict[str, Callable[[Path], LoadedDataset]] = {
    "online-retail": load_online_retail,
    "taobao": load_taobao,
    "s3rec": _s3rec,
    "movielens": _movielens,
    "diginetica": load_diginetica,
}
DATASET_FORMATS = tuple(DATASET_LOADERS)


def load_dataset(fmt: str, path: str | Path) -> LoadedDataset:
    """Load ``path`` with the loader registered as ``fmt`` (a key of ``DATASET_LOADERS``)."""
    if fmt not in DATASET_LOADERS:
        raise ValueError(f"unknown data set format {fmt!r}; known: {', '.join(DATASET_LOADERS)}")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    return DATASET_LOADERS[fmt](path)
