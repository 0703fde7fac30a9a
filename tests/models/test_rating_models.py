"""Rating models: known answers on tiny matrices, fast paths against simple references, the contract.

References written out here, one rating or one pair at a time: the baseline's closed-form ridge
solution, the Pearson-baseline similarity and the KNNBaseline sum per pair, and Koren's per-rating
SGD rules for SVD++ (which the batched step must reproduce).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from shopsense.models.rating_baseline import BaselinePredictor
from shopsense.models.rating_blend import RatingBlend
from shopsense.models.rating_common import RatingTable, fit_biases
from shopsense.models.rating_knn import KNNBaseline, shrunk_pearson_baseline
from shopsense.models.rating_svdpp import Factors, Implicit, SVDpp, batch_step

SHARED_DATA = Path(__file__).parents[2].parent / "shared" / "data"


def random_ratings(n_users: int = 30, n_items: int = 20, density: float = 0.5, seed: int = 0):
    """(users, items, ratings): a rank-2 taste structure plus noise, rounded to 1..5 stars."""
    rng = np.random.default_rng(seed)
    taste, appeal = rng.normal(size=(n_users, 2)), rng.normal(size=(n_items, 2))
    user, item = np.nonzero(rng.random((n_users, n_items)) < density)
    stars = np.clip(
        np.round(
            3.5 + taste[user] @ np.ones(2) * 0.3 + (taste[user] * appeal[item]).sum(1) + rng.normal(0, 0.3, len(user))
        ),
        1,
        5,
    )
    return np.array([f"u{u}" for u in user], dtype=object), np.array([f"i{i}" for i in item], dtype=object), stars


def small_models() -> dict[str, object]:
    return {
        "baseline": BaselinePredictor(),
        "knn-item": KNNBaseline(k=5),
        "knn-user": KNNBaseline(k=5, user_based=True),
        "svdpp": SVDpp(n_factors=4, n_epochs=30, lr=0.02, batch_size=64),
        "rating-blend": RatingBlend(
            holdout=0.2, components=[BaselinePredictor(), KNNBaseline(k=5), SVDpp(n_factors=4, batch_size=64)]
        ),
    }


# -- baseline ----------------------------------------------------------------------------------------


def test_baseline_biases_match_the_closed_form_ridge_solution_on_a_3x3_matrix() -> None:
    users = np.array(["a", "a", "b", "b", "c", "c", "c"], dtype=object)
    items = np.array(["x", "y", "x", "z", "x", "y", "z"], dtype=object)
    ratings = np.array([5.0, 3.0, 4.0, 1.0, 2.0, 2.0, 4.0])
    reg_user, reg_item = 2.0, 1.0
    mu = ratings.mean()
    # minimise Σ (r − μ − b_u − b_i)² + λ_u Σ b_u² + λ_i Σ b_i²: (AᵀA + Λ) b = Aᵀ (r − μ)
    design = np.zeros((7, 6))
    design[np.arange(7), ["abc".index(u) for u in users]] = 1
    design[np.arange(7), [3 + "xyz".index(i) for i in items]] = 1
    exact = np.linalg.solve(design.T @ design + np.diag([reg_user] * 3 + [reg_item] * 3), design.T @ (ratings - mu))
    model = BaselinePredictor(reg_user=reg_user, reg_item=reg_item, n_epochs=200).fit(users, items, ratings)
    assert model.biases.mu == pytest.approx(mu)
    np.testing.assert_allclose(model.biases.user_bias, exact[:3], atol=1e-9)
    np.testing.assert_allclose(model.biases.item_bias, exact[3:], atol=1e-9)
    expected = np.clip(mu + exact[["abc".index(u) for u in users]] + exact[[3 + "xyz".index(i) for i in items]], 1, 5)
    np.testing.assert_allclose(model.predict(users, items), expected, atol=1e-9)


def test_one_als_sweep_is_the_hand_computed_update() -> None:
    # μ = 4. Items first (b_u = 0, λ_i = 0): b_x = ((4−4) + (3−4)) / 2 = −0.5, b_y = (5−4) / 1 = 1.
    # Then users (λ_u = 1): b_a = ((4−4+0.5) + (5−4−1)) / (1+2) = 1/6, b_b = (3−4+0.5) / (1+1) = −0.25.
    table = RatingTable.of(np.array(["a", "a", "b"]), np.array(["x", "y", "x"]), np.array([4.0, 5.0, 3.0]))
    biases = fit_biases(table, reg_user=1.0, reg_item=0.0, n_epochs=1)
    assert biases.mu == 4.0
    np.testing.assert_allclose(biases.item_bias, [-0.5, 1.0])
    np.testing.assert_allclose(biases.user_bias, [1 / 6, -0.25])


def test_a_repeated_pair_keeps_its_last_rating() -> None:
    table = RatingTable.of(np.array(["a", "a", "b"]), np.array(["x", "x", "x"]), np.array([1.0, 5.0, 3.0]))
    assert len(table.rating) == 2 and table.rating[table.user == 0][0] == 5.0


# -- knn-baseline ------------------------------------------------------------------------------------


def test_similarity_matches_a_per_pair_loop() -> None:
    rng = np.random.default_rng(1)
    dense = np.where(rng.random((12, 7)) < 0.6, rng.normal(size=(12, 7)), np.nan)
    rows, cols = np.nonzero(~np.isnan(dense))
    shrinkage = 3.0
    fast = shrunk_pearson_baseline(sp.csr_matrix((dense[rows, cols], (rows, cols)), shape=dense.shape), shrinkage)
    for i in range(7):
        for j in range(7):
            both = ~np.isnan(dense[:, i]) & ~np.isnan(dense[:, j])
            a, b, n = dense[both, i], dense[both, j], both.sum()
            norm = np.sqrt((a @ a) * (b @ b))
            rho = a @ b / norm if norm > 0 else 0.0
            expected = 0.0 if i == j or n < 2 else (n - 1) / (n - 1 + shrinkage) * rho
            assert fast[i, j] == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("user_based", [False, True])
def test_knn_prediction_matches_a_per_pair_loop(user_based: bool) -> None:
    users, items, ratings = random_ratings()
    model = KNNBaseline(k=4, min_k=2, user_based=user_based).fit(users, items, ratings)
    rng = np.random.default_rng(2)
    ask_users = np.array([f"u{u}" for u in rng.integers(0, 30, 200)], dtype=object)
    ask_items = np.array([f"i{i}" for i in rng.integers(0, 20, 200)], dtype=object)
    user, item = model.biases.codes(ask_users, ask_items)
    rater, target = (item, user) if user_based else (user, item)
    dense = model.residual.toarray()
    rated = model.residual.toarray() != 0  # no residual is exactly 0 here
    expected = []
    for r, t in zip(rater, target):
        neighbours = sorted(np.flatnonzero(rated[r]), key=lambda j: -model.similarity[t, j])[: model.k]
        positive = [j for j in neighbours if model.similarity[t, j] > 0]
        weights = [model.similarity[t, j] for j in positive]
        term = sum(w * dense[r, j] for w, j in zip(weights, positive)) / sum(weights) if len(positive) >= 2 else 0.0
        expected.append(term)
    baseline = model.biases.baseline(user, item)
    np.testing.assert_allclose(model.predict(ask_users, ask_items), np.clip(baseline + expected, 1, 5), atol=1e-5)


def test_knn_takes_the_residual_of_the_one_perfectly_correlated_neighbour() -> None:
    # items a and b move together for every user (ρ = 1); c is unrelated. User "new" rated b (far above
    # its baseline) and c; predicting a must add exactly the residual on b, since k = 1 picks b.
    rng = np.random.default_rng(3)
    users, items, ratings = [], [], []
    for n in range(12):
        swing = rng.choice([-1.5, 1.5])
        users += [f"u{n}"] * 3
        items += ["a", "b", "c"]
        ratings += [3 + swing, 3 + swing, rng.choice([1.0, 5.0])]
    users += ["new", "new"]
    items += ["b", "c"]
    ratings += [5.0, 1.0]
    model = KNNBaseline(k=1, shrinkage=0.0).fit(
        np.array(users, dtype=object), np.array(items, dtype=object), np.array(ratings)
    )
    user, item = model.biases.codes(np.array(["new", "new"]), np.array(["a", "b"]))
    baseline_a, baseline_b = model.biases.baseline(user, item)
    assert model.similarity[0, 1] > 0.9
    assert model.predict(np.array(["new"]), np.array(["a"]))[0] == pytest.approx(
        min(5.0, baseline_a + 5.0 - baseline_b)
    )


# -- svd++ -------------------------------------------------------------------------------------------


def koren_sgd_step(
    f: Factors,
    rated: list[list[int]],
    mu: float,
    u: int,
    i: int,
    r: float,
    lr: float,
    reg: float,
    reg_y: float,
    reg_bias: float,
) -> None:
    """Koren (KDD 2008) SGD on one rating, written out literally."""
    scale = len(rated[u]) ** -0.5
    x = f.p[u] + scale * f.y[rated[u]].sum(axis=0)
    e = r - (mu + f.user_bias[u] + f.item_bias[i] + f.q[i] @ x)
    p, q = f.p[u].copy(), f.q[i].copy()
    f.user_bias[u] += lr * (e - reg_bias * f.user_bias[u])
    f.item_bias[i] += lr * (e - reg_bias * f.item_bias[i])
    f.p[u] += lr * (e * q - reg * p)
    f.q[i] += lr * (e * x - reg * q)
    for j in rated[u]:
        f.y[j] += lr * (e * scale * q - reg_y * f.y[j])


def batched_reference(
    f: Factors, rated: list[list[int]], mu: float, user, item, rating, lr, reg, reg_y, reg_bias
) -> None:
    """The batched rule by definition: every rating's step from the batch-start parameters, summed."""
    start = Factors(*(a.copy() for a in (f.user_bias, f.item_bias, f.p, f.q, f.y)))
    steps = Factors(*(np.zeros_like(a) for a in (f.user_bias, f.item_bias, f.p, f.q, f.y)))
    counts = Factors(*(np.zeros(len(a)) for a in (f.user_bias, f.item_bias, f.p, f.q, f.y)))
    for u, i, r in zip(user, item, rating):
        scale = len(rated[u]) ** -0.5
        x = start.p[u] + scale * start.y[rated[u]].sum(axis=0)
        e = r - (mu + start.user_bias[u] + start.item_bias[i] + start.q[i] @ x)
        steps.user_bias[u] += e
        steps.item_bias[i] += e
        steps.p[u] += e * start.q[i]
        steps.q[i] += e * x
        steps.y[rated[u]] += e * scale * start.q[i]
        counts.user_bias[u] += 1
        counts.item_bias[i] += 1
        counts.y[rated[u]] += 1
    f.user_bias[:] = (1 - lr * reg_bias) ** counts.user_bias * start.user_bias + lr * steps.user_bias
    f.item_bias[:] = (1 - lr * reg_bias) ** counts.item_bias * start.item_bias + lr * steps.item_bias
    f.p[:] = ((1 - lr * reg) ** counts.user_bias)[:, None] * start.p + lr * steps.p
    f.q[:] = ((1 - lr * reg) ** counts.item_bias)[:, None] * start.q + lr * steps.q
    f.y[:] = ((1 - lr * reg_y) ** counts.y)[:, None] * start.y + lr * steps.y


