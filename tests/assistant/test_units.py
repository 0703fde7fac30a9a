"""Pure parts with hand-checked answers: tokens, prices, Markdown sections, orders, metrics, loaders."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import numpy as np
import pytest

from shopsense.assistant.bench.metrics import intent_scores, mrr_and_recall_at_1, rank_of_first
from shopsense.assistant.knowledge import excerpt, split_sections
from shopsense.assistant.orders import Order, OrderLine, find_order
from shopsense.assistant.prices import PriceLimits, format_money, parse_price_limits
from shopsense.assistant.store import KnowledgeDocument
from shopsense.assistant.text import is_chinese, tokenize
from shopsense.data.assistant_sets import load_amazon_qa, load_bitext, load_jddc


def test_tokens_are_stemmed_english_and_segmented_chinese() -> None:
    assert tokenize("Refunds for the cancelled orders") == ["refund", "cancel", "order"]
    assert "退款" in tokenize("我要退款") and is_chinese("我要退款") and not is_chinese("refund")


@pytest.mark.parametrize(
    ("text", "limits", "rest"),
    [
        ("a gift for my dad under $50", PriceLimits(None, 50.0), "a gift for my dad"),
        ("送爸爸的礼物 200元以下", PriceLimits(None, 200.0), "送爸爸的礼物"),
        ("candles between 10 and 20 pounds", PriceLimits(10.0, 20.0), "candles"),
        ("不超过99.5元的杯子", PriceLimits(None, 99.5), "的杯子"),
        ("mugs over 5", PriceLimits(5.0, None), "mugs"),
        ("red mug", PriceLimits(), "red mug"),
    ],
)
def test_price_limits_are_parsed_and_removed(text: str, limits: PriceLimits, rest: str) -> None:
    assert parse_price_limits(text) == (limits, rest)


def test_money_is_written_exactly_as_stored() -> None:
    assert [format_money(p, "GBP") for p in (2.5, 3.333, 12.0, 0.1)] == ["£2.50", "£3.333", "£12.00", "£0.10"]
    assert format_money(199.0, "CNY") == "¥199.00" and format_money(5.0, "XYZ") == "5.00 XYZ"
    assert PriceLimits(None, 50).admits(50.0) and not PriceLimits(None, 50).admits(50.01) and not PriceLimits(1, None).admits(None)


def test_markdown_is_cut_into_sections_with_heading_paths() -> None:
    text = "Intro line.\n# Returns\n## Window\nWithin **30 days**.\n## Empty\n# Delivery\n- Fast: 1 day\n"
    sections = split_sections(KnowledgeDocument("p", "Policies", text))
    assert [(s.title, s.text) for s in sections] == [
        ("Policies", "Intro line."), ("Policies › Returns › Window", "Within 30 days."), ("Policies › Delivery", "Fast: 1 day"),
    ]  # fmt: skip
    assert excerpt("One. Two is longer. Three.", max_chars=12) == "One."
    assert excerpt("第一句。第二句。", max_chars=100) == "第一句。第二句。"


def test_order_state_follows_its_events_and_an_id_in_the_message_picks_the_order() -> None:
    at = datetime(2024, 1, 1, tzinfo=UTC)
    bought = Order("A1", at, (OrderLine("x", 1, 2.0, False),))
    mixed = Order("A2", at, (OrderLine("x", 1, 2.0, False), OrderLine("x", 1, 2.0, True)))
    returned = Order("C3", at, (OrderLine("y", 2, None, True),))
    assert [o.state for o in (bought, mixed, returned)] == ["purchased", "partly refunded", "refunded"]
    assert find_order([mixed, bought], "what about order A1?") is bought
    assert find_order([mixed, bought], "where is my order") is mixed and find_order([], "x") is None


def test_ranking_metrics_break_ties_against_the_system() -> None:
    assert rank_of_first(np.array([0.5, 0.9, 0.5, 0.1])) == 2  # one better, one tied
    assert rank_of_first(np.array([1.0, 1.0])) == 1 and rank_of_first(np.array([3.0, 1.0])) == 0
    assert mrr_and_recall_at_1([0, 1, 3]) == pytest.approx({"mrr": (1 + 0.5 + 0.25) / 3, "recall_at_1": 1 / 3, "queries": 3})
    scores = intent_scores(["a", "a", "b"], ["a", "b", "b"], ["a", "b"])
    assert scores["accuracy"] == pytest.approx(2 / 3) and scores["macro_f1"] == pytest.approx((2 / 3 + 2 / 3) / 2)


def test_loaders_read_their_formats(tmp_path) -> None:  # noqa: ANN001 - pytest's tmp_path
    (tmp_path / "b.csv").write_text("\ufeffflags,utterance,category,intent\nB,cancel my order,ORDER,cancel_order\nB,,ORDER,x\n", encoding="utf-8")
    assert load_bitext(tmp_path / "b.csv").texts == ["cancel my order"]
    with gzip.open(tmp_path / "qa.json.gz", "wt") as handle:
        handle.write("{'asin': 'A1', 'question': 'Does it fit?', 'answer': 'Yes.'}\n{'asin': 'A1', 'question': 'x', 'answer': ''}\n")
    assert [(p.product_id, p.answer) for p in load_amazon_qa(tmp_path / "qa.json.gz")] == [("A1", "Yes.")]
    (tmp_path / "t.enc").write_text("你好,在吗,\n发货了吗,\n", encoding="utf-8")
    (tmp_path / "t.dec").write_text("您好\n已发货\n", encoding="utf-8")
    assert [(d.context, d.reply) for d in load_jddc(tmp_path / "t.enc")] == [(["你好", "在吗"], "您好"), (["发货了吗"], "已发货")]
    (tmp_path / "t.dec").write_text("您好\n", encoding="utf-8")
    with pytest.raises(ValueError, match="has 2 lines"):
        load_jddc(tmp_path / "t.enc")
