"""``python -m console create-admin --email … --name …`` and ``python -m console serve``."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from app.build import database
from console.security import MIN_PASSWORD, hash_password
from core.clock import utcnow
from core.logs import configure_logging
from core.settings import ConfigError, Settings, get_settings
from store import repo_console, repo_console_login
from store.staff import Staff


def _password() -> str | None:
    """From CONSOLE_ADMIN_PASSWORD, else asked twice on the terminal (never on argv)."""
    password = os.environ.get("CONSOLE_ADMIN_PASSWORD")
    if password:
        return password
    if not sys.stdin.isatty():
        print("Mot de passe : définissez CONSOLE_ADMIN_PASSWORD ou lancez dans un terminal.")
        return None
    first = getpass.getpass("Mot de passe : ")
    if getpass.getpass("Encore une fois : ") != first:
        print("Les deux mots de passe diffèrent.")
        return None
    return first


def create_admin(email: str, name: str) -> int:
    """Create (or reset) an admin account; returns the exit code."""
    email = email.strip().lower()
    if "@" not in email or not name.strip():
        print("Adresse e-mail ou nom invalide.")
        return 2
    password = _password()
    if password is None:
        return 2
    if len(password) < MIN_PASSWORD:
        print(f"Mot de passe trop court ({MIN_PASSWORD} caractères au moins).")
        return 2
    with database() as db, db.sessions() as session:
        staff = repo_console.staff_by_email(session, email)
        if staff is None:
            staff = Staff(email=email, name=name.strip()[:80])
            session.add(staff)
        staff.role = "admin"
        staff.active = True
        staff.password_hash = hash_password(password)
        session.flush()
        # A new password ends the account's sessions (the old one may have leaked).
        repo_console_login.revoke(session, staff.id, utcnow(), "password")
        session.commit()
    print(f"Administrateur prêt : {email}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line."""
    parser = argparse.ArgumentParser(prog="python -m console")
    sub = parser.add_subparsers(dest="cmd", required=True)
    admin = sub.add_parser("create-admin", help="create the first admin (password asked)")
    admin.add_argument("--email", required=True, help="their sign-in address")
    admin.add_argument("--name", required=True, help="the name shown in the console")
    sub.add_parser("serve", help="serve the console alone on CONSOLE_HOST:CONSOLE_PORT")
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    configure_logging(settings)
    if args.cmd == "create-admin":
        return create_admin(args.email, args.name)
    asyncio.run(serve_console(settings))
    return 0


async def serve_console(settings: Settings) -> None:
    """``python -m console serve``: the console alone (replies wait for the bot's dispatcher)."""
    from app.health import Readiness, database_probe, receiving_probe
    from app.ops import ops_routes
    from console.serve import run_console
    from core.clock import utcnow

    with database(settings) as db:
        # Alone, the console needs only its database; Telegram is the bot's process.
        checks = Readiness(
            {"database": database_probe(db.engine), "telegram": receiving_probe(None)}
        )
        routes = ops_routes(checks, db.sessions, utcnow, settings.metrics_token)
        await run_console(settings, db.sessions, standalone=True, routes=routes)


if __name__ == "__main__":
    sys.exit(main())
