"""The weekly check-in: the message, its four buttons, free text, and what each answer does.

Answers become structured contact events (a reply is the week's contact). "Difficultés" and
"parler à mon conseiller" open a hand-off request (the counsellor side is the console's);
the person is told honestly what happens next. A month with fewer than two physical meetings
planned gets a "choose a meeting" button: one-tap slots when the appointments capability is
installed, else the promise that the counsellor proposes a date (and a task for them).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from capabilities.conversation.keyboards import footer_row
from capabilities.conversation.machine import Machine, moves
from capabilities.conversation.registry import Flow
from capabilities.conversation.turn import Turn
from capabilities.handoff.flow import open_request
from capabilities.programme import periods
from capabilities.programme.enrolment import participant_of
from capabilities.programme.rules import default_rules
from core.i18n import N_, gettext_for, ngettext_for
from core.messages import Button, Reply
from store import repo_programme
from store.db import Session
from store.programme import ContactEvent, Participant
from store.programme import add_task as store_add_task
from store.staff import Staff

ANSWER_LABELS = (
    ("ok", N_("Ça va bien")),
    ("difficulties", N_("J'ai des difficultés")),
    ("found", N_("J'ai trouvé un emploi ou une formation")),
    ("talk", N_("Je veux parler à mon conseiller")),
)
# Free text that is only politeness is a check-in note, not a question for another flow.
CHATTER = {None, "greet", "thanks", "goodbye", "affirm", "deny", "out_of_scope"}
NOTE_MAX = 1000


class Step(StrEnum):
    """Where the check-in holds the conversation (``conversations.step``)."""

    AWAIT = "await"  # the check-in went out: the next free text is the answer
    NOTE = "note"  # a button answered: a few words may follow


MACHINE = Machine(
    "checkin",
    Step,
    moves(
        (None, Step.AWAIT, "check-in sent by the dispatcher (no other flow active, no hand-off)"),
        (Step.AWAIT, Step.NOTE, "checkin:ok or checkin:found:<week> (a ContactEvent)"),
        (None, Step.NOTE, "checkin:ok or checkin:found:<week> pressed later"),
        (Step.AWAIT, None, "free text: a ContactEvent free_text (a real question: its flow)"),
        (Step.NOTE, None, "free text: a note for the counsellor"),
        (Step.AWAIT, None, "checkin:difficulties or checkin:talk: a hand-off request (checkin)"),
        (Step.NOTE, None, "checkin:difficulties or checkin:talk: a hand-off request (checkin)"),
        (Step.AWAIT, None, "the participant ended or was reoriented: nothing noted"),
        (Step.NOTE, None, "the participant ended or was reoriented: nothing noted"),
    ),
    (
        "Weekly check-in (capabilities/programme/checkin.py). Payload prefix: checkin:",
        "Planned at Tuesday 10:00 Paris in the weekday window, no holiday, once the first",
        "meeting is held and the person reachable with no contact this ISO week: an outbox row",
        "weekly_checkin:participant:week. The dispatcher checks /stop, consent, quiet hours.",
        "found adds the counsellor task situation_change. checkin:slots:<week> offers one-tap",
        "slots (appointments installed) or adds the task meeting_requested, without moving.",
        "No contact after 48 h: one reminder (checkin_reminder). After 7 days: the counsellor",
        "alert checkin_unanswered. Blocked (Forbidden): unreachable + counsellor alert.",
    ),
)


def checkin_replies(locale: str, week: str, *, reminder: bool, offer_meeting: bool) -> list[Reply]:
    """The check-in (or its reminder) in the person's language; payloads name the week."""
    _ = gettext_for(locale).gettext
    if reminder:
        text = _(
            "Petit rappel : comment allez-vous cette semaine ? Un bouton suffit, ou quelques "
            "mots. Votre conseiller verra votre réponse."
        )
    else:
        text = _(
            "Bonjour ! Comment se passe votre semaine ? Répondez avec un bouton, ou écrivez-moi "
            "quelques mots : votre conseiller verra votre réponse."
        )
    rows = [(Button(_(label), f"checkin:{code}:{week}"),) for code, label in ANSWER_LABELS]
    if offer_meeting:
        text += "\n\n" + _(
            "Vos rencontres du mois avec votre conseiller ne sont pas encore toutes prévues."
        )
        rows.append((Button(_("Choisir un rendez-vous"), f"checkin:slots:{week}"),))
    return [Reply(text=text, buttons=tuple(rows))]


def after_checkin_sent(session: Session, person_id: int, rule: str, key: str, at: datetime) -> None:
    """Called by the dispatcher once a check-in went out (same transaction as "sent")."""
    if rule != "weekly_checkin":
        return
    parts = key.split(":")
    if len(parts) != 3 or not parts[1].isdigit():
        return
    participant = session.get(Participant, int(parts[1]))
    if participant is None or participant.person_id != person_id:
        return
    participant.last_checkin_at = at
    conversation = repo_programme.conversation_of(session, person_id)
    # The next free text is the answer, unless the person is busy elsewhere.
    if conversation is not None and conversation.flow is None and conversation.handoff == "bot":
        conversation.flow, conversation.step = CheckinFlow.name, Step.AWAIT
        conversation.data = {"week": parts[2]}


def add_task(
    session: Session, participant: Participant, rule: str, reason: str, period: str, now: datetime
) -> None:
    """A counsellor task, once per rule and period (a second press adds nothing)."""
    store_add_task(
        session,
        key=f"{rule}:{participant.id}:{period}",
        participant_id=participant.id,
        counsellor_id=participant.counsellor_id,
        kind="task",
        rule=rule,
        reason=reason,
        now=now,
    )


