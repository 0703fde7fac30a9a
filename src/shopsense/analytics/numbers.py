"""Numbers as people read them in the report's figures and tables."""

from __future__ import annotations

DASH = "–"


def count(value: float | None, digits: int = 0) -> str:
    """12,345 (or 1,234.50 with ``digits=2``); a dash when unknown."""
    return DASH if value is None else f"{value:,.{digits}f}"


def percent(value: float | None, digits: int | None = None) -> str:
    """54% (one decimal under 10%, e.g. 2.0%), or with fixed ``digits``; a dash when unknown."""
    if value is None:
        return DASH
    places = digits if digits is not None else (0 if value >= 0.1 else 1)
    return f"{value:.{places}%}"


def compact(value: float) -> str:
    """1 234 567 -> '1.2M', 279 146 -> '279k', 2 044 -> '2,044', 3.0 -> '3', 0.46 -> '0.5'."""
    if abs(value) >= 1e6:
        return f"{value / 1e6:.1f}M"
    if abs(value) >= 1e4:
        return f"{value / 1e3:.0f}k"
    return f"{value:,.0f}" if abs(value) >= 10 or float(value).is_integer() else f"{value:.1f}"


def value_range(low: float | None, high: float | None) -> str:
    """'3', '4–5', '2,044–279k'; 'none' for an empty range."""
    if low is None or high is None:
        return "none"
    return compact(low) if compact(low) == compact(high) else f"{compact(low)}–{compact(high)}"
