"""Amazon QA answer retrieval: for each product with ≥ 2 QA pairs, one question (seeded choice) is held
out and that product's answers are ranked for it; the held-out question's own answer is the right one.

Scored in the same run: plain BM25 (question vs answer, IDF over all answers), plain dense (e5 query vs
e5 passage cosine), the assistant's unsupervised hybrid :func:`fuse`, the plain cosine of the ``matcher``
encoder (e5 by default, e5 fine-tuned per fold with ``--matcher e5-tuned``, all-MiniLM-L6-v2 with
``--matcher minilm``), and the learned :class:`AnswerRanker` over the matcher's vectors, cross-fitted by
product: products are split into 5 seeded folds and a fold's held-out questions are ranked by a model
trained only on the QA pairs of the other folds' products.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np

from shopsense.assistant.answer_ranker import AnswerRanker, CandidateList
from shopsense.assistant.bench.metrics import mrr_and_recall_at_1, rank_of_first
from shopsense.assistant.bench.tuned_matcher import FOLDS, TunedE5Matcher, product_folds
from shopsense.assistant.embeddings import Encoder
from shopsense.assistant.retrieval import HybridIndex, fuse
from shopsense.data.assistant_sets import load_amazon_qa


def bench_answers(path: Path, encoder: Encoder, matcher: Encoder | TunedE5Matcher | None = None, *, seed: int = 0) -> dict:
    """``encoder``: e5 (dense and hybrid rows); ``matcher``: the ranker's encoder (default ``encoder``)."""
    matcher = matcher or encoder
    pairs = load_amazon_qa(path)
    by_product: dict[str, list[int]] = {}
    for row, pair in enumerate(pairs):
        by_product.setdefault(pair.product_id, []).append(row)
    rng = random.Random(seed)
    tasks = [(rng.choice(rows), rows) for _, rows in sorted(by_product.items()) if len(rows) >= 2]
    fold_of = product_folds(pairs, seed)
    index = HybridIndex([p.answer for p in pairs], encoder)  # BM25 over every answer + their e5 vectors
    questions = encoder.queries([p.question for p in pairs])  # (pairs, 384)
    if isinstance(matcher, TunedE5Matcher):  # out-of-fold vectors: a fold's pairs by the model tuned without it
        matched_questions, matched_answers = matcher.vectors(pairs, fold_of)
    else:
        matched_questions = matcher.queries([p.question for p in pairs])  # (pairs, 384)
        matched_answers = matcher.passages([p.answer for p in pairs])  # (pairs, 384)

    lexical = {}  # question row -> {answer row: BM25} over its own product's answers, computed once
    for rows in by_product.values():
        for row in rows if len(rows) >= 2 else ():
            lexical[row] = dict(zip(rows, index.bm25(pairs[row].question)[rows].tolist()))

    def candidates(question_row: int, rows: list[int]) -> CandidateList:
        scores = np.asarray([lexical[question_row][r] for r in rows])
        return CandidateList(matched_questions[question_row], matched_answers[rows], scores)

    rankers = []
    for fold in range(FOLDS):
        lists = [(row, rows) for rows in by_product.values() if len(rows) >= 2 and fold_of[pairs[rows[0]].product_id] != fold for row in rows]
        rankers.append(AnswerRanker(seed=seed).fit([candidates(row, rows) for row, rows in lists], [rows.index(row) for row, rows in lists],
                                                   [pairs[row].product_id for row, _ in lists]))  # fmt: skip
    ranks: dict[str, list[int]] = {"bm25": [], "dense": [], "hybrid": [], "matcher_dense": [], "system": []}
    for held, rows in tasks:
        order = [held] + [r for r in rows if r != held]  # the right answer first, for rank_of_first
        bm25 = np.asarray([lexical[held][r] for r in order])
        cosine = index.vectors[order] @ questions[held]
        ranks["bm25"].append(rank_of_first(bm25))
        ranks["dense"].append(rank_of_first(cosine))
        ranks["hybrid"].append(rank_of_first(fuse(bm25, cosine, index.lexical_weight)))
        ranks["matcher_dense"].append(rank_of_first(matched_answers[order] @ matched_questions[held]))
        ranker = rankers[fold_of[pairs[held].product_id]]
        ranks["system"].append(rank_of_first(ranker.score(candidates(held, order))))
    sizes = np.asarray([len(rows) for _, rows in tasks])
    tuning = {"tuning": matcher.report} if isinstance(matcher, TunedE5Matcher) else {}
    return {**tuning,
        "products": len(tasks), "qa_pairs": len(pairs), "mean_candidates": float(sizes.mean()), "seed": seed,
        "folds": FOLDS, "matcher": matcher.name, "ranker_epochs": [r.epochs for r in rankers], **{name: mrr_and_recall_at_1(r) for name, r in ranks.items()},
    }  # fmt: skip
