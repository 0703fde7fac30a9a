"""Customer-service benchmark sets for the shopping assistant; every loader takes the path of its file(s).

- Bitext customer-service intents (``bitext_customer_service_8k.csv``; CDLA-Sharing-1.0, benchmark only):
  ``flags,utterance,category,intent``, 27 intents in 11 categories.
- Amazon QA, Appliances (McAuley & Yang, "Addressing Complex and Subjective Product-Related Queries with
  Customer Reviews", WWW 2016): one Python-literal dict per line, gzip-compressed (``ast.literal_eval``).
- JDDC 2018 (Chen et al., "The JDDC Corpus", LREC 2020), baseline extract: ``<split>.enc`` holds a
  multi-turn context per line (turns joined by ","), ``<split>.dec`` the agent's next reply on the same line.
"""

from __future__ import annotations

import ast
import gzip
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class IntentSet:
    texts: list[str]
    intents: list[str]
    categories: list[str]


@dataclass(frozen=True)
class QAPair:
    product_id: str
    question: str
    answer: str


@dataclass(frozen=True)
class Dialogue:
    context: list[str]  # turns, oldest first
    reply: str


def load_bitext(path: str | Path) -> IntentSet:
    """The Bitext CSV (a leading BOM is tolerated); rows without an utterance or intent are dropped."""
    frame = pd.read_csv(path, dtype="str", keep_default_na=False, encoding="utf-8-sig")
    missing = {"utterance", "intent", "category"} - set(frame.columns)
    if missing:
        raise ValueError(f"{path}: not a Bitext file, missing columns {', '.join(sorted(missing))}")
    frame = frame[(frame["utterance"].str.strip() != "") & (frame["intent"] != "")]
    return IntentSet(frame["utterance"].str.strip().tolist(), frame["intent"].tolist(), frame["category"].tolist())


def load_amazon_qa(path: str | Path) -> list[QAPair]:
    """QA pairs with a non-empty question and answer, in file order."""
    opener = gzip.open if str(path).endswith(".gz") else open
    pairs = []
    with opener(path, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = ast.literal_eval(line)
            except (ValueError, SyntaxError) as exc:
                raise ValueError(f"{path}:{number}: not a Python-literal dict ({exc})") from None
            question, answer = str(record.get("question", "")).strip(), str(record.get("answer", "")).strip()
            if question and answer and record.get("asin"):
                pairs.append(QAPair(str(record["asin"]), question, answer))
    return pairs


def load_jddc(enc_path: str | Path) -> list[Dialogue]:
    """A ``.enc`` context file and the ``.dec`` reply file beside it (same stem), aligned line by line."""
    enc_path = Path(enc_path)
    dec_path = enc_path.with_suffix(".dec")
    contexts = enc_path.read_text(encoding="utf-8").splitlines()
    replies = dec_path.read_text(encoding="utf-8").splitlines()
    if len(contexts) != len(replies):
        raise ValueError(f"{enc_path} has {len(contexts)} lines but {dec_path} has {len(replies)}")
    return [
        Dialogue([turn for turn in context.split(",") if turn.strip()], reply.strip())
        for context, reply in zip(contexts, replies)
        if context.strip() and reply.strip()
    ]
