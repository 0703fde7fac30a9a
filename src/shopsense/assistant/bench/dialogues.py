"""JDDC response selection: for each test context, the true agent reply among 10 (it plus 9 replies drawn,
seeded, from the other test dialogues); R10@1 and MRR, beside BM25 (context vs reply) in the same run.

The system scores a candidate with a logistic regression over per-list-normalised features: BM25 of the
whole context, BM25 of the last turn, and :class:`WordAssociations` (jieba words of the last three turns
and of the whole context; character pairs of the last three turns). The regression's weights are fitted
on a seeded 10% of the train dialogues, with associations learned from the other 90%; the associations
are then relearned from all train dialogues. The test file is never used for fitting.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from shopsense.assistant.associations import WordAssociations, char_bigrams
from shopsense.assistant.bench.metrics import mrr_and_recall_at_1, rank_of_first
from shopsense.assistant.text import tokenize_many
from shopsense.data.assistant_sets import Dialogue, load_jddc

CANDIDATES = 10
FEATURES = ("bm25_context", "bm25_last_turn", "words_last_3_turns", "words_context", "char_pairs_last_3_turns")


def candidate_lists(n: int, seed: int) -> list[np.ndarray]:
    """For dialogue i: [i, 9 other dialogues' indices], drawn without replacement with a seeded generator."""
    rng = np.random.default_rng(seed)
    return [np.concatenate([[i], rng.choice(np.delete(np.arange(n), i), CANDIDATES - 1, replace=False)]) for i in range(n)]


def _joined(dialogue: Dialogue, last: int | None = None) -> str:
    return " ".join(dialogue.context if last is None else dialogue.context[-last:])


def _scaled(values: np.ndarray) -> np.ndarray:
    top = values.max()
    return values / top if top > 0 else np.zeros_like(values)


class ResponseSelector:
    def fit(self, dialogues: Sequence[Dialogue], *, seed: int = 0) -> ResponseSelector:
        order = np.random.default_rng(seed).permutation(len(dialogues))
        held = [dialogues[i] for i in order[: len(dialogues) // 10]]
        rest = [dialogues[i] for i in order[len(dialogues) // 10 :]]
        self._learn_associations(rest)
        features = self.features(held, candidate_lists(len(held), seed + 1))
        labels = np.tile(np.eye(CANDIDATES)[0], len(held))
        self._model = LogisticRegression(max_iter=1000).fit(np.concatenate(features), labels)
        self.weights = dict(zip(FEATURES, self._model.coef_[0].round(3).tolist()))
        self._learn_associations(dialogues)  # the weights are set; now learn from every train dialogue
        return self

    def _learn_associations(self, dialogues: Sequence[Dialogue]) -> None:
        replies = [d.reply for d in dialogues]
        recent = [_joined(d, 3) for d in dialogues]
        self._associations = [
            WordAssociations().fit(recent, replies),
            WordAssociations().fit([_joined(d) for d in dialogues], replies),
            WordAssociations(units=char_bigrams).fit(recent, replies),
        ]

    def features(self, dialogues: Sequence[Dialogue], lists: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Per list: (10, 5) features, each column scaled by its maximum within the list."""
        import bm25s

        replies = [d.reply for d in dialogues]
        index = bm25s.BM25()
        index.index(tokenize_many(replies), show_progress=False)
        whole = tokenize_many([_joined(d) for d in dialogues])
        last = tokenize_many([_joined(d, 1) for d in dialogues])
        out = []
        for i, candidates in enumerate(lists):
            texts = [replies[j] for j in candidates]
            recent, context = _joined(dialogues[i], 3), _joined(dialogues[i])
            columns = (
                index.get_scores(whole[i])[candidates], index.get_scores(last[i])[candidates],
                *(a.scores(c, texts) for a, c in zip(self._associations, (recent, context, recent))),
            )  # fmt: skip
            out.append(np.stack([_scaled(np.asarray(c, dtype=np.float64)) for c in columns], axis=1))
        return out

    def rank(self, features: np.ndarray) -> np.ndarray:
        return features @ self._model.coef_[0]


def bench_dialogues(train_enc: Path, test_enc: Path, *, seed: int = 0) -> dict:
    test = load_jddc(test_enc)
    lists = candidate_lists(len(test), seed)
    selector = ResponseSelector().fit(load_jddc(train_enc), seed=seed)
    features = selector.features(test, lists)
    ours = [rank_of_first(selector.rank(f)) for f in features]
    bm25 = [rank_of_first(f[:, 0]) for f in features]  # column 0 is plain BM25(context, reply)
    return {
        "dialogues": len(test), "candidates": CANDIDATES, "seed": seed, "weights": selector.weights,
        "system": mrr_and_recall_at_1(ours), "bm25": mrr_and_recall_at_1(bm25),
    }  # fmt: skip