class CheckinFlow(Flow):
    """Answers to the weekly check-in (buttons ``checkin:<answer>:<week>`` and free text)."""

    name: ClassVar[str] = "checkin"
    button_only = True  # its buttons and the free text right after a check-in
    machine = MACHINE

    def on_button(self, turn: Turn, args: list[str]) -> list[Reply]:
        """One of the four answers, or "choose a meeting"."""
        _ = turn._
        participant = participant_of(turn.session, turn.person.id)
        answer = args[0] if args else ""
        week = args[1] if len(args) > 1 else periods.iso_week(periods.local_day(turn.now))
        if participant is None or participant.status in ("ended", "reoriented"):
            turn.finish()
            return [
                Reply(
                    text=_(
                        "Ce suivi ne concerne plus votre compte, je n'ai rien noté. Si vous "
                        "pensez que c'est une erreur, parlez-en à votre conseiller."
                    ),
                    buttons=(footer_row(turn),),
                )
            ]
        if answer == "slots":
            return self._slots(turn, participant, week)
        if answer not in {code for code, _label in ANSWER_LABELS}:
            return [Reply(text=_("Ce bouton n'est plus valable. Rien n'a été modifié."))]
        if not repo_programme.checkin_answered(turn.session, participant.id, week, answer):
            self._record(turn, participant, answer, week)
        if answer in ("difficulties", "talk"):
            return self._to_counsellor(turn, participant, answer)
        turn.enter(self.name, Step.NOTE, week=week)
        if answer == "found":
            add_task(
                turn.session,
                participant,
                "situation_change",
                "La personne dit avoir trouvé un emploi ou une formation : à vérifier et à "
                "saisir sur Parcours Solidarités.",
                week,
                turn.now,
            )
            text = _(
                "Bravo, c'est une belle nouvelle ! J'ai prévenu votre conseiller pour qu'il mette "
                "votre dossier à jour. Si vous voulez, écrivez-moi en quelques mots de quoi il "
                "s'agit (emploi ou formation, date de début)."
            )
            return [Reply(text=text, buttons=(footer_row(turn),))]
        text = _("Merci, c'est noté. Bonne semaine ! Vous pouvez aussi m'écrire quelques mots.")
        return [Reply(text=text, buttons=(footer_row(turn),))]

    def on_text(self, turn: Turn) -> list[Reply] | None:
        """Free text right after a check-in is a note for the counsellor (questions are not)."""
        confident = turn.confidence >= turn.settings.nlu_threshold
        if confident and turn.intent not in CHATTER:
            return None  # a real question: the router answers it and leaves the check-in
        participant = participant_of(turn.session, turn.person.id)
        week = str(turn.data.get("week") or periods.iso_week(periods.local_day(turn.now)))
        turn.finish()
        if participant is None or not turn.text:
            return None
        turn.session.add(
            ContactEvent(
                participant_id=participant.id,
                person_id=turn.person.id,
                kind="checkin",
                answer="free_text",
                period=week,
                text=turn.text[:NOTE_MAX],
                occurred_at=turn.now,
            )
        )
        return [
            Reply(
                text=turn._("Merci, c'est noté : votre conseiller lira votre message."),
                buttons=(footer_row(turn),),
            )
        ]

    def _record(self, turn: Turn, participant: Participant, answer: str, week: str) -> None:
        turn.session.add(
            ContactEvent(
                participant_id=participant.id,
                person_id=turn.person.id,
                kind="checkin",
                answer=answer,
                period=week,
                occurred_at=turn.now,
            )
        )

    def _to_counsellor(self, turn: Turn, participant: Participant, answer: str) -> list[Reply]:
        _ = turn._
        _request, created = open_request(turn, "checkin")
        counsellor = turn.session.get(Staff, participant.counsellor_id or 0)
        who = counsellor.name if counsellor is not None else _("votre conseiller")
        intro = _("Merci de me le dire.") if answer == "difficulties" else _("D'accord.")
        if created:
            body = _(
                "J'ai prévenu {who} : il vous répondra ici, ou vous appellera, pendant ses "
                "heures de travail. Je ne peux pas vous dire exactement quand. Vous pouvez déjà "
                "écrire ici ce qui se passe : il le lira."
            ).format(who=who)
        else:
            body = _(
                "Votre demande est déjà transmise à {who}. Écrivez ici ce qui se passe : il le "
                "lira."
            ).format(who=who)
        return [
            Reply(
                text=f"{intro} {body}",
                buttons=((Button(_("Revenir à l'assistant"), "human:back"),),),
            )
        ]

    def _slots(self, turn: Turn, participant: Participant, week: str) -> list[Reply]:
        from capabilities.programme import sources

        offered = sources.offer_slots(turn)
        if offered:
            return offered
        month = periods.month_label(periods.local_day(turn.now))
        add_task(
            turn.session,
            participant,
            "meeting_requested",
            "La personne souhaite une rencontre ce mois-ci (proposée depuis le suivi "
            "hebdomadaire) : proposez-lui une date.",
            month,
            turn.now,
        )
        rules = default_rules()
        per_month = rules.physical_meetings.per_month
        ngettext = ngettext_for(turn.locale)
        text = ngettext(
            "C'est noté : votre conseiller va vous proposer une date de rencontre (au moins "
            "{count} par mois). Il vous répondra ici ou par téléphone.",
            "C'est noté : votre conseiller va vous proposer une date de rencontre (au moins "
            "{count} par mois). Il vous répondra ici ou par téléphone.",
            per_month,
        ).format(count=per_month)
        return [Reply(text=text, buttons=(footer_row(turn),))]
