"""End-to-end benchmark: fake Bot API → real PTB Application → assistant → sendMessage.

The fake Bot API runs in this process; the bot runs in a child process (so its cold start
and memory are its own, and it gets its own core). Latency is measured on one clock (the
fake server's): from the moment an update is served by ``getUpdates`` to the moment the
reply's ``sendMessage`` is received.

    .venv/bin/python bench/telegram_e2e.py                       # SQLite, real assistant
    .venv/bin/python bench/telegram_e2e.py --echo                # adapter-only ceiling
    .venv/bin/python bench/telegram_e2e.py --postgres            # temporary PostgreSQL db
    .venv/bin/python bench/telegram_e2e.py --database-url postgresql+psycopg://…

Phases: onboarding (each chat: /start, consent — not timed), then ``--updates`` text
updates offered at ``--rate`` per second (latency under a sustained load), then the same
number pushed at once (throughput ceiling).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent
sys.path.insert(0, str(ROOT))

TEXTS = ["bus", "logement", "formation", "aide au permis", "creche", "prif", "metiers"]


# --------------------------------------------------------------------------- child: the bot
async def _child(args: argparse.Namespace) -> None:
    started = time.monotonic()
    import resource

    from bot.telegram_app import build_application, polling
    from core.settings import load_settings

    settings = load_settings(
        telegram_bot_token=args.token,
        telegram_api_url=args.api_url,
        database_url=args.database_url,
        throttle_messages=1000,  # the flood guard is not what we measure
    )
    info: dict[str, Any] = {}
    handler: Any
    context = None
    if args.echo:
        from tests.fakes.assistant import EchoAssistant

        handler = EchoAssistant()
    else:
        from app.build import build_context

        context = build_context(settings)  # migrates, loads content, trains the NLU
        handler = context.assistant
        if args.assistant_process:
            from bot.assistant_process import AssistantProcess

            handler = AssistantProcess(settings, handler)
            await handler.start()
    app = build_application(
        settings,
        handler,
        overall_max_rate=0,
        concurrent_updates=args.concurrency,
        connection_pool_size=args.pool,
        fast_http=not args.httpx,
    )
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile(time.process_time)
    async with polling(app, poll_timeout=10):
        ready = time.monotonic()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu_at_ready = usage.ru_utime + usage.ru_stime
        print(json.dumps({"ready_at": ready, "ready_in_process_s": ready - started, **info}))
        sys.stdout.flush()
        if profiler:
            profiler.enable()
        await stop.wait()
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
    if context is not None:
        await context.aclose()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu_at_ready
    extra: dict[str, Any] = {}
    if args.assistant_process:  # the child has exited: its CPU and peak memory are known
        child = resource.getrusage(resource.RUSAGE_CHILDREN)
        extra = {
            "worker_maxrss_mb": round(child.ru_maxrss / 1024, 1),
            "worker_cpu_s": child.ru_utime + child.ru_stime,
        }
    print(json.dumps({"maxrss_mb": usage.ru_maxrss / 1024, "bot_cpu_s_after_ready": cpu, **extra}))
    sys.stdout.flush()


# --------------------------------------------------------------------------- parent: the load
def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _latencies(
    fake: Any, chats: list[int], since: int, served_from: int
) -> tuple[list[float], float]:
    """Per update: served → its last reply (a reply belongs to the chat's latest served update)."""
    served: dict[int, float] = dict(fake.served[served_from:])
    per_chat_updates: dict[int, list[float]] = {c: [] for c in chats}
    for update_id, at in fake.served[served_from:]:
        chat = fake.chat_of[update_id]
        per_chat_updates[chat].append(at)
    replies: dict[int, list[float]] = {c: [] for c in chats}
    for call in fake.calls[since:]:
        if call.method == "sendMessage":
            replies[call.params["chat_id"]].append(call.at)
    latencies: list[float] = []
    reply_count = 0
    for chat in chats:
        ups = sorted(per_chat_updates[chat])
        last_reply: dict[int, float] = {}
        for at in replies[chat]:
            reply_count += 1
            owner = max((i for i, u in enumerate(ups) if u <= at), default=None)
            if owner is not None:
                last_reply[owner] = at
        latencies += [last_reply[i] - ups[i] for i in last_reply]
    return latencies, reply_count / max(1, len(served))


async def _wait_replies(fake: Any, since: int, wanted: int, limit_s: float) -> float:
    deadline = time.monotonic() + limit_s
    scanned, count = since, 0
    chats_answered: set[int] = set()
    while True:
        calls = fake.calls
        for call in calls[scanned:]:  # only the new calls: the load generator stays cheap
            if call.method == "sendMessage":
                count += 1
                chats_answered.add(call.params["chat_id"])
        scanned = len(calls)
        if count >= wanted and not fake.pending:
            return time.monotonic()
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"{count}/{wanted} replies ({len(chats_answered)} chats) after {limit_s}s"
            )
        await asyncio.sleep(0.01)


