"""The caseload's "Contact hebdomadaire" reflects this week's check-in answer (it showed "—")."""

from __future__ import annotations

from collections.abc import Callable

from console.live_integrations import LiveIntegrations
from console.programme_text import weekly_text
from core.clock import FrozenClock
from tests.chat import Chat
from tests.console.test_live_integrations import enrol, integrations, linked_person  # noqa: F401


def test_the_count_gets_this_weeks_answer() -> None:
    def weekly(met: int, weeks: int, missing: bool, answer: str | None) -> str:
        return weekly_text(met, weeks, before_first=False, missing=missing, answer=answer)

    assert weekly(0, 0, False, None) == "—"
    assert weekly(0, 0, False, "Ça va bien") == "cette semaine : Ça va bien"
    assert weekly(2, 3, True, None) == "2/3 semaines (pas de contact cette semaine)"
    assert weekly(2, 3, True, "message écrit") == "2/3 semaines · cette semaine : message écrit"
    assert weekly(1, 1, False, None) == "1/1 semaine"


async def test_a_checkin_answer_shows_in_the_caseload(
    chat: Chat,
    integrations: LiveIntegrations,  # noqa: F811
    add_staff: Callable[..., int],
    clock: FrozenClock,
) -> None:
    claire = add_staff("Claire Martin", "claire@example.org")
    code = enrol(chat.assistant, integrations, claire, "Samia Benali")
    await linked_person(chat, code)
    with chat.assistant.sessions() as session:
        (before,) = integrations.caseload(session, claire)
    assert "cette semaine" not in before.weekly_contact
    await chat.press("checkin:ok:2026-W48")
    with chat.assistant.sessions() as session:
        (after,) = integrations.caseload(session, claire)
    assert "cette semaine : Ça va bien" in after.weekly_contact
