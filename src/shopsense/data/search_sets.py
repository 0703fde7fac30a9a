"""Product-search relevance benchmarks: queries, a corpus of product titles and graded human judgements.

- Home Depot Product Search Relevance (Kaggle 2016, train split): each (query, product) pair was graded
  by three raters from 1 (irrelevant) to 3 (exact match); the grade kept is their mean, 1.0-3.0. Read
  from the ``derived_queries.tsv`` / ``derived_products.tsv`` / ``derived_qrels.tsv`` files.
- CrowdFlower Search Results Relevance (Kaggle 2015): ``train.csv`` with ``id, query, product_title,
  product_description, median_relevance (1-4), relevance_variance``; a product is identified by its
  title and description, a query by its text (ids are assigned in order of first appearance).
- Multi-CPR (Long et al., "Multi-CPR: A Multi Domain Chinese Dataset for Passage Retrieval", SIGIR 2022),
  e-commerce dev queries from Taobao: ``queries.tsv`` (qid, query), ``corpus.tsv`` (pid, title) and
  ``qrels.tsv`` (qid, 0, pid, 1) in TREC layout, no headers, UTF-8.

Ids are strings. Documents absent from a query's judgements are unjudged, which the search protocol
counts as not relevant.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


@dataclass
class SearchBenchmark:
    name: str
    queries: dict[str, str]  # qid -> query text
    corpus: dict[str, str]  # pid -> product title
    qrels: dict[str, dict[str, float]]  # qid -> {pid: grade}, judged pairs only
    descriptions: dict[str, str] = field(default_factory=dict)  # pid -> description, where the set has them


def _read_tsv(path: Path, *, header: bool) -> pd.DataFrame:
    return pd.read_csv(
        path, sep="\t", header=0 if header else None, dtype="str", keep_default_na=False,
        quoting=csv.QUOTE_NONE, encoding="utf-8",
    )  # fmt: skip


def _qrels(qids: pd.Series, pids: pd.Series, grades: pd.Series) -> dict[str, dict[str, float]]:
    qrels: dict[str, dict[str, float]] = {}
    for qid, pid, grade in zip(qids, pids, pd.to_numeric(grades).astype("float64")):
        qrels.setdefault(qid, {})[pid] = float(grade)
    return qrels


def load_homedepot(folder: str | Path) -> SearchBenchmark:
    """Home Depot: 11,795 queries, 54,667 product titles, 74,067 graded pairs (mean grade 1.0-3.0)."""
    folder = Path(folder)
    queries = _read_tsv(folder / "derived_queries.tsv", header=True)
    products = _read_tsv(folder / "derived_products.tsv", header=True)
    qrels = _read_tsv(folder / "derived_qrels.tsv", header=True)
    return SearchBenchmark(
        name="homedepot",
        queries=dict(zip(queries["qid"], queries["query"])),
        corpus=dict(zip(products["product_uid"], products["product_title"])),
        qrels=_qrels(qrels["qid"], qrels["product_uid"], qrels["relevance"]),
    )


def load_multicpr(folder: str | Path) -> SearchBenchmark:
    """Multi-CPR e-commerce dev slice: 250 Chinese queries, one relevant title each among 2,083."""
    folder = Path(folder)
    queries = _read_tsv(folder / "queries.tsv", header=False)
    corpus = _read_tsv(folder / "corpus.tsv", header=False)
    qrels = _read_tsv(folder / "qrels.tsv", header=False)
    return SearchBenchmark(
        name="multicpr",
        queries=dict(zip(queries[0], queries[1])),
        corpus=dict(zip(corpus[0], corpus[1])),
        qrels=_qrels(qrels[0], qrels[2], qrels[3]),
    )


CROWDFLOWER_COLUMNS = ("id", "query", "product_title", "product_description", "median_relevance", "relevance_variance")


def load_crowdflower(path: str | Path) -> SearchBenchmark:
    """CrowdFlower search relevance CSV: graded pairs (median of raters' 1-4 grades)."""
    frame = pd.read_csv(path, dtype="str", keep_default_na=False, encoding="utf-8")
    missing = [c for c in CROWDFLOWER_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: not a CrowdFlower file, missing columns {', '.join(missing)}")
    grades = pd.to_numeric(frame["median_relevance"], errors="coerce")
    if grades.isna().any() or not grades.between(1, 4).all():
        raise ValueError(f"{path}: median_relevance must be a number from 1 to 4 on every row")
    qids = frame["query"].map({q: str(i) for i, q in enumerate(dict.fromkeys(frame["query"]))})
    products = list(zip(frame["product_title"], frame["product_description"]))
    codes = {p: str(i) for i, p in enumerate(dict.fromkeys(products))}
    pids = pd.Series([codes[p] for p in products], index=frame.index)
    return SearchBenchmark(
        name="crowdflower",
        queries=dict(zip(qids, frame["query"])),
        corpus={pid: title for (title, _), pid in codes.items()},
        qrels=_qrels(qids, pids, grades.astype("str")),
        descriptions={pid: description for (_, description), pid in codes.items()},
    )
