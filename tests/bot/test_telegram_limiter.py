"""Telegram's bot-wide limit is shared by the replicas through the local Redis, and a 429
pauses all of them (fakeredis cannot show this: two real processes, one real Redis)."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from telegram.error import RetryAfter

import bot.telegram_render  # noqa: F401  (sets PTB_TIMEDELTA, as in production)
from bot.telegram_bot import make_bot
from bot.telegram_limiter import SharedRateLimiter
from core.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379/0"

SENDER = """
import asyncio, json, sys, time
from bot.telegram_limiter import SharedRateLimiter

async def main(prefix, rate, count, start_at):
    limiter = SharedRateLimiter(sys.argv[5], rate=rate, prefix=prefix)
    await limiter.initialize()
    stamps = []
    async def send(**kw):
        stamps.append(time.time())
        return True
    await asyncio.sleep(max(0.0, start_at - time.time()))
    await asyncio.gather(*(
        limiter.process_request(send, (), {}, "sendMessage", {"chat_id": 100 + n}, None)
        for n in range(count)
    ))
    await limiter.shutdown()
    print(json.dumps(stamps))

asyncio.run(main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])))
"""


@pytest.fixture
def prefix() -> Iterator[str]:
    """A key prefix of our own in the local Redis, deleted afterwards."""
    name = f"test:limiter:{uuid.uuid4().hex[:10]}"
    yield name
    client = Redis.from_url(REDIS)
    keys = list(client.scan_iter(f"{name}*"))
    if keys:
        client.delete(*keys)
    client.close()


def most_in_one_second(stamps: list[float], window: float = 0.9) -> int:
    """The most calls seen within ``window`` seconds. The limiter counts when a slot is
    taken; the callback's clock reads a few milliseconds later on a busy machine, so the
    check uses a slightly shorter window than the limiter's second."""
    stamps = sorted(stamps)
    best, left = 0, 0
    for right, stamp in enumerate(stamps):
        while stamp - stamps[left] >= window:
            left += 1
        best = max(best, right - left + 1)
    return best


def test_two_processes_share_one_rate(prefix: str) -> None:
    start_at = time.time() + 1.5  # both processes are up by then
    children = [
        subprocess.Popen(
            [sys.executable, "-c", SENDER, prefix, "11", "15", str(start_at), REDIS],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [child.communicate(timeout=60)[0] for child in children]
    assert [child.returncode for child in children] == [0, 0]
    per_process = [json.loads(output) for output in outputs]
    stamps = [stamp for stamps in per_process for stamp in stamps]
    assert len(stamps) == 30
    # Together, never above the bot-wide rate (11/s less the 10 % headroom: 9 a second).
    assert most_in_one_second(stamps) <= 9
    assert max(stamps) - min(stamps) >= 2.9  # 30 requests at 9/s need 4 windows
    assert all(most_in_one_second(mine) < 15 for mine in per_process)


@pytest.fixture
async def two_limiters(prefix: str) -> AsyncIterator[tuple[SharedRateLimiter, SharedRateLimiter]]:
    a = SharedRateLimiter(REDIS, rate=30, prefix=prefix, max_retries=2)
    b = SharedRateLimiter(REDIS, rate=30, prefix=prefix, max_retries=2)
    await a.initialize()
    await b.initialize()
    yield a, b
    await a.shutdown()
    await b.shutdown()


async def test_a_429_pauses_every_replica(
    two_limiters: tuple[SharedRateLimiter, SharedRateLimiter],
) -> None:
    a, b = two_limiters
    failures = [RetryAfter(timedelta(seconds=1))]
    sent: dict[str, float] = {}

    async def flooded(**kw: Any) -> bool:
        if failures:
            raise failures.pop()
        sent["a"] = time.monotonic()
        return True

    async def other(**kw: Any) -> bool:
        sent["b"] = time.monotonic()
        return True

    began = time.monotonic()
    task = asyncio.create_task(
        a.process_request(flooded, (), {}, "sendMessage", {"chat_id": 1}, None)
    )
    await asyncio.sleep(0.2)  # a got its 429 and wrote the pause
    await b.process_request(other, (), {}, "sendMessage", {"chat_id": 2}, None)
    await task
    assert sent["b"] - began >= 0.9  # the other replica waited too
    assert sent["a"] - began >= 1.0  # and a re-sent after the pause


async def test_requests_without_a_chat_are_not_counted(prefix: str) -> None:
    limiter = SharedRateLimiter(REDIS, rate=1, prefix=prefix)
    await limiter.initialize()

    async def call(**kw: Any) -> bool:
        return True

    began = time.monotonic()
    for _ in range(5):
        await limiter.process_request(call, (), {}, "getMe", {}, None)
    assert time.monotonic() - began < 0.5
    await limiter.shutdown()


async def test_a_send_answered_late_takes_a_second_slot(prefix: str) -> None:
    """A send answered long after its slot probably reached Telegram late, bunched with the
    next ones: it counts twice in the shared window, so the bot makes room for it."""
    limiter = SharedRateLimiter(REDIS, rate=10, prefix=prefix)  # 9 per second with headroom
    await limiter.initialize()

    async def quick(**kw: Any) -> bool:
        return True

    async def slow(**kw: Any) -> bool:
        await asyncio.sleep(0.12)
        return True

    async def used() -> int:
        assert limiter._window is not None
        stats = await limiter._window.get_window_stats(limiter.item, "sends")
        return 9 - stats.remaining

    await limiter.process_request(quick, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert await used() == 1
    await limiter.process_request(slow, (), {}, "sendMessage", {"chat_id": 2}, None)
    assert await used() == 3
    assert limiter.late_sends == 1
    await limiter.shutdown()


async def test_sends_of_one_replica_are_spaced_not_bunched(prefix: str) -> None:
    limiter = SharedRateLimiter(REDIS, rate=20, prefix=prefix)  # 18 per second
    await limiter.initialize()
    stamps: list[float] = []

    async def call(**kw: Any) -> bool:
        stamps.append(time.monotonic())
        return True

    await asyncio.gather(
        *(
            limiter.process_request(call, (), {}, "sendMessage", {"chat_id": n}, None)
            for n in range(10)
        )
    )
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert min(gaps) >= 0.5 / 18  # never two at once (1/18 s apart, with timer slack)
    await limiter.shutdown()


async def test_without_redis_the_replica_limits_itself(
    prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    limiter = SharedRateLimiter("redis://127.0.0.1:1/0", rate=5, prefix=prefix)
    await limiter.initialize()
    stamps: list[float] = []

    async def call(**kw: Any) -> bool:
        stamps.append(time.time())
        return True

    with caplog.at_level(logging.WARNING):
        await asyncio.gather(
            *(
                limiter.process_request(call, (), {}, "sendMessage", {"chat_id": n}, None)
                for n in range(8)
            )
        )
    assert len(stamps) == 8  # still sending
    assert most_in_one_second(stamps) <= 5
    assert "Redis unreachable" in caplog.text
    await limiter.shutdown()


def test_the_bot_uses_the_shared_limiter_only_with_redis_url() -> None:
    plain = make_bot(load_settings(telegram_bot_token="1:a"))
    shared = make_bot(load_settings(telegram_bot_token="1:a", redis_url=REDIS))
    assert not isinstance(plain.rate_limiter, SharedRateLimiter)
    assert isinstance(shared.rate_limiter, SharedRateLimiter)
    unlimited = make_bot(
        load_settings(telegram_bot_token="1:a", redis_url=REDIS), overall_max_rate=0
    )
    assert not isinstance(unlimited.rate_limiter, SharedRateLimiter)
