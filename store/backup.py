"""Backup and restore of the PostgreSQL database with ``pg_dump`` / ``pg_restore``.

``python -m store backup [--out FILE]`` writes one custom-format dump (compressed, every
table, the migration state included) under ``var/backups/`` by default;
``python -m store restore FILE --yes`` replaces the database's content by the dump's.
The password goes to the tools in ``PGPASSWORD``, never on their command line.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from core.settings import ROOT

BACKUPS = ROOT / "var" / "backups"


class BackupError(RuntimeError):
    """The dump or the restore failed; the message says what to check."""


def _connection(url: str) -> tuple[list[str], dict[str, str]]:
    """libpq options for ``url`` and the environment holding its password."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise BackupError("backup and restore are for PostgreSQL (DATABASE_URL=postgresql://…)")
    options = [f"--dbname={parsed.database}"]
    if parsed.host:
        options.append(f"--host={parsed.host}")
    if parsed.port:
        options.append(f"--port={parsed.port}")
    if parsed.username:
        options.append(f"--username={parsed.username}")
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return options, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} not found: install PostgreSQL's client (postgresql-client)")
    return path


def backup(url: str, out: Path | None = None, *, now: datetime | None = None) -> Path:
    """Dump the database to ``out`` (default ``var/backups/assistant-<UTC time>.dump``)."""
    options, env = _connection(url)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    out = out or BACKUPS / f"assistant-{stamp}.dump"
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    command = [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}", *options]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    partial.replace(out)  # a dump is complete or absent, never half-written
    out.chmod(0o600)  # it holds people's data
    return out


def restore(url: str, dump: Path) -> None:
    """Replace the database's objects by the dump's (``--clean --if-exists``, one transaction)."""
    if not dump.is_file():
        raise BackupError(f"no such dump: {dump}")
    options, env = _connection(url)
    command = [
        _tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--exit-on-error",
        *options,
        str(dump),
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed (nothing was changed): {result.stderr.strip()}")
