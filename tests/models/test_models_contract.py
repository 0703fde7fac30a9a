"""The Recommender contract (models/base.py), run against every implementation in conftest.RECOMMENDERS."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from shopsense.domain import Candidate
from shopsense.models.base import Recommender, UserContext

IN_A = UserContext(user_id="new-a", recent_items=("a0", "a1"))
IN_B = UserContext(user_id="new-b", recent_items=("b0", "b1"))
USERS = [IN_A, IN_B, UserContext(user_id="u00", recent_items=("a1", "a2", "a3")), UserContext()]


def test_score_is_a_float32_row_per_user_over_item_ids(fit_recommender: Callable[..., Recommender]) -> None:
    model = fit_recommender()
    assert sorted(model.item_ids) == [f"{d}{n}" for d in "ab" for n in range(6)]
    scores = model.score(USERS)
    assert scores.shape == (len(USERS), len(model.item_ids))
    assert scores.dtype == np.float32
    assert not np.isnan(scores).any()
    assert np.isfinite(scores[:3]).any(axis=1).all()  # users with history can be scored


def test_known_answer_recommends_the_users_department(fit_recommender: Callable[..., Recommender]) -> None:
    model = fit_recommender()
    for user, department in ((IN_A, "a"), (IN_B, "b"), (UserContext(recent_items=("b3",)), "b")):
        found = model.recommend(user, 1, exclude=user.recent_items)
        assert found and found[0].item_id.startswith(department), (model.name, user, found)


def test_recommend_is_top_k_of_score_with_exclusions_and_candidates(
    fit_recommender: Callable[..., Recommender],
) -> None:
    model = fit_recommender()
    found = model.recommend(IN_A, 4, exclude=("a0", "a1", "a2"))
    assert 0 < len(found) <= 4
    assert all(isinstance(c, Candidate) and c.source == model.name and c.reason for c in found)
    assert not {"a0", "a1", "a2"} & {c.item_id for c in found}
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
    row = model.score([IN_A])[0]
    by_id = dict(zip(model.item_ids, row))
    assert all(np.float32(c.score) == by_id[c.item_id] for c in found)
    restricted = model.recommend(IN_A, 10, candidates=("a3", "a5", "b2"))
    assert {c.item_id for c in restricted} <= {"a3", "a5", "b2"}
    assert [c.item_id for c in model.recommend(IN_A, 1)] == [c.item_id for c in model.recommend(IN_A, 5)[:1]]


def test_load_of_save_gives_identical_scores_and_recommendations(
    fit_recommender: Callable[..., Recommender], tmp_path: Path
) -> None:
    model = fit_recommender()
    model.save(tmp_path / "artifact")
    assert (tmp_path / "artifact" / "params.json").is_file()
    assert not list((tmp_path / "artifact").glob("*.pkl"))
    loaded = type(model).load(tmp_path / "artifact")
    assert loaded.name == model.name
    assert list(loaded.item_ids) == list(model.item_ids)
    np.testing.assert_array_equal(loaded.score(USERS), model.score(USERS))
    for user in USERS:
        assert loaded.recommend(user, 5, exclude=("a1",)) == model.recommend(user, 5, exclude=("a1",))


def test_fresh_history_changes_the_result(fit_recommender: Callable[..., Recommender]) -> None:
    model = fit_recommender()
    before = UserContext(user_id="u00", recent_items=("a0",))
    after = UserContext(user_id="u00", recent_items=("a0", "b0", "b1"))
    assert not np.array_equal(model.score([before]), model.score([after]))
    assert model.recommend(before, 3) != model.recommend(after, 3)


def test_unknown_items_in_history_are_ignored(fit_recommender: Callable[..., Recommender]) -> None:
    model = fit_recommender()
    noisy = UserContext(recent_items=("never-seen", "a0", "a1", "also-new"))
    np.testing.assert_array_equal(model.score([noisy]), model.score([IN_A]))


def test_fit_is_deterministic_given_the_seed(fit_recommender: Callable[..., Recommender]) -> None:
    np.testing.assert_array_equal(fit_recommender(seed=3).score(USERS), fit_recommender(seed=3).score(USERS))


def test_scores_do_not_depend_on_the_batch(fit_recommender: Callable[..., Recommender]) -> None:
    model = fit_recommender()
    together = model.score(USERS)
    for row, user in enumerate(USERS):
        np.testing.assert_allclose(model.score([user])[0], together[row], rtol=1e-5, atol=1e-6)