def _toy_factors(table: RatingTable, k: int = 3) -> Factors:
    rng = np.random.default_rng(4)
    return Factors(
        rng.normal(size=table.n_users),
        rng.normal(size=table.n_items),
        rng.normal(0, 0.3, (table.n_users, k)),
        rng.normal(0, 0.3, (table.n_items, k)),
        rng.normal(0, 0.3, (table.n_items, k)),
    )


@pytest.mark.parametrize("batch_size", [1, 7])
def test_batched_svdpp_step_matches_its_per_rating_definition(batch_size: int) -> None:
    table = RatingTable.of(*random_ratings(8, 6, 0.6))
    rated = [list(table.item[table.user == u]) for u in range(table.n_users)]
    implicit = Implicit.of(table)
    fast, slow = _toy_factors(table), _toy_factors(table)
    options = {"lr": 0.05, "reg": 0.1, "reg_y": 0.02, "reg_bias": 0.01}
    mu = float(table.rating.mean())
    order = np.random.default_rng(5).permutation(len(table.rating))
    for start in range(0, len(order), batch_size):
        b = order[start : start + batch_size]
        batch_step(fast, implicit, mu, table.user[b], table.item[b], table.rating[b], **options)
        if batch_size == 1:  # one rating per batch: exactly Koren's SGD
            koren_sgd_step(slow, rated, mu, table.user[b][0], table.item[b][0], table.rating[b][0], **options)
        else:
            batched_reference(slow, rated, mu, table.user[b], table.item[b], table.rating[b], **options)
    for a, b in zip(
        (fast.user_bias, fast.item_bias, fast.p, fast.q, fast.y),
        (slow.user_bias, slow.item_bias, slow.p, slow.q, slow.y),
    ):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_svdpp_fits_a_rank_one_matrix() -> None:
    rng = np.random.default_rng(6)
    a, b = rng.uniform(-1, 1, 25), rng.uniform(-1, 1, 15)
    full = 3.0 + 1.5 * np.outer(a, b)  # rank one around a constant, inside 1..5
    user, item = np.nonzero(rng.random(full.shape) < 0.8)
    users, items = np.array([f"u{u}" for u in user], dtype=object), np.array([f"i{i}" for i in item], dtype=object)
    model = SVDpp(
        n_factors=2, n_epochs=300, lr=0.05, lr_decay=1.0, reg=0.001, reg_y=0.0001, reg_bias=0.0001, batch_size=32
    ).fit(users, items, full[user, item], seed=0)
    assert np.sqrt(np.mean((model.predict(users, items) - full[user, item]) ** 2)) < 0.05
    baseline = BaselinePredictor(reg_user=0.0, reg_item=0.0).fit(users, items, full[user, item])
    assert np.sqrt(np.mean((baseline.predict(users, items) - full[user, item]) ** 2)) > 0.3  # biases alone cannot


