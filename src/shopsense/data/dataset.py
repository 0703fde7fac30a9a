"""The shape every dataset loader returns: events, catalogue and users, plus what it skipped and why."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from shopsense.domain import Item, User


@dataclass
class LoadedDataset:
    """A real data set converted to ShopSense's data model.

    ``events`` has the event field names of ARCHITECTURE.md (``event_id``, ``user_id``, ``type``,
    ``item_id``, ``timestamp`` …) and its index holds the 1-based row number in the source file, so
    that rejections can be reported against the file. ``skipped`` maps source row numbers to the reason
    a row was deliberately not turned into an event (e.g. a postage line in a retail log).
    """

    name: str
    events: pd.DataFrame
    items: list[Item] = field(default_factory=list)
    users: list[User] = field(default_factory=list)
    skipped: pd.Series = field(default_factory=lambda: pd.Series(dtype="object"))

    @property
    def source_rows(self) -> int:
        return len(self.events) + len(self.skipped)


def most_frequent(keys: pd.Series, values: pd.Series) -> pd.Series:
    """The most frequent value per key (ties: the value that sorts first), vectorised."""
    counts = pd.DataFrame({"key": keys.to_numpy(), "value": values.to_numpy()}).value_counts(sort=False)
    counts = counts.reset_index(name="n").sort_values(["key", "n", "value"], ascending=[True, False, True])
    return counts.drop_duplicates("key").set_index("key")["value"]


EVENT_FRAME_COLUMNS = (
    "event_id", "user_id", "session_id", "type", "item_id", "value", "query", "timestamp", "context",
)  # fmt: skip


def event_frame(index: pd.Index, **columns: object) -> pd.DataFrame:
    """An events frame with every column of ``EVENT_FRAME_COLUMNS``; absent ones are all missing."""
    unknown = set(columns) - set(EVENT_FRAME_COLUMNS)
    if unknown:
        raise ValueError(f"not event fields: {sorted(unknown)}")
    empty = {"value": pd.Series(float("nan"), index=index, dtype="float64")}
    return pd.DataFrame(
        {
            name: columns[name] if name in columns else empty.get(name, pd.Series(pd.NA, index=index, dtype="str"))
            for name in EVENT_FRAME_COLUMNS
        },
        index=index,
    )


def first_reason(index: pd.Index, rules: list[tuple[pd.Series, str | pd.Series]]) -> pd.Series:
    """Per row, the message of the first rule whose mask is true (missing where none is)."""
    reason = pd.Series(pd.NA, index=index, dtype="object")
    for mask, message in rules:
        reason = reason.where(reason.notna() | ~mask.fillna(False).astype(bool), message)
    return reason


def read_lines(path: str | Path) -> pd.Series:
    """Every line of a UTF-8 text file (without its line break), indexed by 1-based line number."""
    lines = Path(path).read_text(encoding="utf-8").split("\n")
    if lines[-1] == "":
        lines.pop()
    return pd.Series(lines, index=pd.RangeIndex(1, len(lines) + 1), dtype="str").str.removesuffix("\r")


def untitled_items(item_ids: Iterable[str], shop_id: str, category: Mapping[str, str] | None = None) -> list[Item]:
    """Catalogue entries for data sets that have ids but no titles: ``item <id>``, one-level category if known."""
    category = category or {}
    return [
        Item(item_id=i, title=f"item {i}", category=(category[i],) if i in category else (), shop_id=shop_id)
        for i in item_ids
    ]
