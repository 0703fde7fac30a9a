"""Search relevance benchmarks: synthetic folders with known answers, then Home Depot and Multi-CPR (slow)."""

from __future__ import annotations

import pytest

from shopsense.data.search_sets import load_homedepot, load_multicpr


def test_homedepot_keeps_the_mean_grade(tmp_path):
    (tmp_path / "derived_queries.tsv").write_text('qid\tquery\n1\t$ hole saw\n2\t"angle" bracket\n')
    (tmp_path / "derived_products.tsv").write_text("product_uid\tproduct_title\n100\tSaw, 2 in.\n101\tBracket\n102\tNA\n")
    (tmp_path / "derived_qrels.tsv").write_text("qid\tproduct_uid\trelevance\tid\n1\t100\t3.0\t7\n1\t101\t1.33\t8\n2\t101\t2.67\t9\n")
    bench = load_homedepot(tmp_path)
    assert bench.name == "homedepot"
    assert bench.queries == {"1": "$ hole saw", "2": '"angle" bracket'}
    assert bench.corpus == {"100": "Saw, 2 in.", "101": "Bracket", "102": "NA"}
    assert bench.qrels == {"1": {"100": 3.0, "101": 1.33}, "2": {"101": 2.67}}


def test_multicpr_reads_headerless_utf8_trec_files(tmp_path):
    (tmp_path / "queries.tsv").write_text("200000\t大落地窗\n200001\t墙面底漆\n", encoding="utf-8")
    (tmp_path / "corpus.tsv").write_text("260\t新豪轩门窗 断桥铝平开窗\n3109\t多乐士白色乳胶漆\n5\t无关\n", encoding="utf-8")
    (tmp_path / "qrels.tsv").write_text("200000\t0\t260\t1\n200001\t0\t3109\t1\n", encoding="utf-8")
    bench = load_multicpr(tmp_path)
    assert bench.name == "multicpr"
    assert bench.queries == {"200000": "大落地窗", "200001": "墙面底漆"}
    assert bench.corpus["260"] == "新豪轩门窗 断桥铝平开窗"
    assert len(bench.corpus) == 3
    assert bench.qrels == {"200000": {"260": 1.0}, "200001": {"3109": 1.0}}


@pytest.mark.slow
def test_real_homedepot_matches_the_documented_counts(shared_data):
    bench = load_homedepot(shared_data / "search" / "homedepot")
    assert len(bench.queries) == 11_795
    assert len(bench.corpus) == 54_667
    assert set(bench.qrels) == set(bench.queries)
    grades = [g for judged in bench.qrels.values() for g in judged.values()]
    assert len(grades) == 74_067
    assert min(grades) == 1.0 and max(grades) == 3.0
    assert all(pid in bench.corpus for judged in bench.qrels.values() for pid in judged)


@pytest.mark.slow
def test_real_multicpr_matches_the_documented_counts(shared_data):
    bench = load_multicpr(shared_data / "search" / "multicpr-zh-dev250")
    assert len(bench.queries) == 250
    assert len(bench.corpus) == 2_083
    assert set(bench.qrels) == set(bench.queries)
    assert all(list(judged.values()) == [1.0] and set(judged) <= set(bench.corpus) for judged in bench.qrels.values())
    assert bench.queries["200000"] == "大落地窗"
