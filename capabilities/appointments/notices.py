"""Proactive messages about bookings, written to the outbox in the booking's transaction."""

from __future__ import annotations

from datetime import datetime

from capabilities.appointments import reminders
from capabilities.appointments.agenda import search
from capabilities.appointments.config import load_config
from capabilities.appointments.describe import encode_start, place_of
from core.i18n import format_when, gettext_for
from core.messages import Button, Reply
from store.appointments import Booking, Motif, WaitlistEntry
from store.db import Session
from store.outbox import enqueue

reminder_keys = reminders.reminder_keys


def plan_for_booking(session: Session, booking: Booking, now: datetime) -> int:
    """A new booking gets its reminders planned at once (the tick is a safety net)."""
    return reminders.enqueue_reminders(session, [booking], now)


def slot_buttons(
    session: Session,
    motif_id: str,
    espace_id: str,
    now: datetime,
    locale: str,
    count: int = 3,
    *,
    staff_id: int | None = None,
) -> list[tuple[Button, ...]]:
    """Buttons for the next free slots of a motif in an Espace (with one staff member)."""
    _ = gettext_for(locale).gettext
    rules = load_config().rules
    slots = search(
        session, rules, now, espace_ids=[espace_id], motif_ids=[motif_id], staff_id=staff_id
    )[:count]
    rows: list[tuple[Button, ...]] = [
        (
            Button(
                format_when(s.start, locale),
                f"appt:pick:{motif_id}:{espace_id}:{encode_start(s.start)}",
            ),
        )
        for s in slots
    ]
    rows.append((Button(_("Voir d'autres dates"), f"appt:go:{motif_id}:{espace_id}"),))
    return rows


def waitlist_freed(session: Session, entry: WaitlistEntry, freed: Booking, now: datetime) -> bool:
    """Tell the first person waiting that a place freed up, with the free slots."""
    locale = reminders.locale_of(session, entry.person_id)
    _ = gettext_for(locale).gettext
    motif = session.get(Motif, entry.motif_id)
    place = place_of(session, freed.espace_id)
    text = _("Bonne nouvelle : une place s'est libérée pour « {motif} » à l'{espace}.").format(
        motif=motif.label if motif else entry.motif_id, espace=place.name
    )
    rows = slot_buttons(session, entry.motif_id, freed.espace_id, now, locale)
    return enqueue(
        session,
        key=f"waitlist:{entry.id}:{freed.id}",
        person_id=entry.person_id,
        rule="waitlist_freed",
        replies=[Reply(text=text + "\n" + _("Voulez-vous la réserver ?"), buttons=tuple(rows))],
        not_before=now,
        expires_at=freed.starts_at,
    )


def noshow_followup(session: Session, booking: Booking, now: datetime) -> bool:
    """A missed appointment: a kind word and new slots, never a reproach."""
    if booking.person_id is None:
        return False
    locale = reminders.locale_of(session, booking.person_id)
    _ = gettext_for(locale).gettext
    motif = session.get(Motif, booking.motif_id)
    text = _(
        "Nous ne vous avons pas vu à votre rendez-vous « {motif} » du {when}. "
        "Un empêchement, cela arrive ! Voulez-vous choisir un autre moment ?"
    ).format(motif=motif.label if motif else "", when=format_when(booking.starts_at, locale))
    rows = slot_buttons(session, booking.motif_id, booking.espace_id, now, locale)
    return enqueue(
        session,
        key=f"noshow:{booking.id}",
        person_id=booking.person_id,
        rule="noshow_followup",
        replies=[Reply(text=text, buttons=tuple(rows))],
        not_before=now,
    )
