"""Logging for every entry point: ``LOG_LEVEL`` and ``LOG_FORMAT=text|json``, one function.

:func:`configure_logging` is called by each ``python -m …`` (the bot, its child process, the
console served alone, the scheduler, the store and agenda commands) so that they all write
the same lines to stderr. In JSON each line is one object (``python-json-logger``) with the
``extra`` fields of the call (``update_id``, ``person``, ``duration_ms``…).

What people say never goes into a log: no message text, no name, no phone number, no
address. A person is named by :func:`pseudonym` (a keyed hash of their channel account), so
the lines of one conversation can be followed without knowing who it is.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import sys
from typing import TextIO

from pythonjsonlogger.json import JsonFormatter

from core.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
# Libraries whose INFO lines would leak secrets or flood: httpx logs every request URL, and
# Telegram's URLs hold the bot token.
QUIET = {"httpx": logging.WARNING, "httpcore": logging.WARNING, "telegram": logging.WARNING}
_HANDLER_MARK = "_assistant_handler"


def configure_logging(
    settings: Settings, *, level: str | None = None, stream: TextIO | None = None
) -> None:
    """Replace the root handlers by one on stderr, at ``LOG_LEVEL`` in ``LOG_FORMAT``.

    ``level`` overrides the setting (the terminal chat keeps WARNING so its screen stays
    readable); calling it again reconfigures (tests, a child process).
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    formatter: logging.Formatter
    if settings.log_format == "json":
        formatter = JsonFormatter(
            JSON_FIELDS,
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        )
    else:
        formatter = logging.Formatter(TEXT_FORMAT)
    handler.setFormatter(formatter)
    setattr(handler, _HANDLER_MARK, True)
    root = logging.getLogger()
    for old in list(root.handlers):
        # ours, or basicConfig's; pytest's capture handlers (subclasses) stay
        if getattr(old, _HANDLER_MARK, False) or type(old) is logging.StreamHandler:
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level or settings.log_level)
    for name, quiet in QUIET.items():
        logging.getLogger(name).setLevel(max(quiet, root.level))


def pseudonym(settings: Settings, channel: str, user_ref: str) -> str:
    """A stable, keyed stand-in for a person's account in logs (``p-`` and 12 hex digits).

    Keyed with ``CONSOLE_SECRET_KEY``: without the key, a Telegram id cannot be checked
    against the logs; with it, an operator can find the lines of one person on request.
    """
    key = (settings.console_secret_key or "assistant-logs").encode()
    digest = hmac.new(key, f"{channel}:{user_ref}".encode(), hashlib.sha256).hexdigest()
    return f"p-{digest[:12]}"
