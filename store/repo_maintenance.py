"""PostgreSQL housekeeping the benchmarks run between rounds (statistics, dead rows)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine, text


def analyze(engine: Engine) -> None:
    """Fresh planner statistics for every table (after bulk fixtures)."""
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def vacuum(engine: Engine, tables: Iterable[str]) -> None:
    """``VACUUM ANALYZE`` these tables, then a checkpoint: what a rolled-back round left
    behind is cleared, so the next one starts from the same state."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        for table in tables:
            c.execute(text(f"VACUUM ANALYZE {table}"))
        c.execute(text("CHECKPOINT"))
