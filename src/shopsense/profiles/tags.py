"""Human-readable tags, each with the evidence that earned it. Rules, in the order tags are listed:

=================  ==========================================================================================
big spender        RFM monetary score m = 5 (top 20% of buyers by net spend)
loyal              ≥ 5 orders and lifecycle stage new or active
lapsed             lifecycle stage churned after at least two orders
price-sensitive    ≥ 5 purchases in a known price band and ≥ 60% of them in the lowest band
premium buyer      ≥ 5 purchases in a known price band and ≥ 50% of them in the premium band
bulk buyer         ≥ 3 purchase lines and ≥ 12 units per line on average
refund-prone       ≥ 2 refunds worth ≥ 15% of the purchased value
category fan       ≥ 10 events and ≥ 50% of the category affinity on one category
window shopper     ≥ 20 views and clicks and no purchase
cart abandoner     ≥ 5 add-to-carts and no purchase
night owl          ≥ 10 events and a share s ≥ max(25%, 3·S) of them in the shop's quietest 6 hours of the day,
                   where S is the shop's own share of activity there (timezone-free: the quiet hours are the
                   contiguous 6 UTC hours with the least activity over all users at the last rebuild)
weekend shopper    ≥ 10 events and a share s ≥ max(50%, 1.5·S) of them on Saturdays and Sundays, S the shop's
                   weekend share (2/7 before the first rebuild)
happy reviewer     ≥ 2 reviews with mean sentiment ≥ 0.3
critical reviewer  ≥ 2 reviews with mean sentiment ≤ −0.3
=================  ==========================================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from shopsense.profiles.model import ProfileModel

Tag = tuple[str, str] | None
Rule = Callable[[dict, dict, ProfileModel], Tag]
HABIT_MIN_EVENTS = 10
QUIET_HOURS = 6
WEEKEND = (5, 6)


def plural(n: float, noun: str) -> str:
    return f"{n:,.0f} {noun}" + ("" if round(n) == 1 else "s")


def days_ago(days: float) -> str:
    return "today" if round(days) == 0 else f"{plural(days, 'day')} ago"


@lru_cache(maxsize=8)
def quiet_window(hour_shares: tuple[float, ...]) -> tuple[int, float]:
    """(first hour, activity share) of the contiguous ``QUIET_HOURS`` UTC hours with the least activity."""
    sums = [sum(hour_shares[(start + k) % 24] for k in range(QUIET_HOURS)) for start in range(24)]
    start = min(range(24), key=lambda h: (sums[h], h))
    return start, sums[start]


def _share(counts: Sequence[int], picked: Sequence[int]) -> float:
    total = sum(counts)
    return sum(counts[i] for i in picked) / total if total else 0.0


def _big_spender(state: dict, doc: dict, model: ProfileModel) -> Tag:
    rfm = doc["rfm"]
    if rfm["m"] == 5:
        return "big spender", f"spent {rfm['monetary']:,.2f} net, in the top 20% of buyers"
    return None


def _loyal(state: dict, doc: dict, model: ProfileModel) -> Tag:
    orders = len(state["orders"])
    if orders >= 5 and doc["lifecycle"]["stage"] in ("new", "active"):
        return "loyal", f"{plural(orders, 'order')}, the last {days_ago(doc['rfm']['recency_days'])}"
    return None


def _lapsed(state: dict, doc: dict, model: ProfileModel) -> Tag:
    if len(state["orders"]) >= 2 and doc["lifecycle"]["stage"] == "churned":
        days = doc["activity"]["days_inactive"]
        return "lapsed", f"{plural(len(state['orders']), 'order')}, but no activity for {plural(days, 'day')}"
    return None


def _band_rule(name: str, band: str, threshold: float, where: str) -> Rule:
    def rule(state: dict, doc: dict, model: ProfileModel) -> Tag:
        banded = sum(state["bands"].values())
        share = state["bands"].get(band, 0) / banded if banded else 0.0
        if banded >= 5 and share >= threshold:
            return name, f"{share:.0%} of purchases in the {where} price band of their category"
        return None

    return rule


def _bulk(state: dict, doc: dict, model: ProfileModel) -> Tag:
    lines = state["by_type"].get("purchase", 0)
    if lines >= 3 and state["units"] / lines >= 12:
        return "bulk buyer", f"{state['units'] / lines:,.0f} units per purchase line on average"
    return None


def _refund_prone(state: dict, doc: dict, model: ProfileModel) -> Tag:
    refunds = state["by_type"].get("refund", 0)
    if refunds >= 2 and state["spent"] > 0 and state["refunded"] >= 0.15 * state["spent"]:
        share = state["refunded"] / state["spent"]
        return "refund-prone", f"{share:.0%} of purchased value refunded ({plural(refunds, 'refund')})"
    return None


def _category_fan(state: dict, doc: dict, model: ProfileModel) -> Tag:
    categories = doc["affinities"]["category"]
    if state["events"] >= HABIT_MIN_EVENTS and categories:
        top, share = next(iter(categories.items()))
        if share >= 0.5:
            return "category fan", f"{share:.0%} of their category interest is in {top}"
    return None


def _window_shopper(state: dict, doc: dict, model: ProfileModel) -> Tag:
    looks = state["by_type"].get("view", 0) + state["by_type"].get("click", 0)
    if looks >= 20 and not state["by_type"].get("purchase"):
        return "window shopper", f"{looks:,} views and clicks, no purchase"
    return None


def _cart_abandoner(state: dict, doc: dict, model: ProfileModel) -> Tag:
    carts = state["by_type"].get("add_to_cart", 0)
    if carts >= 5 and not state["by_type"].get("purchase"):
        return "cart abandoner", f"{carts:,} add-to-carts, no purchase"
    return None


def _night_owl(state: dict, doc: dict, model: ProfileModel) -> Tag:
    if state["events"] < HABIT_MIN_EVENTS or not model.hour_shares:
        return None
    start, shop_share = quiet_window(model.hour_shares)
    share = _share(state["hours"], [(start + k) % 24 for k in range(QUIET_HOURS)])
    if share >= max(0.25, 3 * shop_share):
        hours = f"{start:02d}:00 and {(start + QUIET_HOURS) % 24:02d}:00 UTC"
        quiet = f"the shop's quietest hours ({shop_share:.0%} of all activity)"
        return "night owl", f"{share:.0%} of activity between {hours}, {quiet}"
    return None


def _weekend_shopper(state: dict, doc: dict, model: ProfileModel) -> Tag:
    if state["events"] < HABIT_MIN_EVENTS:
        return None
    shop_share = sum(model.weekday_shares[d] for d in WEEKEND) if model.weekday_shares else 2 / 7
    share = _share(state["weekdays"], WEEKEND)
    if share >= max(0.5, 1.5 * shop_share):
        return "weekend shopper", f"{share:.0%} of activity on Saturdays and Sundays ({shop_share:.0%} shop-wide)"
    return None


def _reviewer(state: dict, doc: dict, model: ProfileModel) -> Tag:
    sentiment = doc["sentiment"]
    if sentiment["reviews"] >= 2 and abs(sentiment["mean"]) >= 0.3:
        name = "happy reviewer" if sentiment["mean"] > 0 else "critical reviewer"
        return name, f"{plural(sentiment['reviews'], 'review')}, mean sentiment {sentiment['mean']:+.2f}"
    return None


RULES: tuple[Rule, ...] = (
    _big_spender, _loyal, _lapsed,
    _band_rule("price-sensitive", "low", 0.6, "lowest"), _band_rule("premium buyer", "premium", 0.5, "top"),
    _bulk, _refund_prone, _category_fan, _window_shopper, _cart_abandoner, _night_owl, _weekend_shopper, _reviewer,
)  # fmt: skip


def tags(state: dict, doc: dict[str, Any], model: ProfileModel) -> list[dict[str, str]]:
    """The tags earned by a user: ``state`` their statistics, ``doc`` their rendered sections."""
    found = (rule(state, doc, model) for rule in RULES)
    return [{"tag": tag[0], "evidence": tag[1]} for tag in found if tag]
