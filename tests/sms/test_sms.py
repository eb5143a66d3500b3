"""The SMS channel: French mobiles, segments, numbered answers, Brevo (fake server)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from capabilities.programme.checkin import checkin_replies
from core.messages import Button, Kind, Reply
from core.ports import (
    ChannelPaused,
    DeliveryError,
    RecipientBlocked,
    RetryLater,
    TransientDeliveryError,
)
from sms.brevo import BrevoSms
from sms.phone import InvalidNumber, french_mobile, masked
from sms.render import render
from sms.segments import fit, gsm_friendly, is_gsm, segments
from tests.fakes.brevo_api import API_KEY, FakeBrevo


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("07.81.23.45.67", "+33781234567"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("0690 12 34 56", "+590690123456"),  # Guadeloupe
    ],
)
def test_french_mobiles_are_normalised(typed: str, e164: str) -> None:
    assert french_mobile(typed) == e164


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("03 28 12 34 56", "fixe"),
        ("+32 470 12 34 56", "français"),
        ("06 12 34", "vérifiez"),
        ("bonjour", "numéro"),
        ("", "numéro"),
    ],
)
def test_other_numbers_are_refused_with_the_reason(typed: str, why: str) -> None:
    with pytest.raises(InvalidNumber, match=why):
        french_mobile(typed)


def test_a_masked_number_shows_two_digits() -> None:
    assert masked("+33612345678") == "+33 6 •• •• •• 78"


def test_segments_count_gsm7_and_ucs2() -> None:
    assert segments("a" * 160) == 1 and segments("a" * 161) == 2
    assert segments("a" * 306) == 2 and segments("a" * 307) == 3
    assert segments("€" * 80) == 1 and segments("€" * 81) == 2  # the extension counts twice
    assert not is_gsm("Bonjour 👋") and segments("é" * 70 + "👋") == 2
    assert segments("ê" * 70) == 1 and segments("ê" * 71) == 2  # ê is not GSM-7: UCS-2
    assert is_gsm(gsm_friendly("Ça va bien ? « Oui » – l’équipe…"))


def test_fit_cuts_at_a_word() -> None:
    long = "mot " * 200
    cut = fit(long)
    assert segments(cut) == 2 and cut.endswith("...") and "mo..." not in cut


def test_the_weekly_checkin_is_two_segments_at_most_with_numbered_answers() -> None:
    for reminder in (False, True):
        for offer in (False, True):
            sms = render(checkin_replies("fr", "2026-W49", reminder=reminder, offer_meeting=offer))
            assert sms.segments <= 2, sms.text
            assert "1 Ca va bien" in sms.text or "1 Ça va bien" in sms.text
            assert "4 Je veux parler a mon conseiller" in sms.text.replace("à", "a")
            assert sms.choices[0] == "checkin:ok:2026-W49"
            assert sms.text.endswith("Répondez par le chiffre.")


def test_a_long_text_is_cut_but_the_answers_stay() -> None:
    reply = Reply(
        text="Une très longue explication. " * 30,
        buttons=((Button("Oui", "yes"),), (Button("Non", "no"),), (Button("Menu", "menu"),)),
    )
    sms = render([reply])
    assert sms.segments <= 2 and "1 Oui\n2 Non" in sms.text and sms.choices == ("yes", "no")


@pytest.fixture
async def channel() -> AsyncIterator[tuple[BrevoSms, FakeBrevo]]:
    async with FakeBrevo() as fake:
        sms = BrevoSms(API_KEY, "20000emploi", base_url=fake.base_url)
        await sms.start()
        yield sms, fake
        await sms.stop()


async def test_a_checkin_goes_to_brevo_and_a_digit_answers_it(
    channel: tuple[BrevoSms, FakeBrevo],
) -> None:
    sms, fake = channel
    await sms.send(
        "+33612345678", checkin_replies("fr", "2026-W49", reminder=False, offer_meeting=False)
    )
    body = fake.sent[-1]
    assert body["recipient"] == "33612345678" and body["sender"] == "20000emploi"
    assert body["type"] == "transactional" and body["unicodeEnabled"] is False
    assert segments(body["content"]) <= 2 and sms.sent_segments == segments(body["content"])
    answer = sms.incoming("+33612345678", " 2 ", message_id=7)
    assert answer.kind is Kind.BUTTON and answer.payload == "checkin:difficulties:2026-W49"
    assert sms.incoming("+33612345678", "9").kind is Kind.TEXT  # not one of the answers
    assert sms.incoming("+33612345678", "STOP").text == "/stop"
    assert sms.incoming("+33612345678", "Arrêt.").text == "/stop"
    free = sms.incoming("+33612345678", "je suis malade cette semaine")
    assert free.kind is Kind.TEXT and free.text == "je suis malade cette semaine"


async def test_brevo_errors_become_the_channel_errors(channel: tuple[BrevoSms, FakeBrevo]) -> None:
    sms, fake = channel
    hello = [Reply(text="Bonjour")]
    fake.fail_next.append(
        (429, {"code": "too_many_requests", "message": "slow"}, {"retry-after": "12"})
    )
    with pytest.raises(RetryLater) as retry:
        await sms.send("+33612345678", hello)
    assert retry.value.retry_after == 12.0
    fake.fail_next.append((402, {"code": "not_enough_credits", "message": "credits"}, {}))
    with pytest.raises(ChannelPaused):
        await sms.send("+33612345678", hello)
    # No credits: the channel says so (an hour); the stored pause holds the senders
    # (``channel_pauses``), so an admin can end it early: the channel itself does not.
    assert sms.paused
    fake.fail_next.append((500, {"code": "internal", "message": "oops"}, {}))
    with pytest.raises(TransientDeliveryError):
        await sms.send("+33612345678", hello)
    with pytest.raises(RecipientBlocked):
        await sms.send("not-a-number", hello)
    wrong = BrevoSms("bad-key", "20000emploi", base_url=fake.base_url)
    await wrong.start()
    with pytest.raises(DeliveryError) as refused:
        await wrong.send("+33612345678", hello)
    assert not isinstance(refused.value, (RecipientBlocked, RetryLater))
    await wrong.stop()
    assert fake.sent == []


async def test_an_unreachable_brevo_is_retried_later() -> None:
    sms = BrevoSms(API_KEY, "20000emploi", base_url="http://127.0.0.1:9/v3")
    await sms.start()
    with pytest.raises(TransientDeliveryError):
        await sms.send("+33612345678", [Reply(text="Bonjour")])
    await sms.stop()
