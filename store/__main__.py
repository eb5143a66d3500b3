"""``python -m store upgrade|downgrade REV|revision -m MSG``: manage the schema.

``python -m store retention [--dry-run]``: apply ``config/retention.yaml`` now (the
scheduler does it every night), printing the rows per table deleted (or to delete).
"""

from __future__ import annotations

import argparse

from alembic import command

from app.build import database
from core.clock import utcnow
from core.settings import get_settings
from store import retention
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
    keep = sub.add_parser("retention", help="delete what is past its retention period")
    keep.add_argument("--dry-run", action="store_true", help="only count, per table")
    args = parser.parse_args()
    settings = get_settings()
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
            return
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
