"""A fake Bot API in its own process (benchmarks): prints its URL, then on SIGTERM a summary.

``python -m bench._fake_api`` writes ``URL <base_url>`` on stdout, serves until SIGTERM, then
writes ``STATS {json}``: how many sendMessage calls (and how many asked for a paid
broadcast), per chat, and the first/last arrival times (monotonic seconds). Running it apart
keeps its CPU out of the dispatcher's process.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections import Counter

from tests.fakes.telegram_api import FakeTelegramApi


async def main() -> None:
    """Serve until SIGTERM, then print the summary."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    async with FakeTelegramApi() as fake:
        print(f"URL {fake.base_url}", flush=True)
        await stop.wait()
        sends = [call for call in fake.calls if call.method == "sendMessage"]
        chats = Counter(str(call.params.get("chat_id")) for call in sends)
        summary = {
            "count": len(sends),
            "paid": sum(1 for call in sends if call.params.get("allow_paid_broadcast")),
            "chats": chats,
            "first": sends[0].at if sends else None,
            "last": sends[-1].at if sends else None,
            "times": [call.at for call in sends],
        }
        sys.stdout.write("STATS " + json.dumps(summary) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    asyncio.run(main())
