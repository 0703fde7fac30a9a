"""SASRec on synthetic sequences with a known answer: item i is always followed by item i+1 (mod N)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

torch = pytest.importorskip("torch")

from shopsense.data.interactions import IdMap, Interactions
from shopsense.models.base import UserContext
from shopsense.models.sasrec import SASRec, user_sequences, windows
from shopsense.models.sasrec_network import CausalSelfAttention, SASRecNetwork
from shopsense.models.sasrec_training import Holdout, holdout_metrics, next_item_loss, pad_left

N_ITEMS = 20
TINY = {"dim": 16, "heads": 2, "max_len": 8, "dropout": 0.0, "lr": 0.01, "batch_size": 32, "threads": 1}


def item(i: int) -> str:
    return f"i{i % N_ITEMS:02d}"


def successor_log(n_users: int = 150, seed: int = 0) -> Interactions:
    """Each user walks i, i+1, i+2, ... from a random start; rows shuffled, order only in ts_ms."""
    rng = np.random.default_rng(seed)
    rows = [(f"u{u:03d}", item(start + k), 1000 * k) for u in range(n_users)
            for start in [rng.integers(N_ITEMS)] for k in range(rng.integers(4, 9))]  # fmt: skip
    users, items, ts = (np.array(column, dtype=object) for column in zip(*rows, strict=True))
    shuffle = rng.permutation(len(rows))
    user_map, item_map = IdMap.of(users), IdMap.of(items)
    return Interactions(
        users=user_map,
        items=item_map,
        user=user_map.codes(pd.Series(users[shuffle])).astype(np.int32),
        item=item_map.codes(pd.Series(items[shuffle])).astype(np.int32),
        weight=np.ones(len(rows), dtype=np.float32),
        ts_ms=ts[shuffle].astype(np.int64),
    )


@pytest.fixture(scope="module")
def trained() -> SASRec:
    return SASRec(**TINY, epochs=30, patience=None).fit(successor_log(), seed=0, progress=False)


def test_sequences_follow_time_not_row_order() -> None:
    log = successor_log(n_users=5)
    for sequence in user_sequences(log):
        codes = sequence - 1
        assert np.all(np.diff([int(log.items.ids[c][1:]) for c in codes]) % N_ITEMS == 1)


def test_a_run_of_events_on_one_item_is_one_step_and_nonpositive_weights_are_dropped() -> None:
    users, items = IdMap.of(["u"]), IdMap.of(["x", "y", "z"])
    log = Interactions(
        users=users,
        items=items,
        user=np.zeros(6, dtype=np.int32),
        item=np.array([0, 0, 0, 1, 2, 0], dtype=np.int32),  # x x x y z x
        weight=np.array([1, 3, 5, 1, -1, 1], dtype=np.float32),  # z is a refund
        ts_ms=np.arange(6, dtype=np.int64),
    )
    np.testing.assert_array_equal(user_sequences(log)[0], [1, 2, 1])  # x y x


def test_windows_cover_every_target_once() -> None:
    sequence = np.arange(11)
    rows = windows(sequence, 3)
    assert all(2 <= len(row) <= 4 for row in rows)
    targets = sorted(t for row in rows for t in row[1:])
    assert targets == list(range(1, 11))
    assert windows(np.arange(1), 3) == []


def test_learns_the_successor(trained: SASRec) -> None:
    users = [UserContext(recent_items=[item(s), item(s + 1), item(s + 2)]) for s in range(N_ITEMS)]
    best = trained.item_ids[trained.score(users).argmax(axis=1)]
    assert list(best) == [item(s + 3) for s in range(N_ITEMS)]
    assert trained.recommend(users[0], 1)[0].item_id == item(3)
    top = trained.recommend(users[0], 3, exclude={item(3)})
    assert item(3) not in [c.item_id for c in top] and top[0].source == "sasrec" and len(top) == 3


def test_fresh_history_changes_scores(trained: SASRec) -> None:
    before = trained.score([UserContext(recent_items=[item(1), item(2)])])
    after = trained.score([UserContext(recent_items=[item(1), item(2), item(7)])])
    assert not np.allclose(before, after)
    assert trained.item_ids[after.argmax()] == item(8)


def test_repeated_events_on_one_item_read_as_one_step(trained: SASRec) -> None:
    once = trained.score([UserContext(recent_items=[item(4), item(5)])])
    repeated = trained.score([UserContext(recent_items=[item(4), item(4), item(5), item(5), item(5)])])
    np.testing.assert_array_equal(once, repeated)


def test_unknown_items_are_skipped_and_empty_history_cannot_be_scored(trained: SASRec) -> None:
    scores = trained.score([UserContext(recent_items=["nope", item(5)]), UserContext(recent_items=["nope"])])
    assert scores.dtype == np.float32 and scores.shape == (2, N_ITEMS)
    np.testing.assert_array_equal(scores[0], trained.score([UserContext(recent_items=[item(5)])])[0])
    assert np.all(np.isneginf(scores[1])) and trained.recommend(UserContext(), 5) == []


def test_save_load_gives_identical_scores(trained: SASRec, tmp_path) -> None:
    users = [UserContext(recent_items=[item(s), item(s + 5)]) for s in range(N_ITEMS)]
    trained.save(tmp_path / "m")
    loaded = SASRec.load(tmp_path / "m")
    np.testing.assert_array_equal(loaded.score(users), trained.score(users))
    assert loaded.max_len == TINY["max_len"] and loaded.fit_report == trained.fit_report
    assert not list(tmp_path.glob("**/*.pt")) and not list(tmp_path.glob("**/*.pkl"))


def test_side_features_train_save_and_load(tmp_path) -> None:
    features = {item(i): [f"parity:{i % 2}", f"decade:{i // 10}"] for i in range(N_ITEMS)}
    model = SASRec(**TINY, epochs=30, patience=None).fit(
        successor_log(), seed=0, item_features=features, progress=False
    )
    users = [UserContext(recent_items=[item(s), item(s + 1)]) for s in range(N_ITEMS)]
    assert list(model.item_ids[model.score(users).argmax(axis=1)]) == [item(s + 2) for s in range(N_ITEMS)]
    model.save(tmp_path / "f")
    np.testing.assert_array_equal(SASRec.load(tmp_path / "f").score(users), model.score(users))


def test_early_stopping_reports_curve_and_logs_each_epoch() -> None:
    class Log:
        def __init__(self) -> None:
            self.rows: list[tuple[int, dict]] = []

        def epoch(self, epoch: int, **values: float) -> None:
            self.rows.append((epoch, values))

    log = Log()
    model = SASRec(**TINY, epochs=40, patience=2).fit(successor_log(), seed=1, log=log, progress=False)
    report = model.fit_report
    assert report.best_ndcg is not None and report.best_ndcg > 0.9 and report.held_out == 150
    assert report.epochs_run < 40  # NDCG saturates, so training stops
    assert report.epochs_run == len(report.curve) == len(log.rows) and report.best_epoch <= report.epochs_run
    assert set(log.rows[0][1]) == {"loss", "valid/NDCG@10", "valid/HR@10"}


def test_fit_is_seeded_and_restores_thread_count() -> None:
    threads = torch.get_num_threads()
    users = [UserContext(recent_items=[item(3)])]
    a = SASRec(**TINY, epochs=2, patience=None).fit(successor_log(), seed=3, progress=False).score(users)
    b = SASRec(**TINY, epochs=2, patience=None).fit(successor_log(), seed=3, progress=False).score(users)
    np.testing.assert_array_equal(a, b)
    assert torch.get_num_threads() == threads


def test_written_out_attention_matches_torch_reference() -> None:
    torch.manual_seed(0)
    attention = CausalSelfAttention(dim=8, heads=2, dropout=0.0).eval()
    x = torch.randn(3, 5, 8)
    valid = torch.tensor([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1], [0, 0, 0, 0, 1]], dtype=torch.bool)
    mask = (torch.ones(5, 5, dtype=torch.bool).tril() & (valid[:, None, :] | torch.eye(5, dtype=torch.bool)))[:, None]
    q, k, v = attention.qkv(x).view(3, 5, 3, 2, 4).permute(2, 0, 3, 1, 4)
    reference = attention.out(
        torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask).transpose(1, 2).reshape(3, 5, 8)
    )
    torch.testing.assert_close(attention(x, mask), reference)


def test_holdout_metric_agrees_with_scoring_through_the_public_api(trained: SASRec) -> None:
    rng = np.random.default_rng(0)
    histories = [np.arange(s, s + rng.integers(1, 12)) % N_ITEMS + 1 for s in range(N_ITEMS)]
    targets = rng.integers(1, N_ITEMS + 1, size=N_ITEMS)
    fast = holdout_metrics(trained._network, Holdout(histories, targets), max_len=TINY["max_len"], batch_size=7)
    scores = trained.score([UserContext(recent_items=list(trained.item_ids[h - 1])) for h in histories])
    ndcg = []
    for row, history, target in zip(scores, histories, targets, strict=True):
        row[history - 1] = -np.inf
        rank = int((row > row[target - 1]).sum())
        ndcg.append(1 / np.log2(rank + 2) if rank < 10 else 0.0)
    assert fast["ndcg@10"] == pytest.approx(np.mean(ndcg), abs=1e-9)


def test_rejects_bad_settings_and_empty_data() -> None:
    with pytest.raises(ValueError):
        SASRec(dim=0)
    with pytest.raises(ValueError):
        SASRec(patience=0)
    with pytest.raises(RuntimeError):
        SASRec().score([UserContext()])


def test_bf16_loss_and_gradients_agree_with_float32() -> None:
    """In the training regime (far from certain predictions; near p = 1, bf16 rounds p - 1 away)."""
    torch.manual_seed(0)
    network = SASRecNetwork(N_ITEMS, dim=16, blocks=1, heads=2, max_len=8, ffn_factor=1, dropout=0.0)
    rows = pad_left([np.arange(s, s + 6) % N_ITEMS + 1 for s in range(N_ITEMS)], 6)  # (20, 6)
    grads = []
    for bf16 in (True, False):
        network.zero_grad()
        loss = next_item_loss(network, rows[:, :-1], rows[:, 1:], bf16_logits=bf16)
        loss.backward()
        grads.append((loss.item(), network.items.weight.grad.clone()))
    network.zero_grad()
    (fast, fast_grad), (reference, reference_grad) = grads
    assert fast == pytest.approx(reference, rel=2e-2, abs=2e-2)
    assert float((fast_grad - reference_grad).norm() / reference_grad.norm()) < 0.02


def test_validation_users_caps_the_holdout_and_default_holds_nothing_out() -> None:
    sampled = SASRec(**TINY, epochs=1, patience=1, validation_users=10).fit(successor_log(), seed=0, progress=False)
    assert sampled.fit_report.held_out == 10
    fixed = SASRec(**TINY, epochs=2).fit(successor_log(), seed=0, progress=False)
    assert fixed.fit_report.held_out == 0 and fixed.fit_report.best_ndcg is None and fixed.fit_report.epochs_run == 2
