"""Price and colour constraints written into a query, turned into filters (price phrases leave the text).

Parsed from the NFKC, case-folded query (``fold``), before punctuation is dropped:

- upper bounds: "under $50", "below 50", "less than 50 dollars", "< 50", "50元以下", "低于200元", "200以内";
- lower bounds: "over $20", "above 20", "more than 20", "> 20", "20元以上", "高于20元";
- ranges with a currency sign or word: "$20-$50", "20 to 50 dollars", "20到50元";
- colours: English and Chinese colour words ("red", "红色"/"红"), kept in the text (they describe the
  product) and reported as canonical English names.

A number followed by a measurement unit ("over 30 in") is a size, never a price.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NUM = r"(\d+(?:\.\d+)?)"
_CUR = r"(?:\$|usd\s*|¥|rmb\s*)"
_UNIT = r"(?:\s*(?:dollars?|bucks|usd|元|块钱?|rmb))"
_NOT_SIZE = r"(?![\d.])(?!\s*(?:in|inch|inches|ft|feet|foot|gal|lb|lbs|oz|v|volt|w|watt|mm|cm|m|kg|g|x|\")\b)"
_PATTERNS = [
    (re.compile(_CUR + "?" + _NUM + r"\s*(?:-|~|to|到|至)\s*" + _CUR + _NUM + _UNIT + "?"), "range"),
    (re.compile(_CUR + _NUM + r"\s*(?:-|~|to|到|至)\s*" + _NUM + _UNIT + "?"), "range"),
    (re.compile(_NUM + r"\s*(?:-|~|to|到|至)\s*" + _NUM + _UNIT), "range"),
    (re.compile(r"(?:under|below|less than|cheaper than|at most|<=?|低于|少于|不超过|不到)\s*" + _CUR + "?" + _NUM + _UNIT + "?" + _NOT_SIZE), "max"),
    (re.compile(_CUR + "?" + _NUM + _UNIT + r"?\s*(?:以下|以内|之内|or less|and under)"), "max"),
    (re.compile(r"(?:over|above|more than|at least|>=?|高于|超过|不低于)\s*" + _CUR + "?" + _NUM + _UNIT + "?" + _NOT_SIZE), "min"),
    (re.compile(_CUR + "?" + _NUM + _UNIT + r"?\s*(?:以上|or more|and up)"), "min"),
]  # fmt: skip

COLORS = {
    "red": "red", "红色": "red", "红": "red", "blue": "blue", "蓝色": "blue", "蓝": "blue", "green": "green",
    "绿色": "green", "绿": "green", "black": "black", "黑色": "black", "黑": "black", "white": "white",
    "白色": "white", "白": "white", "yellow": "yellow", "黄色": "yellow", "黄": "yellow", "pink": "pink",
    "粉色": "pink", "粉红": "pink", "purple": "purple", "紫色": "purple", "grey": "gray", "gray": "gray",
    "灰色": "gray", "brown": "brown", "棕色": "brown", "orange": "orange", "橙色": "orange", "silver": "silver",
    "银色": "silver", "gold": "gold", "金色": "gold",
}  # fmt: skip
_ASCII_COLOR = re.compile(r"\b(" + "|".join(w for w in COLORS if w.isascii()) + r")\b")
_HAN_COLOR = re.compile("|".join(sorted((w for w in COLORS if not w.isascii()), key=len, reverse=True)))


@dataclass
class Constraints:
    text: str  # the folded query without its price phrases
    price_min: float | None = None
    price_max: float | None = None
    colors: list[str] = field(default_factory=list)


def find_colors(text: str) -> list[str]:
    """Canonical colour names mentioned in folded text, in order of first mention."""
    found = [COLORS[m.group()] for m in (*_ASCII_COLOR.finditer(text), *_HAN_COLOR.finditer(text))]
    return list(dict.fromkeys(found))


def parse_constraints(folded: str) -> Constraints:
    """Pull price bounds and colours out of a folded query."""
    out = Constraints(folded)
    for pattern, kind in _PATTERNS:
        match = pattern.search(out.text)
        if match is None:
            continue
        values = [float(v) for v in match.groups()]
        if kind == "range":
            out.price_min, out.price_max = min(values), max(values)
        elif kind == "max":
            out.price_max = values[0]
        else:
            out.price_min = values[0]
        out.text = " ".join((out.text[: match.start()] + " " + out.text[match.end() :]).split())
    out.colors = find_colors(out.text)
    return out
