"""The local chat: the channel port for the terminal, and ``python -m bot chat --jsonl``."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

from bot.chat import LocalChannel
from core.messages import Button, Reply
from core.ports import Channel
from tests.jsonl_chat import run_jsonl_chat

ROOT = Path(__file__).resolve().parents[2]


def test_the_local_chat_is_a_channel_and_numbers_its_buttons() -> None:
    out = io.StringIO()
    channel = LocalChannel(out)
    assert isinstance(channel, Channel)
    reply = Reply(text="Bonjour", buttons=((Button("Oui", "consent:yes"), Button("Non", "no")),))
    asyncio.run(channel.send("local-user", [reply]))
    assert "Bonjour" in out.getvalue() and "[2] Non" in out.getvalue()
    assert channel.buttons == ["consent:yes", "no"]


def test_jsonl_chat_answers_each_line_and_a_bad_line_gets_an_error(tmp_path: Path) -> None:
    lines = [
        {"user": "u1", "text": "/start"},
        "pas du json",
        {"user": "u1", "button": "consent:yes"},
        {"user": "u1"},
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
    done = run_jsonl_chat(tmp_path, stdin)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    objects = [json.loads(line) for line in done.stdout.splitlines()]
    errors = [o for o in objects if "error" in o]
    assert len(errors) == 2  # the line that is not JSON, the line without text or button
    texts = [o["text"] for o in objects if "text" in o]
    assert any("Acceptez-vous" in t for t in texts)
    assert any("Que voulez-vous savoir" in t for t in texts)
    assert all(o.get("user") == "u1" for o in objects if "text" in o)
