"""Statistics for A/B results: confidence intervals and tests of a variant against the control.

* Proportion p = x / n (click-through over impressions, conversion over users), Wilson score interval
  (Wilson, JASA 1927), z = Φ⁻¹(1 - α/2):

      centre = (p + z²/2n) / (1 + z²/n),   half = z / (1 + z²/n) · sqrt(p(1 - p)/n + z²/4n²)

* Difference of two proportions, pooled two-sided z-test: p̂ = (x₁ + x₀)/(n₁ + n₀),

      z = (p₁ - p₀) / sqrt(p̂(1 - p̂)(1/n₁ + 1/n₀)),   p-value = 2(1 - Φ(|z|))

* Mean of a per-user value (revenue per user): mean ± t_{n-1, 1-α/2} · s/√n; difference of two means by
  Welch's unequal-variance t-test (Welch, Biometrika 1947; ``scipy.stats.ttest_ind(equal_var=False)``).

Peeking guard (fixed-horizon design): an experiment declares its sample size (``min_users_per_variant``)
when it is created. Looking at results before every variant has reached it and stopping on a small
p-value inflates the false-positive rate far above α (Johari et al., "Peeking at A/B tests", KDD 2017),
so until then ``significant`` is null and the verdict is "collecting"; once reached, each of the k - 1
comparisons with the control is judged at α / (k - 1) (Bonferroni).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float
    high: float


@dataclass(frozen=True)
class Test:
    statistic: float
    p_value: float


def wilson(x: int, n: int, alpha: float = 0.05) -> Estimate:
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan)
    z = stats.norm.ppf(1 - alpha / 2)
    p = x / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return Estimate(p, centre - half, centre + half)


def two_proportion_ztest(x1: int, n1: int, x0: int, n0: int) -> Test:
    if n1 == 0 or n0 == 0:
        return Test(math.nan, math.nan)
    pooled = (x1 + x0) / (n1 + n0)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    if spread == 0:
        return Test(0.0, 1.0)
    z = (x1 / n1 - x0 / n0) / spread
    return Test(z, 2 * stats.norm.sf(abs(z)))


def mean_interval(values: np.ndarray, alpha: float = 0.05) -> Estimate:
    n = len(values)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan)
    mean = float(np.mean(values))
    if n == 1:
        return Estimate(mean, math.nan, math.nan)
    half = stats.t.ppf(1 - alpha / 2, n - 1) * float(np.std(values, ddof=1)) / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half)


def welch_ttest(values1: np.ndarray, values0: np.ndarray) -> Test:
    if len(values1) < 2 or len(values0) < 2:
        return Test(math.nan, math.nan)
    if np.var(values1) == 0 and np.var(values0) == 0:
        return Test(0.0, 1.0) if np.mean(values1) == np.mean(values0) else Test(math.inf, 0.0)
    result = stats.ttest_ind(values1, values0, equal_var=False)
    return Test(float(result.statistic), float(result.pvalue))