async def _onboard(fake: Any, chats: list[int]) -> float:
    begin = time.monotonic()
    for phase, push in (
        ("consent:yes", lambda c: fake.push_command(c, "/start")),
        ("card:trades", lambda c: fake.push_callback(c, "consent:yes")),
    ):
        since = len(fake.calls)
        for chat in chats:
            push(chat)
        while True:
            done = {
                c.params["chat_id"]
                for c in fake.calls[since:]
                if c.method == "sendMessage" and phase in json.dumps(c.params.get("reply_markup"))
            }
            if len(done) == len(chats):
                break
            if time.monotonic() - begin > 120:
                raise TimeoutError(f"onboarding stuck at {phase}: {len(done)}/{len(chats)}")
            await asyncio.sleep(0.02)
    return time.monotonic() - begin


async def _phase(fake: Any, chats: list[int], updates: int, rate: float | None) -> dict[str, Any]:
    rng = random.Random(7)
    since, served_from = len(fake.calls), len(fake.served)
    begin = time.monotonic()
    for index in range(updates):
        chat = chats[index % len(chats)]
        fake.push_text(chat, rng.choice(TEXTS))
        if rate:
            delay = begin + (index + 1) / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
    await _wait_replies(fake, since, updates, limit_s=300)
    first_served = fake.served[served_from][1]
    last_reply = max(c.at for c in fake.calls[since:] if c.method == "sendMessage")
    latencies, per_update = _latencies(fake, chats, since, served_from)
    ms = [1000 * x for x in latencies]
    return {
        "updates": updates,
        "offered_rate": rate or "all at once",
        "updates_per_s": round(updates / (last_reply - first_served), 1),
        "replies_per_update": round(per_update, 2),
        "latency_ms": {
            "p50": round(statistics.median(ms), 1),
            "p95": round(_pct(ms, 0.95), 1),
            "p99": round(_pct(ms, 0.99), 1),
            "max": round(max(ms), 1),
        },
    }


