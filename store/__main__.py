"""``python -m store upgrade|downgrade REV|revision -m MSG``: manage the schema."""

from __future__ import annotations

import argparse

from alembic import command

from app.build import database
from core.logs import configure_logging
from core.settings import get_settings
from store.migrate import alembic_config, downgrade, upgrade


def main() -> None:
    """Entry point of the schema command line."""
    parser = argparse.ArgumentParser(prog="python -m store")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("upgrade", help="migrate to the latest schema")
    down = sub.add_parser("downgrade", help="roll back to a revision")
    down.add_argument("revision", help="an alembic revision id (see store/migrations/versions)")
    rev = sub.add_parser("revision", help="autogenerate a new migration (developers)")
    rev.add_argument("-m", "--message", required=True, help="what the migration does")
    args = parser.parse_args()
    settings = get_settings()
    configure_logging(settings)
    with database(settings, migrate=False) as db:
        if args.cmd == "upgrade":
            upgrade(db.engine)
        elif args.cmd == "downgrade":
            downgrade(db.engine, args.revision)
        else:
            config = alembic_config(settings.database_url)
            command.revision(config, message=args.message, autogenerate=True)
    print("ok")


if __name__ == "__main__":
    main()
