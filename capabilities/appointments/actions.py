"""The steps that change bookings: confirm, move, cancel, "je ne peux pas"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from capabilities.appointments import contact, views
from capabilities.appointments.booking import BookingError, book, cancel
from capabilities.appointments.config import load_config
from capabilities.appointments.describe import place_of
from capabilities.appointments.referent import referent_for
from capabilities.appointments.steps import NAME, Step, advance, duplicate, expired
from capabilities.conversation.keyboards import footer_row
from capabilities.conversation.turn import Turn
from core.i18n import format_when, ngettext_for
from core.messages import Button, Reply
from store.appointments import Booking


def _own_upcoming(turn: Turn, rest: list[str]) -> Booking | None:
    """The person's own active, upcoming booking with that id (forged ids find nothing)."""
    if not rest or not rest[0].isdigit():
        return None
    booking = turn.session.get(Booking, int(rest[0]))
    if booking is None or booking.person_id != turn.person.id:
        return None
    if booking.status != "booked" or booking.starts_at <= turn.now:
        return None
    return booking


def _not_found(turn: Turn) -> list[Reply]:
    return [
        views.my_list(
            turn, turn._("Je ne trouve pas ce rendez-vous à venir. Rien n'a été modifié.")
        )
    ]


def confirm_booking(turn: Turn, rest: list[str]) -> list[Reply]:
    """ "Je confirme": the booking transaction; a refusal changes nothing and says why."""
    _ = turn._
    data = turn.data
    if turn.step != Step.CONFIRM or not data.get("start"):
        return [expired(turn)]
    start = datetime.strptime(data["start"], "%Y%m%d%H%M").replace(tzinfo=UTC)
    try:
        booking = book(
            turn.session,
            person_id=turn.person.id,
            espace_id=data["espace"],
            motif_id=data["motif"],
            start=start,
            now=turn.now,
            rules=load_config().rules,
            replace=data.get("move"),
            staff_id=referent_for(turn.session, turn.person.id, data["motif"]),
        )
    except BookingError as error:
        if error.reason == "not_active":
            turn.finish()
            return [
                views.my_list(
                    turn,
                    _("Ce rendez-vous a déjà été annulé ou déplacé. Rien n'a été modifié."),
                )
            ]
        if error.reason == "duplicate" and error.booking is not None:
            reply = duplicate(turn, data["motif"], None)
            turn.finish()
            return [reply] if reply else _not_found(turn)
        turn.update(start=None)
        intro = {
            "taken": _("Ce créneau vient d'être pris. Choisissez-en un autre :"),
            "window": _("Ce créneau n'est plus réservable. Choisissez-en un autre :"),
        }.get(error.reason, _("Ce créneau n'existe pas. Choisissez-en un autre :"))
        if error.reason != "taken":
            turn.update(day=None)
        return advance(turn, intro)
    moved = bool(data.get("move"))
    if not moved:
        contact.save(turn)
    turn.finish()
    return views.booked(turn, booking, moved)


def start_move(turn: Turn, rest: list[str], wanted: dict[str, Any] | None = None) -> list[Reply]:
    """ "Déplacer": choose a new moment; the current booking stays until it is confirmed.

    ``wanted`` carries a day and time already said ("décaler à mardi vers 14h").
    """
    booking = _own_upcoming(turn, rest)
    if booking is None:
        turn.finish()
        return _not_found(turn)
    turn.enter(
        NAME,
        Step.DAY,
        motif=booking.motif_id,
        espace=booking.espace_id,
        move=booking.id,
        **(wanted or {}),
    )
    return advance(
        turn,
        turn._(
            "Choisissez le nouveau moment. Votre rendez-vous du {when} reste réservé tant que "
            "vous n'avez pas confirmé le nouveau."
        ).format(when=format_when(booking.starts_at, turn.locale)),
    )


