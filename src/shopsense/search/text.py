"""Text analysis shared by indexing and querying: normalisation, language detection, tokens.

- ``normalize``: Unicode NFKC (full-width letters, digits and punctuation become half-width, "Ｉｐｈｏｎｅ１５"
  -> "iphone15"), case folding, and every punctuation mark but the decimal point / fraction slash inside
  a number turned into a space.
- ``detect_language``: "zh" when Han characters make up at least half of the letters, "en" when there
  are none, "mixed" otherwise ("iPhone 15 手机壳").
- ``Analyzer.tokens``: Latin words are split from digits ("18v" -> "18", "v"), unit abbreviations are
  spelt out (``UNITS``: "v" -> "volt", "in" -> "inch"), English words are Snowball-stemmed (PyStemmer);
  runs of Han characters are cut by jieba in search mode (words plus their shorter sub-words), and with
  ``han_bigrams`` also into overlapping character bigrams, which find titles whose segmentation differs
  from the query's.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_PUNCT = re.compile(r"(?<![0-9])[./]|[./](?![0-9])|[^\w./" + HAN + r"]|_")
_PIECES = re.compile(r"[0-9]+(?:[./][0-9]+)*|[^\W\d_" + HAN + r"]+|[" + HAN + r"]+")
_HAN_CHAR = re.compile("[" + HAN + "]")
_LETTER = re.compile(r"[^\W\d_]")

# unit spellings -> one canonical token (applied before stemming)
UNITS = {
    "v": "volt", "volts": "volt", "in": "inch", "inches": "inch", "ft": "foot", "feet": "foot",
    "lb": "pound", "lbs": "pound", "pounds": "pound", "gal": "gallon", "gallons": "gallon",
    "oz": "ounce", "ounces": "ounce", "w": "watt", "watts": "watt", "amp": "amp", "amps": "amp",
    "a": "amp", "yd": "yard", "yds": "yard", "qt": "quart", "sq": "square", "cu": "cubic",
    "mm": "millimeter", "cm": "centimeter", "kg": "kilogram", "btu": "btu", "mah": "mah",
}  # fmt: skip
STOPWORDS = frozenset(
    ["the", "of", "and", "for", "with", "to", "by", "on", "at", "or", "from", "is", "are", "be", "this", "that", "it", "as", "an"]
)  # "a" and "in" are units in product text, never dropped


def fold(text: str) -> str:
    """NFKC (full-width -> half-width) and case folding."""
    return unicodedata.normalize("NFKC", text).casefold()


def normalize(text: str) -> str:
    """Folded, punctuation -> spaces (keeping 1.5 and 1/2), single spaces."""
    return " ".join(_PUNCT.sub(" ", fold(text)).split())


def detect_language(text: str) -> str:
    """"zh", "en" or "mixed" from the share of Han characters among the letters."""
    letters = len(_LETTER.findall(text))
    han = len(_HAN_CHAR.findall(text))
    if han == 0:
        return "en"
    return "zh" if han * 2 >= letters else "mixed"


@lru_cache(maxsize=1)
def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


class Analyzer:
    """Turns text into index/query tokens; the same analyzer must be used for both sides."""

    def __init__(self, *, han_bigrams: bool = False, stem: bool = True, stopwords: bool = True) -> None:
        self.han_bigrams = han_bigrams
        self.stem = stem
        self.stopwords = stopwords

    @staticmethod
    def pieces(text: str) -> list[str]:
        """Normalised runs of digits, of Latin letters and of Han characters, in order."""
        return _PIECES.findall(normalize(text))

    def words(self, text: str) -> list[str]:
        """Surface words before stemming: numbers, Latin words (units spelt out), Han words."""
        out: list[str] = []
        for piece in self.pieces(text):
            if _HAN_CHAR.match(piece):
                out.extend(w for w in _jieba().cut_for_search(piece) if w.strip())
            elif not (self.stopwords and piece in STOPWORDS):
                out.append(UNITS.get(piece, piece))
        return out

    def tokens(self, text: str) -> list[str]:
        """Index/query tokens: stemmed words, plus Han character bigrams when enabled."""
        words = self.words(text)
        if self.stem:
            stem = _stemmer().stemWord
            words = [w if _HAN_CHAR.match(w) or w[0].isdigit() else stem(w) for w in words]
        if self.han_bigrams:
            for run in re.findall("[" + HAN + "]{2,}", normalize(text)):
                words.extend(run[i : i + 2] for i in range(len(run) - 1))
        return words
