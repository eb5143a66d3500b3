"""A voice note or photo in the person's staff topic (the console has it too)."""

from __future__ import annotations

import logging

from core.i18n import staff_gettext, staff_ngettext
from core.ports import StaffGroup, StaffMedia
from store import repo_media
from store.db import SessionFactory

log = logging.getLogger(__name__)
_ = staff_gettext  # staff-facing: STAFF_LANGUAGE, never the person's language


async def post_media(
    sessions: SessionFactory, group: StaffGroup, thread: int, media_id: int
) -> None:
    """Post the audio or the image in the topic, or say where to find it."""
    with sessions() as session:
        row = repo_media.get(session, media_id)
        if row is None:  # erased meanwhile
            return
        kind, data, mime, caption = row.kind, row.data, row.mime_type, row.caption
        duration = row.duration_s
    if kind == "voice":
        label = _("👤 Message vocal")
        if duration:
            label += " " + staff_ngettext("({n} s)", "({n} s)", duration).format(n=duration)
    else:
        label = _("👤 Photo")
    if caption:
        label += f" : {caption}"
    if isinstance(group, StaffMedia):
        await group.post_media(thread, kind, data, mime, label[:1024])
    else:
        await group.post(thread, label + " " + _("(à voir dans la console)"))
