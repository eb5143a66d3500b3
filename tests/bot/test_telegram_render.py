"""Rendering limits and Update → Incoming conversion, without a network."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from telegram import Update

from bot.telegram_convert import command_line, to_incoming
from bot.telegram_render import MAX_TEXT, keyboard, split_text, toast
from core.messages import Button, Kind, Reply

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _update(name: str) -> Update:
    update = Update.de_json(json.loads((FIXTURES / f"{name}.json").read_text()), None)
    assert update is not None
    return update


def test_short_text_is_one_piece_and_empty_text_none() -> None:
    assert split_text("Bonjour") == ["Bonjour"]
    assert split_text("  \n ") == []


def test_split_prefers_paragraphs_then_lines_then_words() -> None:
    paragraph = "mot " * 300  # 1200 chars
    text = "\n\n".join([paragraph.strip()] * 5)
    pieces = split_text(text)
    assert all(len(p) <= MAX_TEXT for p in pieces)
    assert all(p.endswith("mot") for p in pieces)
    assert len(pieces) == 2


def test_split_hard_cuts_a_text_without_spaces() -> None:
    pieces = split_text("x" * 10_000)
    assert [len(p) for p in pieces] == [4096, 4096, 1808]


def test_emoji_count_double_for_telegram() -> None:
    pieces = split_text("😀" * 3000)
    assert [len(p) for p in pieces] == [2048, 952]


@given(st.text(alphabet=st.sampled_from("ab é😀\n"), max_size=12_000))
def test_split_never_exceeds_the_limit_nor_loses_words(text: str) -> None:
    pieces = split_text(text, limit=500)
    assert all(0 < len(p.encode("utf-16-le")) // 2 <= 500 for p in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())


def test_keyboard_drops_invalid_buttons_keeps_the_rest() -> None:
    markup = keyboard(
        (
            (Button("Trop", "é" * 33), Button("Bon", "ok")),
            (Button("", "vide"),),
            (Button("Site", url="javascript:alert(1)"), Button("CAF", url="https://www.caf.fr/")),
        )
    )
    assert markup is not None
    rows = [
        [(b["text"], b.get("callback_data") or b["url"]) for b in row]
        for row in markup["inline_keyboard"]
    ]
    assert rows == [[("Bon", "ok")], [("CAF", "https://www.caf.fr/")]]
    assert keyboard(((Button("x", "y" * 65),),)) is None


def test_toast_is_the_first_notice_truncated() -> None:
    assert toast([Reply(text="a"), Reply(notice="n" * 300), Reply(notice="autre")]) == "n" * 200
    assert toast([Reply(text="a")]) is None


def test_command_line_strips_bot_name() -> None:
    assert command_line("/start@Assistant20000Bot CODE") == "/start CODE"
    assert command_line("/menu@Assistant20000Bot") == "/menu"
    assert command_line("/aide   ") == "/aide"


def test_fixture_conversion() -> None:
    text = to_incoming(_update("private_text"))
    assert text is not None
    assert (text.kind, text.user_ref, text.language_code) == (Kind.TEXT, "412345678", "fr")
    assert text.timestamp is not None
    assert text.timestamp.utcoffset() is not None
    assert text.timestamp.timestamp() == 1717243200
    start = to_incoming(_update("start_deeplink"))
    assert start is not None
    assert (start.kind, start.text) == (Kind.COMMAND, "/start ESPACE-GRANDE-SYNTHE")
    press = to_incoming(_update("callback_query"))
    assert press is not None
    assert (press.kind, press.payload, press.update_id) == (Kind.BUTTON, "menu:trades", 811000004)
    photo = to_incoming(_update("photo"))
    assert photo is not None
    assert (photo.kind, photo.media, photo.text) == (Kind.UNSUPPORTED, "photo", "mon attestation")
    edited = to_incoming(_update("edited_message"))
    assert edited is not None
    assert edited.kind is Kind.EDITED
    assert edited.timestamp is not None
    assert edited.timestamp.timestamp() == 1717243240


def test_text_that_only_looks_like_a_command_is_text() -> None:
    data = json.loads((FIXTURES / "private_text.json").read_text())
    data["message"]["text"] = "/ bonjour"
    update = Update.de_json(data, None)
    assert update is not None
    incoming = to_incoming(update)
    assert incoming is not None
    assert incoming.kind is Kind.TEXT
