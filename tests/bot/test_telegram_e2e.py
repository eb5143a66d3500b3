"""The real PTB Application, polling the fake Bot API, serving a scripted assistant."""

from __future__ import annotations

import json
from pathlib import Path

from bot.telegram_render import MAX_TEXT, TEXT_APOLOGY
from core.messages import Incoming, Kind, Reply
from tests.fakes.assistant import LONG_TEXT, EchoAssistant, ScriptedAssistant
from tests.fakes.telegram_api import keyboard_payloads
from tests.fakes.telegram_harness import telegram_bot

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CHAT = 412345678


async def test_start_with_payload_gets_welcome_and_consent_keyboard() -> None:
    assistant = ScriptedAssistant()
    async with telegram_bot(assistant) as (fake, _app):
        pushed = fake.push_command(CHAT, "/start ESPACE-GRANDE-SYNTHE", first_name="Samira")
        sent = await fake.wait_for("sendMessage", count=2)

    assert [c.params["text"] for c in sent] == [
        "Bonjour Samira !",
        "Acceptez-vous que je garde nos échanges ?",
    ]
    assert all(c.params["chat_id"] == CHAT for c in sent)
    assert "parse_mode" not in sent[1].params  # plain text: user content cannot break formatting
    assert keyboard_payloads(sent[1]) == ["consent:yes", "consent:no", "https://www.cnil.fr/"]
    incoming = assistant.received[0]
    assert incoming.kind is Kind.COMMAND
    assert incoming.text == "/start ESPACE-GRANDE-SYNTHE"
    assert incoming.user_ref == str(CHAT)
    assert incoming.language_code == "fr"
    assert incoming.display_name == "Samira"
    assert incoming.update_id == pushed["update_id"]
    assert incoming.channel == "telegram"


async def test_french_command_menu_is_published_and_handler_closed_on_shutdown() -> None:
    assistant = ScriptedAssistant()
    async with telegram_bot(assistant) as (fake, _app):
        calls = await fake.wait_for("setMyCommands", count=2)
    names = [c["command"] for c in calls[0].params["commands"]]
    assert names == ["start", "menu", "aide", "langue", "stop", "mesdonnees", "supprimer"]
    assert calls[0].params["commands"][4]["description"].startswith("Ne plus recevoir")
    assert assistant.closed


async def test_button_press_is_answered_first_then_replied() -> None:
    assistant = ScriptedAssistant()
    async with telegram_bot(assistant) as (fake, _app):
        fake.push_callback(CHAT, "menu:trades", message_id=14)
        await fake.wait_for("sendMessage")
    methods = [c.method for c in fake.calls if c.method in {"answerCallbackQuery", "sendMessage"}]
    assert methods == ["answerCallbackQuery", "sendMessage"]
    answer = fake.calls_of("answerCallbackQuery")[0]
    assert answer.params["text"] == "C'est noté"
    assert fake.sent_texts(CHAT) == ["Rubrique menu:trades"]
    assert assistant.received[0].kind is Kind.BUTTON
    assert assistant.received[0].payload == "menu:trades"


async def test_free_text_and_edited_message() -> None:
    assistant = ScriptedAssistant()
    async with telegram_bot(assistant) as (fake, _app):
        fake.push_text(CHAT, "Je cherche une formation")
        fake.push_edited(CHAT, "Je cherche une formation de soudeur")
        await fake.wait_for("sendMessage", count=2)
    assert fake.sent_texts(CHAT) == [
        "text: Je cherche une formation",
        "edited: Je cherche une formation de soudeur",
    ]


async def test_unsupported_media_get_a_kind_answer() -> None:
    assistant = ScriptedAssistant()
    async with telegram_bot(assistant) as (fake, _app):
        fake.push_sticker(CHAT)
        fake.push_photo(CHAT, caption="mon CV")
        fake.push_voice(CHAT)
        fake.push_document(CHAT)
        fake.push_location(CHAT)
        fake.push_contact(CHAT)
        await fake.wait_for("sendMessage", count=6)
    assert [i.media for i in assistant.received] == [
        "sticker",
        "photo",
        "voice",
        "document",
        "location",
        "contact",
    ]
    assert {i.kind for i in assistant.received} == {Kind.UNSUPPORTED}
    assert set(fake.sent_texts(CHAT)) == {"Je ne lis que les messages écrits pour l'instant."}


async def test_long_reply_is_split_under_4096_with_keyboard_on_last_piece() -> None:
    async with telegram_bot(ScriptedAssistant()) as (fake, _app):
        fake.push_text(CHAT, "long")
        await fake.wait_for("sendMessage", count=3)
        await fake.wait_idle()
    sent = fake.calls_of("sendMessage")
    texts = [c.params["text"] for c in sent]
    assert len(texts) == 3
    assert all(0 < len(t) <= MAX_TEXT for t in texts)
    assert " ".join(texts).split() == LONG_TEXT.split()  # nothing lost, cut between words
    assert all(t.endswith(".") for t in texts)  # cut on paragraph boundaries
    assert [keyboard_payloads(c) for c in sent] == [[], [], ["menu"]]


async def test_same_update_twice_passes_the_same_update_id_and_is_answered_once() -> None:
    assistant = ScriptedAssistant()
    async with telegram_bot(assistant) as (fake, _app):
        first = fake.push_text(CHAT, "bonjour")
        fake.push_duplicate(first)
        fake.push_text(CHAT, "après")
        await fake.wait_for("sendMessage", count=2)
        await fake.wait_idle()
    assert fake.sent_texts(CHAT) == ["text: bonjour", "text: après"]
    assert [i.update_id for i in assistant.received] == [first["update_id"], first["update_id"] + 1]


