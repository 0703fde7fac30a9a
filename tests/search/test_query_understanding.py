"""Each query-understanding step on Chinese, English and mixed examples."""

from __future__ import annotations

from collections import Counter

import pytest

from shopsense.search.constraints import parse_constraints
from shopsense.search.intent import CategoryIntent
from shopsense.search.query import QueryParser
from shopsense.search.spelling import SpellingCorrector, osa_distance
from shopsense.search.synonyms import SynonymRule, Synonyms
from shopsense.search.text import Analyzer, detect_language, fold, normalize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ｉｐｈｏｎｅ１５ Ｐｒｏ！", "iphone15 pro"),  # full-width -> half-width, case, punctuation
        ("1/2 in. PVC-Pipe, 3.5 gal.", "1/2 in pvc pipe 3.5 gal"),  # fractions and decimals survive
        ("红色，连衣裙！", "红色 连衣裙"),  # full-width Chinese punctuation
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize(("text", "language"), [("cordless drill", "en"), ("红色连衣裙", "zh"), ("iPhone 15 手机壳", "mixed"),
                                                ("华为 mate60 手机", "zh")])  # fmt: skip
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_english_tokens_are_stemmed_and_units_spelt_out() -> None:
    tokens = Analyzer().tokens("Drills for 18v batteries, 10 ft.")
    assert tokens == ["drill", "18", "volt", "batteri", "10", "foot"]
    assert Analyzer().tokens("drilling") == Analyzer().tokens("drills")


def test_chinese_and_mixed_tokens() -> None:
    zh = Analyzer().tokens("红色连衣裙")
    assert {"红色", "连衣裙"} <= set(zh)
    mixed = Analyzer(han_bigrams=True).tokens("iPhone 15 手机壳")
    assert mixed[:2] == ["iphon", "15"] and "手机" in mixed and "机壳" in mixed  # words and character bigrams


def test_spelling_correction_from_vocabulary() -> None:
    counts = Counter({"cordless": 5, "drill": 9, "dishwasher": 3, "light": 4, "bulb": 4, "sheetrock": 2, "drills": 1})
    speller = SpellingCorrector(counts)
    assert speller.correct_word("cordles") == "cordless"  # deletion
    assert speller.correct_word("dishwaser") == "dishwasher"  # distance 1 in a long word
    assert speller.correct_word("dril") == "drill"  # ties broken by frequency (drill 9 > drills 1)
    assert speller.correct_word("lightbulb") == "light bulb"  # split
    assert speller.correct_word("xyzzy") == "xyzzy"  # nothing close: unchanged
    assert speller.correct_word("18v") == "18v" and speller.correct_word("手机壳") == "手机壳"  # never touched
    fixed = speller.correct(["sheet", "rock", "dril"])
    assert fixed.words == ["sheetrock", "drill"] and fixed.changed
    assert not speller.correct(["cordless", "drill"]).changed


def test_osa_distance_by_hand() -> None:
    assert osa_distance("drill", "drill") == 0
    assert osa_distance("dril", "drill") == 1
    assert osa_distance("dirll", "drill") == 1  # one transposition
    assert osa_distance("abc", "xyz") == 3


@pytest.mark.parametrize(
    ("text", "price_min", "price_max", "colors", "rest"),
    [
        ("red dress under $50", None, 50.0, ["red"], "red dress"),
        ("200元以下 红色连衣裙", None, 200.0, ["red"], "红色连衣裙"),
        ("iPhone 15 手机壳 20到50元", 20.0, 50.0, [], "iphone 15 手机壳"),
        ("drill over 100 dollars", 100.0, None, [], "drill"),
        ("$20-$50 blue lamp", 20.0, 50.0, ["blue"], "blue lamp"),
        ("Ｕｎｄｅｒ ＄３０ 白色T恤", None, 30.0, ["white"], "白色t恤"),
        ("tv over 30 in", None, None, [], "tv over 30 in"),  # a size, not a price
        ("2-4 lumber", None, None, [], "2-4 lumber"),  # no currency: not a price range
        ("redwood deck", None, None, [], "redwood deck"),  # "red" only as a whole word
    ],
)
def test_price_and_colour_constraints(text: str, price_min, price_max, colors, rest) -> None:
    c = parse_constraints(fold(text))
    assert (c.price_min, c.price_max, c.colors, c.text) == (price_min, price_max, colors, rest)


def test_synonyms_one_way_and_two_way() -> None:
    synonyms = Synonyms([SynonymRule("tv", ("television",)), SynonymRule("手机", ("cell phone", "mobile"), two_way=True)])
    assert synonyms.expand("tv stand") == ["television"]
    assert synonyms.expand("television stand") == []  # one way only
    assert synonyms.expand("手机壳") == ["cell phone", "mobile"]  # Chinese matches inside words
    assert synonyms.expand("mobile case") == ["cell phone", "手机"]  # two way
    assert synonyms.expand("automobile") == []  # English only on whole words
    with pytest.raises(ValueError):
        SynonymRule("tv", ("",))


def test_category_intent_learns_from_catalogue_and_clicks() -> None:
    a = Analyzer()
    docs = [("Tools > Drills", a.tokens("cordless drill")), ("Tools > Drills", a.tokens("hammer drill")),
            ("Garden", a.tokens("garden hose")), ("Garden", a.tokens("lawn mower"))]  # fmt: skip
    intent = CategoryIntent().fit(docs)
    assert intent.predict(a.tokens("drill"))[0][0] == "Tools > Drills"
    assert intent.predict(a.tokens("unknown words")) == []
    probabilities = [p for _, p in intent.predict(a.tokens("drill hose"), k=5)]
    assert abs(sum(probabilities) - 1) < 1e-9
    # shoppers who searched "power" clicked garden items: the intent follows them
    clicked = CategoryIntent().fit(docs, clicks=[("Garden", a.tokens("power"))] * 3)
    assert clicked.predict(a.tokens("power"))[0][0] == "Garden"


def test_parser_runs_every_step() -> None:
    a = Analyzer(han_bigrams=True)
    parser = QueryParser(a, speller=SpellingCorrector(Counter({"case": 3, "phone": 3})),
                         synonyms=Synonyms([SynonymRule("手机", ("mobile",))]))  # fmt: skip
    parsed = parser.parse("Red 手机 phne under $20")
    assert parsed.language == "mixed"
    assert parsed.corrected == "red 手机 phone"
    assert parsed.price_max == 20.0 and parsed.colors == ["red"]
    assert parsed.synonyms == ["mobile"] and {"phone", "mobil"} <= set(parsed.tokens)
    assert "phne" in parsed.raw_tokens
