"""« Faire le point » as a person lives it: questions, plan, kept or not, revisited, erased."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from capabilities.assistant.assistant import Assistant
from store.plan import PersonalPlan, PlanEvent
from tests.chat import Chat, FakeNlu


def rows(assistant: Assistant, model: type) -> list:  # type: ignore[type-arg]
    with assistant.sessions() as session:
        return list(session.scalars(select(model)))


async def answer(chat: Chat, label: str) -> None:
    await chat.press_label(label)


async def test_the_menu_leads_to_eight_skippable_questions_then_the_plan(chat: Chat) -> None:
    await chat.consent()
    await chat.say("/menu")
    assert "plan:start" in chat.payloads
    await chat.press("plan:start")
    assert "Question 1 sur 8" in chat.text
    assert any(p.startswith("plan:skip:goal") for p in chat.payloads)
    await chat.press_label("Pourquoi je demande")
    assert "par où commencer" in chat.text and "Question 1 sur 8" in chat.text
    for label in ("Un emploi", "Moins de 26", "Aucun diplôme", "Non"):
        await answer(chat, label)
    assert "Question 5 sur 8" in chat.text
    for _ in range(4):
        await chat.press_label("Passer")
    assert "Votre plan" in chat.text
    assert "1. Prendre rendez-vous : Rencontre avec un conseiller" in chat.text
    assert "Aides au permis" in chat.text
    assert "Source :" in chat.text
    assert not rows(chat.assistant, PersonalPlan)  # nothing kept before the person says yes
    await chat.press_label("Oui, gardez-le")
    (kept,) = rows(chat.assistant, PersonalPlan)
    assert kept.answers == {"goal": "job", "age": "under26", "diploma": "none", "licence": "none"}
    assert [s["key"] for s in kept.steps][:2] == ["book:conseil", "card:transport.licence"]
    assert any(p == "plan:go:2" for p in chat.payloads)
    await chat.press("plan:go:2")
    assert "permis" in chat.text.lower()  # the licence aid card
    await chat.press("plan:go:1")
    assert "Espace" in chat.text  # the booking, motif already chosen: which Espace?
    kinds = sorted(e.kind for e in rows(chat.assistant, PlanEvent))
    assert kinds.count("taken") == 2 and kinds.count("made") == 1


async def test_typed_answers_are_understood_where_they_fit(chat: Chat) -> None:
    await chat.consent()
    await chat.press("plan:start")
    await chat.say("je cherche une formation")
    assert "Question 2 sur 8" in chat.text
    await chat.say("j'ai 52 ans")
    assert "Question 3" in chat.text
    await chat.say("un CAP")
    await chat.say("j'ai pas le permis")
    await chat.say("ma fille est née le 3 mars 2025")
    await chat.say("rsa")
    await chat.say("soudeur")
    await chat.say("rien")
    assert "Votre plan" in chat.text
    assert "Rendez-vous du programme RSA" in chat.text
    assert "Crèches AVIP" in chat.text


async def test_a_typed_answer_not_understood_asks_again_kindly(chat: Chat) -> None:
    await chat.consent()
    await chat.press("plan:start")
    await chat.say("bof")
    assert "Je n'ai pas bien compris" in chat.text and "Question 1 sur 8" in chat.text


async def test_refusing_to_keep_keeps_nothing_and_stop_leaves(chat: Chat) -> None:
    await chat.consent()
    await chat.press("plan:start")
    for _ in range(8):
        await chat.press_label("Passer")
    assert "Votre plan" in chat.text  # everything skipped: still 3 steps
    await chat.press_label("Non merci")
    assert "je ne garde rien" in chat.text
    assert not rows(chat.assistant, PersonalPlan)
    await chat.press("plan:start")
    await chat.press("plan:stop")
    assert "on arrête" in chat.text


async def test_old_buttons_and_forged_answers_get_the_current_question(chat: Chat) -> None:
    await chat.consent()
    await chat.press("plan:start")
    await chat.press("plan:a:goal:rocket")
    assert "plus valable" in chat.text and "Question 1 sur 8" in chat.text
    await chat.press("plan:a:age:under26")
    assert "Question 1 sur 8" in chat.text


async def test_my_plan_is_listed_by_mesdonnees_updated_and_erased(
    chat: Chat, fake_nlu: FakeNlu
) -> None:
    fake_nlu.table["mon plan"] = ("make_plan", 0.95, [])
    await chat.consent()
    await chat.press("plan:start")
    await chat.press_label("Une formation")
    for _ in range(7):
        await chat.press_label("Passer")
    await chat.press_label("Oui, gardez-le")
    await chat.say("mon plan")
    assert "Votre plan" in chat.text and "plan:new" in chat.payloads
    await chat.press("plan:pdf")
    (pdf,) = [r.document for r in chat.last if r.document]
    assert pdf.content.startswith(b"%PDF") and pdf.filename == "mon-plan.pdf"
    await chat.say("/mesdonnees")
    assert "votre plan" in chat.text.lower() and "Une formation" in chat.text
    steps = len(rows(chat.assistant, PersonalPlan)[0].steps)
    word = "étape" if steps <= 1 else "étapes"  # ngettext: never « 1 étapes »
    assert re.search(rf"fait le .+ : {steps} {word}(\n|$)", chat.text, re.M), chat.text
    await chat.press("plan:new")
    await chat.press_label("Un emploi")
    for _ in range(7):
        await chat.press_label("Passer")
    await chat.press_label("Oui, gardez-le")
    (kept,) = rows(chat.assistant, PersonalPlan)
    assert kept.answers == {"goal": "job"}
    await chat.say("/supprimer")
    await chat.press_label("Oui")
    assert not rows(chat.assistant, PersonalPlan)
    with chat.assistant.sessions() as session:
        events = session.scalar(select(func.count()).select_from(PlanEvent))
        named = session.scalar(
            select(func.count()).select_from(PlanEvent).where(PlanEvent.person_id.is_not(None))
        )
    assert events and named == 0  # the indicators stay, anonymous


async def test_the_plan_is_offered_after_a_few_information_cards(chat: Chat) -> None:
    await chat.consent()
    await chat.press("card:transport")
    await chat.press("card:housing")
    assert "plan:start" not in chat.payloads
    await chat.press("card:childcare")
    assert "plan:start" in chat.payloads


async def test_free_text_starts_the_plan_and_what_it_says_is_noted(
    chat: Chat, fake_nlu: FakeNlu
) -> None:
    fake_nlu.table["je cherche du travail mais j'ai pas le permis"] = ("make_plan", 0.9, [])
    await chat.consent()
    await chat.say("je cherche du travail mais j'ai pas le permis")
    assert "J'ai déjà noté : Un emploi, Pas de permis." in chat.text
    assert "Question 2 sur 8" in chat.text  # the goal is not asked again
    await chat.press_label("Moins de 26")
    assert "Question 3 sur 8" in chat.text
    await chat.press_label("Aucun diplôme")
    assert "Question 5 sur 8" in chat.text  # nor the licence
