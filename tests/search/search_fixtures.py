"""The tiny mixed Chinese/English catalogue the search tests share, and a ShopSearch over it."""

from __future__ import annotations

from datetime import UTC, datetime

from shopsense.domain import Item
from shopsense.search.engine import SearchEngine
from shopsense.search.facts import ItemFacts
from shopsense.search.index import SearchDoc, SearchIndex
from shopsense.search.query import QueryParser
from shopsense.search.shop import ShopSearch
from shopsense.search.text import Analyzer


def _item(item_id: str, title: str, category: tuple[str, ...], brand: str, price: float | None, day: int, **kw) -> Item:
    return Item(item_id, title, category=category, brand=brand, price=price,
                created_at=datetime(2024, 1, day, tzinfo=UTC), **kw)  # fmt: skip


CATALOGUE = [
    _item("p1", "iPhone 15 手机壳 透明防摔", ("Electronics", "Phone Cases"), "Apple", 39.0, 1),
    _item("p2", "Samsung Galaxy phone case, black", ("Electronics", "Phone Cases"), "Samsung", 15.0, 2),
    _item("p3", "红色连衣裙 夏季女装", ("Clothing", "Dresses"), "Vero", 199.0, 3, attributes={"color": "red"}),
    _item("p4", "雪纺连衣裙 蓝色", ("Clothing", "Dresses"), "Vero", 299.0, 4, attributes={"color": "blue"}),
    _item("p5", "Cordless drill 18V lithium-ion", ("Tools", "Drills"), "Bosch", 89.0, 5),
    _item("p6", "Makita cordless drill 18V brushless", ("Tools", "Drills"), "Makita", 149.0, 6),
    _item("p7", "Wireless earbuds with bluetooth", ("Electronics", "Audio"), "Sony", 59.0, 7),
    _item("p8", "Television 55 inch 4K", ("Electronics", "TV"), "LG", 499.0, 8),
    _item("p9", "Cordless drill (recalled)", ("Tools", "Drills"), "Acme", 9.0, 9, hidden=True),
    _item("p10", "Garden hose 50 ft", ("Garden",), "Gardena", None, 10, in_stock=False),
]


def make_shop(items: list[Item] = CATALOGUE, *, dense: bool = False) -> ShopSearch:
    """A ShopSearch over ``items`` (lexical only unless ``dense``), no signals."""
    from shopsense.search.dense import E5Encoder

    analyzer = Analyzer(han_bigrams=True)
    docs = [SearchDoc.from_item(i) for i in items]
    encoder = E5Encoder() if dense else None
    vectors = encoder.passages([d.passage for d in docs]) if encoder else None
    index = SearchIndex(docs, analyzer, vectors)
    engine = SearchEngine(index, QueryParser(analyzer, speller=index.speller), encoder)
    return ShopSearch(engine, ItemFacts.from_items(items))
