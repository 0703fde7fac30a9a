"""MovieLens loader for RecBole atomic files (Harper & Konstan, "The MovieLens Datasets", ACM TiiS 2015;
file format: recbole.io/docs/user_guide/data/atomic_files.html).

Atomic files are tab-separated with a header of ``name:type`` columns (``token``, ``token_seq``,
``float``, ``float_seq``). Each ``.inter`` row becomes a ``rating`` event (value 1-5, timestamp in
epoch seconds) with id ``movielens-<row>``, rows numbered from 1 after the header. Rows that cannot
be read (missing user or item, a rating or timestamp that is not a number) are skipped with the
reason. ``.item`` gives titles, the release year (``attributes["year"]``) and the genres, which fill
the category tuple as a flat list (not a hierarchy); ``.user`` gives age, gender, occupation and zip.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from shopsense.data.dataset import LoadedDataset, event_frame, first_reason, untitled_items
from shopsense.domain import Item, User

NAME = "movielens"


def read_atomic(path: str | Path) -> pd.DataFrame:
    """An atomic file as text columns named without their ``:type``; index = 1-based data row."""
    frame = pd.read_csv(path, sep="\t", dtype="str", keep_default_na=False, quoting=csv.QUOTE_NONE)
    frame.columns = [str(column).split(":", 1)[0] for column in frame.columns]
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return frame


def _skip_reasons(inter: pd.DataFrame, rating: pd.Series, stamp: pd.Series) -> pd.Series:
    rules = [
        (inter["user_id"].fillna("") == "", "missing user_id"),
        (inter["item_id"].fillna("") == "", "missing item_id"),
        (rating.isna(), "rating '" + inter["rating"].fillna("") + "' is not a number"),
        (stamp.isna(), "timestamp '" + inter["timestamp"].fillna("") + "' is not a number"),
    ]
    return first_reason(inter.index, rules)


def _items(path: Path | None, item_ids: pd.Series) -> list[Item]:
    listed: list[Item] = []
    if path is not None:
        frame = read_atomic(path)
        genres = frame["class"] if "class" in frame else frame["genre"]
        years = pd.to_numeric(frame["release_year"], errors="coerce")
        listed = [
            Item(item_id=i, title=t, category=tuple(g.split()), shop_id=NAME,
                 attributes={"year": int(y)} if pd.notna(y) else {})
            for i, t, g, y in zip(frame["item_id"], frame["movie_title"], genres, years)
        ]  # fmt: skip
    known = {item.item_id for item in listed}
    return listed + untitled_items([i for i in item_ids.unique() if i not in known], NAME)


def _users(path: Path | None, user_ids: pd.Series) -> list[User]:
    listed: list[User] = []
    if path is not None:
        frame = read_atomic(path)
        ages = pd.to_numeric(frame["age"], errors="coerce")
        for user_id, age, gender, occupation, zip_code in zip(
            frame["user_id"], ages, frame["gender"], frame["occupation"], frame["zip_code"]
        ):
            age = int(age) if pd.notna(age) else ""
            fields = {"age": age, "gender": gender, "occupation": occupation, "zip": zip_code}
            listed.append(User(user_id=user_id, attributes={k: v for k, v in fields.items() if v != ""}))
    known = {user.user_id for user in listed}
    return listed + [User(user_id=u) for u in user_ids.unique() if u not in known]


def load_movielens(
    inter_path: str | Path, item_path: str | Path | None = None, user_path: str | Path | None = None
) -> LoadedDataset:
    """Ratings from ``.inter``; items and users from ``.item`` / ``.user`` when given (ids alone otherwise)."""
    inter = read_atomic(inter_path)
    rating = pd.to_numeric(inter["rating"], errors="coerce")
    stamp = pd.to_numeric(inter["timestamp"], errors="coerce")
    skip = _skip_reasons(inter, rating, stamp)
    kept = inter[skip.isna()]
    events = event_frame(
        kept.index,
        event_id=NAME + "-" + kept.index.astype(str),
        user_id=kept["user_id"],
        type=pd.Series("rating", index=kept.index, dtype="str"),
        item_id=kept["item_id"],
        value=rating[kept.index].astype("float64"),
        timestamp=stamp[kept.index].round().astype("int64"),
    )
    return LoadedDataset(
        name=NAME,
        events=events,
        items=_items(Path(item_path) if item_path else None, kept["item_id"]),
        users=_users(Path(user_path) if user_path else None, kept["user_id"]),
        skipped=skip.dropna().astype(str),
    )
