"""``python -m capabilities.appointments``: attendance, CSV exports, a day's list, sync, reminders.

python -m capabilities.appointments attendance 42 seen|excused|noshow|revoked [--by NAME]
python -m capabilities.appointments export [--out bookings.csv]      # every booking
python -m capabilities.appointments stats [--out stats.csv]         # no-show rate per Espace/motif
python -m capabilities.appointments day 2026-11-24                  # the day's appointments
python -m capabilities.appointments sync                             # reload
config/appointments.yaml
python -m capabilities.appointments reminders                        # plan due reminders now
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from app.build import database
from capabilities.appointments.booking import BookingError, mark_attendance
from capabilities.appointments.config import load_config
from capabilities.appointments.reminders import enqueue_due_reminders
from capabilities.appointments.stats import (
    BOOKING_FIELDS,
    STATS_FIELDS,
    booking_rows,
    day_rows,
    stats_rows,
    to_csv,
)
from capabilities.appointments.sync import sync_config
from capabilities.information.espaces import load_espaces
from core.clock import Clock, utcnow
from core.i18n import DEFAULT_LOCALE, format_clock, ngettext_for
from store.appointments import ATTENDANCE, Motif

ngettext = ngettext_for(DEFAULT_LOCALE)  # staff-facing texts: French plural forms


def _output(text: str, out: str | None) -> None:
    if out:
        Path(out).write_text(text, encoding="utf-8")
        print(f"écrit : {out}")
    else:
        sys.stdout.write(text)


def main(argv: list[str] | None = None, clock: Clock = utcnow) -> int:
    """Entry point for staff (and the console until it has its own screens)."""
    parser = argparse.ArgumentParser(prog="python -m capabilities.appointments")
    sub = parser.add_subparsers(dest="cmd", required=True)
    att = sub.add_parser("attendance", help="mark what happened at an appointment")
    att.add_argument("booking_id", type=int)
    att.add_argument("status", choices=[s for s in ATTENDANCE if s != "unknown"])
    att.add_argument("--by", default="staff")
    for name in ("export", "stats"):
        sub.add_parser(name).add_argument("--out")
    day = sub.add_parser("day", help="list a day's appointments")
    day.add_argument("day", type=date.fromisoformat)
    sub.add_parser("sync")
    sub.add_parser("reminders")
    args = parser.parse_args(argv)
    now = clock()
    with database() as db, db.sessions() as session:
        if args.cmd == "attendance":
            try:
                booking = mark_attendance(
                    session, booking_id=args.booking_id, status=args.status, now=now, by=args.by
                )
            except BookingError as error:
                print(f"refusé : {error.reason}", file=sys.stderr)
                return 1
            session.commit()
            print(f"rendez-vous {booking.id} : {booking.attendance}")
        elif args.cmd == "export":
            _output(to_csv(booking_rows(session), BOOKING_FIELDS), args.out)
        elif args.cmd == "stats":
            _output(to_csv(stats_rows(session), STATS_FIELDS), args.out)
        elif args.cmd == "day":
            for b in day_rows(session, args.day):
                motif = session.get(Motif, b.motif_id)
                label = motif.label if motif else b.motif_id
                who = f"personne {b.person_id}" if b.person_id else "(effacée)"
                print(
                    "\t".join((str(b.id), b.espace_id, format_clock(b.starts_at, "fr"), label))
                    + f"\t{who}\t{b.attendance}"
                )
        elif args.cmd == "sync":
            sync_config(session, load_config(), load_espaces())
            session.commit()
            print("agenda synchronisé")
        else:
            count = enqueue_due_reminders(session, now)
            session.commit()
            print(
                ngettext("{count} rappel planifié", "{count} rappels planifiés", count).format(
                    count=count
                )
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
