"""Où les trouver: each open Espace's practical details as the operator stored them.

The details are configuration (``config/espaces.yaml``, then the console's agenda
administration): what is not known yet is said so, never guessed.
"""

from __future__ import annotations

from collections.abc import Callable

from store import repo_agenda
from store.db import Session

Gettext = Callable[[str], str]


def espace_details(session: Session, _: Gettext) -> list[str]:
    """Each open Espace's address, hours, phone and access as stored; unknown ones said so."""
    lines: list[str] = []
    missing = False
    for espace in repo_agenda.open_espaces_by_name(session):
        where = "" if espace.commune in espace.name else f" ({espace.commune})"
        lines.append(f"📍 {espace.name}{where}")
        known = [
            (espace.address, _("Adresse : {value}"), _("Adresse : je ne l'ai pas encore.")),
            (
                espace.opening_hours,
                _("Horaires : {value}"),
                _("Horaires : je ne les ai pas encore."),
            ),
            (espace.phone, _("Téléphone : {value}"), _("Téléphone : je ne l'ai pas encore.")),
        ]
        for value, said, unknown in known:
            lines.append("   " + (said.format(value=value) if value else unknown))
            missing = missing or not value
        if espace.access_notes:
            lines.append("   " + _("Accès : {value}").format(value=espace.access_notes))
    if missing:
        lines.append(_("Un conseiller peut vous donner ce qui manque."))
    return lines
