"""Run the Alembic migrations from code: the bot migrates itself at start-up."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_REVISION = re.compile(r"^(down_revision|revision)\s*=\s*(.+)$", re.MULTILINE)


def script_heads() -> set[str]:
    """The head revisions of our migration scripts, read as text (no Alembic import)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(_REVISION.findall(path.read_text(encoding="utf-8")))
        revisions.add(found["revision"].strip("'\" "))
        parents.update(re.findall(r"['\"]([^'\"]+)['\"]", found.get("down_revision", "")))
    return revisions - parents


def at_heads(engine: Engine) -> bool:
    """True when the database is already migrated: start-up then skips importing Alembic."""
    if not inspect(engine).has_table("alembic_version"):
        return False
    with engine.connect() as connection:
        current = {
            row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))
        }
    return current == script_heads()


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at our migrations, without an ini file on disk."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the database schema to ``revision`` (idempotent; fast when already there)."""
    if revision == "heads" and at_heads(engine):
        return
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Replicas starting together migrate one after the other (the others then find
            # the schema at its heads and do nothing).
            connection.execute(text("SELECT pg_advisory_xact_lock(20000011)"))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Roll the schema back to ``revision`` (used by the migration tests)."""
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
