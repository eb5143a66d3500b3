"""A conversation in Arabic: chosen with /langue, every interface line translated."""

from __future__ import annotations

from tests.chat import Chat


async def test_a_person_can_choose_arabic_and_is_answered_in_arabic(chat: Chat) -> None:
    await chat.consent()
    await chat.say("/langue")
    assert "العربية" in [b.label for b in chat.buttons]
    await chat.press("lang:ar")
    assert chat.text == "حسنًا، أتحدث معك الآن بالعربية."
    await chat.say("/menu")
    labels = [b.label for b in chat.buttons]
    assert "التحدث مع مستشار" in labels
    await chat.say("/mesdonnees")
    assert "هذا ما أحتفظ به عنك:" in chat.text
    assert "• محادثاتنا:" in chat.text and "messages" not in chat.text
    assert "لحذف كل شيء: \u200e/supprimer" in chat.text


async def test_dutch_is_not_offered_while_it_is_partial(chat: Chat) -> None:
    await chat.consent()
    await chat.say("/langue")
    assert "Nederlands" not in [b.label for b in chat.buttons]
    await chat.press("lang:nl")
    assert "lang:nl" not in chat.payloads
