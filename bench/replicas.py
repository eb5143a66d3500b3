"""Three ``python -m bot`` replicas in webhook mode on one PostgreSQL, one killed with SIGKILL.

The bench process runs the fake Bot API and a round-robin load balancer with Telegram's
retry semantics (an update that gets no 2xx is posted again, to the next replica). Each
person's updates go one after the other (as Telegram sends them), people in parallel. In the
middle, one replica is killed with ``kill -9`` and restarted ``--restart-after`` seconds
later. At the end, from the database and the fake API:

- lost: texts sent but not in the person's transcript (``message_log``, direction ``in``);
- doubled: texts recorded more than once;
- out of order: people whose transcript is not in the order they wrote;
- replies: sendMessage calls per chat against the replies the assistant recorded;
- the most sendMessage calls the fake API saw within any 1 s (Telegram's limit is 30/s).

    .venv/bin/python -m bench.replicas                          # 3,000 updates, 300 people
    .venv/bin/python -m bench.replicas --updates 600 --people 60  # shared machine
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.telegram_e2e import _postgres_db

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-secret"
PATH = "/telegram/hook"
TEXTS = ["bus", "logement", "formation", "aide au permis", "creche", "prif", "metiers"]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Replica:
    """One ``python -m bot`` subprocess in webhook mode."""

    def __init__(self, index: int, env: dict[str, str], logs: Path, module: str = "bot") -> None:
        self.index = index
        self.module = module
        self.port = _port()
        self.env = {**env, "CONSOLE_PORT": str(self.port)}
        self.log = logs / f"replica-{index}.log"
        self.process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PATH}"

    async def start(self, client: httpx.AsyncClient) -> None:
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", self.module, cwd=ROOT, env=self.env, stdout=log, stderr=log
            )
        for _ in range(1200):
            with contextlib.suppress(httpx.TransportError):
                await client.get(f"http://127.0.0.1:{self.port}/login")
                return
            await asyncio.sleep(0.1)
        tail = self.log.read_text(errors="replace")[-2000:]
        raise TimeoutError(f"replica {self.index} did not start:\n{tail}")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()


class Balancer:
    """Round robin; a failed POST (connection refused, non-2xx) goes to the next replica."""

    def __init__(self, replicas: list[Replica], client: httpx.AsyncClient) -> None:
        self.replicas = replicas
        self.client = client
        self.turn = 0
        self.retries = 0

    async def post(self, update: dict[str, Any]) -> None:
        body = json.dumps(update).encode()
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "content-type": "application/json"}
        for _attempt in range(400):
            replica = self.replicas[self.turn % len(self.replicas)]
            self.turn += 1
            with contextlib.suppress(httpx.HTTPError):
                answer = await self.client.post(replica.url, content=body, headers=headers)
                if answer.is_success:
                    return
            self.retries += 1
            await asyncio.sleep(0.05)
        raise RuntimeError(f"update {update['update_id']} never accepted")


def replica_env(url: str, fake: Any) -> dict[str, str]:
    """The environment of a webhook-mode replica on ``url`` talking to ``fake``. The bench
    serves the example agenda, so it says so (ALLOW_EXAMPLE_DATA=1, as a demo would)."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": url,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.base_url,
        "TELEGRAM_WEBHOOK_URL": f"https://bench.invalid{PATH}",
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "CONSOLE_SECRET_KEY": "bench-console-secret-key",
        "ALLOW_EXAMPLE_DATA": "1",
    }


def _most_in_one_second(times: list[float], window: float = 1.0) -> int:
    times = sorted(times)
    best, left = 0, 0
    for right, at in enumerate(times):
        while at - times[left] >= window:
            left += 1
        best = max(best, right - left + 1)
    return best


async def _wait_sends(fake: Any, wanted: int, limit_s: float) -> None:
    deadline = time.monotonic() + limit_s
    while len(fake.calls_of("sendMessage")) < wanted:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(fake.calls_of('sendMessage'))}/{wanted} sends")
        await asyncio.sleep(0.1)


