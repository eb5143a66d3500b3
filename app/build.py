"""Composition root: build the assistant from the settings (migrate, train, wire)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from app.registry import build_registry
from capabilities.appointments.install import install as install_appointments
from capabilities.conversation.assistant import Assistant, Parser
from capabilities.conversation.services import Services
from capabilities.information.catalog import load_catalog
from capabilities.programme import install as install_programme
from core.clock import Clock, utcnow
from core.settings import Settings, get_settings
from store.db import make_engine, make_session_factory
from store.migrate import upgrade

log = logging.getLogger(__name__)


def build_parser(
    settings: Settings, clock: Clock = utcnow
) -> tuple[Parser, Callable[[], Awaitable[None]]]:
    """The embedded engine (trained now, or loaded from its cache), behind Rasa if configured."""
    from nlu.rasa_client import build_nlu_service

    service = build_nlu_service(settings, clock)
    _ = service.embedded  # train or load at start-up, not on the first message
    if settings.rasa_url:
        log.info("NLU: Rasa at %s, embedded engine as fallback", settings.rasa_url)
    return service.parse, service.close


def build_assistant(
    settings: Settings | None = None,
    *,
    parse: Parser | None = None,
    clock: Clock = utcnow,
    migrate: bool = True,
) -> Assistant:
    """Migrate the database, load content and NLU, and return a ready assistant."""
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    services = Services(registry=build_registry(), catalog=load_catalog(), clock=clock)
    install_programme(services)
    closer: Callable[[], Awaitable[None]] | None = None
    if parse is None:
        parse, closer = build_parser(settings, clock)
    assistant = Assistant(make_session_factory(engine), services, settings, parse)
    install_appointments(assistant)
    if closer is not None:
        assistant.on_close(closer)

    async def dispose() -> None:
        engine.dispose()

    assistant.on_close(dispose)
    assistant.engine = engine
    return assistant
