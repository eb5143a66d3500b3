"""The composition root: build the application context from the settings.

One function, :func:`build_context`, for every entry point: it opens the database (and
migrates it), loads the content, builds the NLU (the embedded engine, behind Rasa when
``RASA_URL`` is set), the shared services and the assistant, and lets each capability install
itself. Channels are added by the entry point that serves them (``app.serve``, ``bot.chat``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from app.context import AppContext, Database
from app.registry import build_registry
from capabilities.appointments.install import install as install_appointments
from capabilities.assistant.assistant import Assistant
from capabilities.conversation.services import Services
from capabilities.handoff.install import install as install_handoff
from capabilities.information.catalog import load_catalog
from capabilities.plan.install import install as install_plan
from capabilities.privacy.wipe import install as install_privacy
from capabilities.programme import install as install_programme
from core.clock import Clock, utcnow
from core.i18n import set_staff_locale
from core.ports import Nlu, Parser
from core.settings import Settings, get_settings
from core.wakeup import Wakeup
from store.db import make_engine, make_session_factory
from store.locks import exclusive
from store.migrate import upgrade

log = logging.getLogger(__name__)

# Each capability with hooks installs itself here, in this order (appointments sync the agenda
# from the files before the programme reads it).
INSTALLS = (
    install_appointments,
    install_programme,
    install_handoff,
    install_plan,
    install_privacy,
)


def open_database(settings: Settings, *, migrate: bool = True) -> Database:
    """The engine and sessions of ``DATABASE_URL``, migrated to the head revision first."""
    set_staff_locale(settings.staff_language)  # every command opens the database first
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    return Database(engine, make_session_factory(engine))


@contextlib.contextmanager
def database(settings: Settings | None = None, *, migrate: bool = True) -> Iterator[Database]:
    """The database part of the context, for the commands that need nothing else
    (``store``, ``console create-admin``, ``scheduler``, ``capabilities.appointments``)."""
    opened = open_database(settings or get_settings(), migrate=migrate)
    try:
        yield opened
    finally:
        opened.engine.dispose()


def build_nlu(settings: Settings, clock: Clock = utcnow) -> Nlu:
    """The embedded engine (trained now, or loaded from its cache), behind Rasa if configured."""
    from nlu.rasa_client import build_nlu_service

    service = build_nlu_service(settings, clock)
    _ = service.embedded  # train or load at start-up, not on the first message
    if settings.rasa_url:
        log.info("NLU: Rasa at %s, embedded engine as fallback", settings.rasa_url)
    return service


def held_channels(settings: Settings) -> frozenset[str]:
    """Channels fed by an inbox that another replica may take over after a crash (webhook
    mode): their replies are held until sent (:mod:`store.held_replies`)."""
    return frozenset({"telegram"}) if settings.telegram_webhook_url else frozenset()


def build_context(
    settings: Settings | None = None,
    *,
    parse: Parser | None = None,
    clock: Clock = utcnow,
    migrate: bool = True,
    services: Services | None = None,
) -> AppContext:
    """Everything one process needs, ready to serve; ``parse`` replaces the NLU (tests)."""
    settings = settings or get_settings()
    database = open_database(settings, migrate=migrate)
    try:
        if services is None:
            services = Services(registry=build_registry(), catalog=load_catalog(), clock=clock)
        nlu = None
        if parse is None:
            nlu = build_nlu(settings, clock)
            parse = nlu.parse
        wakeup = Wakeup()
        assistant = Assistant(
            database.sessions,
            services,
            settings,
            parse,
            kick=wakeup.kick,
            holds=held_channels(settings),
        )
        context = AppContext(
            settings=settings,
            clock=clock,
            database=database,
            services=services,
            assistant=assistant,
            wakeup=wakeup,
            nlu=nlu,
        )
        with exclusive(database.engine, "install"):  # replicas starting together: one by one
            for install in INSTALLS:
                install(context)
    except BaseException:
        database.engine.dispose()
        raise
    return context
