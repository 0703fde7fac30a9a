"""The assistant: one turn = classify, plan with the session's context, gather facts, word them, store the turn.

Indexes (intent classifier, knowledge sections, catalogue) are built on first use and rebuilt when the
knowledge documents or the catalogue change; facts are always re-read from the database at answer time,
so a price or stock flag in an answer is the stored value even right after an update.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shopsense.assistant import facts
from shopsense.assistant.context import Plan, plan_turn
from shopsense.assistant.draft import Draft, ShownItem, Source
from shopsense.assistant.embeddings import Encoder
from shopsense.assistant.generate import LanguageModelComposer, LlamaCppChat, OpenAIChat, TemplateComposer, packaged_gemma
from shopsense.assistant.intents import IntentClassifier, seed_utterances
from shopsense.assistant.knowledge import KnowledgeBase
from shopsense.assistant.options import AssistantOptions
from shopsense.assistant.orders import find_order, user_orders
from shopsense.assistant.phrases import say
from shopsense.assistant.prices import parse_price_limits
from shopsense.assistant.products import CatalogFinder, CoPurchases, ProductFinder, Related, catalog_version
from shopsense.assistant.store import AssistantStore, Turn
from shopsense.assistant.text import is_chinese
from shopsense.domain import Item
from shopsense.storage import Database

ORDER_INTENTS = frozenset({"track_order", "cancel_order", "change_order", "get_refund", "track_refund",
                           "check_invoice", "get_invoice"})  # fmt: skip
SHOWN = 5


@dataclass(frozen=True)
class Reply:
    turn_id: str
    answer: str
    intent: str
    confidence: float
    sources: list[Source]
    items: list[ShownItem]
    handoff: bool
    grounded: bool
    generator: str


class Assistant:
    def __init__(
        self, db: Database, *, encoder: Encoder | None = None, options: AssistantOptions | None = None,
        models_dir: Path | None = None, finder: ProductFinder | None = None, related: Related | None = None,
        classifier: IntentClassifier | None = None,
    ) -> None:  # fmt: skip
        """``finder``/``related``/``classifier`` replace the defaults (catalogue search, co-purchases, the
        classifier trained on the seed utterances plus ``options.intent_data``)."""
        self.db = db
        self.store = AssistantStore(db.engine)
        self.encoder = encoder or Encoder()
        self.options = options or AssistantOptions()
        self.models_dir = models_dir or Path("shopsense-data") / "models"
        self._finder = finder
        self._related = related or CoPurchases(db.engine)
        self._classifier = classifier
        self._lock = threading.Lock()
        self._cached: dict[str, tuple[object, object]] = {}
        self.composer = self._composer()

    # -- indexes, rebuilt when their source changes ------------------------------------------------------
    def _cached_build(self, name: str, version: object, build):  # noqa: ANN001, ANN202
        with self._lock:
            held = self._cached.get(name)
            if held is None or held[0] != version:
                held = (version, build())
                self._cached[name] = held
            return held[1]

    @property
    def classifier(self) -> IntentClassifier:
        if self._classifier is not None:
            return self._classifier
        return self._cached_build("intents", self.options.intent_data, self._train_classifier)

    def _train_classifier(self) -> IntentClassifier:
        texts, intents = seed_utterances()
        if self.options.intent_data is not None:
            from shopsense.data.assistant_sets import load_bitext

            extra = load_bitext(self.options.intent_data)
            texts, intents = texts + extra.texts, intents + extra.intents
        return IntentClassifier(self.encoder).fit(texts, intents)

    @property
    def knowledge(self) -> KnowledgeBase:
        return self._cached_build("knowledge", self.store.knowledge_version(),
                                  lambda: KnowledgeBase(self.store.documents(), self.encoder))  # fmt: skip

    @property
    def catalog(self) -> CatalogFinder:
        return self._cached_build("catalog", catalog_version(self.db.engine),
                                  lambda: CatalogFinder(list(self.db.catalog.iter_items()), self.encoder))  # fmt: skip

    def _composer(self):  # noqa: ANN202
        llm = self.options.llm
        if not llm:
            return TemplateComposer()
        kind, _, target = llm.partition(":")
        if kind == "openai":
            chat = OpenAIChat(target, self.options.llm_model, self.options.llm_key)
        else:
            chat = LlamaCppChat(packaged_gemma(self.models_dir) if target == "packaged" else Path(target))
        return LanguageModelComposer(chat, lambda: [(i.item_id, i.title) for i in self.catalog.items], kind)

    # -- one turn ----------------------------------------------------------------------------------------
    def reply(self, user_id: str, session_id: str, message: str) -> Reply:
        zh = is_chinese(message)
        vector = self.encoder.query(message)
        guess = self.classifier.predict([message], vector[None, :])[0]
        recent = self.store.recent_turns(session_id, user_id)
        named = self.catalog.named(message)
        asks_fact = bool(facts.asked_aspects(message, named[0])) if named else facts.asks_price_or_stock(message)
        plan = plan_turn(message, guess, recent, [i.item_id for i in named], self.options.min_confidence, asks_fact=asks_fact)
        draft = self._draft(plan, user_id, message, vector, zh)
        answer, generator = self.composer.compose(message, draft, zh)
        seq = recent[0].seq + 1 if recent else 1
        turn = Turn(uuid.uuid4().hex, session_id, seq, user_id, message, answer, plan.intent, plan.confidence,
                    draft.handoff, draft.grounded, draft.state)  # fmt: skip
        self.store.add_turn(turn)
        return Reply(turn.turn_id, answer, plan.intent, round(plan.confidence, 4), draft.sources, draft.items,
                     draft.handoff, draft.grounded, generator)  # fmt: skip

    def _draft(self, plan: Plan, user_id: str, message: str, vector, zh: bool) -> Draft:  # noqa: ANN001 - (384,) array
        if plan.clarify:
            return facts.clarify(plan.intent, plan.runner_up, zh)
        if plan.intent in ("complaint", "contact_human_agent"):
            return Draft(lines=[say("handoff", zh)], handoff=True)
        if plan.intent == "small_talk":
            return Draft(lines=[say("greeting", zh)])
        if plan.intent == "out_of_scope":
            return Draft(lines=[say("out_of_scope", zh)], grounded=False)
        if plan.intent == "product_question":
            return self._product_question(plan, message, zh)
        if plan.intent == "product_search":
            return self._search(plan.search_text or message, vector if not plan.search_text else None, zh)
        if plan.intent == "recommendation":
            return self._recommend(plan, zh)
        hits = self.knowledge.search(message, query_vector=vector)
        if plan.intent in ORDER_INTENTS:
            order = find_order(user_orders(self.db.events, user_id), message)
            ids = [line.item_id for line in order.lines] if order else []
            draft = facts.order_facts(order, self.db.catalog.get_items(ids), zh)
            if hits:
                policy = facts.policy(hits, zh)
                draft.lines += policy.lines
                draft.sources += policy.sources
            return draft
        return facts.policy(hits, zh)

    def _products(self, ids: Sequence[str]) -> list[Item]:
        found = self.db.catalog.get_items(list(ids))
        return [found[i] for i in ids if i in found]

    def _product_question(self, plan: Plan, message: str, zh: bool) -> Draft:
        products = self._products(plan.referents)
        if not products:
            return Draft(lines=[say("which_product", zh)], grounded=False)
        aspects = facts.asked_aspects(message, products[0]) or plan.aspects or ["price", "stock"]
        draft = facts.product_facts(products, aspects, zh)
        draft.state["query"] = products[0].title
        return draft

    def _search(self, text: str, vector, zh: bool) -> Draft:  # noqa: ANN001
        limits, words = parse_price_limits(text)
        finder = self._finder or self.catalog
        candidates = finder.find(words, limits, SHOWN, query_vector=vector if words == text else None)
        currency = next((i.currency for i in self.catalog.items if i.currency), "")
        draft = facts.search_results(candidates, self.db.catalog.get_items([c.item_id for c in candidates]),
                                     limits, currency, zh)  # fmt: skip
        draft.state["query"] = text
        return draft

    def _recommend(self, plan: Plan, zh: bool) -> Draft:
        products = self._products(plan.referents)
        if not products:
            return Draft(lines=[say("which_product", zh)], grounded=False)
        candidates = self._related.related(products[0].item_id, SHOWN)
        catalogue = {k: v for k, v in self.db.catalog.get_items([c.item_id for c in candidates]).items() if not v.hidden}
        return facts.related_items(products[0], candidates, catalogue, zh)
