"""``python -m bot`` with Telegram's bot-wide limit switched off — for ``bench.replicas_scaling``
only, which measures what the replicas themselves can do. Never used to serve people:
Telegram answers 429 to a bot that sends more than about 30 messages a second.
"""

from __future__ import annotations

import sys

import bot.telegram_bot
from bot.__main__ import main

if __name__ == "__main__":
    bot.telegram_bot.free_rate = lambda: 0.0  # rate_limiter(): 0 disables the bot-wide limit
    sys.exit(main())
