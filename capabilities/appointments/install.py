"""Plug appointments into the assistant: sync the agenda, describe the data kept, free seats."""

from __future__ import annotations

from typing import TYPE_CHECKING

from capabilities.appointments import contact
from capabilities.appointments.booking import cancel, upcoming
from capabilities.appointments.config import load_config
from capabilities.appointments.describe import place_of
from capabilities.appointments.sync import sync_config
from capabilities.information.espaces import load_espaces
from core.i18n import format_when
from store.appointments import Motif

if TYPE_CHECKING:
    from capabilities.conversation.services import Host
    from capabilities.conversation.turn import Turn


def data_section(turn: Turn) -> list[str]:
    """/mesdonnees: the first name and phone number given while booking, the upcoming
    appointments."""
    lines = contact.data_lines(turn)
    bookings = upcoming(turn.session, turn.person.id, turn.now)
    if not bookings:
        return lines
    lines.append(turn._("• vos rendez-vous à venir :"))
    for booking in bookings:
        motif = turn.session.get(Motif, booking.motif_id)
        when = format_when(booking.starts_at, turn.locale)
        label = motif.label if motif else booking.motif_id
        lines.append(f"  – {when}, {label}, {place_of(turn.session, booking.espace_id).name}")
    return lines


def free_seats(turn: Turn) -> None:
    """Erasure: cancel the person's upcoming appointments so the waiting list hears of them."""
    rules = load_config().rules
    for booking in upcoming(turn.session, turn.person.id, turn.now):
        if booking.starts_at <= turn.now:
            continue  # already under way: the anonymous row stays for the statistics
        cancel(
            turn.session,
            booking_id=booking.id,
            person_id=turn.person.id,
            now=turn.now,
            rules=rules,
            by="erasure",
            enforce_limit=False,
        )


def install(host: Host) -> None:
    """Sync the agenda from the configuration and register the /mesdonnees section."""
    with host.sessions() as session:
        sync_config(session, load_config(), load_espaces())
        session.commit()
    if data_section not in host.services.data_sections:
        host.services.data_sections.append(data_section)
    if free_seats not in host.services.erase_hooks:
        host.services.erase_hooks.append(free_seats)
