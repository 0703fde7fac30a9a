"""Search filters: the ``filters`` query parameter, and masks over the catalogue.

Syntax: clauses separated by ``;``, each ``key:value``; ``|`` separates alternatives:
``category:Tools > Drills|Garden;brand:Bosch|Makita;price:10..50;shop:main;in_stock:true``.
``category`` matches a category path and everything under it; ``price`` takes ``min..max``, ``min..`` or
``..max``. Parsed query constraints ("under $50", "红色") are softer: they exclude only the items known to
break them (an item without a price or colour stays).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from shopsense.search.facts import ItemFacts
from shopsense.search.query import ParsedQuery

KEYS = ("category", "brand", "shop", "price", "in_stock")


class FilterError(ValueError):
    """A ``filters`` string that cannot be understood; the message says why."""


@dataclass(frozen=True)
class Filters:
    categories: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    shops: tuple[str, ...] = ()
    price_min: float | None = None
    price_max: float | None = None
    in_stock: bool | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in ((), None)}


def _number(text: str, clause: str) -> float | None:
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise FilterError(f"{clause!r}: {text!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise FilterError(f"{clause!r}: price bounds must be non-negative numbers")
    return value


def parse_filters(text: str | None) -> Filters:
    if not text or not text.strip():
        return Filters()
    values: dict = {}
    for clause in filter(None, (c.strip() for c in text.split(";"))):
        key, sep, value = clause.partition(":")
        key, value = key.strip(), value.strip()
        if not sep or key not in KEYS:
            raise FilterError(f"{clause!r}: expected key:value with key one of {', '.join(KEYS)}")
        if key in values:
            raise FilterError(f"{key!r} is given twice")
        if not value:
            raise FilterError(f"{clause!r}: empty value")
        if key == "price":
            low, dots, high = value.partition("..")
            if not dots:
                raise FilterError(f"{clause!r}: price takes min..max, min.. or ..max")
            values["price_min"], values["price_max"] = _number(low, clause), _number(high, clause)
            if None not in (values["price_min"], values["price_max"]) and values["price_min"] > values["price_max"]:
                raise FilterError(f"{clause!r}: min is above max")
        elif key == "in_stock":
            if value.lower() not in ("true", "false"):
                raise FilterError(f"{clause!r}: in_stock is true or false")
            values["in_stock"] = value.lower() == "true"
        else:
            values[key] = tuple(v.strip() for v in value.split("|") if v.strip())
    return Filters(
        categories=values.get("category", ()), brands=values.get("brand", ()), shops=values.get("shop", ()),
        price_min=values.get("price_min"), price_max=values.get("price_max"), in_stock=values.get("in_stock"),
    )  # fmt: skip


def filter_mask(facts: ItemFacts, filters: Filters, parsed: ParsedQuery | None = None) -> np.ndarray:
    """(n,) bool: visible items passing the request filters and the query's own constraints."""
    mask = ~facts.hidden
    if filters.categories:
        mask &= np.array([any(c == f or c.startswith(f + " > ") for f in filters.categories) for c in facts.category], bool)
    if filters.brands:
        wanted = {b.casefold() for b in filters.brands}
        mask &= np.array([b.casefold() in wanted for b in facts.brand], bool)
    if filters.shops:
        mask &= np.isin(facts.shop, list(filters.shops))
    if filters.in_stock is not None:
        mask &= facts.in_stock == filters.in_stock
    with np.errstate(invalid="ignore"):
        if filters.price_min is not None:
            mask &= facts.price >= filters.price_min
        if filters.price_max is not None:
            mask &= facts.price <= filters.price_max
        if parsed is not None:
            known = ~np.isnan(facts.price)
            if parsed.price_min is not None:
                mask &= ~known | (facts.price >= parsed.price_min)
            if parsed.price_max is not None:
                mask &= ~known | (facts.price <= parsed.price_max)
    if parsed is not None and parsed.colors:
        wanted = set(parsed.colors)
        mask &= np.array([not c or bool(c & wanted) for c in facts.colors], bool)
    return mask
