"""The shape every dataset loader returns: events, catalogue and users, plus what it skipped and why."""

from __future__ import annotations

from dataclasses import dataclass, field

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
