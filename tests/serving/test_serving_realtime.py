"""Real time: an event accepted by POST /v1/events changes the next for_you, without retraining."""

from __future__ import annotations

from datetime import UTC, datetime

from conftest import ShopApi
from serving_shop import event, item_id


def test_viewing_three_phone_cases_turns_for_you_to_phone_cases(shop: ShopApi) -> None:
    before = shop.recommend("newcomer")
    assert before["items"] and all(i["reason"] for i in before["items"])
    cases = [item_id(0, k) for k in range(3)]
    shop.send(*(event(900 + n, "newcomer", "view", i, datetime.now(UTC)) for n, i in enumerate(cases)))
    after = shop.recommend("newcomer")
    top = [i["item_id"] for i in after["items"][:3]]
    assert all(i.startswith("c0-") for i in top), after["items"]
    assert not set(cases) & {i["item_id"] for i in after["items"]}  # for_you leaves out what was just seen
    assert before["recomm_id"] != after["recomm_id"]
    reasons = [i["reason"] for i in after["items"] if i["item_id"].startswith("c0-")]
    assert any(r.startswith("Because you viewed Phone case") for r in reasons), reasons