async def _settle(fake: Any, quiet_s: float = 3.0, limit_s: float = 600.0) -> None:
    """Wait until the fake API has seen no call for ``quiet_s`` seconds."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        last = fake.calls[-1].at if fake.calls else 0.0
        if time.monotonic() - last > quiet_s:
            return
        await asyncio.sleep(0.2)


def _check(
    url: str, sent: dict[int, list[str]], fake: Any, since: int, phase: datetime
) -> dict[str, Any]:
    from sqlalchemy import select

    from store.db import make_engine, make_session_factory
    from store.inbox import undone_count
    from store.models import ChannelAccount, MessageLog

    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        rows = session.execute(
            select(
                ChannelAccount.external_ref,
                MessageLog.direction,
                MessageLog.text,
                MessageLog.created_at,
            )
            .join(MessageLog, MessageLog.person_id == ChannelAccount.person_id)
            .where(MessageLog.kind != "button", ChannelAccount.channel == "telegram")
            .order_by(MessageLog.id)
        ).all()
        waiting = undone_count(session)
    engine.dispose()
    got: dict[int, list[str]] = defaultdict(list)
    replies = 0
    for ref, direction, text, at in rows:
        if direction == "in" and text != "/start":
            got[int(ref)].append(text)
        elif direction == "out" and at >= phase:
            replies += 1
    lost = doubled = disordered = 0
    for chat, texts in sent.items():
        mine = got.get(chat, [])
        counts = Counter(mine)
        lost += sum(1 for text in texts if counts[text] == 0)
        doubled += sum(count - 1 for count in counts.values() if count > 1)
        disordered += int([t for t in mine if t in set(texts)] != texts)
    sends = fake.calls_of("sendMessage")
    phase_sends = [call for call in fake.calls[since:] if call.method == "sendMessage"]
    return {
        "lost": lost,
        "doubled": doubled,
        "people_out_of_order": disordered,
        "inbox_left_undone": waiting,
        "sends_total": len(sends),
        "replies_recorded_in_text_phase": replies,
        "sends_in_text_phase": len(phase_sends),
        "max_sends_in_1s": _most_in_one_second([call.at for call in sends]),
        "max_sends_in_10s_over_10": _most_in_one_second([call.at for call in sends], 10.0) / 10,
    }


async def onboard(balancer: Balancer, fake: Any, people: list[int]) -> None:
    """Everyone through /start and consent (not timed by the benches)."""
    for chat in people:
        await balancer.post(fake.push_command(chat, "/start"))
    await _wait_sends(fake, len(people), 300)
    await _settle(fake, 1.5)
    for chat in people:
        await balancer.post(fake.push_callback(chat, "consent:yes"))
    await _settle(fake, 2.0)


def _fallbacks(logs: Path) -> int:
    """How many times a replica lost Redis and limited itself alone."""
    return sum(path.read_text().count("Redis unreachable") for path in logs.glob("*.log"))


def _print_logs(logs: Path) -> None:
    for path in sorted(logs.glob("*.log")):
        print(f"--- {path.name}\n{path.read_text()[-3000:]}", file=sys.stderr)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    from bench._threaded_fake import ThreadedFakeApi
    from store.db import make_engine
    from store.migrate import upgrade

    url, drop = _postgres_db()
    prefix = f"bench:replicas:{uuid.uuid4().hex[:8]}"
    engine = make_engine(url)
    upgrade(engine)  # once, before the replicas (they find the schema at its heads)
    engine.dispose()
    result: dict[str, Any] = {"replicas": args.replicas, "updates": args.updates}
    result["people"] = args.people
    try:
        with tempfile.TemporaryDirectory() as logs:
            async with ThreadedFakeApi() as fake, httpx.AsyncClient(timeout=10) as client:
                env = {
                    **replica_env(url, fake),
                    "REDIS_URL": args.redis_url,
                    "TELEGRAM_LIMITER_PREFIX": prefix,
                }
                replicas = [Replica(i, env, Path(logs)) for i in range(args.replicas)]
                began = time.monotonic()
                await asyncio.gather(*(replica.start(client) for replica in replicas))
                result["start_s"] = round(time.monotonic() - began, 1)
                balancer = Balancer(replicas, client)
                people = [70_000 + n for n in range(args.people)]
                began = time.monotonic()
                await onboard(balancer, fake, people)
                result["onboarding_s"] = round(time.monotonic() - began, 1)
                since = len(fake.calls)
                phase = datetime.now(UTC)
                sent: dict[int, list[str]] = {chat: [] for chat in people}
                per_person = args.updates // len(people)
                accepted = 0
                killed: list[float] = []
                halfway = asyncio.Event()

                async def person(chat: int, offset: int) -> None:
                    nonlocal accepted
                    await asyncio.sleep(offset / args.rate)
                    for n in range(per_person):
                        text = f"{TEXTS[(chat + n) % len(TEXTS)]} {n}"
                        await balancer.post(fake.push_text(chat, text))
                        sent[chat].append(text)
                        accepted += 1
                        if accepted >= args.updates // 2:
                            halfway.set()
                        await asyncio.sleep(len(people) / args.rate)

                async def chaos() -> None:
                    await halfway.wait()
                    replicas[0].kill()
                    killed.append(time.monotonic())
                    await asyncio.sleep(args.restart_after)
                    await replicas[0].start(client)

                began = time.monotonic()
                await asyncio.gather(chaos(), *(person(c, i) for i, c in enumerate(people)))
                posted = time.monotonic()
                await _settle(fake, 4.0)
                done = (fake.calls[-1].at if fake.calls else posted) - began
                result["post_s"] = round(posted - began, 1)
                result["text_phase_s"] = round(done, 1)
                result["updates_per_s"] = round(args.updates / done, 1)
                result["balancer_retries"] = balancer.retries
                result["killed_after_s"] = round(killed[0] - began, 1) if killed else None
                await asyncio.gather(*(replica.stop() for replica in replicas))
                result.update(await asyncio.to_thread(_check, url, sent, fake, since, phase))
                result["limiter_fallbacks"] = await asyncio.to_thread(_fallbacks, Path(logs))
                if args.keep_logs:
                    await asyncio.to_thread(_print_logs, Path(logs))
    finally:
        drop()
        from redis import Redis

        client_redis = Redis.from_url(args.redis_url)
        keys = list(client_redis.scan_iter(f"{prefix}*"))
        if keys:
            client_redis.delete(*keys)
        client_redis.close()
    return result


def main() -> None:
    """Parse the arguments, run, print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--rate", type=float, default=100.0, help="offered updates/s")
    parser.add_argument("--restart-after", type=float, default=5.0)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--keep-logs", action="store_true", help="print the replicas' logs")
    print(json.dumps(asyncio.run(run(parser.parse_args()))))


if __name__ == "__main__":
    main()
