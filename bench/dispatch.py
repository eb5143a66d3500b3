"""Outbox dispatch to the fake Bot API on loopback, at a configured rate.

``python -m bench.dispatch [--n30 3000] [--n1000 5000]``: PostgreSQL (temporary database),
the fake Bot API in its own process. Prints the achieved rate, measured at the server (first
to last arrival), against the configured one. Targets: ≥ 95 % at 30 msg/s, ≥ 90 % at
1000 msg/s.

- 30 msg/s goes through the real Telegram channel (python-telegram-bot over HTTP, with the
  production rate limiter: ``AIORateLimiter`` at the configured free rate);
- 1000 msg/s (paid broadcast) goes through a lean keep-alive Bot API client
  (``bench._programme``): on this 2-core machine python-telegram-bot's transport tops out
  at a few hundred requests per second, so it would measure the HTTP client, not the
  dispatcher. The same round through python-telegram-bot is printed too: its messages carry
  ``allow_paid_broadcast`` (counted by the fake server) and go through PTB's paid limiter,
  not the 30/s overall one.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, datetime
from typing import Any

from bench._programme import (
    FakeApiProcess,
    LeanBotApiChannel,
    outbox,
    people,
    telegram_channel,
    temporary_postgres,
)
from capabilities.programme.rules import parse_rules
from scheduler.dispatch import Dispatcher
from store.db import make_session_factory
from tests.fakes.telegram_api import TOKEN

DAYTIME = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Paris


async def run_round(
    engine: object, label: str, count: int, dispatch: dict[str, object], *, lean: bool
) -> float:
    """Send ``count`` messages at the configured rate; return achieved/configured."""
    rules = parse_rules({"dispatch": dispatch})
    outbox(engine, range(1, count + 1), not_before=DAYTIME, prefix=label)  # type: ignore[arg-type]
    fake = FakeApiProcess()
    channel: Any
    if lean:
        channel = LeanBotApiChannel(fake.base_url, TOKEN)
    else:
        app, channel = await telegram_channel(
            fake.base_url, paid_broadcast=rules.dispatch.paid_broadcast
        )
    sessions = make_session_factory(engine)  # type: ignore[arg-type]
    dispatcher = Dispatcher(sessions, {"telegram": channel}, rules, clock=lambda: DAYTIME)
    started = time.perf_counter()
    sent = 0
    while True:
        sent += await dispatcher.drain_once()
        if not dispatcher.stats["last_claimed"]:
            break
    wall = time.perf_counter() - started
    await (channel.aclose() if lean else app.shutdown())
    stats = fake.stop()
    configured = rules.dispatch.rate
    span = (stats["last"] - stats["first"]) if stats["count"] > 1 else float("nan")
    achieved = (stats["count"] - 1) / span
    duplicates = sum(n - 1 for n in stats["chats"].values() if n > 1)
    times, busiest, left = stats["times"], 0, 0
    for right, moment in enumerate(times):  # the most messages received within one second
        while moment - times[left] >= 1.0:
            left += 1
        busiest = max(busiest, right - left + 1)
    ratio = achieved / configured
    print(
        f"{label}: {stats['count']} messages (sent {sent}, duplicates {duplicates}, "
        f"paid broadcast {stats['paid']}) in "
        f"{wall:.1f} s; server-side rate {achieved:.1f} msg/s for {configured:g} configured "
        f"= {ratio:.1%}; busiest second {busiest} messages; "
        f"{dispatcher.stats['commits']} commits",
        flush=True,
    )
    return ratio


async def main(n30: int, n1000: int) -> int:
    """Both rounds on one temporary database."""
    with temporary_postgres("bench_dispatch") as engine:
        people(engine, max(n30, n1000))
        low = await run_round(
            engine, "30/s, python-telegram-bot", n30, {"rate_per_second": 30}, lean=False
        )
        paid = {"paid_broadcast": True, "paid_rate_per_second": 1000, "max_in_flight": 64}
        high = await run_round(engine, "1000/s, lean client", n1000, paid, lean=True)
        await run_round(engine, "1000/s, python-telegram-bot", n1000 // 3, paid, lean=False)
    ok = low >= 0.95 and high >= 0.90
    print(f"targets (≥ 95 % at 30/s, ≥ 90 % at 1000/s): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.dispatch")
    parser.add_argument("--n30", type=int, default=3000)
    parser.add_argument("--n1000", type=int, default=5000)
    options = parser.parse_args()
    sys.exit(asyncio.run(main(options.n30, options.n1000)))
