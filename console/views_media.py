"""A person's voice notes and photos, for the counsellors who may open their conversation."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from capabilities.handoff.queue import can_open
from console.audit import audit
from console.web import gettext, ngettext, page, person_id_of, state
from store import repo_media, retention
from store.db import Session
from store.staff import Staff


@page()
async def media_file(request: Request, session: Session, staff: Staff) -> Response:
    """The audio or image itself (``<audio>`` / ``<img>`` on the conversation page)."""
    person_id = person_id_of(request)
    console = state(request)
    if not can_open(session, console.integrations.owner_of, staff, person_id):
        raise HTTPException(403, gettext("Cette personne est suivie par un autre conseiller."))
    media_id = request.path_params.get("media_id")
    row = repo_media.get(session, media_id) if isinstance(media_id, int) else None
    if row is None or row.person_id != person_id:
        months = retention.load_policy().media_months
        raise HTTPException(
            404,
            ngettext(
                "Ce fichier n'existe plus : la personne l'a effacé, ou il a été supprimé {months} "
                "mois après son envoi (durée de conservation, config/retention.yaml).",
                "Ce fichier n'existe plus : la personne l'a effacé, ou il a été supprimé {months} "
                "mois après son envoi (durée de conservation, config/retention.yaml).",
                months,
            ).format(months=months),
        )
    audit(session, staff, "view", f"media {row.id}", console.clock(), person_id)
    return Response(
        row.data,
        media_type=row.mime_type,
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )
