"""Loader for the sequence files preprocessed for S3-Rec (Zhou et al., CIKM 2020; github.com/RUCAIBox/CIKM2020-S3Rec).

One line per user, ``user item item ...`` in time order (Amazon Beauty 5-core, LastFM, ...), and an
optional ``<Name>_item2attributes.json`` mapping item -> attribute ids (brand and category, unnamed).

The files keep only the order of interactions, not their times, and come from reviews, so every
interaction becomes a ``purchase`` with a synthetic timestamp: ``SYNTHETIC_EPOCH`` plus the
interaction's running number in the file, in seconds. Sorting by timestamp thus gives back the file
order exactly (each user's sequence in order, users one after another); the absolute times mean
nothing, so evaluate these sets with leave-one-out, never with a global time split.

One line holds many events, so the events' index is that running number (1 .. number of
interactions) and the source line is kept in ``context["line"]``. Event ids are
``<name>-<user>-<position>`` with 1-based positions. A user listed on a second line breaks the format:
that line's interactions are skipped with the reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from shopsense.data.dataset import LoadedDataset, event_frame, first_reason, read_lines
from shopsense.domain import Item, User

SYNTHETIC_EPOCH = 946_684_800  # 2000-01-01T00:00:00Z, in epoch seconds


def _interactions(path: str | Path) -> pd.DataFrame:
    """One row per (line, position): columns line, user, position, item; index 1 .. N in file order."""
    tokens = read_lines(path).str.split()
    users = tokens.str[0]
    items = tokens.str[1:].explode().dropna()
    frame = pd.DataFrame({"line": items.index, "user": users[items.index].to_numpy(), "item": items.to_numpy()})
    frame.insert(2, "position", frame.groupby("line").cumcount() + 1)
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return frame


def _repeated_user_lines(frame: pd.DataFrame) -> pd.Series:
    """Per interaction, the first line of its user when that is an earlier line (missing otherwise)."""
    first_line = frame.groupby("user")["line"].transform("min")
    return first_line.where(first_line != frame["line"])


def read_sequences(path: str | Path) -> dict[str, list[str]]:
    """``{user: [item, ...]}`` in file order, for evaluation code (a user line without items is left out).

    A user listed on two lines is an error here, where ``load_s3rec`` skips the second line.
    """
    frame = _interactions(path)
    first = _repeated_user_lines(frame).dropna()
    if len(first):
        user, line = frame.loc[first.index[0], ["user", "line"]]
        raise ValueError(f"{path}: user {user} on line {line} and line {int(first.iloc[0])}")
    return {user: group.tolist() for user, group in frame.groupby("user", sort=False)["item"]}


def read_item_attributes(path: str | Path) -> dict[str, list[int]]:
    """``<Name>_item2attributes.json``: item id -> attribute ids."""
    with Path(path).open(encoding="utf-8") as handle:
        return {str(item): list(ids) for item, ids in json.load(handle).items()}


def load_s3rec(
    path: str | Path, *, name: str | None = None, attributes_path: str | Path | None = None
) -> LoadedDataset:
    """Read an S3-Rec sequence file; ``name`` (default: the file's stem in lower case) prefixes event ids."""
    name = name or Path(path).stem.lower()
    frame = _interactions(path)
    first = _repeated_user_lines(frame)
    skip = first_reason(
        frame.index,
        [(first.notna(), "user " + frame["user"] + " already listed on line " + first.astype("Int64").astype(str))],
    )
    kept = frame[skip.isna()]
    events = event_frame(
        kept.index,
        event_id=name + "-" + kept["user"] + "-" + kept["position"].astype(str),
        user_id=kept["user"],
        type=pd.Series("purchase", index=kept.index, dtype="str"),
        item_id=kept["item"],
        timestamp=SYNTHETIC_EPOCH + kept.index.to_series().astype("int64"),
        context='{"line":' + kept["line"].astype(str) + "}",
    )
    attributes = read_item_attributes(attributes_path) if attributes_path is not None else {}
    items = [
        Item(item_id=i, title=f"item {i}", shop_id=name,
             attributes={"attribute_ids": attributes[i]} if i in attributes else {})
        for i in kept["item"].unique()
    ]
    return LoadedDataset(
        name=name,
        events=events,
        items=items,
        users=[User(user_id=u) for u in kept["user"].unique()],
        skipped=skip.dropna().astype(str),
    )