def test_svdpp_is_reproducible_for_a_seed() -> None:
    users, items, ratings = random_ratings()
    first = SVDpp(n_factors=4, n_epochs=5, batch_size=50).fit(users, items, ratings, seed=3).predict(users, items)
    again = SVDpp(n_factors=4, n_epochs=5, batch_size=50).fit(users, items, ratings, seed=3).predict(users, items)
    other = SVDpp(n_factors=4, n_epochs=5, batch_size=50).fit(users, items, ratings, seed=4).predict(users, items)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


# -- blend -------------------------------------------------------------------------------------------


def test_blend_weights_are_learned_on_ratings_its_components_did_not_see() -> None:
    users, items, ratings = random_ratings()
    blend = RatingBlend(holdout=0.25, refit=False, components=[KNNBaseline(k=5)]).fit(users, items, ratings)
    assert blend.components[0].residual.nnz == len(ratings) - round(0.25 * len(ratings))
    refit = RatingBlend(holdout=0.25, refit=True, components=[KNNBaseline(k=5)]).fit(users, items, ratings)
    assert refit.components[0].residual.nnz == len(ratings)
    assert refit.weights.shape == (6,)


# -- the RatingModel contract, for every model -------------------------------------------------------


@pytest.mark.parametrize("name", list(small_models()))
def test_save_then_load_predicts_identically(name: str, tmp_path: Path) -> None:
    users, items, ratings = random_ratings()
    model = small_models()[name].fit(users, items, ratings, seed=0)
    ask_users = np.concatenate([users, np.array(["stranger", "u1"], dtype=object)])
    ask_items = np.concatenate([items, np.array(["i1", "unseen"], dtype=object)])
    model.save(tmp_path / name)
    loaded = type(model).load(tmp_path / name)
    np.testing.assert_array_equal(loaded.predict(ask_users, ask_items), model.predict(ask_users, ask_items))
    assert loaded.hyper_parameters() == model.hyper_parameters()


