"""``python -m scheduler``: the programme from the command line.

    due --now 2026-12-01T10:00 [--json]     what is due for everyone (nothing is written)
    plan [--now …]                           plan it (outbox rows and counsellor tasks)
    report [--csv] [--counsellors] [--now …] compliance per participant / per counsellor
    enrol --name … --orientation 2026-11-20 --counsellor ID [--start …] [--end …]
    contact PARTICIPANT --kind phone|physical|other|cer|diagnosis [--at …] [--note …]
    counsellor-add --name …                  add a counsellor to the shared staff table
    serve                                    jobs, and the dispatcher if TELEGRAM_BOT_TOKEN is set

Dates and times without a time zone are Paris time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from datetime import UTC, date, datetime

from app.build import database
from capabilities.programme import report
from capabilities.programme.batches import plan_round
from capabilities.programme.contacts import record_contact
from capabilities.programme.enrolment import EnrolmentError, enrol, enrol_by_sms
from capabilities.programme.planning import compute
from capabilities.programme.rules import Rules, RulesError, default_rules
from core.clock import PARIS, utcnow
from core.i18n import DEFAULT_LOCALE, ngettext_for
from core.logs import configure_logging
from core.phone import InvalidNumber, french_mobile
from core.settings import ConfigError, Settings, get_settings
from store import repo_programme
from store.db import SessionFactory
from store.programme import COUNSELLOR_KINDS, Participant
from store.staff import Staff


def moment(text: str) -> datetime:
    """Parse ``2026-12-01T10:00`` (Paris time unless an offset is given)."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"date invalide : {text!r} (ex. 2026-12-01T10:00)"
        ) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=PARIS)
    return parsed.astimezone(UTC)


def day(text: str) -> date:
    """Parse ``2026-11-20``."""
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"date invalide : {text!r} (ex. 2026-11-20)") from exc


def cmd_due(sessions: SessionFactory, rules: Rules, args: argparse.Namespace) -> int:
    now = args.now or utcnow()
    with sessions() as session:
        found = [
            {
                "participant": action.participant_id,
                "name": row.name if row else None,
                "counsellor": action.counsellor_id,
                "kind": action.kind.value,
                "rule": action.rule,
                "reason": action.reason,
                "key": action.key,
                "not_before": action.not_before.astimezone(PARIS).isoformat(timespec="minutes"),
            }
            for row, action in compute(session, now, rules)
        ]
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=1))
        return 0
    when = now.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")
    line = ngettext_for(DEFAULT_LOCALE)(
        "{n} action due le {when} (heure de Paris) — rien n'est envoyé.",
        "{n} actions dues le {when} (heure de Paris) — rien n'est envoyé.",
        len(found),
    )
    print(line.format(n=len(found), when=when))
    for item in found:
        who = f"#{item['participant']} {item['name']}" if item["participant"] else "conseiller"
        print(f"- {who} | {item['kind']} | {item['rule']} | {item['reason']}")
    return 0


def cmd_plan(sessions: SessionFactory, rules: Rules, args: argparse.Namespace) -> int:
    result = plan_round(sessions, (args.now or utcnow()), rules)
    print(
        f"{result.participants} participants, {result.actions} actions : "
        f"{result.messages_planned} messages et {result.tasks_created} tâches nouvelles "
        f"({result.seconds:.2f} s)."
    )
    return 0


def cmd_report(sessions: SessionFactory, rules: Rules, args: argparse.Namespace) -> int:
    with sessions() as session:
        lines = report.participant_lines(session, (args.now or utcnow()), rules)
    table = report.counsellor_lines(lines) if args.counsellors else lines
    print(report.as_csv(table) if args.csv else report.as_table(table), end="")
    return 0


def cmd_enrol(
    sessions: SessionFactory, rules: Rules, args: argparse.Namespace, settings: Settings
) -> int:
    if args.phone is not None:
        return _enrol_by_sms(sessions, rules, args)
    with sessions() as session:
        try:
            enrolled = enrol(
                session,
                name=args.name,
                orientation_on=args.orientation,
                counsellor_id=args.counsellor,
                now=utcnow(),
                username=settings.telegram_bot_username,
                programme_start=args.start,
                programme_end=args.end,
                rules=rules,
            )
        except EnrolmentError as exc:
            print(f"Inscription impossible : {exc}", file=sys.stderr)
            return 2
        session.commit()
    expires = enrolled.expires_at.astimezone(PARIS).strftime("%d/%m/%Y")
    print(f"Participant #{enrolled.participant_id} inscrit.")
    print(f"Lien d'invitation (un seul usage, valable jusqu'au {expires}) :")
    print(enrolled.link)
    if not enrolled.configured:
        print(
            "Attention : TELEGRAM_BOT_USERNAME n'est pas configuré, remplacez "
            f"« {enrolled.link.split('?')[0].rsplit('/', 1)[1]} » par le nom du bot.",
            file=sys.stderr,
        )
    return 0


