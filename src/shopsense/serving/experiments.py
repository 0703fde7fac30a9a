"""A/B experiments: definitions, and deterministic bucketing of users into variants.

A user's bucket is a uniform number from a hash of (experiment id, user id),

    h(u) = int(SHA-256("<experiment_id>:<user_id>")[:8]) / 2^64 ∈ [0, 1)

The user takes part when h(u) < traffic; their variant is the one whose share of the cumulative weights
holds h(u) / traffic. The same user always gets the same variant, different experiments split users
independently, and no assignment table is needed. Each variant is a pipeline configuration: rule
overrides (``ScenarioRules`` fields) and/or pinned model versions per registry slot. The first variant is
the control that the others are compared with (``abstats``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from shopsense.serving.rules import RulesError, ScenarioRules

ID_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class ExperimentError(ValueError):
    """An experiment definition cannot be used; the message says what to change."""


@dataclass(frozen=True)
class Variant:
    name: str
    weight: float
    rules: dict[str, Any]  # ScenarioRules overrides (validated)
    models: dict[str, str]  # registry slot -> version


@dataclass(frozen=True)
class Experiment:
    experiment_id: str
    scenario: str
    variants: tuple[Variant, ...]
    traffic: float = 1.0
    min_users_per_variant: int = 1_000  # planned sample size; no verdict before it (see abstats)
    alpha: float = 0.05
    description: str = ""

    def assign(self, user_id: str) -> Variant | None:
        """The user's variant, or None when the user is outside the experiment's traffic."""
        h = bucket(self.experiment_id, user_id)
        if h >= self.traffic:
            return None
        point = h / self.traffic * sum(v.weight for v in self.variants)
        for variant in self.variants:
            point -= variant.weight
            if point < 0:
                return variant
        return self.variants[-1]

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario, "traffic": self.traffic, "min_users_per_variant": self.min_users_per_variant,
            "alpha": self.alpha, "description": self.description,
            "variants": [{"name": v.name, "weight": v.weight, "rules": v.rules, "models": v.models} for v in self.variants],
        }  # fmt: skip


def bucket(experiment_id: str, user_id: str) -> float:
    """h(u) of the module docstring."""
    digest = hashlib.sha256(f"{experiment_id}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def parse_experiment(experiment_id: str, doc: Any, scenarios: set[str]) -> Experiment:
    """Validate a definition document (as stored or as sent to the API) into an Experiment."""
    if not ID_PATTERN.match(experiment_id):
        raise ExperimentError("experiment ids are 1-64 letters, digits, '_', '-' or '.'")
    if not isinstance(doc, dict):
        raise ExperimentError("an experiment is a JSON object")
    allowed = {"scenario", "variants", "traffic", "min_users_per_variant", "alpha", "description"}
    if unknown := sorted(set(doc) - allowed):
        raise ExperimentError(f"unknown experiment fields: {', '.join(unknown)}")
    if doc.get("scenario") not in scenarios:
        raise ExperimentError(f"scenario must be one of {', '.join(sorted(scenarios))}")
    variants = doc.get("variants")
    if not isinstance(variants, list) or len(variants) < 2:
        raise ExperimentError("variants must be a list of at least two (the first is the control)")
    parsed = tuple(_variant(v) for v in variants)
    if len({v.name for v in parsed}) != len(parsed):
        raise ExperimentError("variant names must be unique")
    traffic, alpha = doc.get("traffic", 1.0), doc.get("alpha", 0.05)
    min_users = doc.get("min_users_per_variant", 1_000)
    if isinstance(traffic, bool) or not isinstance(traffic, (int, float)) or not 0 < traffic <= 1:
        raise ExperimentError("traffic must be a number in (0, 1]")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 0.5:
        raise ExperimentError("alpha must be a number in (0, 0.5)")
    if isinstance(min_users, bool) or not isinstance(min_users, int) or min_users < 1:
        raise ExperimentError("min_users_per_variant must be a positive integer")
    description = doc.get("description", "")
    if not isinstance(description, str):
        raise ExperimentError("description must be a string")
    return Experiment(experiment_id, doc["scenario"], parsed, float(traffic), min_users, float(alpha), description)


def _variant(doc: Any) -> Variant:
    if not isinstance(doc, dict) or not isinstance(doc.get("name"), str) or not ID_PATTERN.match(doc["name"]):
        raise ExperimentError("each variant needs a name of 1-64 letters, digits, '_', '-' or '.'")
    if unknown := sorted(set(doc) - {"name", "weight", "rules", "models"}):
        raise ExperimentError(f"variant {doc['name']}: unknown fields {', '.join(unknown)}")
    weight = doc.get("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not weight > 0:
        raise ExperimentError(f"variant {doc['name']}: weight must be a positive number")
    rules, models = doc.get("rules", {}), doc.get("models", {})
    try:
        ScenarioRules().merged(rules)
    except RulesError as exc:
        raise ExperimentError(f"variant {doc['name']}: {exc}") from None
    if not isinstance(models, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in models.items()):
        raise ExperimentError(f"variant {doc['name']}: models must map registry names to versions")
    return Variant(doc["name"], float(weight), rules, models)
