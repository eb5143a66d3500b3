"""The foundation as a person lives it: consent, commands, privacy, guards, fallbacks."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from app.build import build_context
from app.context import AppContext
from capabilities.assistant.assistant import Assistant
from capabilities.conversation.basics import SmallTalkFlow
from core.settings import Settings
from store.models import ChannelAccount, HandoffRequest, MessageLog, Person
from tests.chat import Chat, FakeNlu


def count(assistant: Assistant, model: Any) -> int:
    with assistant.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def people(assistant: Assistant) -> list[Person]:
    with assistant.sessions() as session:
        return list(session.scalars(select(Person)))


async def test_first_contact_welcomes_and_asks_consent_keeping_nothing(chat: Chat) -> None:
    await chat.say("/start")
    assert "Bonjour et bienvenue" in chat.text
    assert "Vie privée" in chat.text
    assert {"consent:yes", "consent:no"} <= set(chat.payloads)
    (person,) = people(chat.assistant)
    assert person.consent == "pending"
    assert person.display_name is None  # nothing personal before consent
    assert count(chat.assistant, MessageLog) == 0


async def test_any_first_message_gets_the_welcome_and_is_answered_after_consent(
    chat: Chat,
) -> None:
    await chat.say("bus")
    assert "Acceptez-vous" in chat.text
    await chat.press("consent:yes")
    assert "Vous m'aviez demandé : « bus »" in chat.text
    assert "DK'Bus" in chat.text  # the transport card answers the pending question


async def test_refusal_keeps_only_the_refusal(chat: Chat) -> None:
    await chat.say("logement")
    await chat.press("consent:no")
    assert "je ne garde rien" in chat.text
    (person,) = people(chat.assistant)
    assert person.consent == "refused"
    assert person.display_name is None
    assert count(chat.assistant, MessageLog) == 0
    await chat.say("bonjour")
    assert "Vous avez refusé" in chat.text
    assert chat.payloads == ["consent:yes"]
    assert count(chat.assistant, MessageLog) == 0


async def test_consent_then_menu_and_log(chat: Chat) -> None:
    await chat.consent()
    assert "Merci" in chat.text
    assert "card:trades" in chat.payloads and "human:ask" in chat.payloads
    await chat.say("bonjour")
    assert "Bonjour Samia" in chat.text
    assert count(chat.assistant, MessageLog) >= 2


async def test_commands_work_from_anywhere(chat: Chat) -> None:
    await chat.consent()
    await chat.say("/aide")
    assert "/supprimer" in chat.text
    await chat.say("/menu")
    assert "card:transport" in chat.payloads
    await chat.say("/inconnue")
    assert "Je ne connais pas cette commande" in chat.text
    await chat.say("/langue")
    assert "lang:en" in chat.payloads
    await chat.press("lang:en")
    assert "I will now speak English" in chat.text
    await chat.say("/menu")
    assert "Find a job" in chat.text or "Jobs" in chat.buttons[0].label


async def test_stop_is_respected_and_can_be_undone(chat: Chat) -> None:
    await chat.consent()
    await chat.say("/stop")
    assert "je ne vous écrirai plus" in chat.text
    assert people(chat.assistant)[0].proactive_opt_out is True
    await chat.say("arretez les messages")  # free text: asked first, then one tap
    await chat.press_label("Oui, plus de messages")
    assert "prefs:on" in chat.payloads
    await chat.press("prefs:on")
    assert people(chat.assistant)[0].proactive_opt_out is False


async def test_my_data_lists_what_is_kept(chat: Chat) -> None:
    await chat.consent()
    await chat.say("bus")
    await chat.say("/mesdonnees")
    assert "votre accord, donné le mardi 24 novembre" in chat.text
    assert "Samia" in chat.text
    assert "messages" in chat.text


async def test_erase_everything_after_confirmation(chat: Chat) -> None:
    await chat.consent()
    await chat.say("je veux un conseiller")
    await chat.say("/menu")
    await chat.say("/supprimer")
    assert "vraiment effacer" in chat.text
    confirm = next(p for p in chat.payloads if p.startswith("privacy:confirm"))
    await chat.press(confirm)
    assert "j'ai tout effacé" in chat.text
    assert people(chat.assistant) == []
    assert count(chat.assistant, MessageLog) == 0
    assert count(chat.assistant, HandoffRequest) == 0
    assert count(chat.assistant, ChannelAccount) == 0
    await chat.say("bonjour")
    assert "Acceptez-vous" in chat.text  # a new start, consent asked again


async def test_erase_by_free_text_and_cancel(chat: Chat) -> None:
    await chat.consent()
    await chat.say("effacez mes donnees")
    cancel = next(p for p in chat.payloads if p.startswith("privacy:cancel"))
    await chat.press(cancel)
    assert "je n'efface rien" in chat.text
    assert len(people(chat.assistant)) == 1


async def test_old_or_forged_buttons_change_nothing(chat: Chat) -> None:
    await chat.consent()
    await chat.say("/supprimer")
    old_confirm = next(p for p in chat.payloads if p.startswith("privacy:confirm"))
    await chat.say("/supprimer")  # a new keyboard: the old one expires
    await chat.press(old_confirm)
    assert "n'est plus valable" in chat.text
    assert len(people(chat.assistant)) == 1
    for forged in ("privacy:confirm", "zzz:1", "card:nope", "x" * 80, "", "::"):
        await chat.press(forged)
        assert "menu" in chat.text.lower() or "card:trades" in chat.payloads
    assert len(people(chat.assistant)) == 1


async def test_media_edits_and_unknown_things_get_a_kind_answer(chat: Chat) -> None:
    await chat.consent()
    for media in ("sticker", "photo", "voice", "document", "location", "contact"):
        await chat.media(media)
        assert "Je ne lis que les messages écrits" in chat.text
        assert "card:trades" in chat.payloads
    from core.messages import Kind

    await chat.send(chat._incoming(Kind.EDITED, text="bus"))
    assert "modifié" in chat.text


async def test_the_same_update_twice_is_processed_once(chat: Chat) -> None:
    await chat.consent()
    before = count(chat.assistant, MessageLog)
    first = await chat.say("bus", update_id=424242)
    again = await chat.say("bus", update_id=424242)
    assert first and again == []
    assert count(chat.assistant, MessageLog) == before + 1 + len(first)


async def test_a_flood_gets_one_polite_notice_and_nothing_is_lost(chat: Chat) -> None:
    await chat.consent()
    before = count(chat.assistant, MessageLog)
    # Understood messages: misunderstood ones hand off at the 2nd miss (relays are not throttled)
    answers = [await chat.say("bus") for _ in range(30)]
    notices = [a for a in answers if a and "très vite" in a[0].text]
    assert len(notices) == 1
    incoming = count(chat.assistant, MessageLog) - before
    assert incoming >= 30  # every message is in the transcript


async def test_long_text_is_truncated_for_nlu(chat: Chat, fake_nlu: FakeNlu) -> None:
    await chat.consent()
    await chat.say("a" * 10_000)
    assert len(fake_nlu.calls[-1]) <= 1000
    assert chat.last  # an answer, not a crash


async def test_database_error_gives_an_apology_and_keeps_state(
    chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    await chat.consent()
    await chat.say("/supprimer")  # in the confirm step

    def broken(self: SmallTalkFlow, turn: Any) -> Any:
        turn.session.add(Person(consent="given"))
        raise OperationalError("SELECT 1", {}, Exception("disk I/O error"))

    monkeypatch.setattr(SmallTalkFlow, "start", broken)
    await chat.say("bonjour")
    assert "problème technique" in chat.text
    assert "Traceback" not in chat.text
    assert len(people(chat.assistant)) == 1  # the half-done step was rolled back
    monkeypatch.undo()
    confirm = None
    await chat.say("/supprimer")
    confirm = next(p for p in chat.payloads if p.startswith("privacy:confirm"))
    await chat.press(confirm)
    assert people(chat.assistant) == []


async def test_not_understood_offers_guesses_then_a_human_at_the_second_miss(chat: Chat) -> None:
    await chat.consent()
    await chat.say("euh le truc la")
    assert "Vous voulez parler de" in chat.text
    assert chat.payloads[:2] == ["guess:ask_housing", "guess:ask_transport"]
    await chat.press("guess:ask_transport")
    assert "DK'Bus" in chat.text
    await chat.say("euh")
    assert "Vous voulez parler de" in chat.text
    await chat.say("hein")
    assert "passer la main" in chat.text
    assert count(chat.assistant, HandoffRequest) == 1


async def test_out_of_scope_gets_a_kind_answer_and_the_menu(chat: Chat) -> None:
    await chat.consent()
    await chat.say("meteo")
    assert "card:trades" in chat.payloads


async def test_asking_for_a_human_records_a_request_and_the_bot_steps_back(chat: Chat) -> None:
    await chat.consent()
    await chat.say("je veux un conseiller")
    assert "transmis votre demande" in chat.text
    assert count(chat.assistant, HandoffRequest) == 1
    await chat.say("bus")
    assert "C'est transmis" in chat.text  # acknowledged once, no bot answer
    await chat.say("logement")
    assert chat.last == []  # silent while waiting for a counsellor
    await chat.say("je veux un conseiller")
    assert chat.last == []
    await chat.press("human:back")
    assert "de nouveau moi" in chat.text
    await chat.say("bus")
    assert "DK'Bus" in chat.text
    with chat.assistant.sessions() as session:
        assert session.scalars(select(HandoffRequest)).one().status == "closed"


async def test_booking_intent_starts_the_booking_flow(chat: Chat) -> None:
    await chat.consent()
    await chat.say("je veux un rendez-vous")
    assert "Pour quoi voulez-vous un rendez-vous" in chat.text  # tests/appointments/ has the rest
    assert "human:ask" in chat.payloads


async def test_info_cards_have_the_three_footer_buttons(chat: Chat) -> None:
    await chat.consent()
    await chat.press("card:transport")
    labels = [b.label for b in chat.buttons]
    assert "Retour au menu" in labels and "Parler à un conseiller" in labels
    assert any(b.url or "En savoir plus" in b.label for b in chat.buttons)
    await chat.say("soudeur")
    assert "H2913" in chat.text


async def test_a_restart_continues_where_the_person_was(
    settings: Settings, fake_nlu: FakeNlu, context: AppContext
) -> None:
    chat = Chat(context.assistant)
    await chat.consent()
    await chat.say("/supprimer")
    confirm = next(p for p in chat.payloads if p.startswith("privacy:confirm"))
    await context.aclose()
    restarted = build_context(settings, parse=fake_nlu.parse)
    try:
        again = Chat(restarted.assistant)
        await again.press(confirm)
        assert "j'ai tout effacé" in again.text
    finally:
        await restarted.aclose()


async def test_the_espaces_card_offers_to_book(chat: Chat) -> None:
    await chat.consent()
    await chat.press("card:espaces")
    assert "appt:new" in chat.payloads
    await chat.press("appt:new")
    assert "n'existe plus" not in chat.text and "plus valable" not in chat.text
