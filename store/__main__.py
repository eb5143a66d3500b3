"""``python -m store upgrade|downgrade REV|revision -m MSG|backup|restore FILE``: manage the
schema and the data (docs/operations.md).

``python -m store retention [--dry-run]``: apply ``config/retention.yaml`` now (the
scheduler does it every night), printing the rows per table deleted (or to delete).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from alembic import command

from app.build import database
from core.clock import utcnow
from core.logs import configure_logging
from core.settings import ConfigError, get_settings
from store import retention
from store.backup import BackupError, backup, restore
from store.migrate import alembic_config, downgrade, upgrade


def parser() -> argparse.ArgumentParser:
    """The command line."""
    main = argparse.ArgumentParser(prog="python -m store", description=__doc__)
    sub = main.add_subparsers(dest="cmd", required=True)
    sub.add_parser("upgrade", help="migrate to the latest schema (every head)")
    down = sub.add_parser("downgrade", help="roll back to a revision")
    down.add_argument("revision", help="an alembic revision id (see store/migrations/versions)")
    rev = sub.add_parser("revision", help="autogenerate a new migration (developers)")
    rev.add_argument("-m", "--message", required=True, help="what the migration does")
    save = sub.add_parser("backup", help="dump the PostgreSQL database (pg_dump, custom format)")
    save.add_argument("--out", type=Path, help="the dump file (default: var/backups/…)")
    back = sub.add_parser("restore", help="replace the database's content by a dump's")
    back.add_argument("dump", type=Path, help="a file made by `python -m store backup`")
    back.add_argument("--yes", action="store_true", help="confirm: the current data is replaced")
    keep = sub.add_parser("retention", help="delete what is past its retention period")
    keep.add_argument("--dry-run", action="store_true", help="only count, per table")
    return main


def main(argv: list[str] | None = None) -> int:
    """Entry point of the schema and data command line."""
    args = parser().parse_args(argv)
    try:
        settings = get_settings()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    configure_logging(settings)
    try:
        if args.cmd == "backup":
            print(backup(settings.database_url, args.out))
            return 0
        if args.cmd == "restore":
            if not args.yes:
                print("restore replaces the current data: add --yes to confirm", file=sys.stderr)
                return 2
            restore(settings.database_url, args.dump)
            print(f"restored from {args.dump}")
            return 0
    except BackupError as exc:
        print(exc, file=sys.stderr)
        return 1
    with database(settings, migrate=args.cmd == "retention") as db:
        if args.cmd == "retention":
            policy = retention.load_policy()
            with db.sessions() as session:
                if args.dry_run:
                    outcome, _people = retention.plan(session, utcnow(), policy)
                else:
                    outcome = retention.apply(session, utcnow(), policy)
                    session.commit()
            if not args.dry_run:
                retention.after_delete(db.engine, outcome)
            print(retention.report(outcome, dry_run=args.dry_run), end="")
            return 0
        if args.cmd == "upgrade":
            upgrade(db.engine)
        elif args.cmd == "downgrade":
            downgrade(db.engine, args.revision)
        else:
            config = alembic_config(settings.database_url)
            command.revision(config, message=args.message, autogenerate=True)
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
