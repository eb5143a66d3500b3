"""The hand-off's hooks in the shared services (the flow itself is in ``app.registry``)."""

from __future__ import annotations

from capabilities.conversation.services import Host
from capabilities.handoff.media import data_section


def install(host: Host) -> None:
    """``/mesdonnees`` counts the voice notes and photos kept for counsellors."""
    if data_section not in host.services.data_sections:
        host.services.data_sections.append(data_section)
