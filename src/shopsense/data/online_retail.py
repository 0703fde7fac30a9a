"""UCI Online Retail loader (Chen, Sain & Guo 2012; doi:10.24432/C5BW33, CC BY 4.0).

Each invoice line becomes one event: ``purchase`` for sales, ``refund`` for cancellations (invoice
numbers starting with ``C``), with the quantity as ``value``, the invoice as ``session_id`` and the line's unit price in
``context``.
Lines without a CustomerID are guest purchases: they are kept, as the anonymous user
``guest-<invoice>``. Lines that are not products (postage, fees, discounts, manual adjustments, gift
vouchers, bad-debt adjustments) and stock corrections are skipped and reported with their reason.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from shopsense.data.dataset import LoadedDataset, most_frequent
from shopsense.domain import Item, User

SHOP_ID = "online-retail"
CURRENCY = "GBP"
NON_PRODUCT_CODES: dict[str, str] = {
    "POST": "postage",
    "DOT": "dotcom postage",
    "C2": "carriage",
    "M": "manual adjustment",
    "D": "discount",
    "S": "samples",
    "B": "bad-debt adjustment",
    "CRUK": "charity commission",
    "BANK CHARGES": "bank charges",
    "AMAZONFEE": "Amazon fee",
}
_GIFT_VOUCHER_PREFIX = "GIFT_0001"


def _non_product_reason(codes: pd.Series) -> pd.Series:
    upper = codes.str.upper()
    labels = upper.map(NON_PRODUCT_CODES)
    labels = labels.where(~upper.str.startswith(_GIFT_VOUCHER_PREFIX), "gift voucher")
    return ("non-product line " + codes + " (" + labels + ")").where(labels.notna())


def _skip_reasons(frame: pd.DataFrame, codes: pd.Series, cancelled: pd.Series) -> pd.Series:
    reason = _non_product_reason(codes)
    guest = frame["CustomerID"].isna()
    rules = [
        (~cancelled & (frame["Quantity"] < 0), "stock adjustment: negative quantity on a sales invoice"),
        (frame["Quantity"] == 0, "zero quantity"),
        (guest & (frame["UnitPrice"] <= 0), "zero-price line without a customer (stock adjustment)"),
        (frame["UnitPrice"] < 0, "negative unit price"),
    ]
    for mask, message in rules:
        reason = reason.where(reason.notna() | ~mask, message)
    return reason


def _items(kept: pd.DataFrame, codes: pd.Series) -> list[Item]:
    lines = kept.assign(code=codes[kept.index], title=kept["Description"].fillna("").str.strip())
    titled = lines[lines["title"] != ""]
    title = most_frequent(titled["code"], titled["title"])
    priced = lines[lines["UnitPrice"] > 0]
    price = priced.groupby("code")["UnitPrice"].median()
    first = lines.groupby("code")["InvoiceDate"].min()
    return [
        Item(
            item_id=code,
            title=title.get(code, code),
            price=float(round(price[code], 2)) if code in price.index else None,
            currency=CURRENCY,
            shop_id=SHOP_ID,
            created_at=first[code].tz_localize("UTC").to_pydatetime(),
        )
        for code in first.index
    ]


def _users(kept: pd.DataFrame, user_ids: pd.Series) -> list[User]:
    country = most_frequent(user_ids, kept["Country"])
    return [
        User(user_id=uid, attributes={"country": c, **({"anonymous": True} if uid.startswith("guest-") else {})})
        for uid, c in country.items()
    ]


def load_online_retail(path: str | Path) -> LoadedDataset:
    """Read the Parquet (or Excel-exported CSV) file with the original UCI column names."""
    path = Path(path)
    frame = pd.read_csv(path) if path.suffix == ".csv" else pd.read_parquet(path)
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    invoice = frame["InvoiceNo"].astype(str).str.strip()
    codes = frame["StockCode"].astype(str).str.strip()
    cancelled = invoice.str.startswith("C")
    skip = _skip_reasons(frame, codes, cancelled)
    skip = skip.where(skip.notna() | ~invoice.str.startswith("A"), "bad-debt adjustment invoice")
    kept = frame[skip.isna()]
    invoice_kept = invoice[kept.index]
    customer = kept["CustomerID"]
    user_ids = ("guest-" + invoice_kept).where(
        customer.isna(), customer.astype("float64").fillna(0).astype(np.int64).astype(str)
    )
    context = '{"unit_price":' + kept["UnitPrice"].round(4).astype(str) + "}"  # JSON for finite prices
    events = pd.DataFrame(
        {
            "event_id": "online-retail-" + kept.index.astype(str),
            "user_id": user_ids,
            "session_id": invoice_kept,
            "type": np.where(cancelled[kept.index], "refund", "purchase"),
            "item_id": codes[kept.index],
            "value": kept["Quantity"].abs().astype("float64"),
            "timestamp": kept["InvoiceDate"],
            "context": context,
        },
        index=kept.index,
    )
    return LoadedDataset(
        name="online-retail",
        events=events,
        items=_items(kept, codes),
        users=_users(kept, user_ids),
        skipped=skip.dropna(),
    )
