"""Composition root: build the assistant from the settings (migrate, train, wire)."""

from __future__ import annotations

import logging

from core.clock import Clock, utcnow
from core.settings import Settings, get_settings
from flows.assistant import Assistant, Parser
from flows.catalog import load_catalog
from flows.programme import install as install_programme
from flows.services import Services
from flows.setup import build_registry
from store.db import make_engine, make_session_factory
from store.migrate import upgrade

log = logging.getLogger(__name__)


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
    closers = []
    if parse is None:
        from nlu.service import build_nlu_service

        nlu = build_nlu_service(settings)
        parse = nlu.parse
        closers.append(nlu.aclose)
    assistant = Assistant(make_session_factory(engine), services, settings, parse)
    for closer in closers:
        assistant.on_close(closer)

    async def dispose() -> None:
        engine.dispose()

    assistant.on_close(dispose)
    assistant.engine = engine
    return assistant
