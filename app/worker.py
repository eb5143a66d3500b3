"""``python -m app.worker``: the assistant's child process under ``ASSISTANT_PROCESS=1``.

Builds its own application context from the parent's settings (the parent has migrated the
database) and serves turns over the pipe until stdin closes.
"""

from __future__ import annotations

import asyncio
import os

from app.build import build_context
from bot.assistant_worker import ENV, serve_turns
from core.logs import configure_logging
from core.settings import Settings


async def main() -> None:
    """Serve turns for the parent process; release the context when its pipe closes."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, never into the frames
    settings = Settings.model_validate_json(os.environ[ENV])
    configure_logging(settings)  # stderr is the parent's: one log stream for both
    context = build_context(settings, migrate=False)
    try:
        await context.start()
        await serve_turns(context.assistant, out)
    finally:
        await context.aclose()
        out.close()


if __name__ == "__main__":
    asyncio.run(main())
