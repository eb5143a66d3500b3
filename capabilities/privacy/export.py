"""The copy of a person's data (/mesdonnees, right of access, RGPD art. 15).

Two files, in the person's language: a readable text (our exchanges as a transcript, then
every other kind of data, one line per field) and a JSON file with the same rows as
stored. Tables come from :mod:`store.person_data` (found from the schema): a new table
about the person is in the copy without any change here; a title in :data:`TITLES`
only makes its section read better.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from core.clock import to_paris
from core.i18n import N_, gettext_for
from core.messages import Document
from store import person_data
from store.db import Session

TITLES = {
    "people": N_("Vous"),
    "messages": N_("Nos échanges"),
    "channel_accounts": N_("Vos comptes de messagerie"),
    "conversations": N_("Où en est notre conversation"),
    "bookings": N_("Vos rendez-vous"),
    "waitlist": N_("Vos demandes de créneau"),
    "participants": N_("Votre suivi RSA"),
    "contact_events": N_("Les contacts de votre suivi"),
    "counsellor_tasks": N_("Les tâches de votre conseiller"),
    "invitations": N_("Vos invitations"),
    "handoff_requests": N_("Vos demandes de conseiller"),
    "handoff_transitions": N_("Les passages vers un conseiller"),
    "handoff_assignments": N_("Le conseiller qui vous suit"),
    "staff_notes": N_("Les notes des conseillers sur vous"),
    "staff_topics": N_("Votre fil dans le groupe des conseillers"),
    "audit_log": N_("Qui a consulté ou modifié votre dossier"),
    "person_media": N_("Vos messages vocaux et photos"),
}
AUTHORS = {"person": N_("Vous"), "bot": N_("L'assistant")}
# Field names shown in the readable file; others keep their column name. Ids are left out
# of the readable file (they are in the JSON one).
FIELDS = {
    "created_at": N_("créé le"),
    "updated_at": N_("mis à jour le"),
    "consent": N_("accord"),
    "consent_at": N_("accord donné le"),
    "display_name": N_("prénom"),
    "locale": N_("langue"),
    "language_code": N_("langue du téléphone"),
    "channel": N_("messagerie"),
    "external_ref": N_("identifiant sur la messagerie"),
    "proactive_opt_out": N_("ne plus recevoir de messages"),
    "commune": N_("commune"),
    "starts_at": N_("début"),
    "ends_at": N_("fin"),
    "status": N_("état"),
    "attendance": N_("présence"),
    "author": N_("auteur"),
    "text": N_("texte"),
    "reason": N_("motif"),
    "name": N_("nom"),
    "caption": N_("légende"),
    "size": N_("taille (octets)"),
    "misunderstood": N_("messages pas compris de suite"),
    "handoff": N_("conseiller"),
}


def _when(value: Any) -> str:
    if isinstance(value, str):
        try:
            return to_paris(datetime.fromisoformat(value)).strftime("%d/%m/%Y %H:%M")
        except ValueError:
            return value
    return "" if value is None else str(value)


def _transcript(rows: list[dict[str, Any]], _: Any) -> list[str]:
    lines = []
    for row in rows:
        author = str(row.get("author") or "")
        who = _(AUTHORS[author]) if author in AUTHORS else _("Conseiller")
        said = row.get("text") or (f"[{row.get('payload')}]" if row.get("payload") else "")
        lines.append(f"{_when(row.get('created_at'))} · {who} : {said}")
    return lines


def _shown(key: str, value: Any) -> bool:
    return value not in (None, "", {}) and key != "id" and not key.endswith("_id")


def _line(key: str, value: Any, _: Any) -> str:
    label = _(FIELDS[key]) if key in FIELDS else key
    if isinstance(value, bool):
        value = _("oui") if value else _("non")
    elif key.endswith(("_at", "_on")):
        value = _when(value)
    return f"- {label} : {value}"


def readable(tables: dict[str, list[dict[str, Any]]], locale: str, now: datetime) -> str:
    """The text file: a title per kind of data, one block per row."""
    _ = gettext_for(locale).gettext
    out = [
        _("Vos données — Assistant 20 000 emplois"),
        _("Copie faite le {when}.").format(when=to_paris(now).strftime("%d/%m/%Y %H:%M")),
        _("Tout ce que nous gardons sur vous est ici. Pour tout effacer : /supprimer"),
        "",
    ]
    for name, rows in tables.items():
        out += ["== " + (_(TITLES[name]) if name in TITLES else name) + " =="]
        if name == "messages":
            out += [*_transcript(rows, _), ""]
            continue
        for row in rows:
            out += [_line(key, value, _) for key, value in row.items() if _shown(key, value)]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def documents(session: Session, person_id: int, locale: str, now: datetime) -> list[Document]:
    """The two files of the copy: readable text, then JSON."""
    _ = gettext_for(locale).gettext
    tables = person_data.rows_of(session, person_id)
    stamp = to_paris(now).strftime("%Y-%m-%d")
    data = {"exported_at": now.isoformat(), "locale": locale, "tables": tables}
    return [
        Document(
            filename=f"mes-donnees-{stamp}.txt",
            content=readable(tables, locale, now).encode("utf-8"),
            mime_type="text/plain; charset=utf-8",
            caption=_("Vos données, à lire."),
        ),
        Document(
            filename=f"mes-donnees-{stamp}.json",
            content=json.dumps(data, ensure_ascii=False, indent=1, default=str).encode("utf-8"),
            mime_type="application/json",
            caption=_("Les mêmes données, pour un autre service (JSON)."),
        ),
    ]
