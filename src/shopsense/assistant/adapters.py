"""The assistant's seams filled by the product search (issue #4) and the recommendation serving layer (#6).

``ShopSearchFinder`` asks ``shopsense.search`` (BM25 + dense + learned ranker, filters) with the message's
price limits as filters; ``ServingRelated`` asks ``shopsense.serving`` for the ``also_bought`` scenario and
falls back to :class:`CoPurchases` while no model is served. Imports happen on use, so the assistant runs
without either.
"""

from __future__ import annotations

import numpy as np

from shopsense.assistant.prices import PriceLimits
from shopsense.assistant.products import Related
from shopsense.domain import Candidate


class ShopSearchFinder:
    def __init__(self, service) -> None:  # noqa: ANN001 - shopsense.search.live.SearchService
        self.service = service

    def find(self, text: str, limits: PriceLimits, k: int, *, query_vector: np.ndarray | None = None) -> list[Candidate]:
        from shopsense.search.filters import Filters
        from shopsense.search.shop import SearchRequest

        request = SearchRequest(text, filters=Filters(price_min=limits.low, price_max=limits.high), n=k)
        result = self.service.current().search.search(request)
        return [Candidate(h.item_id, h.score, h.source, h.reason) for h in result.hits[:k]]


class ServingRelated:
    def __init__(self, runtime, fallback: Related) -> None:  # noqa: ANN001 - shopsense.serving.runtime.Runtime
        self.runtime = runtime
        self.fallback = fallback

    def related(self, item_id: str, k: int) -> list[Candidate]:
        from shopsense.serving.pipeline import RecommendationRequest
        from shopsense.serving.runtime import ServingUnavailable

        try:
            result = self.runtime.recommend(RecommendationRequest("assistant", scenario="also_bought", n=k, items=(item_id,)))
        except ServingUnavailable:
            return self.fallback.related(item_id, k)
        found = [Candidate(r.id, r.score, r.source, r.reason) for r in result.items]
        return found or self.fallback.related(item_id, k)
