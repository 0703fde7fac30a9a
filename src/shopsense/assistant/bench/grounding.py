"""Grounding and latency on the demo shop (the bundled Online Retail sample).

A fresh SQLite store gets the demo catalogue and the orders of ``users`` seeded-sampled customers; a
seeded 20% of the sampled items are set out of stock. Questions, in English and Chinese:

- price ("How much is the <title>?") — correct when the answer's line for that item states its stored
  price, written exactly (:func:`format_money`);
- stock (a follow-up "And is it in stock?" in the same session) — correct when it states the stored flag;
- last order ("What's the status of my last order?") — correct when it names the order holding the
  user's newest purchase/refund event, read here by plain SQL, with the state those events imply.

Latency: wall time of each ``Assistant.reply`` (after one warm-up turn), p50/p95 over all turns; beside
it the process CPU time per turn and the machine's load average, since on a shared machine the wall time
includes waiting for other processes.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from importlib import resources
from pathlib import Path

import numpy as np
from sqlalchemy import select

from shopsense.assistant.embeddings import Encoder
from shopsense.assistant.engine import Assistant
from shopsense.assistant.orders import STATES
from shopsense.assistant.phrases import say
from shopsense.assistant.prices import format_money
from shopsense.data.online_retail import load_online_retail
from shopsense.domain import Item
from shopsense.ingest.batch import ingest_events
from shopsense.storage import Database, open_database
from shopsense.storage.schema import events

PRICE_QUESTIONS = ("How much is the {title}?", "what does the {title} cost", "{title} 多少钱？")
STOCK_QUESTIONS = ("And is it in stock?", "is this one available?", "这个有货吗？")
ORDER_QUESTIONS = ("What's the status of my last order?", "where is my order", "我的订单到哪了？")


def demo_path() -> Path:
    return Path(str(resources.files("shopsense") / "demo_data" / "online_retail_sample.parquet"))


def _demo_store(folder: Path, *, users: int, items: int, seed: int) -> tuple[Database, list[Item], list[str]]:
    data = load_online_retail(demo_path())
    db = open_database(f"sqlite:///{folder / 'grounding.db'}")
    db.catalog.upsert_items(data.items)
    rng = random.Random(seed)
    customers = sorted(u.user_id for u in data.users if not u.attributes.get("anonymous"))
    chosen = rng.sample(customers, users)
    ingest_events(db, data.events[data.events["user_id"].isin(chosen)].reset_index(drop=True))
    priced = sorted((i for i in data.items if i.price is not None and i.title.strip()), key=lambda i: i.item_id)
    sampled = rng.sample(priced, items)
    for item in sampled[: items // 5]:
        db.catalog.set_item_flags(item.item_id, in_stock=False)
    return db, [db.catalog.get_item(i.item_id) for i in sampled], chosen


def _last_order(db: Database, user_id: str) -> tuple[str, str]:
    """(order id, state) of the user's newest purchase/refund, by plain SQL over the event log."""
    mine = (events.c.user_id == user_id) & events.c.type.in_(("purchase", "refund"))
    with db.engine.connect() as connection:
        newest = connection.execute(select(events.c.session_id).where(mine).order_by(events.c.ts_ms.desc(), events.c.session_id.desc()).limit(1)).scalar_one()
        kinds = set(connection.execute(select(events.c.type).where(mine & (events.c.session_id == newest))).scalars())
    state = "partly refunded" if kinds == {"purchase", "refund"} else "refunded" if kinds == {"refund"} else "purchased"
    return newest, state


def bench_grounding(encoder: Encoder, *, users: int = 100, items: int = 150, seed: int = 0) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        db, sampled, chosen = _demo_store(Path(folder), users=users, items=items, seed=seed)
        try:
            return _run(Assistant(db, encoder=encoder, models_dir=Path(folder)), db, sampled, chosen)
        finally:
            db.close()


def _run(assistant: Assistant, db: Database, sampled: list[Item], chosen: list[str]) -> dict:
    started = time.perf_counter()
    assistant.reply("warm-up", "warm-up", "hello")
    warm_up = time.perf_counter() - started
    checks: dict[str, list[bool]] = {"price": [], "stock": [], "order": []}
    failures: list[dict] = []
    latencies: list[float] = []
    cpu_times: list[float] = []  # CPU seconds of this process per turn: the cost without other load's waits
    load = os.getloadavg()[0]

    def ask(user: str, session: str, message: str) -> str:
        began, cpu = time.perf_counter(), time.process_time()
        answer = assistant.reply(user, session, message).answer
        latencies.append(time.perf_counter() - began)
        cpu_times.append(time.process_time() - cpu)
        return answer

    def record(kind: str, ok: bool, message: str, answer: str, expected: str) -> None:
        checks[kind].append(ok)
        if not ok:
            failures.append({"kind": kind, "question": message, "answer": answer, "expected": expected})

    for n, item in enumerate(sampled):
        zh = n % 3 == 2
        facts = {"title": item.title, "item_id": item.item_id}
        question = PRICE_QUESTIONS[n % 3].format(title=item.title if n % 2 else item.title.lower())
        expected = say("price", zh, price=format_money(item.price, item.currency), **facts)
        answer = ask("shopper", f"item-{n}", question)
        record("price", expected in answer.splitlines(), question, answer, expected)
        follow_up = STOCK_QUESTIONS[n % 3]
        expected = say("in_stock" if item.in_stock else "out_of_stock", zh, **facts)
        answer = ask("shopper", f"item-{n}", follow_up)
        record("stock", expected in answer.splitlines(), follow_up, answer, expected)
    for n, user in enumerate(chosen):
        zh = n % 3 == 2
        order_id, state = _last_order(db, user)
        question = ORDER_QUESTIONS[n % 3]
        answer = ask(user, f"order-{n}", question)
        expected = f"{order_id} 状态：{STATES[state]}" if zh else f"order {order_id} of "
        ok = expected in answer and (zh or f" is {state}:" in answer)
        record("order", ok, question, answer, f"{expected} … {state}")
    total = sum(len(v) for v in checks.values())
    correct = sum(sum(v) for v in checks.values())
    ms, cpu_ms = np.asarray(latencies) * 1000, np.asarray(cpu_times) * 1000
    return {
        "questions": total, "accuracy": correct / total,
        "by_kind": {k: {"questions": len(v), "accuracy": sum(v) / len(v)} for k, v in checks.items()},
        "failures": failures[:20],
        "latency_ms": {"p50": float(np.percentile(ms, 50)), "p95": float(np.percentile(ms, 95)),
                       "max": float(ms.max()), "turns": len(ms)},
        "cpu_ms": {"p50": float(np.percentile(cpu_ms, 50)), "p95": float(np.percentile(cpu_ms, 95))},
        "load_average_1m": round(load, 2), "cpus": os.cpu_count(),
        "warm_up_s": round(warm_up, 2),
    }  # fmt: skip
