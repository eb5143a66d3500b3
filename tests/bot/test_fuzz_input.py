"""Fuzz: thousands of generated updates through the Telegram adapter and the assistant.

Seeded random (reproducible): unicode of every category, lone surrogates, control
characters, huge texts, forged and stale callback data, other people's buttons, odd
commands. Nothing may escape: no exception, no traceback in a reply, and no apology —
apologies are for faults on our side, and none is injected here.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from telegram import Update

from bot.telegram_convert import to_incoming
from bot.telegram_render import keyboard, split_text
from capabilities.assistant.assistant import Assistant, apology
from core.messages import Incoming, Kind, Reply
from core.settings import Settings, load_settings
from tests.fakes.telegram_updates import callback_query, message, private_chat, user

SEED = 20261203
UPDATES = 10_000
APOLOGY = apology("fr").text[:40]
COMMANDS = [
    "/start",
    "/start abc",
    "/menu",
    "/aide",
    "/langue",
    "/langue zz",
    "/stop",
    "/mesdonnees",
    "/supprimer",
    "/start " + "x" * 300,
    "/",
    "/inconnue",
    "/start\u0000",
]
WORDS = ["bonjour", "oui", "non", "bus", "logement", "je veux un rendez-vous", "aide", "merci"]
ODD = ["\u0000", "\u200b", "\u202e", "\ufeff", "\r\n", "\t", "\U0001f600", "e\u0301", "\ud800"]


def random_text(rng: random.Random) -> str:
    """A text mixing words, odd characters and code points from all of unicode."""
    roll = rng.random()
    if roll < 0.25:
        return rng.choice(WORDS)
    if roll < 0.3:
        return "".join(rng.choice(ODD) for _ in range(rng.randint(1, 5)))
    if roll < 0.33:
        return rng.choice(WORDS) * rng.randint(200, 700)  # huge texts (up to ~15,000 chars)
    length = rng.randint(0, 40)
    chars = []
    for _ in range(length):
        pick = rng.random()
        if pick < 0.1:
            chars.append(chr(rng.randint(0xD800, 0xDFFF)))  # lone surrogates
        elif pick < 0.2:
            chars.append(chr(rng.randint(0, 0x1F)))  # control characters
        elif pick < 0.5:
            chars.append(chr(rng.randint(0x20, 0x7E)))
        else:
            chars.append(chr(rng.randint(0x80, 0x10FFFF)))
    return "".join(chars)


def forged(rng: random.Random, seen: list[str]) -> str:
    """Callback data: a real one (maybe another person's), a mutated one, or junk."""
    roll = rng.random()
    base = rng.choice(seen) if seen else "menu"
    if roll < 0.35:
        return base
    if roll < 0.5:
        head = base.split("~", 1)[0]
        return head + rng.choice(["", "~", "~zz", ":", ":-1"])
    if roll < 0.7:
        flow = base.split(":", 1)[0]
        number = rng.choice(["99999999999999999999999", "²", "-5", "0", "1e9", "٣", "", "  7"])
        return f"{flow}:{rng.choice(['cx', 'ok', 'pick', 'x'])}:{number}"
    if roll < 0.8:
        return "".join(chr(rng.randint(0x20, 0x10FFFF)) for _ in range(rng.randint(0, 70)))
    return rng.choice(["", ":", "::::", "menu", "consent:yes", "privacy:confirm", "appt:cx:1"])


@dataclass
class Tally:
    """What happened, for the closing note."""

    tried: int = 0
    answered: int = 0
    silent: int = 0
    apologies: int = 0
    tracebacks: int = 0
    payloads: dict[str, list[str]] = field(default_factory=dict)


def check(replies: list[Reply], tally: Tally, who: str) -> None:
    tally.tried += 1
    if replies:
        tally.answered += 1
    else:
        tally.silent += 1
    for reply in replies:
        if APOLOGY in reply.text:
            tally.apologies += 1
        if "Traceback" in reply.text or "Error" in reply.text:
            tally.tracebacks += 1
        # What the Telegram renderer would send is valid UTF-8 (no lone surrogate echoed).
        for piece in split_text(reply.text):
            piece.encode("utf-8")
        keyboard(reply.buttons)
        for button in reply.flat_buttons():
            if button.payload:
                tally.payloads.setdefault(who, []).append(button.payload)


def telegram_update(rng: random.Random, update_id: int, chat_id: int, seen: list[str]) -> Any:
    """A Telegram update dict (message, command, callback) for this chat."""
    sender = user(chat_id, first_name=random_text(rng)[:20] or "A", language_code="fr")
    chat = private_chat(chat_id)
    roll = rng.random()
    if roll < 0.35:
        body: dict[str, Any] = {
            "callback_query": callback_query(str(update_id), sender, chat, 1, forged(rng, seen))
        }
    elif roll < 0.5:
        body = {"message": message(update_id, chat, sender, text=rng.choice(COMMANDS))}
    elif roll < 0.55:
        body = {"edited_message": {**message(update_id, chat, sender, text="x"), "edit_date": 1}}
    else:
        body = {"message": message(update_id, chat, sender, text=random_text(rng) or ".")}
    return {"update_id": update_id, **body}


def direct_incoming(rng: random.Random, update_id: int, ref: str, seen: list[str]) -> Incoming:
    """An Incoming as the local chat or another channel would build it."""
    roll = rng.random()
    if roll < 0.35:
        return Incoming("local", ref, Kind.BUTTON, payload=forged(rng, seen), update_id=update_id)
    if roll < 0.5:
        return Incoming("local", ref, Kind.COMMAND, text=rng.choice(COMMANDS), update_id=update_id)
    if roll < 0.55:
        return Incoming("local", ref, Kind.UNSUPPORTED, media="photo", update_id=update_id)
    return Incoming(
        "local", ref, Kind.TEXT, text=random_text(rng), update_id=update_id, language_code="xx"
    )


@pytest.fixture
def settings(database_url: str) -> Settings:
    """No flood guard: 40 people writing 400 messages a second would all be throttled."""
    return load_settings(
        database_url=database_url, telegram_bot_token=None, rasa_url=None, throttle_messages=10**9
    )


@pytest.mark.filterwarnings("ignore")
async def test_ten_thousand_generated_updates_get_kind_answers(
    assistant: Assistant, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    rng = random.Random(SEED)
    tally = Tally()
    people = [str(100_000 + n) for n in range(40)]
    started = time.monotonic()
    for update_id in range(1, UPDATES + 1):
        who = rng.choice(people)
        mine = tally.payloads.get(who, [])[-12:]
        others = tally.payloads.get(rng.choice(people), [])[-4:]
        seen = mine + others
        if rng.random() < 0.5:
            update = Update.de_json(telegram_update(rng, update_id, int(who), seen), None)
            incoming = to_incoming(update)
            if incoming is None:
                tally.tried += 1
                continue
        else:
            incoming = direct_incoming(rng, update_id, who, seen)
        replies = await assistant.handle(incoming)
        check(replies, tally, who)
    elapsed = time.monotonic() - started
    print(
        f"fuzz: tried={tally.tried} answered={tally.answered} silent={tally.silent} "
        f"apologies={tally.apologies} tracebacks={tally.tracebacks} exits=0 in {elapsed:.1f}s"
    )
    logged = [r for r in caplog.records if r.exc_info]
    assert tally.tried == UPDATES
    assert tally.apologies == 0, [r.getMessage() for r in logged][:3]
    assert tally.tracebacks == 0
    assert not logged, [(r.getMessage(), r.exc_info) for r in logged][:2]
