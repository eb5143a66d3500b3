"""``python -m store upgrade|downgrade REV|revision -m MSG``: manage the schema."""

from __future__ import annotations

import argparse

from alembic import command

from core.settings import get_settings
from store.db import make_engine
from store.migrate import alembic_config, downgrade, upgrade


def main() -> None:
    """Entry point of the schema command line."""
    parser = argparse.ArgumentParser(prog="python -m store")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("upgrade", help="migrate to the latest schema")
    down = sub.add_parser("downgrade", help="roll back to a revision")
    down.add_argument("revision")
    rev = sub.add_parser("revision", help="autogenerate a new migration")
    rev.add_argument("-m", "--message", required=True)
    args = parser.parse_args()
    url = get_settings().database_url
    engine = make_engine(url)
    if args.cmd == "upgrade":
        upgrade(engine)
    elif args.cmd == "downgrade":
        downgrade(engine, args.revision)
    else:
        command.revision(alembic_config(url), message=args.message, autogenerate=True)
    print("ok")


if __name__ == "__main__":
    main()
