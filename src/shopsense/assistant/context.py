"""Deciding what a turn is about: the classifier's guess, corrected by the conversation so far.

Rules, in order: an explicit request for a person or a complaint hands off; a question for a price, stock
or attribute of a product the message names is a product question; a classifier guess of complaint or
human agent hands off; a pronoun ("it", "this", "这个", "它") with no product named refers to the product
last asked about (every item of that title), else to the first item last shown; a continuation
("and in red?", "what about …", "那…呢？") of a shopping turn carries its intent and search words over;
a product named in the message makes it a product question unless the classifier is confident of
something else; a guess below the confidence threshold becomes a clarifying question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shopsense.assistant.intents import HANDOFF_INTENTS, IntentGuess, asks_for_human
from shopsense.assistant.store import Turn

SHOPPING = ("product_question", "product_search", "recommendation")
_PRONOUN = re.compile(r"\b(it|this|that|this one|that one|them|these|those)\b|这个|那个|这款|那款|它|这件|那件", re.I)
_CONTINUATION = re.compile(r"^\s*(and|what about|how about|also|or)\b|^\s*(那|还有|那么|再)|呢\s*[?？]?\s*$", re.I)
_COMPLAINT = re.compile(r"complain|投诉", re.I)


@dataclass(frozen=True)
class Plan:
    intent: str
    confidence: float
    runner_up: str
    referents: list[str] = field(default_factory=list)  # item ids the turn is about
    search_text: str = ""  # for product_search: the words to match (price limits still inside)
    aspects: list[str] = field(default_factory=list)  # carried from the previous turn
    clarify: bool = False


def plan_turn(
    message: str, guess: IntentGuess, recent: list[Turn], named: list[str], min_confidence: float, *, asks_fact: bool = False
) -> Plan:
    """``recent``: the session's turns, newest first; ``named``: ids of the catalogue items the message names;
    ``asks_fact``: the message asks for a price, stock or attribute."""
    carried = dict(confidence=guess.confidence, runner_up=guess.runner_up)
    if asks_for_human(message):
        return Plan("complaint" if _COMPLAINT.search(message) else "contact_human_agent", **carried)
    if named and asks_fact:
        return Plan("product_question", referents=named, **carried)
    if guess.intent in HANDOFF_INTENTS:
        return Plan(guess.intent, **carried)
    previous = recent[0] if recent else None
    # what "it" means: the items of the newest turn that showed any (a clarifying turn in between keeps them)
    state = next((t.state for t in recent if t.state.get("items")), {})
    shown = [str(i) for i in state.get("items", [])]
    focus = [str(i) for i in state.get("focus", [])] or shown[:1]  # all items of one title, else the first shown
    if _PRONOUN.search(message) and not named and shown:
        if guess.intent == "recommendation":
            return Plan("recommendation", referents=focus[:1], **carried)
        if guess.intent in SHOPPING or guess.confidence < 0.5 or asks_fact or _CONTINUATION.search(message):
            return Plan("product_question", referents=focus, aspects=list(state.get("aspects", [])), **carried)
    if _CONTINUATION.search(message) and previous is not None and previous.intent in SHOPPING and not named:
        base = previous.state.get("query", "")
        return Plan("product_search", search_text=f"{base} {message}".strip(), **carried)
    if named and (guess.intent in ("product_question", "small_talk", "out_of_scope") or guess.confidence < min_confidence):
        return Plan("product_question", referents=named, **carried)
    if guess.confidence < min_confidence:
        return Plan(guess.intent, clarify=True, **carried)
    return Plan(guess.intent, referents=named, search_text=message, **carried)
