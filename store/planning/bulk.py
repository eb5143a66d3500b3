"""Idempotent bulk writes of the planner, from Python tuples (COPY on PostgreSQL) or straight
from a ``SELECT``.

On PostgreSQL the rows go in first with a plain ``INSERT`` inside a savepoint: no speculative
insertion per row, the cheapest form when every key is new (the week's first round). When a
key is already there (a later round, or another transaction writing it at the same moment)
the unique index refuses it, the savepoint is rolled back and the same rows go in with
``INSERT … ON CONFLICT (idempotency_key) DO NOTHING`` — the form SQLite always uses. Rows
come in participant order and a later round meets an existing key among the first ones, so
the attempt fails fast. No anti-join (``WHERE NOT EXISTS``): its plan depends on the
statistics of ``outbox``, and with stale ones (an emptied table, rows written earlier in
the same transaction) it becomes a nested loop over the whole table for every row."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, Table, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

# The outbox columns a round's ``INSERT … SELECT`` fills (check-ins and their reminders).
OUTBOX_SELECT_COLUMNS = [
    "idempotency_key",
    "person_id",
    "rule",
    "replies",
    "not_before",
    "expires_at",
    "ignore_quiet_hours",
    "status",
    "attempts",
    "created_at",
]

BATCH = 5000


def insert_select(session: Session, table: Table, columns: list[str], query: Select[Any]) -> int:
    """``INSERT INTO table (columns) <query>``, the rows whose key is already there left
    out; returns rows inserted.

    ``query`` must have a ``WHERE`` clause (without one, SQLite reads ``SELECT … ON
    CONFLICT`` as a join constraint)."""

    def safe() -> int:
        insert = pg_insert if postgres else sqlite_insert
        statement = (
            insert(table)
            .from_select(columns, query)
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
            .execution_options(preserve_rowcount=True)
        )
        return int(getattr(session.execute(statement), "rowcount", 0) or 0)

    postgres = session.get_bind().dialect.name == "postgresql"
    if not postgres:
        return safe()

    def plain() -> int:
        statement = (
            table.insert().from_select(columns, query).execution_options(preserve_rowcount=True)
        )
        return int(getattr(session.execute(statement), "rowcount", 0) or 0)

    return new_rows_first(session, plain, safe)


def new_rows_first(session: Session, plain: Callable[[], int], safe: Callable[[], int]) -> int:
    """``plain()`` (a plain ``INSERT``) in a savepoint; ``safe()`` (the same rows with ``ON
    CONFLICT DO NOTHING``) if one of the keys is already there."""
    try:
        with session.begin_nested():
            return plain()
    except IntegrityError:
        return safe()


def insert_rows(
    session: Session,
    table: Table,
    columns: tuple[str, ...],
    rows: list[tuple[Any, ...]],
    constants: dict[str, Any],
    shared: dict[str, list[Any]],
) -> int:
    """Bulk ``INSERT … ON CONFLICT (idempotency_key) DO NOTHING``; returns rows inserted.

    ``constants`` are the same for every row; a column in ``shared`` holds a 1-based index
    into its list of values (a JSON value sent once for thousands of rows)."""
    if not rows:
        return 0
    if session.get_bind().dialect.name == "postgresql":
        return _insert_copy(session, table, columns, rows, constants, shared)
    positions = {name: columns.index(name) for name in shared}
    dicts = []
    for row in rows:
        values = dict(zip(columns, row, strict=True))
        for name, position in positions.items():
            values[name] = shared[name][row[position] - 1]
        dicts.append({**values, **constants})
    inserted = 0
    for start in range(0, len(dicts), BATCH):
        statement = (
            sqlite_insert(table)
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(table.c.id)
        )
        inserted += len(session.execute(statement, dicts[start : start + BATCH]).all())
    return inserted


def _insert_copy(
    session: Session,
    table: Table,
    columns: tuple[str, ...],
    rows: list[tuple[Any, ...]],
    constants: dict[str, Any],
    shared: dict[str, list[Any]],
) -> int:
    """PostgreSQL: COPY the rows into a temporary table, then one ``INSERT … SELECT … ON
    CONFLICT DO NOTHING``. Constants and shared JSON values travel once, as parameters."""
    dialect = session.get_bind().dialect
    scratch = f"planning_{table.name}"
    definitions = ", ".join(
        f"{name} integer" if name in shared else f"{name} {table.c[name].type.compile(dialect)}"
        for name in columns
    )
    session.execute(
        text(f"CREATE TEMP TABLE IF NOT EXISTS {scratch} ({definitions}) ON COMMIT DROP")
    )
    session.execute(text(f"TRUNCATE {scratch}"))
    raw: Any = session.connection().connection.driver_connection
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {scratch} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        write = copy.write_row
        for row in rows:
            write(row)
    values = [
        f"(CAST(:{name} AS text[]))[t.{name}]::json" if name in shared else f"t.{name}"
        for name in columns
    ]
    values += [f"CAST(:{name} AS {table.c[name].type.compile(dialect)})" for name in constants]
    params: dict[str, Any] = {
        name: [json.dumps(value, ensure_ascii=False) for value in shared[name]] for name in shared
    }
    params.update(constants)
    target = f"INSERT INTO {table.name} ({', '.join([*columns, *constants])}) "
    source = f"SELECT {', '.join(values)} FROM {scratch} t"

    def plain() -> int:
        return int(getattr(session.execute(text(target + source), params), "rowcount", 0) or 0)

    def safe() -> int:
        statement = text(
            f"WITH inserted AS ({target}{source} ON CONFLICT (idempotency_key) DO NOTHING "
            "RETURNING 1) SELECT count(*) FROM inserted"
        )
        return int(session.execute(statement, params).scalar_one())

    return new_rows_first(session, plain, safe)
