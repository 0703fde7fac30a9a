"""The assistant end to end over the tiny shop of conftest.py: facts equal the database, context carries."""

from __future__ import annotations

import re
from dataclasses import replace

from shopsense.assistant.engine import Assistant
from shopsense.assistant.prices import format_money
from shopsense.domain import Item
from shopsense.storage import Database


def ask(assistant: Assistant, message: str, session: str = "s1", user: str = "alice"):  # noqa: ANN201
    return assistant.reply(user, session, message)


def test_price_and_stock_are_the_stored_values_even_right_after_an_update(assistant: Assistant, shop: Database) -> None:
    reply = ask(assistant, "How much is the Red Ceramic Coffee Mug?")
    assert reply.intent == "product_question"
    assert "£8.95" in reply.answer and [s.id for s in reply.sources] == ["MUG-RED"]
    assert reply.items[0].price == shop.catalog.get_item("MUG-RED").price
    shop.catalog.upsert_items([replace(shop.catalog.get_item("MUG-RED"), price=7.1)])
    shop.catalog.set_item_flags("MUG-RED", in_stock=False)
    again = ask(assistant, "what is the price of the red ceramic coffee mug, is it in stock?", session="s2")
    assert "£7.10" in again.answer and "£8.95" not in again.answer
    assert "out of stock" in again.answer


def test_every_number_in_a_product_answer_is_a_stored_fact(assistant: Assistant, shop: Database) -> None:
    reply = ask(assistant, "Vanilla Scented Candle 多少钱？")
    candle = shop.catalog.get_item("CANDLE-1")
    assert format_money(candle.price, candle.currency) == "£3.333"
    assert "£3.333" in reply.answer and "价格" in reply.answer
    assert set(re.findall(r"\d+(?:\.\d+)?", reply.answer)) <= {"3.333", "1"}  # "1" from the item id CANDLE-1


def test_follow_up_it_refers_to_the_product_just_discussed(assistant: Assistant) -> None:
    ask(assistant, "How much is the Blue Ceramic Coffee Mug?")
    reply = ask(assistant, "and is it in stock?")
    assert reply.intent == "product_question"
    assert "Blue Ceramic Coffee Mug (MUG-BLUE) is out of stock." in reply.answer


def test_chinese_follow_up_this_one_refers_to_the_first_item_shown(assistant: Assistant) -> None:
    first = ask(assistant, "送爸爸的礼物 200元以下", session="zh")
    assert first.intent == "product_search" and first.items
    assert all(i.price is not None and i.price <= 200 for i in first.items)
    reply = ask(assistant, "这个多少钱？", session="zh")
    shown = first.items[0]
    assert reply.intent == "product_question"
    assert f"（{shown.item_id}）的价格是 {format_money(shown.price, shown.currency)}" in reply.answer


def test_search_respects_the_price_limit_and_a_refinement_keeps_it(assistant: Assistant) -> None:
    first = ask(assistant, "a gift for my dad under $50", session="gift")
    assert first.items and all(i.price <= 50 for i in first.items)
    assert "WATCH-1" not in [i.item_id for i in first.items]  # £129 is over the limit
    reply = ask(assistant, "and in red?", session="gift")
    assert reply.intent == "product_search"
    assert [i.item_id for i in reply.items] == ["MUG-RED"]


def test_complaint_and_explicit_request_hand_off(assistant: Assistant) -> None:
    for message in ("This is unacceptable, the mug arrived broken and I want to complain!", "我要投诉", "can I talk to a real person please"):
        reply = ask(assistant, message, session=message)
        assert reply.handoff, message
        assert reply.intent in ("complaint", "contact_human_agent")


def test_order_questions_answer_from_the_users_own_events(assistant: Assistant) -> None:
    alice = ask(assistant, "where is my order?")
    assert alice.intent == "track_order"
    assert "order A200" in alice.answer and "partly refunded" in alice.answer and "£45.00" in alice.answer
    bob = ask(assistant, "我的订单状态是什么", user="bob", session="bob")
    assert "B300" in bob.answer and "已购买" in bob.answer and "A200" not in bob.answer
    nobody = ask(assistant, "where is my order?", user="carol", session="carol")
    assert "can't find any order" in nobody.answer


def test_policy_answers_quote_the_knowledge_base_in_both_languages(assistant: Assistant) -> None:
    english = ask(assistant, "how long does delivery take?")
    assert "3 to 5 working days" in english.answer and english.sources[0].kind == "knowledge"
    chinese = ask(assistant, "退货政策是什么", session="zh-policy")
    assert chinese.intent == "check_refund_policy"
    assert "30 days" in chinese.answer and chinese.sources[0].kind == "knowledge"


def test_recommendation_uses_co_purchases_of_the_product_in_context(assistant: Assistant) -> None:
    ask(assistant, "How much is the Porcelain Teapot With Infuser?", session="rec")
    reply = ask(assistant, "what goes with this?", session="rec")
    assert reply.intent == "recommendation"
    assert [i.item_id for i in reply.items][:1] == ["MUG-RED"]  # bought together in orders A100 and B300
    assert "2 orders" in reply.items[0].reason


def test_gibberish_gets_a_clarifying_question_and_is_listed_unanswered(assistant: Assistant) -> None:
    reply = ask(assistant, "zxq vlorp snee", session="junk")
    assert not reply.grounded and "?" in reply.answer
    listed = [t.message for t, _ in assistant.store.unanswered()]
    assert "zxq vlorp snee" in listed


def test_items_sharing_a_title_are_all_answered_and_all_followed_up(assistant: Assistant, shop: Database) -> None:
    shop.catalog.upsert_items([Item("MUG-RED-2", "Red Ceramic Coffee Mug", price=8.5, currency="GBP", in_stock=False)])
    prices = ask(assistant, "How much is the Red Ceramic Coffee Mug?", session="twins")
    assert {"Red Ceramic Coffee Mug (MUG-RED) costs £8.95.", "Red Ceramic Coffee Mug (MUG-RED-2) costs £8.50."} <= set(prices.answer.splitlines())
    stock = ask(assistant, "is this one available?", session="twins")
    assert {"Red Ceramic Coffee Mug (MUG-RED) is in stock.", "Red Ceramic Coffee Mug (MUG-RED-2) is out of stock."} <= set(stock.answer.splitlines())
