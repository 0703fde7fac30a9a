"""SegmentStore contract, run on every storage backend (``db`` fixture of tests/conftest.py)."""

from __future__ import annotations

import time

from shopsense.storage import Database

RULE = {"all": [{"field": "rfm.segment", "op": "in", "value": ["champions", "loyal"]}]}


def test_put_get_list_delete(db: Database) -> None:
    assert db.segments.get("vip") is None
    assert db.segments.list() == []
    stored, created = db.segments.put("vip", RULE, "best customers")
    assert created and stored.name == "vip" and stored.definition == RULE and stored.description == "best customers"
    assert db.segments.get("vip") == stored

    time.sleep(0.01)
    other = {"field": "lifecycle.stage", "op": "eq", "value": "at_risk — 流失"}
    replaced, created = db.segments.put("vip", other, "")
    assert not created
    assert replaced.definition == other and replaced.description == ""
    assert replaced.created_at == stored.created_at and replaced.updated_at > stored.updated_at

    db.segments.put("a-first", RULE)
    assert [s.name for s in db.segments.list()] == ["a-first", "vip"]
    assert db.segments.delete("vip") is True
    assert db.segments.delete("vip") is False
    assert db.segments.get("vip") is None
    assert db.segments.get("bad\x00name") is None and db.segments.delete("bad\x00name") is False
