"""The search service over the live catalogue: builds the index from the database and keeps it fresh.

Every ``check_seconds`` a request looks at the index version (item count, newest ``updated_ms``, the
synonym rules, the saved ranker's mtime), so an edit made through any server process or the CLI reaches
every process; a change, ``invalidate`` or signals older than ``signals_seconds`` start a rebuild in a
background thread while the previous snapshot keeps answering, then the new one is swapped in. Builds
are incremental where it matters: analysed tokens are cached per item text, passage vectors per text
hash on disk (``<data_dir>/search/embeddings``), so an upsert costs the re-analysis and encoding of the
changed items plus re-indexing — seconds for tens of thousands of items.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shopsense.domain import Item
from shopsense.profiles.items import category_key
from shopsense.profiles.model import active_model
from shopsense.search.dense import E5Encoder, EmbeddingCache
from shopsense.search.engine import SearchEngine
from shopsense.search.facts import ItemFacts
from shopsense.search.features import FIELDS
from shopsense.search.index import SearchDoc, SearchIndex
from shopsense.search.intent import CategoryIntent
from shopsense.search.query import QueryParser
from shopsense.search.ranker import FusionRanker, LambdaRanker, Ranker
from shopsense.search.shop import ShopSearch
from shopsense.search.store import SearchStore
from shopsense.search.suggest import Suggester
from shopsense.search.synonyms import Synonyms
from shopsense.search.text import Analyzer
from shopsense.storage import Database

log = logging.getLogger("shopsense.search")


def ranker_dir(models_dir: Path) -> Path:
    return Path(models_dir) / "search" / "ranker"


def load_ranker(models_dir: Path) -> Ranker:
    """The trained LambdaRank model when one was saved (``shopsense search train-ranker``), else the fusion."""
    folder = ranker_dir(models_dir)
    if (folder / "model.txt").exists():
        try:
            return LambdaRanker.load(folder)
        except ValueError as exc:
            log.warning("ignoring the search ranker in %s: %s", folder, exc)
    return FusionRanker()


@dataclass
class Snapshot:
    version: tuple[int, ...]
    built_at: float
    search: ShopSearch
    suggester: Suggester


class SearchService:
    def __init__(self, db: Database, data_dir: Path, *, models_dir: Path | None = None, dense: bool = True,
                 check_seconds: float = 1.0, signals_seconds: float = 60.0) -> None:  # fmt: skip
        self.db = db
        self.store = SearchStore(db.engine)
        self.data_dir = Path(data_dir)
        self.models_dir = Path(models_dir) if models_dir is not None else self.data_dir / "models"
        self.encoder = E5Encoder() if dense else None
        self.analyzer = Analyzer(han_bigrams=True)
        self.check_seconds = check_seconds
        self.signals_seconds = signals_seconds
        self._tokens: dict[tuple[str, str], dict[str, list[str]]] = {}
        self._snapshot: Snapshot | None = None
        self._checked = 0.0
        self._stale = False
        self._lock = threading.Lock()
        self._building: threading.Thread | None = None

    def invalidate(self) -> None:
        """Rebuild on the next request (synonyms changed, a ranker was trained)."""
        self._stale = True
        self._checked = 0.0

    def current(self) -> Snapshot:
        """The newest snapshot; the first call builds one, later ones start background rebuilds when stale."""
        if self._snapshot is None:
            with self._lock:
                if self._snapshot is None:
                    self._snapshot = self.build()
            return self._snapshot
        now = time.monotonic()
        if now - self._checked >= self.check_seconds:
            self._checked = now
            old = self._snapshot
            if self._stale or self.version() != old.version or now - old.built_at > self.signals_seconds:
                self._rebuild_in_background()
        return self._snapshot

    def version(self) -> tuple[int, ...]:
        """What the snapshot is built from: the store's index version and the saved ranker's mtime."""
        model = ranker_dir(self.models_dir) / "model.txt"
        return (*self.store.index_version(), model.stat().st_mtime_ns if model.exists() else 0)

    def wait(self) -> None:
        """Block until a running background rebuild is done (tests, CLI)."""
        thread = self._building
        if thread is not None:
            thread.join()

    def _rebuild_in_background(self) -> None:
        with self._lock:
            if self._building is not None and self._building.is_alive():
                return
            self._stale = False
            self._building = threading.Thread(target=self._rebuild, name="search-rebuild", daemon=True)
            self._building.start()

    def _rebuild(self) -> None:
        try:
            self._snapshot = self.build()
        except Exception:
            log.exception("search index rebuild failed; serving the previous index")

    def _field_tokens(self, docs: Sequence[SearchDoc]) -> dict[str, list[list[str]]]:
        cache: dict[tuple[str, str], dict[str, list[str]]] = {}
        for d in docs:
            key = (d.doc_id, "\x00".join(d.field(f) for f in FIELDS))
            cache[key] = self._tokens.get(key) or {f: self.analyzer.tokens(d.field(f)) for f in FIELDS}
        self._tokens = cache  # keeps only the current items' entries
        return {f: [entry[f] for entry in cache.values()] for f in FIELDS}

    def build(self) -> Snapshot:
        """A fresh snapshot from the database (items, synonyms, clicks, sales, past queries, ranker)."""
        version = self.version()
        items: list[Item] = list(self.db.catalog.iter_items())
        docs = [SearchDoc.from_item(i) for i in items]
        past = self.store.past_queries()
        vectors = None
        if self.encoder is not None and docs:
            vectors = EmbeddingCache(self.data_dir / "search" / "embeddings", self.encoder).embed([d.passage for d in docs])
        fields = self._field_tokens(docs)
        index = SearchIndex(docs, self.analyzer, vectors, extra_vocabulary=list(past), field_tokens=fields)
        clicks = self.store.query_clicks()
        category_of = {i.item_id: category_key(i.category) or "" for i in items}
        intent = CategoryIntent().fit(
            ((category_of[d.doc_id], t + c) for d, t, c in zip(docs, fields["title"], fields["category"])),
            ((category_of[item], self.analyzer.tokens(q)) for q, counts in clicks.items() for item in counts
             if item in category_of),
        )  # fmt: skip
        synonyms = Synonyms(rule for _, rule in self.store.synonyms())
        parser = QueryParser(self.analyzer, speller=index.speller, synonyms=synonyms, intent=intent)
        engine = SearchEngine(index, parser, self.encoder, load_ranker(self.models_dir))
        facts = ItemFacts.from_items(items, active_model(self.db).price_quartiles)
        shop = ShopSearch(engine, facts, clicks=clicks, sales=self.store.sales())
        return Snapshot(version, time.monotonic(), shop, Suggester(past, [d.title for d in docs]))
