"""Voice notes and photos are downloaded from the Bot API (getFile + file URL) for a counsellor."""

from __future__ import annotations

import json
from pathlib import Path

from core.messages import Kind
from tests.fakes.assistant import ScriptedAssistant
from tests.fakes.telegram_harness import telegram_bot

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CHAT = 412345678
OGG = b"OggS" + bytes(range(64))
JPEG = b"\xff\xd8\xff" + bytes(128)


async def test_a_voice_note_reaches_the_assistant_with_its_audio() -> None:
    assistant = ScriptedAssistant()
    async with telegram_bot(assistant) as (fake, _app):
        fake.files["AwACAgQAAxkBvoice"] = OGG
        fake.push_raw(json.loads((FIXTURES / "voice.json").read_text()))
        await fake.wait_for("sendMessage")
    (incoming,) = assistant.received
    assert incoming.kind is Kind.MEDIA and incoming.media == "voice"
    assert incoming.attachment is not None
    assert incoming.attachment.data == OGG
    assert incoming.attachment.mime_type == "audio/ogg"
    assert incoming.attachment.duration_s == 7
    (get_file,) = fake.calls_of("getFile")
    assert get_file.params["file_id"] == "AwACAgQAAxkBvoice"
    (download,) = fake.calls_of("download")
    assert download.params["file_path"] == "voice/AwACAgQAAxkBvoice.oga"


async def test_a_photo_arrives_in_its_largest_size_with_its_caption() -> None:
    assistant = ScriptedAssistant()
    async with telegram_bot(assistant) as (fake, _app):
        fake.files["AgACAgQAAxkBphoto800"] = JPEG
        fake.push_photo(CHAT, caption="ma convocation")
        await fake.wait_for("sendMessage")
    (incoming,) = assistant.received
    assert incoming.kind is Kind.MEDIA and incoming.text == "ma convocation"
    assert incoming.attachment is not None and incoming.attachment.data == JPEG
    assert [c.params["file_id"] for c in fake.calls_of("getFile")] == ["AgACAgQAAxkBphoto800"]


async def test_a_failed_download_still_gets_an_answer() -> None:
    assistant = ScriptedAssistant()
    async with telegram_bot(assistant) as (fake, _app):
        fake.push_voice(CHAT)  # the file is unknown to the fake: getFile answers 400
        await fake.wait_for("sendMessage")
    (incoming,) = assistant.received
    assert incoming.kind is Kind.UNSUPPORTED and incoming.attachment is None
    assert fake.sent_texts(CHAT)  # the person is answered, not left in silence
