"""Fact gathering per intent: each function turns store reads into a :class:`Draft` of worded facts.

Product facts come only from the catalogue, order facts only from the user's events, policies only from
the shop's knowledge documents; prices are written with :func:`format_money`, i.e. exactly as stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from shopsense.assistant.draft import Draft, ShownItem, Source
from shopsense.assistant.knowledge import Section, excerpt
from shopsense.assistant.orders import STATES, Order
from shopsense.assistant.phrases import say, topic
from shopsense.assistant.prices import PriceLimits, format_money, format_price
from shopsense.domain import Candidate, Item

_PRICE = re.compile(r"price|cost|how much|expensive|cheap|多少钱|价格|价钱|几块|贵", re.I)
_STOCK = re.compile(r"stock|available|availab|sold out|have any|有货|库存|现货|缺货|还有吗|有没有", re.I)
_ATTRIBUTE_WORDS = {"colour": "color", "颜色": "color", "尺寸": "size", "大小": "size", "尺码": "size",
                    "材质": "material", "重量": "weight", "品牌": "brand"}  # fmt: skip


def asked_aspects(message: str, item: Item) -> list[str]:
    """What the message asks about the item: "price", "stock" and/or attribute names; empty when it names none."""
    lowered = message.lower()
    aspects = [name for name in item.attributes if name.lower() in lowered]
    aspects += [name for word, name in _ATTRIBUTE_WORDS.items() if word in lowered and name not in aspects]
    if _PRICE.search(message):
        aspects.append("price")
    if _STOCK.search(message):
        aspects.append("stock")
    return aspects


def asks_price_or_stock(message: str) -> bool:
    return bool(_PRICE.search(message) or _STOCK.search(message))


def shown(item: Item, candidate: Candidate | None = None) -> ShownItem:
    return ShownItem(
        item.item_id, item.title, item.price, item.currency, item.in_stock,
        candidate.score if candidate else 1.0, candidate.source if candidate else "catalog",
        candidate.reason if candidate else "the product you asked about",
    )  # fmt: skip


def product_facts(products: Sequence[Item], aspects: Sequence[str], zh: bool) -> Draft:
    ids = [i.item_id for i in products]
    draft = Draft(state={"items": ids, "focus": ids, "aspects": list(aspects)})
    for item in products:
        facts = {"title": item.title, "item_id": item.item_id}
        for aspect in aspects:
            if aspect == "price":
                key = "price" if item.price is not None else "no_price"
                draft.lines.append(say(key, zh, price=format_money(item.price, item.currency), **facts))
            elif aspect == "stock":
                draft.lines.append(say("in_stock" if item.in_stock else "out_of_stock", zh, **facts))
            elif aspect == "brand" and item.brand:
                draft.lines.append(say("attribute", zh, name=aspect, value=item.brand, **facts))
            elif aspect in item.attributes:
                draft.lines.append(say("attribute", zh, name=aspect, value=item.attributes[aspect], **facts))
            else:
                draft.lines.append(say("no_attribute", zh, name=aspect, **facts))
        draft.sources.append(Source("catalog", item.item_id, item.title))
        draft.items.append(shown(item))
    return draft


def _limit_phrase(limits: PriceLimits, currency: str, zh: bool) -> str:
    low = format_money(limits.low, currency) if limits.low is not None else None
    high = format_money(limits.high, currency) if limits.high is not None else None
    if low and high:
        return say("limit_range", zh, low=low, high=high)
    if high:
        return say("limit_max", zh, high=high)
    return say("limit_min", zh, low=low) if low else ""


def item_lines(draft: Draft, candidates: Sequence[Candidate], catalogue: Mapping[str, Item], zh: bool) -> None:
    """Append one line per candidate that the catalogue holds (price and stock as stored)."""
    for candidate in candidates:
        item = catalogue.get(candidate.item_id)
        if item is None:
            continue
        stock = say("stock_yes" if item.in_stock else "stock_no", zh)
        price = format_money(item.price, item.currency)
        draft.lines.append(say("item_line", zh, title=item.title, item_id=item.item_id, price=price, stock=stock))
        draft.sources.append(Source(candidate.source, item.item_id, item.title))
        draft.items.append(shown(item, candidate))


def search_results(candidates: Sequence[Candidate], catalogue: Mapping[str, Item], limits: PriceLimits,
                   currency: str, zh: bool) -> Draft:  # fmt: skip
    limit = _limit_phrase(limits, currency, zh)
    draft = Draft(lines=[say("found" if candidates else "found_none", zh, limit=limit)], grounded=bool(candidates))
    item_lines(draft, candidates, catalogue, zh)
    draft.state["items"] = [i.item_id for i in draft.items]
    return draft


def related_items(item: Item, candidates: Sequence[Candidate], catalogue: Mapping[str, Item], zh: bool) -> Draft:
    facts = {"title": item.title, "item_id": item.item_id}
    draft = Draft(lines=[say("related" if candidates else "related_none", zh, **facts)])
    draft.sources.append(Source("catalog", item.item_id, item.title))
    item_lines(draft, candidates, catalogue, zh)
    draft.state["items"] = [item.item_id] + [i.item_id for i in draft.items]
    return draft


def order_facts(order: Order | None, catalogue: Mapping[str, Item], zh: bool) -> Draft:
    if order is None:
        return Draft(lines=[say("no_orders", zh)], sources=[Source("orders", "none", "no orders")])
    lines = []
    for line in order.lines:
        item = catalogue.get(line.item_id)
        price = f" @ {format_money(line.unit_price, item.currency if item else '')}" if line.unit_price is not None else ""
        quantity = format_price(line.quantity).removesuffix(".00") if line.quantity is not None else "1"
        title = item.title if item else line.item_id
        lines.append(say("refund_line" if line.refund else "order_line", zh, quantity=quantity, title=title, item_id=line.item_id, price=price))
    state = STATES[order.state] if zh else order.state
    text = say("order", zh, order_id=order.order_id, date=order.placed_at.date().isoformat(), state=state,
               lines=("；" if zh else "; ").join(lines))  # fmt: skip
    return Draft(lines=[text], sources=[Source("orders", order.order_id, f"order {order.order_id}")],
                 state={"items": [line.item_id for line in order.lines], "order": order.order_id})  # fmt: skip


def policy(hits: Sequence[tuple[Section, float]], zh: bool) -> Draft:
    if not hits:
        return Draft(lines=[say("no_policy", zh)], grounded=False, handoff=True)
    section = hits[0][0]
    draft = Draft(lines=[say("policy", zh, title=section.title, text=excerpt(section.text))])
    draft.sources.append(Source("knowledge", section.doc_id, section.title))
    return draft


def clarify(first: str, second: str, zh: bool) -> Draft:
    return Draft(lines=[say("clarify", zh, first=topic(first, zh), second=topic(second, zh))], grounded=False)
