"""Model names (as typed on the command line) -> factories that return a fresh, unfitted model.

A factory called with no arguments gives the model with its default hyper-parameters; keyword
arguments override them (the benchmark passes each candidate of a tuning grid this way). Factories
import their module only when called, so reading the registry never imports torch.

To add a model, add one line to the right dict:

    RECOMMENDERS["ease"] = lazy("shopsense.models.ease", "EASE")      # implements models.base.Recommender
    RATING_MODELS["svdpp"] = lazy("shopsense.models.svdpp", "SVDpp")  # implements models.base.RatingModel
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy(module: str, attribute: str) -> Callable[..., Any]:
    """A factory that imports ``module`` on first call and returns ``module.attribute(**hyper_parameters)``."""

    def model_class() -> type:
        return getattr(importlib.import_module(module), attribute)

    def factory(**hyper_parameters: Any) -> Any:
        return model_class()(**hyper_parameters)

    factory.__qualname__ = f"lazy({module}.{attribute})"
    factory.model_class = model_class  # the class itself, e.g. for ``load``
    return factory


RECOMMENDERS: dict[str, Callable[..., Any]] = {
    "popularity": lazy("shopsense.models.popularity", "Popularity"),
    "itemknn": lazy("shopsense.models.itemknn", "ItemKNN"),
    "als": lazy("shopsense.models.implicit_mf", "ALS"),
    "bpr": lazy("shopsense.models.implicit_mf", "BPR"),
    "ease": lazy("shopsense.models.ease", "EASE"),
    "sasrec": lazy("shopsense.models.sasrec", "SASRec"),
    "blend": lazy("shopsense.models.blend", "Blend"),
}

RATING_MODELS: dict[str, Callable[..., Any]] = {
    "baseline": lazy("shopsense.models.rating_baseline", "BaselinePredictor"),
    "knn-baseline": lazy("shopsense.models.rating_knn", "KNNBaseline"),
    "svdpp": lazy("shopsense.models.rating_svdpp", "SVDpp"),
    "rating-blend": lazy("shopsense.models.rating_blend", "RatingBlend"),
}
