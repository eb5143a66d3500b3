"""Everyday needs through the whole assistant, with the real embedded NLU (issue 15).

Phone-style phrases of people in difficulty get the card of their need (115 first for a bed,
3919 and 17 for violence) or a counsellor, and free text never changes anything by itself:
stopping the messages waits for one tap. Phrases come from tests/nlu/everyday_needs.yml.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.build import build_context
from app.context import AppContext
from core.settings import Settings
from nlu.engine import EmbeddedEngine
from nlu.trainingdata import load_file
from store.models import HandoffRequest, Person
from tests.chat import Chat

EVERYDAY = Path(__file__).resolve().parents[1] / "nlu" / "everyday_needs.yml"


@pytest.fixture(scope="module")
def engine() -> EmbeddedEngine:
    return EmbeddedEngine.from_data_dir(cache_dir=None)


@pytest.fixture
async def real(settings: Settings, engine: EmbeddedEngine, clock: Any) -> AsyncIterator[Chat]:
    async def parse(text: str) -> dict[str, Any]:
        return engine.parse(text)

    built: AppContext = build_context(settings, parse=parse, clock=clock)
    chat = Chat(built.assistant)
    await chat.consent()
    yield chat
    await built.aclose()


def _person(chat: Chat) -> Person:
    with chat.assistant.sessions() as session:
        return session.scalars(select(Person)).one()


def _requests(chat: Chat) -> int:
    with chat.assistant.sessions() as session:
        return session.scalar(select(func.count()).select_from(HandoffRequest)) or 0


async def test_no_everyday_phrase_changes_anything_by_itself(real: Chat) -> None:
    for example in load_file(EVERYDAY).examples:
        await real.say(example.text)
        person = _person(real)
        assert person.proactive_opt_out is False, example.text
        assert "je ne vous écrirai plus" not in real.text, example.text
        await real.say("/menu")  # a counsellor request put the bot on hold: /menu is fine
        await real.press("human:back")


async def test_no_roof_gets_115_first_and_a_counsellor(real: Chat) -> None:
    await real.say("logement urgent jai plu de toit")
    assert real.last[0].text.splitlines()[1].startswith("• Appelez le 115")
    assert "12 000 logements" not in real.text  # not the social-housing card
    assert "prévenu un conseiller" in real.text
    assert _requests(real) == 1
    assert _person(real).proactive_opt_out is False


async def test_violence_gets_17_and_3919_not_the_suicide_line(real: Chat) -> None:
    await real.say("mon mari me tape dessus tout le temps")
    assert "17" in real.text and "3919" in real.text
    assert "3114" not in real.text
    assert _requests(real) == 1


async def test_hunger_gets_food_help_and_says_what_is_not_known(real: Chat) -> None:
    await real.say("jai faim jai plu rien a manger")
    assert "repas" in real.text and "115" in real.text
    assert "pas encore la liste vérifiée" in real.text
    assert "rendez-vous à venir" not in real.text


async def test_rsa_question_gets_the_programme_in_plain_words(real: Chat) -> None:
    await real.say("je suis au rsa je dois faire koi")
    assert "premier rendez-vous dans les 15 jours" in real.text
    assert "card:rsa.rules" in real.payloads


async def test_under_26_gets_the_mission_locale(real: Chat) -> None:
    await real.say("jai 19 ans je trouve pas de taf")
    assert "Mission Locale" in real.text


async def test_language_trouble_offers_the_languages(real: Chat) -> None:
    await real.say("je parle pas bien francais")
    assert "lang:en" in real.payloads
    await real.say("i speak arabic")
    assert "lang:en" in real.payloads


async def test_stop_messages_in_words_asks_first_then_one_tap(real: Chat) -> None:
    await real.say("je veux plus de messages")
    assert _person(real).proactive_opt_out is False
    assert "Vous voulez que je ne vous écrive plus" in real.text
    await real.press_label("Non, ne rien changer")
    assert _person(real).proactive_opt_out is False
    await real.say("arretez de menvoyer des messages svp")
    await real.say("oui")  # a typed yes answers the question
    assert _person(real).proactive_opt_out is True


async def test_the_stop_command_acts_at_once(real: Chat) -> None:
    await real.say("/stop")
    assert _person(real).proactive_opt_out is True


async def test_a_new_question_drops_the_pending_confirmation(real: Chat) -> None:
    await real.say("je veux plus de messages")
    await real.say("jai faim")
    assert "115" in real.text
    await real.say("oui")
    assert _person(real).proactive_opt_out is False


async def test_an_old_or_forged_yes_changes_nothing(real: Chat) -> None:
    await real.press("confirm:yes")
    assert _person(real).proactive_opt_out is False
    assert "plus valable" in real.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("je veux devenir infirmiere", "Hors de l'industrie"),
        ("boulangerie ca embauche ?", "Hors de l'industrie"),
        ("jcherche un taf de serveur", "Hors de l'industrie"),
        ("agent dentretien", "Hors de l'industrie"),
        ("aide soignante ca recrute", "Formations santé gratuites"),
    ],
)
async def test_trades_outside_industry_get_their_card(real: Chat, text: str, expected: str) -> None:
    await real.say(text)
    assert real.last[0].text.startswith(expected), real.text


async def test_a_bus_time_gets_an_honest_pointer_not_the_general_card(real: Chat) -> None:
    await real.say("ya un bus a 5h du matin ?")
    assert "Je n'ai pas les horaires des bus" in real.text
    assert any(button.url for button in real.buttons)  # the official transport page


async def test_a_follow_up_is_read_in_the_topic_of_the_last_question(real: Chat) -> None:
    await real.say("comment je me deplace en bus")
    assert "Je n'ai pas les horaires" not in real.text
    await real.say("et le dimanche ?")
    assert "Je n'ai pas les horaires des bus" in real.text


async def test_a_salary_question_says_no_verified_pay(real: Chat) -> None:
    await real.say("combien on gagne soudeur")
    assert "pas de salaire vérifié" in real.text


async def test_a_booking_with_a_day_is_not_read_as_a_bus_question(real: Chat) -> None:
    await real.say("comment je me deplace en bus")
    await real.say("je veux un rdv samedi a 10h")
    assert "horaires des bus" not in real.text


@pytest.mark.parametrize("text", ["verkor", "postuler chez verkor", "jveux bosser chez verkor"])
async def test_an_employer_named_gets_its_card(real: Chat, text: str) -> None:
    await real.say(text)
    assert "Verkor" in real.text
    assert "Qui recrute" not in real.last[-1].text.splitlines()[0]


async def test_applying_says_honestly_that_the_jobs_page_is_not_known(real: Chat) -> None:
    await real.say("postuler chez verkor")
    assert "pas encore sa page emploi vérifiée" in real.text


async def test_every_card_ends_with_at_most_three_next_steps(real: Chat) -> None:
    """Next steps that do something: an official page, booking, a counsellor (topics aside)."""
    catalog = real.assistant.services.catalog
    for card_id in catalog.ids:
        await real.press(f"card:{card_id}")
        actions = [
            b
            for b in real.buttons
            if b.url or b.payload.startswith(("appt:", "human:", "lang:", "confirm:"))
        ]
        assert len(actions) <= 3, (card_id, [b.label for b in actions])


async def test_job_fairs_get_the_events_card_without_invented_dates(real: Chat) -> None:
    await real.say("ya un forum emploi bientot ?")
    assert real.last[0].text.startswith("Forums et événements")
    assert "pas les dates des prochains forums" in real.text
