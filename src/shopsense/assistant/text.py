"""Tokens for lexical retrieval in Chinese and English, and the small text facts every part needs.

Chinese runs are segmented with jieba (Sun 2012, prefix-dictionary DAG + HMM for unknown words); Latin
words are lower-cased, English stop words dropped and the rest Snowball-stemmed (PyStemmer), so that
"refunds"/"refunding" and "退款" both become matchable terms for BM25.
"""

from __future__ import annotations

import re
from functools import cache

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[a-z0-9]+(?:['.][a-z0-9]+)*")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_ZH_STOP = frozenset("的 了 吗 呢 吧 啊 是 我 你 在 有 和 也 就 都 这 那 个 一 不 请 要".split())


def is_chinese(text: str) -> bool:
    """True when the text holds any CJK ideograph (we answer in Chinese then)."""
    return _CJK.search(text) is not None


@cache
def _stemmer():  # noqa: ANN202 - PyStemmer has no type stubs
    import Stemmer

    return Stemmer.Stemmer("english")


@cache
def _english_stop_words() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


@cache
def _jieba():  # noqa: ANN202
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    return jieba


def tokenize(text: str) -> list[str]:
    """Stemmed English words and jieba-segmented Chinese words, stop words removed, in text order."""
    text = text.lower()
    tokens: list[str] = []
    position = 0
    for run in _CJK_RUN.finditer(text):
        tokens += _latin(text[position : run.start()])
        tokens += [w for w in _jieba().lcut(run.group()) if w not in _ZH_STOP]
        position = run.end()
    tokens += _latin(text[position:])
    return tokens


def _latin(text: str) -> list[str]:
    words = [w for w in _WORD.findall(text) if w not in _english_stop_words()]
    return _stemmer().stemWords(words) if words else []


def tokenize_many(texts: list[str]) -> list[list[str]]:
    # an empty document still needs one token for bm25s; "\x00" never matches a query
    return [tokenize(t) or ["\x00"] for t in texts]
