"""Throughput and p95 with 1, 2 and 3 webhook replicas (Telegram's limit off), in one run.

For each replica count: a fresh PostgreSQL database, N ``python -m bench._bot_unlimited``
processes (``python -m bot`` with the bot-wide 30/s limit switched off: this measures the
replicas, not Telegram's quota), the fake Bot API in its own thread and a round-robin
balancer. Every person goes through ``/start`` and consent first (not timed).

- closed loop (default): each person sends a text, waits for the first reply, lets the
  turn's other messages arrive (``--think`` s without a new one), then sends the next;
  throughput = texts / phase time, latency = POST → first reply seen by the fake API;
- ``--rate R``: open loop, R texts/s offered whatever the answers (people in turn).

The scaling ratio is throughput(N) / (N × throughput(1)). Two cores here: three replicas,
PostgreSQL and the bench share them, so the ratio says what a bigger machine would gain.

    .venv/bin/python -m bench.replicas_scaling                    # 150 people × 10 texts
    .venv/bin/python -m bench.replicas_scaling --rate 40          # open loop, 40 texts/s
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

from bench.replicas import TEXTS, Balancer, Replica, onboard, replica_env
from bench.telegram_e2e import _postgres_db


class Replies:
    """Per chat, the times the fake API saw a sendMessage (read from the fake's call list,
    which its own thread appends to)."""

    def __init__(self, fake: Any) -> None:
        self.fake = fake
        self.seen = 0
        self.times: dict[int, list[float]] = defaultdict(list)

    def scan(self) -> None:
        calls = self.fake.calls
        end = len(calls)
        for call in calls[self.seen : end]:
            if call.method == "sendMessage":
                self.times[int(call.params.get("chat_id", 0))].append(call.at)
        self.seen = end

    async def first_after(self, chat: int, since: float, limit_s: float = 60.0) -> float:
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            self.scan()
            later = [at for at in self.times[chat] if at > since]
            if later:
                return min(later)
            await asyncio.sleep(0.005)
        raise TimeoutError(f"no reply to chat {chat}")

    async def quiet(self, chat: int, think: float) -> None:
        """Until ``think`` s passed without a new message to ``chat``."""
        while True:
            self.scan()
            last = self.times[chat][-1] if self.times[chat] else 0.0
            left = last + think - time.monotonic()
            if left <= 0:
                return
            await asyncio.sleep(left)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def _closed(args: argparse.Namespace, balancer: Balancer, fake: Any, people: list[int]):  # type: ignore[no-untyped-def]
    replies = Replies(fake)
    latencies: list[float] = []

    async def person(chat: int) -> None:
        for n in range(args.texts):
            posted = time.monotonic()
            await balancer.post(fake.push_text(chat, f"{TEXTS[(chat + n) % len(TEXTS)]} {n}"))
            latencies.append(await replies.first_after(chat, posted) - posted)
            await replies.quiet(chat, args.think)

    began = time.monotonic()
    await asyncio.gather(*(person(chat) for chat in people))
    return latencies, time.monotonic() - began


async def _open(args: argparse.Namespace, balancer: Balancer, fake: Any, people: list[int]):  # type: ignore[no-untyped-def]
    replies = Replies(fake)
    waits: list[asyncio.Task[float]] = []
    total = args.texts * len(people)
    began = time.monotonic()

    async def one(chat: int, n: int) -> float:
        posted = time.monotonic()
        await balancer.post(fake.push_text(chat, f"{TEXTS[(chat + n) % len(TEXTS)]} {n}"))
        return await replies.first_after(chat, posted) - posted

    for k in range(total):
        await asyncio.sleep(max(0.0, began + k / args.rate - time.monotonic()))
        chat = people[k % len(people)]
        waits.append(asyncio.create_task(one(chat, k // len(people))))
    latencies = list(await asyncio.gather(*waits))
    return latencies, time.monotonic() - began


async def measure(args: argparse.Namespace, count: int) -> dict[str, Any]:
    """One replica count on a fresh database."""
    from bench._threaded_fake import ThreadedFakeApi
    from store.db import make_engine
    from store.migrate import upgrade

    url, drop = _postgres_db()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        with tempfile.TemporaryDirectory() as logs:
            async with ThreadedFakeApi() as fake, httpx.AsyncClient(timeout=30) as client:
                env = replica_env(url, fake)
                env.pop("REDIS_URL", None)
                replicas = [
                    Replica(i, env, Path(logs), module="bench._bot_unlimited") for i in range(count)
                ]
                await asyncio.gather(*(replica.start(client) for replica in replicas))
                balancer = Balancer(replicas, client)
                people = [80_000 + n for n in range(args.people)]
                await onboard(balancer, fake, people)
                load = os.getloadavg()[0]
                run = _open if args.rate else _closed
                latencies, seconds = await run(args, balancer, fake, people)
                await asyncio.gather(*(replica.stop() for replica in replicas))
    finally:
        drop()
    return {
        "replicas": count,
        "texts": len(latencies),
        "texts_per_s": round(len(latencies) / seconds, 1),
        "p50_ms": round(1000 * statistics.median(latencies)),
        "p95_ms": round(1000 * _percentile(latencies, 0.95)),
        "max_ms": round(1000 * max(latencies)),
        "load_before": round(load, 1),
        "load_after": round(os.getloadavg()[0], 1),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    rows = [await measure(args, count) for count in args.counts]
    base = rows[0]["texts_per_s"] / rows[0]["replicas"]
    for row in rows:
        row["scaling"] = round(row["texts_per_s"] / (row["replicas"] * base), 2)
    mode = f"open loop {args.rate}/s" if args.rate else f"closed loop, think {args.think}s"
    return {"mode": mode, "people": args.people, "texts_per_person": args.texts, "runs": rows}


def main() -> None:
    """Parse the arguments, run, print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--people", type=int, default=150)
    parser.add_argument("--texts", type=int, default=10, help="texts per person")
    parser.add_argument("--rate", type=float, default=0.0, help="open loop: texts/s offered")
    parser.add_argument("--think", type=float, default=0.15, help="closed loop: quiet s")
    print(json.dumps(asyncio.run(run(parser.parse_args()))))


if __name__ == "__main__":
    main()