async def _parent(args: argparse.Namespace) -> dict[str, Any]:
    import resource

    from tests.fakes.telegram_api import TOKEN, FakeTelegramApi

    result: dict[str, Any] = {"mode": "echo" if args.echo else "assistant"}
    result["http"] = "httpx" if args.httpx else "lean"
    result["assistant_process"] = args.assistant_process
    mine = resource.getrusage(resource.RUSAGE_SELF)
    with tempfile.TemporaryDirectory() as workdir:
        database_url = args.database_url or f"sqlite:///{workdir}/bench.db"
        result["database"] = database_url.split(":", 1)[0]
        async with FakeTelegramApi() as fake:
            fake.chat_of = {}  # type: ignore[attr-defined]
            original = fake.push_raw

            def push_raw(update: dict[str, Any], *, keep_id: bool = False) -> dict[str, Any]:
                pushed = original(update, keep_id=keep_id)
                body = pushed.get("message") or pushed.get("callback_query", {}).get("message")
                fake.chat_of[pushed["update_id"]] = body["chat"]["id"]  # type: ignore[attr-defined]
                return pushed

            fake.push_raw = push_raw  # type: ignore[method-assign]
            command = [sys.executable, str(SCRIPT), "--child"]
            command += ["--api-url", fake.base_url, "--token", TOKEN, "--workdir", workdir]
            command += ["--database-url", database_url]
            command += ["--concurrency", str(args.concurrency), "--pool", str(args.pool)]
            command += ["--echo"] if args.echo else []
            command += ["--httpx"] if args.httpx else []
            command += ["--assistant-process"] if args.assistant_process else []
            command += ["--profile", args.profile] if args.profile else []
            spawned = time.monotonic()
            child = await asyncio.create_subprocess_exec(
                *command,
                stdout=asyncio.subprocess.PIPE,
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            assert child.stdout is not None
            try:
                ready = json.loads(await asyncio.wait_for(child.stdout.readline(), 60))
                result["cold_start_s"] = round(ready["ready_at"] - spawned, 2)
                result.update({k: v for k, v in ready.items() if k != "ready_at"})
                chats = [10_000 + i for i in range(args.chats)]
                if not args.echo:
                    result["onboarding_s"] = round(await _onboard(fake, chats), 2)
                result["sustained"] = await _phase(fake, chats, args.updates, args.rate)
                result["burst"] = await _phase(fake, chats, args.updates, None)
            finally:
                child.send_signal(signal.SIGTERM)
                out, _ = await asyncio.wait_for(child.communicate(), 60)
            for line in out.decode().splitlines():
                if line.startswith("{"):
                    result.update(json.loads(line))
            result["maxrss_mb"] = round(result.get("maxrss_mb", 0), 1)
            handled = 2 * args.updates + (0 if args.echo else 2 * args.chats)
            cpu = result.pop("bot_cpu_s_after_ready", 0.0)
            if "worker_cpu_s" in result:  # includes its start-up (NLU load): an upper bound
                worker = result.pop("worker_cpu_s")
                result["worker_cpu_ms_per_update"] = round(1000 * worker / handled, 2)
            result["bot_cpu_ms_per_update"] = round(1000 * cpu / handled, 2)
            now = resource.getrusage(resource.RUSAGE_SELF)
            spent = now.ru_utime + now.ru_stime - mine.ru_utime - mine.ru_stime
            result["fake_api_cpu_ms_per_update"] = round(1000 * spent / handled, 2)
    return result


def _postgres_db() -> tuple[str, Any]:
    import psycopg

    name = f"bench_tg_{uuid.uuid4().hex[:8]}"
    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", drop


def main() -> None:
    """Parse the arguments, run the benchmark, print the numbers as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--updates", type=int, default=5000)
    parser.add_argument("--chats", type=int, default=1000, help="distinct chats (repeated)")
    parser.add_argument("--rate", type=float, default=500.0, help="offered updates/s")
    parser.add_argument("--concurrency", type=int, default=64, help="updates in flight")
    parser.add_argument("--pool", type=int, default=16, help="HTTP connections to the API")
    parser.add_argument("--httpx", action="store_true", help="PTB's httpx, not LeanRequest")
    parser.add_argument("--echo", action="store_true", help="echo assistant: adapter only")
    parser.add_argument(
        "--assistant-process", action="store_true", help="turns in a child process (2 GILs)"
    )
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--postgres", action="store_true", help="create and drop a temp db")
    parser.add_argument("--profile", default=None, help="write the bot's cProfile stats here")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        asyncio.run(_child(args))
        return
    drop = None
    if args.postgres:
        args.database_url, drop = _postgres_db()
    try:
        print(json.dumps(asyncio.run(_parent(args)), indent=2, ensure_ascii=False))
    finally:
        if drop:
            drop()


if __name__ == "__main__":
    main()
