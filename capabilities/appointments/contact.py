"""Who is coming, for the Espace: a first name, and (only if the person says yes) a phone
number the Espace may call. Asked after the time is chosen, before the summary; both can
be skipped. Kept in ``booking_contacts`` (one row per person, erased by /supprimer, listed
by /mesdonnees, shown on the console's day list); never written to the logs.

The booking flow (:mod:`.flow`) moves the conversation; this module only reads, asks and
keeps (it knows nothing of the steps, so the steps can ask through it).
"""

from __future__ import annotations

import re

from capabilities.conversation.turn import Turn
from core.i18n import N_, format_when
from core.messages import Button, Reply
from core.phone import InvalidNumber, french_number, readable
from store import repo_appointments

NAME_MAX = 40
# A first name: letters (any script), spaces, hyphens, apostrophes; at most three words.
NAME_SHAPE = re.compile(r"^[^\W\d_]+(?:[ '’-][^\W\d_]+){0,2}$")
PHONE_PROBLEMS = {
    "shape": N_("Je ne reconnais pas un numéro de téléphone."),
    "unknown": N_(
        "Ce numéro n'existe pas : il manque peut-être un chiffre, ou il y en a un de trop."
    ),
    "foreign": N_("Seuls les numéros français sont acceptés."),
}


def known_name(turn: Turn) -> str | None:
    """The first name given at an earlier booking, else the one the person's channel gave."""
    contact = repo_appointments.contact_of(turn.session, turn.person.id)
    if contact is not None and contact.first_name:
        return contact.first_name
    given = (turn.person.display_name or "").strip()
    first = given.split()[0] if given else ""
    return first[:NAME_MAX] if first and NAME_SHAPE.match(first) else None


def has_phone(turn: Turn) -> bool:
    """A number was already given (with consent): it is not asked again."""
    contact = repo_appointments.contact_of(turn.session, turn.person.id)
    return contact is not None and bool(contact.phone)


def read_name(text: str) -> str | None:
    """A typed first name, tidied ("léa" → "Léa"), or ``None`` if it does not look like one."""
    words = " ".join((text or "").split())
    if not words or len(words) > NAME_MAX or not NAME_SHAPE.match(words):
        return None
    return "-".join(part[:1].upper() + part[1:] for part in words.split("-"))


def read_phone(text: str) -> tuple[str | None, str]:
    """A typed number as E.164, or ``None`` and why (a key of :data:`PHONE_PROBLEMS`)."""
    try:
        return french_number(text), ""
    except InvalidNumber as refused:
        return None, refused.reason if refused.reason in PHONE_PROBLEMS else "shape"


def name_question(turn: Turn, intro: str = "") -> Reply:
    """ "Quel est votre prénom ?", the known one offered, and "Passer"."""
    _ = turn._
    text = _("Quel est votre prénom ? L'Espace saura ainsi qui vient.")
    known = known_name(turn)
    row = [Button(_("Passer"), turn.stamp("appt:nm:skip"))]
    if known:
        row.insert(0, Button(known, turn.stamp("appt:nm:known")))
    return Reply(text=f"{intro}\n{text}" if intro else text, buttons=(tuple(row),))


def name_retry(turn: Turn) -> Reply:
    """A typed answer that is not a first name: kindly again."""
    _ = turn._
    return name_question(
        turn, _("Je n'ai pas compris. Écrivez seulement votre prénom, par exemple : Léa.")
    )


def _no_thanks(turn: Turn) -> Button:
    return Button(turn._("Non merci"), turn.stamp("appt:ph:no"))


def phone_question(turn: Turn) -> Reply:
    """The optional phone number, asked with its reason and explicit buttons."""
    _ = turn._
    return Reply(
        text=_(
            "Voulez-vous laisser votre numéro de téléphone pour que l'Espace puisse vous "
            "appeler (par exemple si le rendez-vous doit changer) ? Il ne servira qu'à cela, "
            "et /supprimer l'efface."
        ),
        buttons=(
            (Button(_("Oui, je donne mon numéro"), turn.stamp("appt:ph:yes")), _no_thanks(turn)),
        ),
    )


def phone_prompt(turn: Turn) -> Reply:
    """After "yes": where to type it."""
    _ = turn._
    return Reply(
        text=_("Écrivez votre numéro, par exemple : 06 12 34 56 78."),
        buttons=((_no_thanks(turn),),),
    )


def phone_retry(turn: Turn, reason: str) -> Reply:
    """A number that cannot be read: say why, kindly; type it again or say no."""
    _ = turn._
    problem = _(PHONE_PROBLEMS.get(reason, PHONE_PROBLEMS["shape"]))
    return Reply(
        text=problem
        + "\n"
        + _("Écrivez-le par exemple ainsi : 06 12 34 56 78. Ou touchez « Non merci »."),
        buttons=((_no_thanks(turn),),),
    )


def recap_lines(turn: Turn) -> list[str]:
    """The summary's lines about who is coming (nothing when both were skipped)."""
    _ = turn._
    data = turn.data
    lines = []
    name = data.get("first_name") or ""
    if name:
        lines.append(_("Prénom : {name}").format(name=name))
    phone = data.get("phone") or ""
    if phone:
        lines.append(_("Téléphone pour l'Espace : {phone}").format(phone=readable(phone)))
    return lines


def save(turn: Turn) -> None:
    """Keep what was given in this booking (a skipped question keeps what was there)."""
    data = turn.data
    name = data.get("first_name") or None
    phone = data.get("phone") or None
    if name is None and phone is None:
        return
    repo_appointments.save_contact(
        turn.session, turn.person.id, first_name=name, phone=phone, now=turn.now
    )


def data_lines(turn: Turn) -> list[str]:
    """/mesdonnees: the first name and the phone number given while booking."""
    _ = turn._
    contact = repo_appointments.contact_of(turn.session, turn.person.id)
    if contact is None:
        return []
    lines = []
    if contact.first_name:
        lines.append(
            _("• le prénom donné pour vos rendez-vous : {name}").format(name=contact.first_name)
        )
    if contact.phone:
        when = format_when(contact.phone_consent_at or contact.updated_at, turn.locale)
        lines.append(
            _("• votre numéro, pour que l'Espace vous appelle : {phone} (donné le {when})").format(
                phone=readable(contact.phone), when=when
            )
        )
    return lines
