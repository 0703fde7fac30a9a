"""The lexicon sentiment scorer on English and Chinese reviews: polarity, negation, intensity, contrast."""

from __future__ import annotations

import pytest

from shopsense.profiles.sentiment import score_text, sentiment_label


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("good", 1 / 2),  # P = 1: 1 / (1 + 1)
        ("not good", -0.75 / 1.75),  # negated and damped
        ("not bad", 0.75 / 1.75),
        ("very good", 1.5 / 2.5),  # intensifier ×1.5
        ("excellent", 2 / 3),  # strong word, polarity 2
        ("terrible, I hate it", -4 / 5),
        ("I love it but the zipper broke", (2 - 1.5) / (2 + 1.5 + 1)),  # after "but": ×1.5
        ("It doesn't fit. Great colour though", (-0.75 + 1) / (0.75 + 1 + 1)),  # negation stops at the full stop
        ("好", 1 / 2),
        ("不好", -0.75 / 1.75),
        ("很好", 1.4 / 2.4),
        ("不是很好", -0.75 * 1.4 / (0.75 * 1.4 + 1)),
        ("没有问题", 0.75 / 1.75),  # negated negative: mildly positive
        ("质量很差", -2 / 3),
        ("快递很快，质量不错", (1.4 + 1) / (1.4 + 1 + 1)),  # 快递 (courier) is not "fast"
        ("好像有点小", 0.0),  # 好像 ("seems") carries no sentiment
        ("", 0.0),
        ("the box is blue", 0.0),
    ],
)
def test_scores_follow_the_documented_rule(text: str, expected: float) -> None:
    assert score_text(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("positive", "negative"),
    [
        ("Love this dress, fits perfectly and the fabric is soft", "Cheaply made, the seam ripped and I returned it"),
        ("Not bad at all, works fine", "Not good at all, it broke after a day"),
        ("质量很好，非常满意，推荐购买", "质量太差了，很失望，不推荐"),
        ("物流很快，包装完好，好评", "收到就坏了，客服态度差，差评"),
        ("没有任何问题，值得购买", "不好用，不值这个价"),
    ],
)
def test_real_looking_reviews_get_the_right_sign(positive: str, negative: str) -> None:
    assert score_text(positive) > 0.2
    assert score_text(negative) < -0.2


def test_scores_stay_within_minus_one_and_one() -> None:
    assert 0.9 < score_text("excellent " * 50) < 1
    assert -1 < score_text("垃圾" * 50) < -0.9


@pytest.mark.parametrize(("mean", "label"), [(None, None), (0.2, "positive"), (0.19, "neutral"), (-0.2, "negative")])
def test_labels(mean: float | None, label: str | None) -> None:
    assert sentiment_label(mean) == label
