"""``python -m bot``: serve (Telegram + scheduler + console) or ``chat`` in the terminal."""

from __future__ import annotations

import argparse
import logging
import sys

from core.settings import ConfigError, get_settings


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen mode."""
    parser = argparse.ArgumentParser(prog="python -m bot")
    sub = parser.add_subparsers(dest="cmd")
    chat = sub.add_parser("chat", help="chat with the assistant in the terminal")
    chat.add_argument("--jsonl", action="store_true", help="one JSON object per line")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.cmd == "chat" else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        settings = get_settings()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.cmd == "chat" or not settings.telegram_bot_token:
        from app.chat import main as local_chat

        if args.cmd != "chat":
            print("TELEGRAM_BOT_TOKEN absent : chat local.", file=sys.stderr)
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
