"""What staff read is in STAFF_LANGUAGE, never in the person's language (issue 17)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from capabilities.handoff.relay import RESOLVED_TEXT, StaffRelay, relayed_line
from console.live_integrations import LiveIntegrations
from console.web import ConsoleState
from core.clock import FrozenClock
from core.i18n import set_staff_locale, staff_locale, translations
from core.settings import ConfigError, Settings, load_settings
from store.models import Conversation
from store.programme import Participant
from tests.chat import Chat
from tests.console.conftest import csrf_of, post, sign_in, staff_says
from tests.console.fakes import RecordingStaffGroup, relayed_texts
from tests.console.test_media import send_voice


@pytest.fixture
def staff_language() -> str:
    return "en"


@pytest.fixture
def settings(database_url: str, staff_language: str) -> Settings:
    return load_settings(
        database_url=database_url,
        telegram_bot_token=None,
        rasa_url=None,
        staff_language=staff_language,
    )


def test_a_bad_staff_language_stops_the_start_naming_the_variable() -> None:
    with pytest.raises(ConfigError, match="STAFF_LANGUAGE") as refused:
        load_settings(staff_language="de")
    assert "fr, en or ar" in str(refused.value)
    assert load_settings().staff_language == "fr"
    assert load_settings(staff_language=" AR ").staff_language == "ar"


async def test_an_arabic_speaker_and_english_staff_each_read_their_own_language(
    chat: Chat, relay: StaffRelay, group: RecordingStaffGroup
) -> None:
    assert staff_locale() == "en"  # set by the composition root from STAFF_LANGUAGE
    chat.language_code = "ar"
    await chat.consent()
    await chat.say("je veux un conseiller")
    assert "الاستشار" in chat.text or "مستشار" in chat.text  # the person reads Arabic
    thread = next(iter(group.topics))
    assert group.topics[thread] == "Samia · no. 1"
    card = group.texts(thread)[0]
    assert card.startswith("Person no. 1 — Samia")
    assert "Reason: asked for a counsellor" in card
    assert "RSA programme: not enrolled" in card
    assert "Answer in this topic. /resolve to close" in card
    await chat.say("مرحبا")
    assert group.texts(thread)[-1] == "👤 مرحبا"
    answer = await relay.handle(staff_says(thread, "/note besoin d'un vélo", 1))
    assert answer[0].text == "Private note saved (the person does not see it)."
    answer = await relay.handle(staff_says(thread, "/canned inconnue", 2))
    assert answer[0].text == "Unknown canned reply. Available: none."
    answer = await relay.handle(staff_says(thread, "/resolve", 3))
    assert answer[0].text == "Closed by Karim. The assistant answers again."
    told = relayed_texts(chat.assistant, 1)[-1]
    assert told == translations("ar").gettext(RESOLVED_TEXT) != RESOLVED_TEXT
    help_answer = await relay.handle(staff_says(999, "/aide", 4))
    assert help_answer[0].text.startswith("In a person's topic: write to answer them.")


@pytest.mark.parametrize("staff_language", ["ar"])
async def test_arabic_staff_read_arabic_cards_and_distress_lines(
    chat: Chat, relay: StaffRelay, group: RecordingStaffGroup
) -> None:
    await chat.consent()  # the person speaks French
    await chat.say("je veux un conseiller")
    assert "conseiller" in chat.text
    thread = next(iter(group.topics))
    card = group.texts(thread)[0]
    assert card.startswith("الشخص رقم 1 — Samia")
    assert "السبب: طلب مستشارًا" in card
    await chat.press("human:back")
    assert group.texts(thread)[-1] == "عاد الشخص إلى المساعد."


@pytest.mark.parametrize(
    ("staff_language", "html"),
    [
        ("ar", '<html lang="ar" dir="rtl">'),
        ("en", '<html lang="en" dir="ltr">'),
        ("fr", '<html lang="fr" dir="ltr">'),
    ],
)
def test_the_console_page_follows_the_staff_language(client: TestClient, html: str) -> None:
    assert html in client.get("/login").text


@pytest.mark.parametrize("staff_language", ["ar"])
def test_arabic_staff_sign_in_on_an_arabic_page(
    client: TestClient, add_staff: Callable[..., int]
) -> None:
    page = client.get("/login").text
    assert "<h1>تسجيل الدخول</h1>" in page and ">كلمة المرور<" in page
    add_staff("Karim", "karim@example.org")
    token = csrf_of(client.get("/login").text)
    refused = client.post(
        "/login", data={"email": "karim@example.org", "password": "wrong", "csrf": token}
    )
    assert refused.status_code == 401
    assert "البريد الإلكتروني أو كلمة المرور غير صحيحة." in refused.text
    assert sign_in(client, "karim@example.org") == 303
    home = client.get("/").text
    assert ">قائمة الانتظار<" in home and ">تسجيل الخروج<" in home


@pytest.mark.parametrize("staff_language", ["ar"])
async def test_the_console_queue_names_the_reason_in_the_staff_language(
    client: TestClient, add_staff: Callable[..., int], chat: Chat
) -> None:
    add_staff("Karim", "karim@example.org")
    await chat.consent()
    await chat.say("je veux un conseiller")
    assert sign_in(client, "karim@example.org") == 303
    page = client.get("/queue")
    assert "طلب مستشارًا" in page.text
    with chat.assistant.sessions() as session:
        assert session.scalars(select(Conversation)).one().handoff == "waiting"


def test_relayed_lines_are_labelled_in_the_staff_language() -> None:
    set_staff_locale("en")
    assert relayed_line("", "menu") == "👤 (button: menu)"
    assert relayed_line("", "") == "👤 (attachment)"
    assert relayed_line("j'ai peur", "", distress=True) == "⚠️ Distress — 👤 j'ai peur"
    set_staff_locale("ar")
    assert relayed_line("", "menu") == "👤 (زر: menu)"


async def test_a_voice_note_of_an_arabic_speaker_is_captioned_for_english_staff(
    chat: Chat, relay: StaffRelay, group: RecordingStaffGroup, add_staff: Callable[..., int]
) -> None:
    add_staff("Karim", "karim@example.org")
    chat.language_code = "ar"
    await chat.consent()
    await send_voice(chat)
    assert "مستشار" in chat.text  # the person is told in Arabic
    ((_thread, kind, _data, _mime, caption),) = group.media
    assert (kind, caption) == ("voice", "👤 Voice message (7 s)")


def test_a_short_password_is_refused_with_the_length_counted(
    client: TestClient, add_staff: Callable[..., int]
) -> None:
    add_staff("Admin", "admin@example.org", role="admin")
    assert sign_in(client, "admin@example.org") == 303
    data = {"name": "Léa", "email": "lea@example.org", "role": "counsellor", "password": "court"}
    assert post(client, "/admin/staff", data, "/admin") == 303
    assert "Password too short (at least 10 characters)." in client.get("/admin").text


# Every console page in the staff's language (issue 17b): a few visible strings per page.
PAGES = {
    "en": {
        "/queue": ["<h1>Queue</h1>", "Share out in turn"],
        "/day": ["Appointments on ", ">Another day<", ">Attendance<"],
        "/caseload": ["<h1>All participants</h1>", "Enrol a participant"],
        "/indicators": ["Indicators of the last 8 weeks", "Weekly contact kept: not available"],
        "/indicators/plans": ["Taking stock: the last 8 weeks", ">Steps taken<"],
        "/audit": ["<h1>Access log</h1>", ">Who<"],
        "/admin": [
            "<h1>Administration</h1>",
            "Password (at least 10 characters)",
            ">Canned replies<",
        ],
        "/conversations/1": [
            "<h2>Reply</h2>",
            "Mark as resolved",
            "Private notes",
            "Taking stock",
            "Button “I agree”",
            "Button “A training”",
        ],
    },
    "ar": {
        "/queue": ["<h1>قائمة الانتظار</h1>"],
        "/day": ["مواعيد يوم ", ">يوم آخر<", ">الحضور<"],
        "/caseload": ["<h1>جميع المشاركين</h1>"],
        "/indicators": ["مؤشرات آخر 8 أسابيع", "احترام التواصل الأسبوعي: غير متوفر"],
        "/indicators/plans": ["مراجعة الوضع: آخر 8 أسابيع", ">الخطوات المتّبعة<"],
        "/audit": ["<h1>سجل الوصول</h1>", ">مَن<"],
        "/admin": ["<h1>الإدارة</h1>", ">الحسابات<", "كلمة المرور (10 أحرف على الأقل)"],
        "/conversations/1": [
            "<h2>الرد</h2>",
            "ملاحظات خاصة",
            "مراجعة الوضع",
            "<bdi>Samia</bdi>",
            "زر « أوافق »",
            "زر « نعم، احتفظ بها »",
        ],
    },
    "fr": {
        "/queue": ["<h1>File d'attente</h1>"],
        "/day": ["Rendez-vous du ", ">Autre jour<"],
        "/caseload": ["<h1>Tous les participants</h1>"],
        "/indicators": ["Indicateurs des 8 dernières semaines"],
        "/indicators/plans": ["Faire le point : 8 dernières semaines"],
        "/audit": ["<h1>Journal des accès</h1>"],
        "/admin": ["Mot de passe (10 caractères au moins)", ">Réponses types<"],
        "/conversations/1": [
            "<h2>Répondre</h2>",
            "Marquer comme résolu",
            "Notes privées",
            "Bouton « J&#39;accepte »",
            "Bouton « Une formation »",
        ],
    },
}


@pytest.mark.parametrize("staff_language", ["en", "ar", "fr"])
async def test_every_console_page_is_in_the_staff_language(
    client: TestClient, add_staff: Callable[..., int], chat: Chat, staff_language: str
) -> None:
    from tests.plan.test_console_intake import made_plan

    await made_plan(chat)
    await chat.say("je veux un conseiller")
    add_staff("Admin", "admin@example.org", role="admin")
    assert sign_in(client, "admin@example.org") == 303
    direction = "rtl" if staff_language == "ar" else "ltr"
    for url, wanted in PAGES[staff_language].items():
        page = client.get(url)
        assert page.status_code == 200, url
        assert f'<html lang="{staff_language}" dir="{direction}">' in page.text, url
        for text in wanted:
            assert text in page.text, (url, text)
    assert post(client, "/conversations/1/note", {"text": "Rappeler"}, "/conversations/1") == 303
    saved = {"en": "Note saved.", "ar": "تم حفظ الملاحظة.", "fr": "Note enregistrée."}
    assert saved[staff_language] in client.get("/conversations/1").text


@pytest.mark.parametrize("staff_language", ["en", "ar"])
def test_caseload_and_participant_lines_flashes_and_errors_follow_the_staff_language(
    client: TestClient,
    add_staff: Callable[..., int],
    console_state: ConsoleState,
    clock: FrozenClock,
    staff_language: str,
) -> None:
    live = LiveIntegrations(clock=clock, username="Emplois20000Bot")
    console_state.integrations = live
    claire = add_staff("Claire Martin", "claire@example.org")
    with console_state.sessions() as session:
        assert live.enrol(session, claire, "Samia Benali") is not None
        session.commit()
        participant = session.scalars(select(Participant.id)).one()
    assert sign_in(client, "claire@example.org") == 303
    english = staff_language == "en"
    caseload = client.get("/caseload").text
    assert ("to hold before 09/12/2026" if english else "يجب عقدها قبل 09/12/2026") in caseload
    assert ("not signed yet" if english else "لم يوقَّع بعد") in caseload
    assert (
        "<bdi>Samia Benali (invitation created" if english else "<bdi>Samia Benali ("
    ) in caseload
    page = client.get(f"/participants/{participant}").text
    assert ("CER: not signed yet" if english else "عقد CER: لم يوقَّع بعد") in page
    assert ("Cadence: " if english else "الوتيرة: ") in page
    assert "<bdi>Samia Benali</bdi>" in page
    # a flash message, then an error page
    missing = client.post("/queue/assign", data={"csrf": "wrong"})
    assert missing.status_code == 403
    expired = "Form expired or invalid" if english else "انتهت صلاحية النموذج"
    assert expired in missing.text
    assert client.get("/conversations/999").status_code == 404
    assert ("does not exist" if english else "غير موجود") in client.get("/conversations/999").text
    assert post(client, "/queue/assign", {"mode": "round-robin"}) == 403
    assert ("For administrators only." if english else "مخصص للمسؤولين فقط.") in client.post(
        "/queue/assign", data={"csrf": csrf_of(client.get("/").text)}
    ).text


def test_plan_buttons_are_named_by_their_label_not_their_payload() -> None:
    from capabilities.plan.buttons import plan_button_label

    set_staff_locale("en")
    assert plan_button_label("plan:a:diploma:none~abc") == "No diploma"
    assert plan_button_label("plan:keep:no") == "No thanks"
    assert plan_button_label("plan:go:2") == "Step no. 2"
    assert plan_button_label("consent:yes") is None
    set_staff_locale("fr")
    assert plan_button_label("plan:skip:trades") == "Passer"
