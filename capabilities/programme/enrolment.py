"""Enrolment: a counsellor enrols a participant, who links their Telegram account with a link.

The link is ``https://t.me/<bot>?start=<code>`` (at most 64 characters): a single-use,
unguessable code that expires. Opening it shows the consent first (``capabilities.privacy.consent``
keeps the code), then links the account. A reused, expired or unknown code gets a clear answer and
links nothing.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from capabilities.conversation.keyboards import footer_row
from capabilities.conversation.machine import Machine, moves
from capabilities.conversation.turn import Turn
from capabilities.programme.rules import Rules, default_rules
from core.i18n import N_, format_day, ngettext_for
from core.messages import Reply
from core.phone import masked
from store import repo_programme
from store.db import Session
from store.models import ChannelAccount, Conversation, Person
from store.programme import Invitation, Participant, hash_code
from store.staff import Staff

LINK_PREFIX = "https://t.me/"
MAX_LINK = 64
MIN_CODE = 12  # 72 bits of randomness at the very least
MAX_CODE = 22  # 128 bits
# Shown in the link when TELEGRAM_BOT_USERNAME is not configured: obviously not a real bot.
FALLBACK_USERNAME = "NOM_DU_BOT"
CODE_SHAPE = re.compile(r"^[A-Za-z0-9_-]{12,43}$")


class Status(StrEnum):
    """``participants.status`` as the invitation link moves it (the console sets the others)."""

    INVITED = "invited"
    ACTIVE = "active"


MACHINE = Machine(
    "enrolment",
    Status,
    moves(
        (None, Status.INVITED, "a counsellor enrols (python -m scheduler enrol): an invitation"),
        (Status.INVITED, Status.INVITED, "/start <code> unknown, used, replaced or expired"),
        (Status.INVITED, Status.ACTIVE, "/start <code> after consent, claimed atomically: linked"),
        (Status.ACTIVE, Status.ACTIVE, "the link opened again: already linked, nothing changes"),
        (Status.ACTIVE, None, "ended or reoriented in the console: no more check-ins"),
    ),
    (
        "Enrolment: counsellor → invitation link → consent → linked account",
        "(capabilities/programme/enrolment.py). The invitation keeps the hash of a single-use",
        "code, expires after 14 days. Link: https://t.me/<bot>?start=<code> (≤ 64 characters).",
        "Before consent the welcome keeps the code in the conversation, a refusal links nothing.",
        "Linked: participants.person_id set, welcome with the counsellor and the check-in day.",
    ),
)


class EnrolmentError(ValueError):
    """The enrolment cannot be created (unknown counsellor, dates out of order…)."""


@dataclass(frozen=True)
class Enrolled:
    """What the counsellor gets back: the participant and the link to send them."""

    participant_id: int
    code: str
    link: str
    expires_at: datetime
    configured: bool  # False when the bot username is the placeholder


def link_for(username: str | None, code: str) -> str:
    """The Telegram deep link for a code."""
    return f"{LINK_PREFIX}{username or FALLBACK_USERNAME}?start={code}"


def new_code(username: str | None) -> str:
    """An unguessable code as long as the 64-character link allows (12 to 22 characters)."""
    room = MAX_LINK - len(link_for(username, ""))
    if room < MIN_CODE:
        raise EnrolmentError("nom du bot trop long pour un lien de 64 caractères")
    return secrets.token_urlsafe(24)[: min(room, MAX_CODE)]


def issue_invitation(
    session: Session,
    participant: Participant,
    now: datetime,
    username: str | None,
    rules: Rules | None = None,
) -> Enrolled:
    """A fresh invitation for a participant; earlier unused ones stop working."""
    rules = rules or default_rules()
    repo_programme.revoke_invitations(session, participant.id, now)
    code = new_code(username)
    expires = now + timedelta(days=rules.invitation.expires_days)
    session.add(
        Invitation(
            participant_id=participant.id,
            code_hash=hash_code(code),
            created_at=now,
            expires_at=expires,
        )
    )
    return Enrolled(participant.id, code, link_for(username, code), expires, bool(username))


def enrol(
    session: Session,
    *,
    name: str,
    orientation_on: date,
    counsellor_id: int,
    now: datetime,
    username: str | None,
    programme_start: date | None = None,
    programme_end: date | None = None,
    rules: Rules | None = None,
) -> Enrolled:
    """Create a participant and their first invitation (the caller commits)."""
    name = " ".join(name.split())
    if not name or len(name) > 120:
        raise EnrolmentError("le nom est obligatoire (120 caractères au plus)")
    counsellor = session.get(Staff, counsellor_id)
    if counsellor is None or not counsellor.active:
        raise EnrolmentError(f"conseiller {counsellor_id} inconnu ou inactif")
    start = programme_start or orientation_on
    if programme_end is not None and programme_end <= start:
        raise EnrolmentError("la fin du programme doit suivre son début")
    participant = Participant(
        name=name,
        orientation_on=orientation_on,
        counsellor_id=counsellor_id,
        programme_start=programme_start,
        programme_end=programme_end,
        status="invited",
        created_at=now,
    )
    session.add(participant)
    session.flush()
    return issue_invitation(session, participant, now, username, rules)


SMS_CHANNEL = "sms"


def enrol_by_sms(
    session: Session,
    *,
    name: str,
    phone: str,
    orientation_on: date,
    counsellor_id: int,
    now: datetime,
    programme_start: date | None = None,
    programme_end: date | None = None,
    rules: Rules | None = None,
) -> int:
    """Enrol a participant reached by SMS at ``phone`` (E.164, already validated with
    :func:`core.phone.french_mobile`); returns the participant's id (the caller commits).

    No invitation: the person gave their mobile number to the counsellor to be followed by
    SMS, which is their consent to these messages (every SMS can be stopped with STOP). The
    number is the person's SMS account (``channel_accounts``): erased with the person.
    """
    if session.query(ChannelAccount).filter_by(channel=SMS_CHANNEL, external_ref=phone).first():
        raise EnrolmentError("ce numéro de portable est déjà inscrit")
    enrolled = enrol(
        session,
        name=name,
        orientation_on=orientation_on,
        counsellor_id=counsellor_id,
        now=now,
        username=None,
        programme_start=programme_start,
        programme_end=programme_end,
        rules=rules,
    )
    repo_programme.revoke_invitations(session, enrolled.participant_id, now)
    person = Person(consent="given", consent_at=now, created_at=now)
    session.add(person)
    session.flush()
    session.add(ChannelAccount(person_id=person.id, channel=SMS_CHANNEL, external_ref=phone))
    session.add(Conversation(person_id=person.id, data={}, misunderstood=0, handoff="bot"))
    participant = session.get(Participant, enrolled.participant_id)
    assert participant is not None
    participant.person_id = person.id
    participant.status = "active"
    session.flush()
    return participant.id


def participant_of(session: Session, person_id: int) -> Participant | None:
    """The participant linked to a person, if any."""
    return repo_programme.participant_of(session, person_id)


def handle_start(turn: Turn, code: str) -> list[Reply] | None:
    """``/start <code>``: link the account; ``None`` when the code is not an invitation."""
    if not CODE_SHAPE.match(code):
        return None
    _ = turn._
    session, person = turn.session, turn.person
    invitation = repo_programme.invitation_by_hash(session, hash_code(code))

    def answer(text: str) -> list[Reply]:
        return [Reply(text=text, buttons=(footer_row(turn),))]

    if invitation is None:
        return answer(
            _(
                "Je ne reconnais pas ce lien d'invitation. Vérifiez que vous avez ouvert le "
                "lien complet envoyé par votre conseiller, ou demandez-lui un nouveau lien. "
                "Je n'ai rien relié à votre compte."
            )
        )
    participant = invitation.participant
    if participant.person_id == person.id:
        return answer(_("Votre compte est déjà relié à votre accompagnement : tout est en ordre."))
    if invitation.used_at is not None or invitation.revoked_at is not None:
        return answer(
            _(
                "Ce lien a déjà servi : il ne fonctionne qu'une fois. Si ce n'était pas vous, "
                "prévenez votre conseiller. Je n'ai rien relié à votre compte."
            )
        )
    if invitation.expires_at <= turn.now:
        return answer(
            _(
                "Ce lien a expiré. Demandez un nouveau lien à votre conseiller. Je n'ai rien "
                "relié à votre compte."
            )
        )
    if participant.person_id is not None or participant_of(session, person.id) is not None:
        return answer(
            _(
                "Votre compte est déjà relié à un autre accompagnement, ou ce dossier à un "
                "autre compte. Parlez-en à votre conseiller. Je n'ai rien modifié."
            )
        )
    if not repo_programme.use_invitation(session, invitation.id, turn.now):
        # someone else used it a moment ago
        return answer(_("Ce lien a déjà servi : il ne fonctionne qu'une fois."))
    participant.person_id = person.id
    if participant.status == "invited":
        participant.status = "active"
    session.flush()
    return [Reply(text=_welcome(turn, participant), buttons=(footer_row(turn),))]


WEEKDAYS = {
    1: N_("le lundi"),
    2: N_("le mardi"),
    3: N_("le mercredi"),
    4: N_("le jeudi"),
    5: N_("le vendredi"),
    6: N_("le samedi"),
    7: N_("le dimanche"),
}


def _welcome(turn: Turn, participant: Participant) -> str:
    _ = turn._
    counsellor = turn.session.get(Staff, participant.counsellor_id or 0)
    rules = default_rules()
    day = _(WEEKDAYS[rules.weekly_contact.checkin_weekday])
    lines = [
        _("C'est fait : votre compte est relié à votre accompagnement « Ensemble vers l'emploi ».")
    ]
    if counsellor is not None:
        lines.append(_("Votre conseiller : {name}.").format(name=counsellor.name))
    lines.append(
        _(
            "Chaque semaine, {day}, je vous demanderai comment ça va. Répondez avec un bouton "
            "ou en quelques mots : votre conseiller verra votre réponse."
        ).format(day=day)
    )
    lines.append(_("Pour ne plus recevoir ces messages : /stop."))
    return "\n".join(lines)


def data_section(turn: Turn) -> list[str]:
    """/mesdonnees: what the programme keeps about the person."""
    participant = participant_of(turn.session, turn.person.id)
    if participant is None:
        return []
    _ = turn._
    ngettext = ngettext_for(turn.locale)
    answers = repo_programme.person_contact_count(turn.session, turn.person.id)
    counsellor = turn.session.get(Staff, participant.counsellor_id or 0)
    when = format_day(participant.created_at, turn.locale)
    lines = [
        _("• votre accompagnement RSA, inscrit le {when}").format(when=when),
        ngettext(
            "• {count} réponse au suivi de la semaine",
            "• {count} réponses au suivi de la semaine",
            answers or 0,
        ).format(count=answers or 0),
    ]
    # First: over SMS the answer is cut at two segments.
    lines[1:1] = [
        _("• votre numéro de portable pour les SMS : {number}").format(
            number=masked(account.external_ref)
        )
        for account in turn.person.accounts
        if account.channel == SMS_CHANNEL
    ]
    if counsellor is not None:
        lines.append(_("• votre conseiller : {name}").format(name=counsellor.name))
    lines.append(
        _(
            "Si vous effacez vos données, vos réponses sont effacées ; votre conseiller garde "
            "le dossier de votre accompagnement (rendez-vous, contrat), sans lien avec ce compte."
        )
    )
    return lines
