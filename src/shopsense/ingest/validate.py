"""Vectorised validation of event batches: one code path for HTTP batches and file imports.

Input: a DataFrame whose columns use the field names of ARCHITECTURE.md (``event_id``, ``user_id``,
``type``, ``timestamp`` …; missing optional columns are fine) and whose index holds the row numbers
to report. Output: the valid rows converted to storage columns, and one reason per rejected row.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import orjson
import pandas as pd

from shopsense.domain import EVENT_TYPE_VALUES, EventType
from shopsense.privacy.pseudonym import pseudonymize_all
from shopsense.storage.events import EVENT_COLUMNS
from shopsense.storage.schema import ID_LENGTH

EVENT_FIELDS = (
    "event_id", "user_id", "session_id", "type", "item_id", "value", "query",
    "recomm_id", "position", "timestamp", "context", "text",
)  # fmt: skip
_ID_FIELDS = ("event_id", "user_id", "session_id", "item_id", "recomm_id")
_REQUIRED = ("event_id", "user_id", "type", "timestamp")
_QUANTITY_TYPES = {EventType.PURCHASE.value, EventType.REFUND.value, EventType.ADD_TO_CART.value,
                   EventType.REMOVE_FROM_CART.value}  # fmt: skip
_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
_FUTURE_SLACK = timedelta(days=1)
_EPOCH_MS_THRESHOLD = 1e11  # numbers below are epoch seconds, above epoch milliseconds
_MAX_ABS_MS = 1e15  # beyond year 33,000: not a timestamp (and would overflow int64 arithmetic)
_MAX_POSITION = 2**31 - 1


@dataclass(frozen=True)
class Limits:
    max_text_chars: int = 5_000
    max_context_bytes: int = 16_384
    pseudonymize_key: str = field(default="", repr=False)  # secret: store valid user ids as keyed hashes


@dataclass
class ValidatedBatch:
    valid: pd.DataFrame  # columns EVENT_COLUMNS, index = row numbers
    rejected: pd.Series  # row number -> reason
    in_batch_duplicates: pd.Index  # rows repeating an event_id seen earlier in the same batch


class _Reasons:
    """Collects the first reason for each failing row."""

    def __init__(self, index: pd.Index) -> None:
        self.reason = pd.Series(pd.NA, index=index, dtype="object")

    def add(self, mask: pd.Series, message: str | pd.Series | Callable[[pd.Index], pd.Series]) -> None:
        """Record ``message`` for rows in ``mask`` that have no reason yet.

        A callable message is evaluated only for those rows, so costly formatting is paid for failures only.
        """
        fresh = mask.fillna(False).astype(bool) & self.reason.isna()
        if not fresh.any():
            return
        rows = fresh.index[fresh.to_numpy()]
        if callable(message):
            message = message(rows)
        self.reason[rows] = message[rows] if isinstance(message, pd.Series) else message


def _quoted(series: pd.Series, width: int = 40) -> pd.Series:
    return "'" + series.astype(str).str.slice(0, width) + "'"


def _as_text(series: pd.Series) -> pd.Series:
    """Strings stay, numbers become their canonical text (1234 and 1234.0 both -> '1234')."""
    def one(value: object) -> object:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    if pd.api.types.is_string_dtype(series):
        return series.astype(object).where(series.notna(), None)
    return series.map(one, na_action="ignore").astype(object).where(series.notna(), None)


def parse_timestamps(series: pd.Series) -> pd.Series:
    """Epoch milliseconds (nullable Int64) from datetimes, ISO-8601 text, or epoch seconds/milliseconds."""
    if pd.api.types.is_datetime64_any_dtype(series):
        stamps = series.dt.tz_localize("UTC") if series.dt.tz is None else series.dt.tz_convert("UTC")
        return (stamps.astype("datetime64[ms, UTC]").astype("int64")).astype("Int64").where(series.notna())
    numbers = pd.to_numeric(series, errors="coerce")
    ms = numbers.where(numbers.abs() >= _EPOCH_MS_THRESHOLD, numbers * 1000)
    textual = series.notna() & numbers.isna()
    if textual.any():
        parsed = pd.to_datetime(series[textual].astype(str), utc=True, errors="coerce", format="ISO8601")
        ms = ms.astype("float64")
        ms[textual] = parsed.astype("datetime64[ms, UTC]").astype("int64").where(parsed.notna()).astype("float64")
    ms = ms.astype("float64")
    ms = ms.where(np.isfinite(ms) & (ms.abs() < _MAX_ABS_MS))
    return ms.round().astype("Int64")


def _one_context(raw: object, text: object, limits: Limits) -> tuple[str | None, str | None]:
    """(JSON text or None, error or None) for one row's context and optional review text."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        value: object = {}
    elif isinstance(raw, (str, bytes)):
        if not isinstance(text, str) and len(raw) <= limits.max_context_bytes and raw[:1] in ("{", b"{"):
            try:  # fast path: already a JSON object of acceptable size; keep it unless it holds long text
                value = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                return None, f"context is not valid JSON: {exc}"
            if isinstance(value, dict) and not isinstance(value.get("text"), str):
                return (raw if isinstance(raw, str) else raw.decode()) if value else None, None
        else:
            try:
                value = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                return None, f"context is not valid JSON: {exc}"
    else:
        value = raw
    if not isinstance(value, dict):
        return None, "context must be a JSON object"
    if isinstance(text, str):
        value = {**value, "text": text}
    body = value.get("text")
    if isinstance(body, str) and len(body) > limits.max_text_chars:
        return None, f"text has {len(body)} characters (limit {limits.max_text_chars})"
    try:
        encoded = orjson.dumps(value, option=orjson.OPT_SORT_KEYS, default=str)
    except (TypeError, orjson.JSONEncodeError) as exc:
        return None, f"context cannot be stored as JSON: {exc}"
    if len(encoded) > limits.max_context_bytes:
        return None, f"context is {len(encoded)} bytes (limit {limits.max_context_bytes})"
    return (encoded.decode() if value else None), None


