"""Bad input on every path gets a kind answer: jsonl lines, surrogates, forged buttons."""

from __future__ import annotations

import json
from pathlib import Path

from bot.chat_lines import parse_line
from tests.chat import Chat
from tests.jsonl_chat import run_jsonl_chat

ROOT = Path(__file__).resolve().parents[2]
APOLOGY = "problème technique"


def test_jsonl_lines_of_the_wrong_shape_get_a_french_error_and_the_chat_goes_on(
    tmp_path: Path,
) -> None:
    bad = [
        '{"user":"a","text":123}',
        '{"user":"a","text":1.5}',
        '{"user":"a","text":true}',
        '{"user":"a","text":["x"]}',
        '{"user":"a","text":{"x":1}}',
        '{"user":"a","text":1e999}',
        '{"user":{"id":1},"text":"x"}',
        '{"user":"a","button":7}',
        "[" * 100_000 + "]" * 100_000,
        '["user","text"]',
        "null",
    ]
    stdin = "\n".join([*bad, '{"user":"u1","text":"/start \\ud800"}']) + "\n"
    done = run_jsonl_chat(tmp_path, stdin)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    objects = [json.loads(line) for line in done.stdout.splitlines()]
    errors = [o["error"] for o in objects if "error" in o]
    assert len(errors) == len(bad)
    assert errors[0] == "ligne invalide : le champ « text » doit être un texte (reçu : un nombre)"
    assert "« user »" in errors[6] and "« button »" in errors[7]
    assert "trop imbriqué" in errors[8]
    assert all("object" not in e and "NoneType" not in e for e in errors)
    texts = [o["text"] for o in objects if "text" in o]
    assert any("Acceptez-vous" in t for t in texts)  # the last line was answered


def test_parse_line_names_the_field_in_french() -> None:
    assert parse_line('{"user":"a","text":"bonjour"}') == ("a", "bonjour", None)
    assert parse_line('{"user":5,"button":"menu"}') == ("5", None, "menu")
    assert parse_line('{"user":"a"}') == "il faut un champ « text » ou « button »"
    assert parse_line('{"text":"x"}') == "il manque le champ « user »"
    assert parse_line("pas du json") == "ce n'est pas du JSON valide"


async def test_a_lone_surrogate_before_consent_does_not_block_consent(chat: Chat) -> None:
    await chat.say("bonjour \ud83d")
    assert APOLOGY not in chat.text and "Acceptez-vous" in chat.text
    await chat.press("consent:yes")
    assert APOLOGY not in chat.text and "Que voulez-vous savoir" in chat.text
    await chat.say("\udc00\x00 logement")
    assert APOLOGY not in chat.text


async def test_forged_button_numbers_are_no_longer_valid_buttons(chat: Chat) -> None:
    await chat.consent()
    for payload in ("appt:cx:99999999999999999999999", "appt:cx:²", "appt:cx:٣", "checkin:x:²"):
        await chat.press(payload)
        assert APOLOGY not in chat.text, payload
        assert "plus valable" in chat.text, payload
