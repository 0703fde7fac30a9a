"""Typed settings, built on demand by :func:`load_settings` (never at import time).

Precedence: explicit keyword overrides (CLI flags) > ``SHOPSENSE_*`` environment variables > defaults.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

DEFAULT_EVENT_WEIGHTS: dict[str, float] = {
    "impression": 0.0,
    "view": 1.0,
    "click": 1.0,
    "search": 0.0,
    "favorite": 2.0,
    "add_to_cart": 3.0,
    "remove_from_cart": -1.0,
    "rating": 2.0,
    "review": 2.0,
    "purchase": 5.0,
    "refund": -5.0,
}


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("shopsense-data")
    database_url: str = ""  # empty: sqlite file inside data_dir
    host: str = "127.0.0.1"
    port: int = 8000
    import_chunk_rows: int = 100_000
    max_batch_events: int = 1_000
    max_body_bytes: int = 2_000_000
    max_text_chars: int = 5_000  # review text, query, title ...
    text_recall: bool = True  # serve text-embedding neighbours (a new item is recommendable at once)
    redis_url: str = ""  # empty: caches and rate limits live in each process (one server process)
    pseudonymize_key: str = field(default="", repr=False)  # secret; set: user ids stored as keyed hashes (docs/privacy.md)
    user_token_key: str = field(default="", repr=False)  # secret; set: storefront keys need X-User-Token (docs/security.md)
    rate_limit_per_second: int = 1_000  # requests per API key (per client IP without a key); 0 = off
    cors_origins: str = ""  # comma-separated origins a browser may call the API from; empty = no CORS headers
    event_weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_EVENT_WEIGHTS))

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'shopsense.db').resolve()}"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"


_ENV_PREFIX = "SHOPSENSE_"


def _coerce(name: str, raw: str, default: object) -> object:
    try:
        if isinstance(default, bool):
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, Path):
            return Path(raw)
        if isinstance(default, str):
            return raw
    except ValueError as exc:
        raise SettingsError(f"{_ENV_PREFIX}{name.upper()}={raw!r}: {exc}") from None
    raise SettingsError(f"{_ENV_PREFIX}{name.upper()} cannot be set from the environment")


def parse_event_weights(text: str) -> dict[str, float]:
    """``'{"view": 0.5, "purchase": 8}'`` merged over the defaults; unknown types and non-numbers are errors."""
    try:
        given = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SettingsError(f"{_ENV_PREFIX}EVENT_WEIGHTS is not JSON: {exc}") from None
    if not isinstance(given, dict):
        raise SettingsError(f'{_ENV_PREFIX}EVENT_WEIGHTS must be a JSON object like {{"view": 1, "purchase": 5}}')
    unknown = sorted(set(given) - set(DEFAULT_EVENT_WEIGHTS))
    if unknown:
        raise SettingsError(f"{_ENV_PREFIX}EVENT_WEIGHTS: unknown event types {', '.join(unknown)}")
    bad = sorted(k for k, v in given.items() if not isinstance(v, (int, float)) or isinstance(v, bool))
    if bad:
        raise SettingsError(f"{_ENV_PREFIX}EVENT_WEIGHTS: weights must be numbers ({', '.join(bad)})")
    return {**DEFAULT_EVENT_WEIGHTS, **{k: float(v) for k, v in given.items()}}


def load_settings(env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Build settings from ``SHOPSENSE_<FIELD>`` variables, then apply non-None ``overrides``."""
    env = os.environ if env is None else env
    base = Settings()
    values: dict[str, object] = {}
    for f in fields(Settings):
        key = _ENV_PREFIX + f.name.upper()
        if key in env and f.name != "event_weights":
            values[f.name] = _coerce(f.name, env[key], getattr(base, f.name))
    if _ENV_PREFIX + "EVENT_WEIGHTS" in env:
        values["event_weights"] = parse_event_weights(env[_ENV_PREFIX + "EVENT_WEIGHTS"])
    for name, value in overrides.items():
        if value is None:
            continue
        if name not in {f.name for f in fields(Settings)}:
            raise SettingsError(f"unknown setting {name!r}")
        values[name] = Path(value) if name == "data_dir" else value
    return replace(base, **values)