def _context_json(context: pd.Series, text: pd.Series | None, reasons: _Reasons, limits: Limits) -> pd.Series:
    """Normalise context to JSON text; fold a ``text`` column into ``context['text']``."""
    texts = text.tolist() if text is not None else [None] * len(context)
    pairs = [_one_context(raw, body, limits) for raw, body in zip(context.tolist(), texts)]
    errors = pd.Series([e for _, e in pairs], index=context.index, dtype="object")
    reasons.add(errors.notna(), errors)
    return pd.Series([j for j, _ in pairs], index=context.index, dtype="object")


def validate_events(batch: pd.DataFrame, limits: Limits = Limits(), now: datetime | None = None) -> ValidatedBatch:
    """Check every row; see the module docstring. Unknown columns are an error for the caller to report."""
    index = batch.index
    reasons = _Reasons(index)
    column = {name: (batch[name] if name in batch.columns else pd.Series(None, index=index, dtype="object"))
              for name in EVENT_FIELDS}  # fmt: skip
    ids = {name: _as_text(column[name]) for name in _ID_FIELDS}

    for name in _REQUIRED:
        values = ids.get(name, column[name])
        empty = values.isna() | (values.astype(str).str.strip() == "")
        reasons.add(empty, f"missing {name}")
    for name, values in ids.items():
        reasons.add(values.str.len() > ID_LENGTH, f"{name} longer than {ID_LENGTH} characters")
        reasons.add(values.str.contains("\x00", regex=False), f"{name} contains a NUL character")

    kind = _as_text(column["type"]).astype("string").str.strip().str.lower().astype(object)
    kind = kind.where(kind.notna(), None)
    unknown = kind.notna() & ~kind.isin(EVENT_TYPE_VALUES)
    expected = ", ".join(sorted(EVENT_TYPE_VALUES))
    reasons.add(unknown, lambda rows: "unknown event type " + _quoted(kind[rows]) + f" (expected one of {expected})")
    needs_item = kind.notna() & (kind != EventType.SEARCH.value)
    reasons.add(needs_item & ids["item_id"].isna(), lambda rows: "missing item_id (required for type " + kind[rows].astype(str) + ")")

    ts_ms = parse_timestamps(column["timestamp"])
    bad_ts = column["timestamp"].notna() & ts_ms.isna()
    reasons.add(bad_ts, lambda rows: "bad timestamp " + _quoted(column["timestamp"][rows]) + " (expected ISO-8601 or epoch seconds)")
    now = now or datetime.now(UTC)
    reasons.add(ts_ms < int(_EARLIEST.timestamp() * 1000), "timestamp before 1990-01-01")
    reasons.add(ts_ms > int((now + _FUTURE_SLACK).timestamp() * 1000), "timestamp more than 1 day in the future")

    value = pd.to_numeric(column["value"], errors="coerce")
    reasons.add(column["value"].notna() & value.isna(), lambda rows: "value " + _quoted(column["value"][rows]) + " is not a number")
    reasons.add(value.notna() & ~np.isfinite(value.astype("float64")), "value is not finite")
    is_rating = kind == EventType.RATING.value
    reasons.add(is_rating & value.isna(), "rating needs a value from 1 to 5")
    reasons.add(is_rating & ((value < 1) | (value > 5)), lambda rows: "rating " + value[rows].astype(str) + " out of range 1-5")
    reasons.add(kind.isin(_QUANTITY_TYPES) & (value < 0), "quantity must not be negative")

    query = column["query"].astype(object).where(column["query"].notna(), None)
    is_search = kind == EventType.SEARCH.value
    reasons.add(is_search & (query.isna() | (query.astype(str).str.strip() == "")), "search needs a query")
    reasons.add(query.astype(str).str.contains("\x00", regex=False), "query contains a NUL character")
    reasons.add(query.astype(str).str.len() > limits.max_text_chars,
                "query longer than " + str(limits.max_text_chars) + " characters")  # fmt: skip

    position = pd.to_numeric(column["position"], errors="coerce")
    bad_position = column["position"].notna() & (
        position.isna() | (position < 0) | (position % 1 != 0) | (position > _MAX_POSITION)
    )
    reasons.add(bad_position, lambda rows: "position " + _quoted(column["position"][rows]) + " is not a non-negative integer")

    text = batch["text"] if "text" in batch.columns else None
    context = _context_json(column["context"], text, reasons, limits)

    rejected = reasons.reason.dropna()
    ok = reasons.reason.isna()
    valid = pd.DataFrame(
        {
            "event_id": ids["event_id"], "user_id": ids["user_id"], "session_id": ids["session_id"],
            "type": kind, "item_id": ids["item_id"],
            "value": value.astype("float64"), "query": query, "recomm_id": ids["recomm_id"],
            "position": position.astype("float64"), "ts_ms": ts_ms, "context": context,
        },
        index=index,
    )[ok][list(EVENT_COLUMNS)]  # fmt: skip
    if limits.pseudonymize_key:  # the raw id was checked above; only its pseudonym goes on
        valid = valid.assign(user_id=pseudonymize_all(limits.pseudonymize_key, valid["user_id"]))
    repeated = valid["event_id"].duplicated(keep="first")
    return ValidatedBatch(valid=valid[~repeated], rejected=rejected.astype(str), in_batch_duplicates=valid.index[repeated])
