"""``python -m bot chat``: the local chat on the application context (no token needed)."""

from __future__ import annotations

import asyncio
import sys

from app.build import build_context
from bot.chat import LocalChannel, run_interactive, run_jsonl
from core.settings import Settings, get_settings


async def chat(settings: Settings, *, jsonl: bool) -> None:
    """Build the context with the local channel and talk on stdin/stdout until end of input."""
    context = build_context(settings)
    channel = LocalChannel(sys.stdout, jsonl=jsonl)
    context.add_channel(channel)
    try:
        await context.start()
        run = run_jsonl if jsonl else run_interactive
        await run(context.assistant, sys.stdin, channel)
    finally:
        await context.aclose()


def main(jsonl: bool, settings: Settings | None = None) -> None:
    """Chat on the configured database; Ctrl-C says goodbye instead of a traceback."""
    try:
        asyncio.run(chat(settings or get_settings(), jsonl=jsonl))
    except KeyboardInterrupt:
        sys.stdout.write("\nAu revoir !\n")