def _too_late(turn: Turn, booking: Booking) -> list[Reply]:
    _ = turn._
    place = place_of(turn.session, booking.espace_id)
    hours = load_config().rules.cancel_limit_hours
    ngettext = ngettext_for(turn.locale)
    contact = (
        _("Prévenez l'Espace au {phone}.").format(phone=place.phone)
        if place.phone
        else _("Prévenez un conseiller : il transmettra à l'Espace.")
    )
    return [
        Reply(
            text=ngettext(
                "Votre rendez-vous est dans moins de {hours} heure : "
                "je ne peux plus l'annuler ici.",
                "Votre rendez-vous est dans moins de {hours} heures : "
                "je ne peux plus l'annuler ici.",
                int(hours),
            ).format(hours=f"{hours:g}")
            + " "
            + contact,
            buttons=((Button(_("Parler à un conseiller"), "human:ask"),), footer_row(turn)),
        )
    ]


def not_confirmed(turn: Turn) -> Reply:
    """ "Non" at the recap: nothing booked, a booking being moved stays where it was."""
    _ = turn._
    moving = turn.session.get(Booking, turn.data.get("move") or 0)
    turn.finish()
    if moving is not None and moving.person_id == turn.person.id and moving.status == "booked":
        text = _("D'accord, rien n'a changé : votre rendez-vous du {when} reste réservé.").format(
            when=format_when(moving.starts_at, turn.locale)
        )
    else:
        text = _("D'accord, rien n'a changé : je ne réserve rien.")
    return Reply(
        text=text,
        buttons=((Button(_("Choisir un autre moment"), "appt:new"),), footer_row(turn)),
    )


def ask_cancel(turn: Turn, rest: list[str]) -> list[Reply]:
    """ "Annuler": ask before cancelling; too close to the time, say who to contact."""
    _ = turn._
    booking = _own_upcoming(turn, rest)
    if booking is None:
        turn.finish()
        return _not_found(turn)
    limit = timedelta(hours=load_config().rules.cancel_limit_hours)
    if booking.starts_at - turn.now < limit:
        turn.finish()
        return _too_late(turn, booking)
    turn.enter(NAME, Step.CANCEL, booking=booking.id)
    return [
        Reply(
            text=_("Voulez-vous vraiment annuler votre rendez-vous du {when} ?").format(
                when=format_when(booking.starts_at, turn.locale)
            ),
            buttons=(
                (
                    Button(_("Oui, annuler"), turn.stamp(f"appt:cxok:{booking.id}")),
                    Button(_("Non, je le garde"), "appt:menu"),
                ),
            ),
        )
    ]


def do_cancel(turn: Turn, rest: list[str]) -> list[Reply]:
    """The confirmed cancellation."""
    _ = turn._
    if turn.step != Step.CANCEL or not rest or str(turn.data.get("booking")) != rest[0]:
        return [expired(turn)]
    try:
        cancel(
            turn.session,
            booking_id=int(rest[0]),
            person_id=turn.person.id,
            now=turn.now,
            rules=load_config().rules,
        )
    except BookingError as error:
        turn.finish()
        booking = turn.session.get(Booking, int(rest[0]))
        if error.reason == "too_late" and booking is not None:
            return _too_late(turn, booking)
        return _not_found(turn)
    turn.finish()
    return [
        Reply(
            text=_("C'est annulé. Merci de nous avoir prévenus : la place est libérée."),
            buttons=((Button(_("Prendre un autre rendez-vous"), "appt:new"),), footer_row(turn)),
        )
    ]


def cannot_come(turn: Turn, rest: list[str]) -> list[Reply]:
    """ "Je ne peux pas" (from a reminder): free the slot, even late, and offer new ones."""
    booking = _own_upcoming(turn, rest)
    if booking is None:
        turn.finish()
        return _not_found(turn)
    cancel(
        turn.session,
        booking_id=booking.id,
        person_id=turn.person.id,
        now=turn.now,
        rules=load_config().rules,
        by="reminder",
        enforce_limit=False,
    )
    booking.attendance = "excused"
    booking.attendance_at = turn.now
    booking.attendance_by = "person"
    turn.enter(NAME, Step.DAY, motif=booking.motif_id, espace=booking.espace_id)
    return advance(
        turn,
        turn._(
            "Merci de nous avoir prévenus, votre place est libérée. Voulez-vous un autre moment ?"
        ),
    )
