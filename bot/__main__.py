"""``python -m bot``: serve (Telegram when a token is set, web chat, scheduler, console) or
``chat`` in the terminal."""

from __future__ import annotations

import argparse
import logging
import sys

from core.logs import configure_logging
from core.settings import ConfigError, get_settings


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen mode."""
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Without a subcommand: serve the console, the web chat, the scheduler "
        "and Telegram when TELEGRAM_BOT_TOKEN is set (refused while the agenda, the Espaces "
        "or the counsellors' hours are examples, unless ALLOW_EXAMPLE_DATA=1).",
    )
    sub = parser.add_subparsers(dest="cmd")
    chat = sub.add_parser("chat", help="chat with the assistant in the terminal")
    chat.add_argument("--jsonl", action="store_true", help="one JSON object per line")
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    # The terminal chat keeps its screen readable: warnings only, unless LOG_LEVEL says more.
    quiet = args.cmd == "chat" and settings.log_level == "INFO"
    configure_logging(settings, level="WARNING" if quiet else None)
    if args.cmd == "chat":
        from app.chat import main as local_chat

        local_chat(jsonl=getattr(args, "jsonl", False), settings=settings)
        return 0
    from capabilities.example_data import example_files, refusal, warning

    examples = example_files()
    if examples and not settings.allow_example_data:
        print(refusal(examples), file=sys.stderr)
        return 3
    if examples:
        logging.getLogger("bot").warning(warning(examples))
    from app.serve import serve

    return int(serve(settings))


if __name__ == "__main__":
    sys.exit(main())
