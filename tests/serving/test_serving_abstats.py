"""A/B statistics against values worked out by hand (formulas in serving/abstats.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from shopsense.serving import abstats

Z95 = 1.959963984540054


def test_wilson_interval_matches_the_formula_and_the_textbook_value() -> None:
    e = abstats.wilson(30, 100)
    p, n = 0.3, 100
    d = 1 + Z95**2 / n
    centre, half = (p + Z95**2 / (2 * n)) / d, Z95 / d * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n))
    assert (e.value, e.low, e.high) == pytest.approx((0.3, centre - half, centre + half), abs=1e-12)
    assert (e.low, e.high) == pytest.approx((0.2189, 0.3958), abs=1e-4)  # the published 95 % interval for 30/100
    assert abstats.wilson(0, 10).low == pytest.approx(0.0, abs=1e-12) and abstats.wilson(0, 10).high > 0
    assert math.isnan(abstats.wilson(0, 0).value)


def test_pooled_two_proportion_z_test() -> None:
    t = abstats.two_proportion_ztest(60, 500, 40, 500)
    pooled = 100 / 1000
    z = (0.12 - 0.08) / math.sqrt(pooled * (1 - pooled) * (2 / 500))
    assert t.statistic == pytest.approx(z) and t.statistic == pytest.approx(2.10819, abs=1e-5)
    assert t.p_value == pytest.approx(math.erfc(abs(z) / math.sqrt(2))) and t.p_value == pytest.approx(0.03501, abs=1e-5)
    assert abstats.two_proportion_ztest(0, 10, 0, 10).p_value == 1.0
    assert math.isnan(abstats.two_proportion_ztest(1, 0, 1, 10).p_value)


def test_mean_interval_uses_student_t() -> None:
    e = abstats.mean_interval(np.array([1.0, 2, 3, 4, 5]))
    half = 2.7764451051977987 * math.sqrt(2.5) / math.sqrt(5)  # t_{4, 0.975} · s / √n
    assert (e.value, e.low, e.high) == pytest.approx((3.0, 3 - half, 3 + half))
    assert (e.low, e.high) == pytest.approx((1.0368, 4.9632), abs=1e-4)


def test_welch_t_test_with_satterthwaite_degrees_of_freedom() -> None:
    a, b = np.array([1.0, 2, 3, 4, 5]), np.array([2.0, 4, 6, 8, 10])
    t = abstats.welch_ttest(a, b)
    va, vb = 2.5 / 5, 10.0 / 5  # s²/n of each
    statistic = (3 - 6) / math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / 4 + vb**2 / 4)
    assert t.statistic == pytest.approx(statistic) and t.statistic == pytest.approx(-1.89737, abs=1e-5)
    assert df == pytest.approx(5.8824, abs=1e-4)
    assert t.p_value == pytest.approx(2 * stats.t.sf(abs(statistic), df))
    assert abstats.welch_ttest(np.zeros(3), np.zeros(4)).p_value == 1.0
