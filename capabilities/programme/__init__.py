"""The RSA programme inside the chat: enrolment links, weekly check-ins, /mesdonnees."""

from __future__ import annotations

from capabilities.conversation.services import Host
from capabilities.programme.enrolment import data_section, handle_start


def install(host: Host) -> None:
    """Plug the programme's hooks into the shared services (the flows are in app.registry)."""
    services = host.services
    if handle_start not in services.start_handlers:
        services.start_handlers.append(handle_start)
    if data_section not in services.data_sections:
        services.data_sections.append(data_section)