async def test_retry_after_is_honoured_then_delivered() -> None:
    async with telegram_bot(ScriptedAssistant()) as (fake, _app):
        fake.fail("sendMessage", "retry_after", retry_after=1)
        fake.push_text(CHAT, "bonjour")
        calls = await fake.wait_for("sendMessage", count=2)
    assert [c.params["text"] for c in calls] == ["text: bonjour", "text: bonjour"]
    assert calls[1].at - calls[0].at >= 1.0  # waited as long as Telegram asked


async def test_assistant_failure_gives_a_kind_apology_not_a_traceback() -> None:
    async with telegram_bot(ScriptedAssistant()) as (fake, _app):
        fake.push_text(CHAT, "boom")
        fake.push_text(CHAT, "encore là ?")
        await fake.wait_for("sendMessage", count=2)
    assert fake.sent_texts(CHAT) == [TEXT_APOLOGY, "text: encore là ?"]


async def test_messages_of_one_chat_are_answered_in_order_across_concurrent_chats() -> None:
    assistant = ScriptedAssistant()
    assistant.yields = 5
    chats = [1001, 1002, 1003]
    async with telegram_bot(assistant) as (fake, _app):
        for index in range(30):
            for chat in chats:
                fake.push_text(chat, f"m{index}")
        await fake.wait_for("sendMessage", count=90)
    for chat in chats:
        assert fake.sent_texts(chat) == [f"text: m{index}" for index in range(30)]


async def test_groups_are_ignored_and_staff_topic_reaches_the_staff_hook() -> None:
    assistant = ScriptedAssistant()
    staff = ScriptedAssistant()
    staff_chat = -1001987654321
    fixture = json.loads((FIXTURES / "forum_topic_message.json").read_text())
    group = json.loads((FIXTURES / "group_message.json").read_text())
    async with telegram_bot(
        assistant,
        staff_handler=staff,
        settings_overrides={"telegram_staff_chat_id": staff_chat},
    ) as (fake, _app):
        fake.push_raw(group)
        fake.push_raw(fixture)
        calls = await fake.wait_for("sendMessage")
        await fake.wait_idle()
    assert assistant.received == []
    assert staff.received[0].user_ref == f"{staff_chat}:77"
    assert calls[0].params["chat_id"] == staff_chat
    assert calls[0].params["message_thread_id"] == 77


async def test_venue_document_and_invalid_buttons() -> None:
    async with telegram_bot(ScriptedAssistant()) as (fake, _app):
        fake.push_text(CHAT, "venue")
        fake.push_text(CHAT, "ics")
        fake.push_text(CHAT, "bad buttons")
        await fake.wait_for("sendDocument")
        choice = (await fake.wait_for("sendMessage", count=2))[1]
    venue = fake.calls_of("sendVenue")[0]
    assert venue.params["title"] == "Mairie de Dunkerque"
    assert venue.params["latitude"] == 51.0344
    assert keyboard_payloads(venue) == ["menu"]
    assert fake.sent_texts(CHAT)[0] == "L'adresse :"
    document = fake.calls_of("sendDocument")[0]
    assert document.files["document"] == (
        "rendez-vous.ics",
        b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
    )
    assert keyboard_payloads(choice) == ["ok"]  # the 65-byte payload was dropped, not sent


async def test_recorded_fixtures_reach_the_assistant_as_incomings() -> None:
    assistant = ScriptedAssistant()
    names = ["private_text", "start_deeplink", "command_with_botname", "callback_query"]
    names += ["sticker", "voice", "photo", "location", "contact", "document", "edited_message"]
    async with telegram_bot(assistant) as (fake, _app):
        for name in names:
            fake.push_raw(json.loads((FIXTURES / f"{name}.json").read_text()))
        await fake.wait_for("sendMessage", count=len(names))
    got = [(i.kind, i.text or i.payload or i.media) for i in assistant.received]
    assert got[:4] == [
        (Kind.TEXT, "Je cherche une formation de soudeur à Gravelines"),
        (Kind.COMMAND, "/start ESPACE-GRANDE-SYNTHE"),
        (Kind.COMMAND, "/menu"),
        (Kind.BUTTON, "menu:trades"),
    ]
    assert [kind for kind, _ in got[4:10]] == [Kind.UNSUPPORTED] * 6
    assert got[10] == (Kind.EDITED, "Je cherche une formation de soudeur à Dunkerque")


async def test_echo_assistant_is_closed_on_shutdown() -> None:
    echo = EchoAssistant()
    async with telegram_bot(echo) as (fake, _app):
        fake.push_text(CHAT, "salut")
        (call,) = await fake.wait_for("sendMessage")
    assert call.params["text"] == "Vous avez écrit : salut"
    assert echo.closed


class _Silent:
    async def handle(self, incoming: Incoming) -> list[Reply]:
        return []


async def test_button_with_no_reply_is_still_answered() -> None:
    async with telegram_bot(_Silent()) as (fake, _app):
        fake.push_callback(CHAT, "noop")
        (answer,) = await fake.wait_for("answerCallbackQuery")
    assert "text" not in answer.params
    assert fake.calls_of("sendMessage") == []
