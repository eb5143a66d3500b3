"""Crash safety of the outbox dispatcher: kill -9 mid-run, restart; two dispatchers at once.

``python -m bench.crash [--count 600] [--rate 30] [--kills 2]``: PostgreSQL (temporary
database), the fake Bot API in its own process, dispatchers in their own processes talking to
it through python-telegram-bot. Phase 1 kills the dispatcher with SIGKILL at a random moment
(``--kills`` times), restarts it, and waits until the outbox is drained. Phase 2 runs two
dispatchers on the same database at once. Each phase prints duplicates (messages a chat got
twice) and lost (planned messages never received).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from bench._programme import FakeApiProcess, outbox, people, telegram_channel, temporary_postgres
from capabilities.programme.rules import parse_rules
from scheduler.dispatch import Dispatcher
from store import repo_outbox
from store.db import Engine, make_engine, make_session_factory

DAYTIME = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # Tuesday 10:00 in Paris
CLAIM_TIMEOUT = 3.0


async def worker(url: str, api: str, epoch: float, rate: float) -> None:
    """One dispatcher process: drains until SIGTERM (or until it is killed)."""
    engine = make_engine(url)
    rules = parse_rules(
        {
            "dispatch": {
                "rate_per_second": min(rate, 30),
                "paid_broadcast": rate > 30,
                "paid_rate_per_second": max(rate, 1),
                "claim_timeout_seconds": CLAIM_TIMEOUT,
                "poll_seconds": 0.2,
            }
        }
    )
    app, channel = await telegram_channel(api)

    def clock() -> datetime:  # shared by every worker: claims compare across processes
        return DAYTIME + timedelta(seconds=time.time() - epoch)

    dispatcher = Dispatcher(make_session_factory(engine), {"telegram": channel}, rules, clock=clock)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await dispatcher.run(stop)
    await app.shutdown()
    engine.dispose()


def start_worker(url: str, api: str, epoch: float, rate: float) -> subprocess.Popen[bytes]:
    """A dispatcher in its own process."""
    return subprocess.Popen(
        [sys.executable, "-m", "bench.crash", "worker", url, api, str(epoch), str(rate)]
    )


def remaining(engine: Engine, prefix: str) -> int:
    """Rows of this phase not yet sent."""
    with make_session_factory(engine)() as session:
        return repo_outbox.unsent_count(session, prefix)


def wait_drained(engine: Engine, prefix: str, timeout: float) -> None:
    """Poll the database until every row of the phase is sent."""
    deadline = time.monotonic() + timeout
    while remaining(engine, prefix) and time.monotonic() < deadline:
        time.sleep(0.5)


def verdict(label: str, stats: dict[str, object], expected: range) -> bool:
    """Print duplicates and lost for one phase."""
    chats: dict[str, int] = stats["chats"]  # type: ignore[assignment]
    duplicates = sum(count - 1 for count in chats.values() if count > 1)
    lost = sum(1 for chat in expected if chats.get(str(chat), 0) == 0)
    print(f"{label}: {duplicates} duplicates, {lost} lost ({stats['count']} messages received)")
    return duplicates == 0 and lost == 0


def phase_kill(engine: Engine, url: str, count: int, rate: float, kills: int) -> bool:
    """Kill -9 the dispatcher ``kills`` times at random moments, restart, drain."""
    outbox(engine, range(1, count + 1), not_before=DAYTIME, prefix="kill")
    fake = FakeApiProcess()
    epoch = time.time()
    duration = count / rate
    rng = random.Random()
    for number in range(kills):
        process = start_worker(url, fake.base_url, epoch, rate)
        time.sleep(rng.uniform(0.15, 0.35) * duration)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        print(
            f"  kill -9 #{number + 1}: {count - remaining(engine, 'kill')} sent so far", flush=True
        )
    process = start_worker(url, fake.base_url, epoch, rate)
    wait_drained(engine, "kill", timeout=duration * 2 + 30)
    process.terminate()
    process.wait(timeout=30)
    return verdict(f"kill -9 x{kills} then restart", fake.stop(), range(1, count + 1))


def phase_two(engine: Engine, url: str, count: int, rate: float) -> bool:
    """Two dispatchers on the same database at the same time."""
    first = count + 1
    people(engine, count, start=first)
    chats = range(first, first + count)
    outbox(engine, chats, not_before=DAYTIME, prefix="two")
    fake = FakeApiProcess()
    epoch = time.time()
    workers = [start_worker(url, fake.base_url, epoch, rate) for _ in range(2)]
    wait_drained(engine, "two", timeout=count / rate + 60)
    for process in workers:
        process.terminate()
        process.wait(timeout=30)
    with make_session_factory(engine)() as session:
        by_worker = repo_outbox.claims_per_worker(session, "two")
    print(f"  rows sent per dispatcher: {sorted(n for _, n in by_worker)}")
    return verdict("two dispatchers at once", fake.stop(), chats)


def main(count: int, rate: float, kills: int) -> int:
    """Both phases on one temporary database."""
    with temporary_postgres("bench_crash") as engine:
        people(engine, count)
        url = engine.url.render_as_string(hide_password=False)
        ok = phase_kill(engine, url, count, rate, kills)
        ok = phase_two(engine, url, count, rate) and ok
    print("crash safety:", "0 duplicates, 0 lost" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        _, _, db, api, epoch, rate = sys.argv
        asyncio.run(worker(db, api, float(epoch), float(rate)))
        sys.exit(0)
    parser = argparse.ArgumentParser(prog="python -m bench.crash")
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--rate", type=float, default=30)
    parser.add_argument("--kills", type=int, default=2)
    options = parser.parse_args()
    sys.exit(main(options.count, options.rate, options.kills))
