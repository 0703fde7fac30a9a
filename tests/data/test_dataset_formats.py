"""``load_dataset``: the format registry used by ``shopsense import FILE --format NAME``."""

from __future__ import annotations

import json

import pytest

from shopsense.data.loaders import DATASET_LOADERS, load_dataset
from shopsense.data.online_retail import load_online_retail


def test_every_documented_format_is_registered():
    assert {"online-retail", "taobao", "s3rec", "movielens", "diginetica"} <= set(DATASET_LOADERS)
    assert DATASET_LOADERS["online-retail"] is load_online_retail


def test_taobao_by_name(tmp_path):
    path = tmp_path / "ub.csv"
    path.write_text("1,10,100,buy,1511544070\n")
    assert load_dataset("taobao", path).events["type"].tolist() == ["purchase"]


def test_movielens_finds_the_item_and_user_files_beside_the_inter_file(tmp_path):
    (tmp_path / "ml.inter").write_text("user_id:token\titem_id:token\trating:float\ttimestamp:float\n1\t10\t4\t881250949\n")
    (tmp_path / "ml.item").write_text("item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n10\tHeat\t1995\tAction\n")
    data = load_dataset("movielens", tmp_path / "ml.inter")
    assert [i.title for i in data.items] == ["Heat"]
    assert [u.attributes for u in data.users] == [{}]  # no ml.user: ids alone


def test_s3rec_finds_the_attributes_file_beside_the_sequences(tmp_path):
    (tmp_path / "Toy.txt").write_text("1 5\n")
    (tmp_path / "Toy_item2attributes.json").write_text(json.dumps({"5": [2]}))
    data = load_dataset("s3rec", tmp_path / "Toy.txt")
    assert data.name == "toy"
    assert data.items[0].attributes == {"attribute_ids": [2]}


def test_unknown_format_and_missing_file_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="unknown data set format 'amazon'; known: online-retail"):
        load_dataset("amazon", tmp_path / "x.csv")
    with pytest.raises(FileNotFoundError, match="no such file"):
        load_dataset("taobao", tmp_path / "x.csv")
