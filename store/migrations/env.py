"""Alembic environment: uses the connection handed over by store.migrate, or the URL."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from sqlalchemy import Connection

import store.all_models  # noqa: F401  (registers every table on the metadata)
from store.base import Base, UTCDateTime
from store.db import make_engine

target_metadata = Base.metadata


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Render our UTC column type as a plain ``sa.DateTime`` so migrations stay standalone."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        _run(conn)
