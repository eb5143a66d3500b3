"""How a booking is told to a person: date in plain French, place (honestly), what to bring.

Addresses, coordinates and phones come from ``config/espaces.yaml``; when they are unknown
(placeholders), the person is told so and given the commune only, never a guess.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from core.i18n import format_when
from flows.booking.config import espaces_by_id
from flows.catalog import EspaceConfig
from flows.messages import Venue
from store.appointments import Booking, Espace, Motif

Gettext = Callable[[str], str]
SLOT_FORMAT = "%Y%m%d%H%M"  # UTC, in button payloads


def encode_start(start: datetime) -> str:
    """A slot start for a payload (UTC minutes)."""
    return start.astimezone(UTC).strftime(SLOT_FORMAT)


def decode_start(value: str) -> datetime | None:
    """The inverse of :func:`encode_start`; ``None`` for anything forged."""
    try:
        return datetime.strptime(value, SLOT_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


@dataclass(frozen=True)
class Place:
    """What we may say about an Espace."""

    name: str
    commune: str
    address: str | None
    phone: str | None
    venue: Venue | None


def place_of(session: Session, espace_id: str) -> Place:
    """The Espace as configured; unknown details stay ``None``."""
    config: EspaceConfig | None = espaces_by_id().get(espace_id)
    row = session.get(Espace, espace_id) if config is None else None
    name = config.name if config else (row.name if row else espace_id)
    commune = config.commune if config else (row.commune if row else "")
    address = config.address if config else None
    venue = None
    if config and config.latitude is not None and config.longitude is not None:
        venue = Venue(config.latitude, config.longitude, name, address or commune)
    return Place(name, commune, address, config.phone if config else None, venue)


def place_text(place: Place, _: Gettext) -> str:
    """The address, or an honest "not known here" with the commune."""
    if place.address:
        return _("Adresse : {address}.").format(address=place.address)
    return _(
        "Je n'ai pas encore l'adresse exacte de cet Espace : il se trouve à {commune}. "
        "Un conseiller peut vous la donner."
    ).format(commune=place.commune)


def bring_text(motif: Motif | None, _: Gettext) -> str:
    """What to bring, one line per item."""
    items = list(motif.bring) if motif and motif.bring else []
    if not items:
        return ""
    return _("À apporter :") + "\n" + "\n".join(f"• {item}" for item in items)


def summary(session: Session, booking: Booking, locale: str, _: Gettext) -> str:
    """ "Information sur les métiers, mardi 24 novembre à 14 h 00, Espace … de Saint-Pol"."""
    motif = session.get(Motif, booking.motif_id)
    place = place_of(session, booking.espace_id)
    return _("{motif}, {when}, {espace}").format(
        motif=motif.label if motif else booking.motif_id,
        when=format_when(booking.starts_at, locale),
        espace=place.name,
    )
