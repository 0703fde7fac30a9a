"""Money: exact formatting of catalogue prices, and price limits parsed from a shopper's message.

Limits are read in the shop's own currency (no conversion): "under $50", "less than 20", "between 10 and
20", "200元以下", "不超过200元", "100块以上". The matched phrase is removed from the text, so the remaining
words describe the product.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€", "CNY": "¥", "JPY": "¥"}
_NUMBER = r"(\d+(?:\.\d+)?)"
_CUR = r"(?:[$£€¥]|usd|gbp|eur|rmb|cny)?\s*"
_UNIT = r"\s*(?:元|块钱|块|dollars?|pounds?|euros?|usd|gbp|eur|rmb|yuan|bucks)?"
_BETWEEN = re.compile(rf"\bbetween\s+{_CUR}{_NUMBER}{_UNIT}\s+and\s+{_CUR}{_NUMBER}{_UNIT}|{_NUMBER}{_UNIT}\s*(?:到|至|-|~)\s*{_NUMBER}{_UNIT}(?:之间)?", re.I)
_MAX_EN = re.compile(rf"\b(?:under|below|less than|cheaper than|up to|at most|max(?:imum)?|no more than|within)\s+{_CUR}{_NUMBER}{_UNIT}", re.I)
_MIN_EN = re.compile(rf"\b(?:over|above|more than|at least|min(?:imum)?)\s+{_CUR}{_NUMBER}{_UNIT}", re.I)
_MAX_ZH = re.compile(rf"(?:不超过|低于|少于|小于){_CUR}{_NUMBER}{_UNIT}|{_CUR}{_NUMBER}{_UNIT}\s*(?:以下|以内|之内)")
_MIN_ZH = re.compile(rf"(?:超过|高于|多于|大于){_CUR}{_NUMBER}{_UNIT}|{_CUR}{_NUMBER}{_UNIT}\s*以上")


@dataclass(frozen=True)
class PriceLimits:
    low: float | None = None
    high: float | None = None

    def admits(self, price: float | None) -> bool:
        if self.low is None and self.high is None:
            return True
        if price is None:
            return False
        return (self.low is None or price >= self.low) and (self.high is None or price <= self.high)

    def __bool__(self) -> bool:
        return self.low is not None or self.high is not None


def parse_price_limits(text: str) -> tuple[PriceLimits, str]:
    """(limits, text without the limit phrases)."""
    low = high = None
    match = _BETWEEN.search(text)
    if match:
        numbers = [float(g) for g in match.groups() if g is not None]
        low, high = min(numbers), max(numbers)
        text = text[: match.start()] + " " + text[match.end() :]
    for pattern, is_max in ((_MAX_EN, True), (_MAX_ZH, True), (_MIN_EN, False), (_MIN_ZH, False)):
        match = pattern.search(text)
        if match is None:
            continue
        value = float(next(g for g in match.groups() if g is not None))
        high, low = (value, low) if is_max else (high, value)
        text = text[: match.start()] + " " + text[match.end() :]
    return PriceLimits(low, high), re.sub(r"\s+", " ", text).strip()


def format_price(price: float) -> str:
    """The stored value, written without rounding: 2.5 -> "2.50", 3.333 -> "3.333", 12 -> "12.00"."""
    text = repr(float(price))
    whole, _, fraction = text.partition(".")
    if "e" in text or len(fraction) > 2:
        return text
    return f"{whole}.{fraction.ljust(2, '0')}"


def format_money(price: float | None, currency: str) -> str:
    if price is None:
        return "—"
    symbol = _SYMBOLS.get(currency.upper())
    return f"{symbol}{format_price(price)}" if symbol else f"{format_price(price)} {currency}".strip()
