"""Taobao UserBehavior loader (Alibaba Tianchi data set 649; Zhu et al., "Learning Tree-based Deep Model
for Recommender Systems", KDD 2018).

The file is CSV without a header: ``user,item,category,behavior,timestamp`` with behavior one of
``pv``/``cart``/``fav``/``buy`` and the timestamp in epoch seconds. Each line becomes one event
(``view``/``add_to_cart``/``favorite``/``purchase``) whose id is ``taobao-<line>``, so importing the
same file again is idempotent. The data has no titles: items are ``item <id>`` with the category id
as a one-level category path (the item's most frequent one). Lines that cannot be read (wrong field
count, missing ids, a timestamp that is not an integer, an unknown behavior) are skipped with their
reason. A header line, if present, is dropped and rows are then numbered from the line after it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from shopsense.data.dataset import LoadedDataset, event_frame, first_reason, most_frequent, read_lines, untitled_items
from shopsense.domain import User

NAME = "taobao"
COLUMNS = ("user", "item", "category", "behavior", "timestamp")
BEHAVIOR_TYPES: dict[str, str] = {"pv": "view", "cart": "add_to_cart", "fav": "favorite", "buy": "purchase"}


def _quoted(values: pd.Series) -> pd.Series:
    return "'" + values.fillna("").str.slice(0, 40) + "'"


def _skip_reasons(lines: pd.Series, fields: pd.DataFrame) -> pd.Series:
    count = lines.str.count(",") + 1
    digits = fields["timestamp"].str.fullmatch(r"-?\d+")
    behavior = fields["behavior"]
    expected = ", ".join(BEHAVIOR_TYPES)
    rules = [
        (lines.str.strip() == "", "blank line"),
        (count != len(COLUMNS), "expected 5 comma-separated fields, found " + count.astype(str)),
        *[(fields[c] == "", f"missing {c}") for c in ("user", "item", "category")],
        (~digits, "timestamp " + _quoted(fields["timestamp"]) + " is not an integer (epoch seconds)"),
        (~behavior.isin(BEHAVIOR_TYPES), "unknown behavior " + _quoted(behavior) + f" (expected {expected})"),
    ]  # fmt: skip
    return first_reason(lines.index, rules)


def load_taobao(path: str | Path) -> LoadedDataset:
    """Read a UserBehavior CSV (the full file or a head of it) into events, items and users."""
    lines = read_lines(path)
    if len(lines) and lines.iloc[0].lower().startswith("user"):
        lines = pd.Series(lines.iloc[1:].to_numpy(), index=pd.RangeIndex(1, len(lines)), dtype="str")
    split = lines.str.split(",", expand=True).reindex(columns=range(len(COLUMNS)))
    fields = split.set_axis(list(COLUMNS), axis=1).apply(lambda column: column.str.strip())
    skip = _skip_reasons(lines, fields)
    kept = fields[skip.isna()]
    events = event_frame(
        kept.index,
        event_id=NAME + "-" + kept.index.astype(str),
        user_id=kept["user"],
        type=kept["behavior"].map(BEHAVIOR_TYPES),
        item_id=kept["item"],
        timestamp=kept["timestamp"].astype("int64"),
    )
    category = most_frequent(kept["item"], kept["category"])
    return LoadedDataset(
        name=NAME,
        events=events,
        items=untitled_items(category.index, NAME, category.to_dict()),
        users=[User(user_id=u) for u in kept["user"].unique()],
        skipped=skip.dropna().astype(str),
    )
