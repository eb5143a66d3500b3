"""CPU cost of one assistant turn, without Telegram: ``Assistant.handle`` called directly.

The end-to-end benchmark (``bench.telegram_e2e``) mixes the adapter, the fake Bot API and
the assistant on two cores; this one isolates the assistant so a change to the hot path can
be measured in seconds, in CPU milliseconds per turn (insensitive to other processes).

    .venv/bin/python -m bench.turn                 # SQLite, 300 chats, 3000 text turns
    .venv/bin/python -m bench.turn --postgres      # a temporary PostgreSQL database
    .venv/bin/python -m bench.turn --concurrency 32  # turns in flight at once
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from itertools import count
from typing import Any

from bench.telegram_e2e import TEXTS, _postgres_db
from core.messages import Incoming, Kind


def _incoming(
    ids: count[int], chat: int, kind: Kind, text: str = "", payload: str = ""
) -> Incoming:
    return Incoming(
        channel="telegram",
        user_ref=str(chat),
        kind=kind,
        text=text,
        payload=payload,
        update_id=next(ids),
        language_code="fr",
    )


async def _run(args: argparse.Namespace, database_url: str) -> dict[str, Any]:
    from app.build import build_context
    from core.settings import load_settings

    settings = load_settings(database_url=database_url, throttle_messages=100_000)
    context = build_context(settings)
    assistant = context.assistant
    ids = count(1)
    chats = [10_000 + i for i in range(args.chats)]
    try:
        for chat in chats:
            await assistant.handle(_incoming(ids, chat, Kind.COMMAND, "/start"))
            await assistant.handle(_incoming(ids, chat, Kind.BUTTON, payload="consent:yes"))
        rng = random.Random(7)
        work = [
            _incoming(ids, chats[i % len(chats)], Kind.TEXT, rng.choice(TEXTS))
            for i in range(args.turns)
        ]
        cpu, wall = time.process_time(), time.perf_counter()
        replies = 0
        for start in range(0, len(work), args.concurrency):
            batch = work[start : start + args.concurrency]
            results = await asyncio.gather(*(assistant.handle(m) for m in batch))
            replies += sum(len(r) for r in results)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        await context.aclose()
    return {
        "database": database_url.split(":", 1)[0],
        "turns": args.turns,
        "concurrency": args.concurrency,
        "replies_per_turn": round(replies / args.turns, 2),
        "cpu_ms_per_turn": round(1000 * cpu / args.turns, 3),
        "wall_ms_per_turn": round(1000 * wall / args.turns, 3),
        "turns_per_s_wall": round(args.turns / wall, 1),
    }


def main() -> None:
    """Parse the arguments, run, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chats", type=int, default=300)
    parser.add_argument("--turns", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    drop = None
    with tempfile.TemporaryDirectory() as workdir:
        url = f"sqlite:///{workdir}/turn.db"
        if args.postgres:
            url, drop = _postgres_db()
        try:
            print(json.dumps(asyncio.run(_run(args, url)), indent=2))
        finally:
            if drop:
                drop()


if __name__ == "__main__":
    main()