def _enrol_by_sms(sessions: SessionFactory, rules: Rules, args: argparse.Namespace) -> int:
    try:
        phone = french_mobile(args.phone)
    except InvalidNumber as exc:
        print(f"Inscription impossible : {exc}", file=sys.stderr)
        return 2
    with sessions() as session:
        try:
            participant_id = enrol_by_sms(
                session,
                name=args.name,
                phone=phone,
                orientation_on=args.orientation,
                counsellor_id=args.counsellor,
                now=utcnow(),
                programme_start=args.start,
                programme_end=args.end,
                rules=rules,
            )
        except EnrolmentError as exc:
            print(f"Inscription impossible : {exc}", file=sys.stderr)
            return 2
        session.commit()
    print(f"Participant #{participant_id} inscrit : suivi par SMS (numéro enregistré).")
    return 0


def cmd_contact(sessions: SessionFactory, rules: Rules, args: argparse.Namespace) -> int:
    at = args.at or utcnow()
    with sessions() as session:
        participant = session.get(Participant, args.participant)
        if participant is None:
            print(f"Participant #{args.participant} inconnu.", file=sys.stderr)
            return 2
        if args.counsellor is not None and session.get(Staff, args.counsellor) is None:
            print(f"Conseiller {args.counsellor} inconnu.", file=sys.stderr)
            return 2
        record_contact(
            session,
            participant,
            kind=args.kind,
            at=at,
            note=args.note,
            by=args.counsellor,
            which=args.which,
        )
        session.commit()
        print(f"Contact « {args.kind} » enregistré pour #{participant.id} {participant.name}.")
    return 0


def cmd_counsellor(sessions: SessionFactory, args: argparse.Namespace) -> int:
    with sessions() as session:
        staff = Staff(name=args.name, email=args.email, role="counsellor")
        session.add(staff)
        session.commit()
        print(f"Conseiller #{staff.id} : {staff.name}")
        for other in repo_programme.all_staff(session):
            print(f"  #{other.id} {other.name} ({other.role})")
    return 0


async def _serve(sessions: SessionFactory, rules: Rules, settings: Settings) -> None:
    from scheduler.jobs import run_programme

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    if not settings.telegram_bot_token:
        # Without a channel this process only plans; python -m bot (Telegram) sends.
        await run_programme(sessions, {}, stop, rules=rules)
        return
    from app.telegram import channel_from_settings

    dispatch = rules.dispatch
    async with channel_from_settings(
        settings, overall_max_rate=dispatch.rate_per_second, paid_broadcast=dispatch.paid_broadcast
    ) as channel:
        await run_programme(sessions, {channel.name: channel}, stop, rules=rules)


def parser() -> argparse.ArgumentParser:
    """The command line."""
    main = argparse.ArgumentParser(prog="python -m scheduler", description=__doc__.split("\n")[0])
    sub = main.add_subparsers(dest="cmd", required=True)
    due = sub.add_parser("due", help="what is due for everyone (nothing is sent)")
    due.add_argument("--now", type=moment, help="2026-12-01T10:00 (Paris time)")
    due.add_argument("--json", action="store_true", help="JSON instead of text")
    planned = sub.add_parser("plan", help="plan now (outbox rows and counsellor tasks)")
    planned.add_argument("--now", type=moment, help="plan as of this time (Paris)")
    rep = sub.add_parser("report", help="compliance per participant or per counsellor")
    rep.add_argument("--csv", action="store_true", help="CSV instead of text")
    rep.add_argument("--counsellors", action="store_true", help="one line per counsellor")
    rep.add_argument("--now", type=moment, help="report as of this time (Paris)")
    en = sub.add_parser("enrol", help="enrol a participant and get their invitation link")
    en.add_argument("--name", required=True)
    en.add_argument("--orientation", required=True, type=day)
    en.add_argument("--counsellor", required=True, type=int)
    en.add_argument("--start", type=day)
    en.add_argument("--end", type=day)
    en.add_argument("--phone", help="a French mobile: follow by SMS instead of Telegram")
    co = sub.add_parser("contact", help="record a counsellor's contact")
    co.add_argument("participant", type=int)
    co.add_argument("--kind", required=True, choices=COUNSELLOR_KINDS)
    co.add_argument("--at", type=moment, help="2026-12-01T14:00 (default: now)")
    co.add_argument("--which", choices=("3m", "final"), help="diagnosis: at 3 months or final")
    co.add_argument("--counsellor", type=int)
    co.add_argument("--note")
    add = sub.add_parser("counsellor-add", help="add a counsellor")
    add.add_argument("--name", required=True)
    add.add_argument("--email")
    sub.add_parser("serve", help="run the scheduled jobs (and the dispatcher with a token)")
    return main


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = parser().parse_args(argv)
    try:
        settings = get_settings()
        rules = default_rules()
    except (ConfigError, RulesError) as exc:
        print(exc, file=sys.stderr)
        return 2
    configure_logging(settings)
    with database(settings) as db:
        return run_command(args, db.sessions, rules, settings)


def run_command(
    args: argparse.Namespace, sessions: SessionFactory, rules: Rules, settings: Settings
) -> int:
    """Run the parsed subcommand on the application's database."""
    if args.cmd == "due":
        return cmd_due(sessions, rules, args)
    if args.cmd == "plan":
        return cmd_plan(sessions, rules, args)
    if args.cmd == "report":
        return cmd_report(sessions, rules, args)
    if args.cmd == "enrol":
        return cmd_enrol(sessions, rules, args, settings)
    if args.cmd == "contact":
        return cmd_contact(sessions, rules, args)
    if args.cmd == "counsellor-add":
        return cmd_counsellor(sessions, args)
    asyncio.run(_serve(sessions, rules, settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