@pytest.mark.parametrize("name", list(small_models()))
def test_predictions_stay_on_the_scale_and_unknowns_fall_back_to_biases(name: str) -> None:
    users, items, ratings = random_ratings()
    model = small_models()[name].fit(users, items, ratings, seed=0)
    predicted = model.predict(users, items)
    assert predicted.shape == ratings.shape and predicted.min() >= 1 and predicted.max() <= 5
    assert np.sqrt(np.mean((predicted - ratings) ** 2)) < np.std(ratings)  # it learned something
    unknown = model.predict(
        np.array(["stranger", "stranger", "u0"], dtype=object), np.array(["i0", "never", "never"], dtype=object)
    )
    assert np.isfinite(unknown).all() and ((unknown >= 1) & (unknown <= 5)).all()
    if name != "rating-blend":  # components answer exactly their biases
        biases = model.biases
        assert unknown[0] == pytest.approx(
            np.clip(biases.mu + biases.item_bias[biases.items.codes(np.array(["i0"]))[0]], 1, 5)
        )
        assert unknown[1] == pytest.approx(biases.mu)
        assert unknown[2] == pytest.approx(biases.mu + biases.user_bias[biases.users.codes(np.array(["u0"]))[0]])


def test_integer_ids_are_the_same_ids_as_their_strings() -> None:
    model = BaselinePredictor().fit(np.array([1, 1, 2]), np.array([10, 20, 10]), np.array([5.0, 3.0, 1.0]))
    np.testing.assert_array_equal(
        model.predict(np.array([1]), np.array([20])), model.predict(np.array(["1"]), np.array(["20"]))
    )


# -- real data (slow tier) ---------------------------------------------------------------------------


@pytest.mark.slow
def test_svdpp_on_one_ml100k_fold_beats_surprise() -> None:
    path = SHARED_DATA / "rec" / "ml-100k" / "ml-100k.inter"
    if not path.is_file():
        pytest.skip(f"real data {path} is absent (it sits beside the project checkout)")
    import pandas as pd

    frame = pd.read_csv(path, sep="\t", dtype=str)
    users, items = frame.iloc[:, 0].to_numpy(object), frame.iloc[:, 1].to_numpy(object)
    ratings = frame.iloc[:, 2].astype(float).to_numpy()
    test = np.random.default_rng(0).permutation(len(frame))[::5]
    train = np.setdiff1d(np.arange(len(frame)), test)
    model = SVDpp().fit(users[train], items[train], ratings[train], seed=0)
    assert np.sqrt(np.mean((model.predict(users[test], items[test]) - ratings[test]) ** 2)) < 0.919  # Surprise SVD++
