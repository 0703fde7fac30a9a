"""Conversions between domain values and storage rows (epoch milliseconds, JSON text)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from shopsense.storage.schema import ID_LENGTH


def to_ms(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def from_ms(ms: int | None) -> datetime | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, tz=UTC)


def now_ms() -> int:
    return to_ms(datetime.now(UTC))


def storable_id(value: str) -> bool:
    """Whether ``value`` can be an id on every backend (PostgreSQL text holds no NUL characters)."""
    return 0 < len(value) <= ID_LENGTH and "\x00" not in value


def dump_json(value: Any) -> str | None:
    """JSON text for a non-empty value, None for empty ones (keeps rows small)."""
    if value is None or value == {} or value == []:
        return None
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def load_json(text: str | None, empty: Any) -> Any:
    return empty if text is None else orjson.loads(text)
