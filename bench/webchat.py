"""Web chat benchmark: concurrent panels over WebSockets, send → reply shown, memory/session.

The server (console + ``/chat`` on uvicorn, the real assistant with scripted NLU answers, a
temporary SQLite database) runs in a child process, so its memory is its own; the panels
are WebSocket clients in this process. Each panel opens a session, says ``/start`` and
accepts (not timed); then messages are sent at ``--rate`` per second to random panels for
``--seconds``, and the time from sending to the first reply item pushed on that panel is
measured. Memory per open session = (server RSS with the panels open − RSS before) / N.

    .venv/bin/python bench/webchat.py                         # 100 panels, 10 msg/s, 10 s
    .venv/bin/python bench/webchat.py --sessions 500 --rate 20 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent
sys.path.insert(0, str(ROOT))

TEXTS = ["bus", "logement", "formation", "aide au permis", "creche", "metiers"]


async def _serve(port: int, database_url: str) -> None:
    import uvicorn

    from app.build import build_context
    from app.webchat import wire_webchat
    from console.app import create_app
    from console.web import ConsoleState
    from core.settings import load_settings
    from tests.chat import FakeNlu

    settings = load_settings(
        database_url=database_url,
        telegram_bot_token=None,
        rasa_url=None,
        console_secret_key="bench",
        webchat_visitor_per_minute=10_000,
        webchat_address_per_minute=1_000_000,
    )
    context = build_context(settings, parse=FakeNlu().parse)
    parts = wire_webchat(context)
    parts.server.new_visitors.limit = 1_000_000  # every panel comes from 127.0.0.1
    await context.start()
    state = ConsoleState(sessions=context.sessions, settings=settings)
    app = create_app(state, extra_routes=parts.routes)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws_ping_interval=None,
        ws_per_message_deflate=False,  # as console.serve.uvicorn_options
    )
    print("ready", flush=True)
    await uvicorn.Server(config)._serve()


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Panel:
    """One open widget: its token, its socket, and the replies it waits for."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.waiting: asyncio.Future[float] | None = None
        self.socket: Any = None
        self.token = ""

    async def open(self, http: Any) -> None:
        import websockets

        self.token = (await http.post(f"{self.base}/chat/api/session", json={})).json()["token"]
        self.socket = await websockets.connect(self.base.replace("http", "ws") + "/chat/ws")
        await self.socket.send(json.dumps({"type": "hello", "token": self.token}))
        json.loads(await self.socket.recv())  # ready
        self.reader = asyncio.create_task(self._read())
        await self.say({"start": True})
        await self.say({"button": "consent:yes", "label": "J'accepte"})

    async def _read(self) -> None:
        async for raw in self.socket:
            data = json.loads(raw)
            bot = data.get("type") == "item" and data["item"]["role"] != "visitor"
            if bot and self.waiting is not None and not self.waiting.done():
                self.waiting.set_result(time.perf_counter())

    async def say(self, body: dict[str, Any]) -> float:
        self.waiting = asyncio.get_running_loop().create_future()
        sent = time.perf_counter()
        await self.socket.send(json.dumps(body))
        return (await asyncio.wait_for(self.waiting, 30)) - sent


async def _bench(args: argparse.Namespace) -> dict[str, Any]:
    import httpx

    from tests.console.live import free_port

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    tmp = tempfile.mkdtemp(prefix="bench-webchat-")
    child = subprocess.Popen(  # noqa: ASYNC220 (started once, before anything is timed)
        [sys.executable, str(SCRIPT), "--serve", str(port), f"sqlite:///{tmp}/chat.db"],
        stdout=subprocess.PIPE,
        cwd=ROOT,
    )
    try:
        assert child.stdout is not None
        child.stdout.readline()
        await asyncio.sleep(0.5)
        before = rss_kib(child.pid)
        panels = [Panel(base) for _ in range(args.sessions)]
        limits = httpx.Limits(max_connections=50)
        async with httpx.AsyncClient(limits=limits, timeout=30) as http:
            for start in range(0, len(panels), 25):
                await asyncio.gather(*(p.open(http) for p in panels[start : start + 25]))
        opened = rss_kib(child.pid)
        latencies: list[float] = []

        async def one(panel: Panel) -> None:
            if panel.waiting is not None and not panel.waiting.done():
                return  # still waiting for its previous reply: a person reads before typing
            latencies.append(await panel.say({"text": random.choice(TEXTS)}))

        tasks = []
        t0 = time.perf_counter()
        for i in range(int(args.rate * args.seconds)):
            await asyncio.sleep(max(0.0, t0 + i / args.rate - time.perf_counter()))
            tasks.append(asyncio.create_task(one(random.choice(panels))))
        await asyncio.gather(*tasks, return_exceptions=True)
        elapsed = time.perf_counter() - t0
        for panel in panels:
            await panel.socket.close()
        q = statistics.quantiles(latencies, n=100)
        return {
            "sessions": args.sessions,
            "rate_per_s": args.rate,
            "messages": len(latencies),
            "achieved_per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(q[49] * 1000, 1),
            "p95_ms": round(q[94] * 1000, 1),
            "max_ms": round(max(latencies) * 1000, 1),
            "server_rss_mib": round(opened / 1024, 1),
            "kib_per_session": round((opened - before) / args.sessions, 1),
        }
    finally:
        child.terminate()
        child.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--serve", nargs=2, metavar=("PORT", "DATABASE_URL"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.serve:
        os.environ.setdefault("PYTHONHASHSEED", "0")
        asyncio.run(_serve(int(args.serve[0]), args.serve[1]))
        return
    print(json.dumps(asyncio.run(_bench(args)), indent=2))


if __name__ == "__main__":
    main()
